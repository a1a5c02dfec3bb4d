import { describe, expect, it } from 'vitest';
import { annotatedPaths } from '../../../src/cli/predict/annotate-images.ts';
import { imageContentType } from '../../../src/cli/predict/image-content-type.ts';
import type { InvocationAnswer } from '../../../src/core/serving/invocation-answer.ts';
import { DEFAULT_ENDPOINT, resolveEndpoint } from '../../../src/cli/predict/invoke-endpoint.ts';
import { renderPrediction } from '../../../src/cli/predict/render-predictions.ts';
import { CliError } from '../../../src/cli/errors.ts';

function answer(detections: InvocationAnswer['predictions'][number]['detections']): InvocationAnswer {
  return { model: { version: 'sha256:0123456789abcdef', mlflow_run_id: null, runtime: 'onnx' }, inference_ms: 12.345, options: { conf: 0.25, imgsz: 640 }, predictions: [{ width: 1280, height: 720, detections }] };
}

const box = (x1: number, y1: number, x2: number, y2: number) => ({ box: { x1, y1, x2, y2 }, box_normalized: { x_center: 0, y_center: 0, width: 0, height: 0 } });

describe('renderPrediction', () => {
  it('prints a heading and a table of class, score and box, highest score first', () => {
    const text = renderPrediction('street.jpg', answer([
      { class_id: 2, class_name: 'car', score: 0.5, ...box(0, 0, 100.25, 50) },
      { class_id: 0, class_name: 'person', score: 0.912345, ...box(10.5, 20, 110.25, 300) },
    ]));
    expect(text.split('\n')).toEqual([
      'street.jpg: 2 detections (1280x720, conf >= 0.25, 12.3 ms)',
      '  class   score  box (x1, y1, x2, y2)',
      '  ------  -----  --------------------',
      '  person  0.912  10.5, 20, 110.3, 300',
      '  car     0.500  0, 0, 100.3, 50',
    ]);
  });

  it('says so in one line when nothing was detected', () => {
    expect(renderPrediction('empty.png', answer([]))).toBe('empty.png: no detections (1280x720, conf >= 0.25, 12.3 ms)');
  });
});

describe('imageContentType', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0]);
  const text = new TextEncoder().encode('hello');

  it('goes by the magic bytes first, then the extension, else lets the server judge', () => {
    expect(imageContentType('a.jpg', png)).toBe('image/png');
    expect(imageContentType('a.png', jpeg)).toBe('image/jpeg');
    expect(imageContentType('a.JPEG', text)).toBe('image/jpeg');
    expect(imageContentType('a.png', text)).toBe('image/png');
    expect(imageContentType('notes.txt', text)).toBe('application/x-image');
    expect(imageContentType('short', new Uint8Array([0xff]))).toBe('application/x-image');
  });
});

describe('annotatedPaths', () => {
  it('names each PNG after its image and never gives two images the same file', () => {
    expect(annotatedPaths('/out', ['/a/cat.jpg', '/b/cat.png', '/c/dog.jpeg', '/d/cat.jpg', '/e/.png'])).toEqual(['/out/cat.png', '/out/cat-2.png', '/out/dog.png', '/out/cat-3.png', '/out/.png.png']);
  });
});

describe('resolveEndpoint', () => {
  it('takes --endpoint, else YOLOPS_ENDPOINT, else the default', () => {
    expect(resolveEndpoint('http://h:1/invocations', { YOLOPS_ENDPOINT: 'http://e:2/invocations' }).href).toBe('http://h:1/invocations');
    expect(resolveEndpoint(undefined, { YOLOPS_ENDPOINT: 'http://e:2/invocations' }).href).toBe('http://e:2/invocations');
    expect(resolveEndpoint(undefined, { YOLOPS_ENDPOINT: '' }).href).toBe(DEFAULT_ENDPOINT);
  });

  it('refuses what is not an http(s) URL, naming where it came from', () => {
    expect(() => resolveEndpoint('localhost:8080', {})).toThrow(CliError);
    expect(() => resolveEndpoint('nope', {})).toThrow(/^--endpoint "nope" is not a URL/);
    expect(() => resolveEndpoint(undefined, { YOLOPS_ENDPOINT: 'ftp://x/invocations' })).toThrow(/^YOLOPS_ENDPOINT ftp:\/\/x\/invocations must be an http:\/\/ or https:\/\/ URL/);
  });
});
