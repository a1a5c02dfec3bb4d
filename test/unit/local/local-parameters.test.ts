import { describe, expect, it } from 'vitest';
import { parseTrainingConfig } from '../../../src/core/config/training-config.ts';
import { localParameterOverrides } from '../../../src/local/local-parameters.ts';

describe('localParameterOverrides', () => {
  it('applies local_overrides and names the values as the pipeline parameters', () => {
    const config = parseTrainingConfig({ epochs: 100, batch_size: 'auto', local_overrides: { epochs: 15, batch_size: 16, image_size: 128, model: 'yolo11n.yaml', quality_threshold: 0.25, patience: 0 } });
    expect(localParameterOverrides(config)).toEqual({
      Epochs: 15,
      BatchSize: '16',
      ImageSize: 128,
      Model: 'yolo11n.yaml',
      Patience: 0,
      Seed: 0,
      QualityThreshold: 0.25,
      MlflowExperimentName: 'yolo-training',
    });
  });

  it('keeps "auto" as text', () => {
    expect(localParameterOverrides(parseTrainingConfig({})).BatchSize).toBe('auto');
  });
});
