import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hyperparameterEnvironment, splitHyperparameters, toCommandLineArgs } from '../../../../src/local/steps/hyperparameters.ts';
import { remapContainerPaths } from '../../../../src/local/steps/processing-step.ts';
import { extractTarGz, writeTarGz } from '../../../../src/local/fs/tar-archive.ts';
import { MetricCollector, parseProgressLine } from '../../../../src/local/steps/training-metrics.ts';

describe('hyperparameters as the training toolkit hands them over', () => {
  const raw = {
    epochs: '3',
    batch_size: 'auto',
    model: '"yolo11n.yaml"',
    amp: 'true',
    sagemaker_program: '"train.py"',
    sagemaker_submit_directory: '"s3://b/code/v/sourcedir.tar.gz"',
  };

  it('JSON-decodes values, keeps text that is not JSON, and separates sagemaker_* keys', () => {
    const { user, framework } = splitHyperparameters(raw);
    expect(user).toEqual({ amp: true, batch_size: 'auto', epochs: 3, model: 'yolo11n.yaml' });
    expect(framework).toEqual({ sagemaker_program: 'train.py', sagemaker_submit_directory: 's3://b/code/v/sourcedir.tar.gz' });
  });

  it('passes --key value arguments in key order, booleans as Python writes them', () => {
    expect(toCommandLineArgs(splitHyperparameters(raw).user)).toEqual(['--amp', 'True', '--batch_size', 'auto', '--epochs', '3', '--model', 'yolo11n.yaml']);
  });

  it('sets SM_HPS and SM_HP_<KEY>', () => {
    expect(hyperparameterEnvironment({ epochs: 3, model: 'yolo11n.yaml' })).toEqual({ SM_HPS: '{"epochs":3,"model":"yolo11n.yaml"}', SM_HP_EPOCHS: '3', SM_HP_MODEL: 'yolo11n.yaml' });
  });
});

describe('training metrics from the log', () => {
  const line = 'yolops-metrics epoch=2/3 train/box_loss=1.234500 val/precision=0.500000 val/mAP50=0.450000 val/mAP50-95=nan';

  it('parses the per-epoch progress line, leaving out values that are not numbers', () => {
    expect(parseProgressLine(line)).toEqual({ epoch: 2, epochs: 3, metrics: { 'train/box_loss': 1.2345, 'val/precision': 0.5, 'val/mAP50': 0.45 } });
    expect(parseProgressLine('  1/3  0.5G  1.2  ...')).toBeUndefined();
    expect(parseProgressLine('yolops-metrics epoch=1/1')).toEqual({ epoch: 1, epochs: 1, metrics: {} });
  });

  it('keeps the last match of each MetricDefinition, as FinalMetricDataList', () => {
    const collector = new MetricCollector([
      { Name: 'val:mAP50', Regex: 'yolops-metrics epoch=[0-9]+/[0-9]+ .*val/mAP50=([0-9.]+)' },
      { Name: 'val:mAP50-95', Regex: 'yolops-metrics epoch=[0-9]+/[0-9]+ .*val/mAP50-95=([0-9.]+)' },
      { Name: 'epoch', Regex: 'yolops-metrics epoch=([0-9]+)/[0-9]+' },
    ]);
    const at = new Date('2026-11-23T00:00:00Z');
    collector.line('yolops-metrics epoch=1/3 val/mAP50=0.100000 val/mAP50-95=0.050000', at);
    collector.line(line, at);
    collector.line('unrelated', at);
    expect(collector.finalMetrics()).toEqual([
      { MetricName: 'val:mAP50', Value: 0.45, Timestamp: at.toISOString() },
      { MetricName: 'val:mAP50-95', Value: 0.05, Timestamp: at.toISOString() },
      { MetricName: 'epoch', Value: 2, Timestamp: at.toISOString() },
    ]);
  });

  it('names a regex it cannot compile', () => {
    expect(() => new MetricCollector([{ Name: 'bad', Regex: '(?P<x>[0-9]+)' }])).toThrow(/MetricDefinitions "bad": the regex "\(\?P<x>\[0-9\]\+\)" is not valid here/);
  });
});

describe('remapContainerPaths', () => {
  it('maps /opt/ml paths, whole or after =, into the job folder', () => {
    expect(remapContainerPaths('/opt/ml/processing/model', '/j')).toBe('/j/opt/ml/processing/model');
    expect(remapContainerPaths('--model=/opt/ml/processing/model', '/j')).toBe('--model=/j/opt/ml/processing/model');
    expect(remapContainerPaths('/opt/ml', '/j')).toBe('/j/opt/ml');
    expect(remapContainerPaths('evaluate.py', '/j')).toBe('evaluate.py');
    expect(remapContainerPaths('/opt/mlflow', '/j')).toBe('/opt/mlflow');
    expect(remapContainerPaths('x/opt/ml/y', '/j')).toBe('x/opt/ml/y');
  });
});

describe('tar archives', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yolops-tar-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('packs files at the archive root (model.tar.gz layout) and extracts them back', async () => {
    await mkdir(join(dir, 'model', 'weights'), { recursive: true });
    await writeFile(join(dir, 'model', 'best.pt'), Buffer.alloc(1500, 7));
    await writeFile(join(dir, 'model', 'weights', 'last.pt'), 'w');
    await writeFile(join(dir, 'model', 'empty.txt'), '');
    const result = await writeTarGz(join(dir, 'model'), ['weights/last.pt', 'best.pt', 'empty.txt'], join(dir, 'out', 'model.tar.gz'));
    expect(result.files).toBe(3);
    await extractTarGz(join(dir, 'out', 'model.tar.gz'), join(dir, 'x'));
    expect(await readFile(join(dir, 'x', 'best.pt'))).toEqual(Buffer.alloc(1500, 7));
    expect(await readFile(join(dir, 'x', 'weights', 'last.pt'), 'utf8')).toBe('w');
    expect(await readFile(join(dir, 'x', 'empty.txt'), 'utf8')).toBe('');
  });

  it('archives paths too long for a plain tar header (as a PAX header), the same bytes every time', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    await mkdir(join(dir, 'm', 'd'.repeat(120)), { recursive: true });
    await writeFile(join(dir, 'm', long), 'x');
    await writeTarGz(join(dir, 'm'), [long], join(dir, 'o.tar.gz'));
    await extractTarGz(join(dir, 'o.tar.gz'), join(dir, 'long'));
    expect(await readFile(join(dir, 'long', long), 'utf8')).toBe('x');
    await writeTarGz(join(dir, 'm'), [long], join(dir, 'again.tar.gz'));
    expect(await readFile(join(dir, 'again.tar.gz'))).toEqual(await readFile(join(dir, 'o.tar.gz')));
  });
});
