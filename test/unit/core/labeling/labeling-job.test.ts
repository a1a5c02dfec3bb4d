import { describe, expect, it } from 'vitest';
import { parseCdkContext } from '../../../../src/core/config/cdk-context.ts';
import { boundingBoxTaskFunctions, GROUND_TRUTH_ACCOUNTS } from '../../../../src/core/labeling/builtin-task-functions.ts';
import { parseImagesPrefix } from '../../../../src/core/labeling/images-prefix.ts';
import { selectLabelingImages } from '../../../../src/core/labeling/input-manifest.ts';
import { assertLabelingJobName, defaultLabelingJobName, jobNameOfArn, labelingJobNameProblem } from '../../../../src/core/labeling/job-name.ts';
import { parseClassList } from '../../../../src/core/labeling/label-categories.ts';
import { planLabelingJob } from '../../../../src/core/labeling/labeling-job-plan.ts';
import { labelingJobLayout } from '../../../../src/core/labeling/layout.ts';
import { LABELING_LIMITS } from '../../../../src/core/labeling/limits.ts';
import { imageCopies } from '../../../../src/core/labeling/output-manifest.ts';
import { boundingBoxTemplate } from '../../../../src/core/labeling/worker-template.ts';
import type { ObjectInfo } from '../../../../src/core/storage/object-store.ts';
import { loadServiceModel, requestProblems } from '../../../support/botocore-model.ts';

const MODEL = loadServiceModel('sagemaker');
const BASE = { aws_account_id: '123456789012', aws_region: 'us-east-1', project_name: 'yolops', environment: 'dev' };
const object = (key: string, size = 100): ObjectInfo => ({ key, size, etag: 'e', lastModified: new Date(0) });

/** The ARNs of one built-in function, as the API reference lists them in botocore's model (`PRE-BoundingBox`, ...). */
function documentedArns(documentation: string, fn: string): string[] {
  return [...documentation.matchAll(new RegExp(`arn:aws:lambda:[a-z0-9-]+:\\d{12}:function:${fn}(?![A-Za-z-])`, 'g'))].map((m) => m[0]);
}

describe('the built-in bounding-box functions', () => {
  it('are, region by region, the ARNs the API reference lists (botocore\'s service model)', () => {
    const pre = documentedArns(MODEL.shapes['HumanTaskConfig']?.members?.['PreHumanTaskLambdaArn']?.documentation ?? '', 'PRE-BoundingBox');
    const acs = documentedArns(MODEL.shapes['AnnotationConsolidationConfig']?.members?.['AnnotationConsolidationLambdaArn']?.documentation ?? '', 'ACS-BoundingBox');
    expect(pre.length).toBeGreaterThanOrEqual(12);
    const ours = Object.keys(GROUND_TRUTH_ACCOUNTS).map((region) => boundingBoxTaskFunctions(region));
    expect(new Set(ours.map((f) => f.preHumanTaskLambdaArn))).toEqual(new Set(pre));
    expect(new Set(ours.map((f) => f.annotationConsolidationLambdaArn))).toEqual(new Set(acs));
  });

  it('refuses a region without the built-in task, naming the regions that have it', () => {
    expect(() => boundingBoxTaskFunctions('eu-north-1')).toThrow(/not available in eu-north-1: it exists in us-east-1, us-east-2, .*ap-southeast-2; deploy the stacks to one of those regions/);
    expect(() => boundingBoxTaskFunctions('cn-north-1')).toThrow(/not available in cn-north-1/);
  });
});

describe('labeling job names', () => {
  it('default to <project>-<batch>-<UTC time>, within 63 characters and SageMaker\'s pattern', () => {
    const at = new Date('2026-03-01T10:15:00Z');
    expect(defaultLabelingJobName('yolops', 'Street_Cams.2026', at)).toBe('yolops-street-cams-2026-20260301101500');
    const long = defaultLabelingJobName('yolops', 'x'.repeat(200), at);
    expect(long).toHaveLength(63);
    expect(labelingJobNameProblem(long, 'yolops')).toBeUndefined();
    expect(defaultLabelingJobName('yolops', '___', at)).toBe('yolops-20260301101500');
    for (const name of [long, defaultLabelingJobName('a-b', 'batch', at)]) expect(requestProblems(MODEL, 'DescribeLabelingJob', { LabelingJobName: name })).toEqual([]);
  });

  it('must start with the project name, be lowercase and fit SageMaker\'s rules', () => {
    expect(assertLabelingJobName('yolops-round-2', 'yolops')).toBe('yolops-round-2');
    expect(labelingJobNameProblem('other-round-2', 'yolops')).toMatch(/must start with "yolops-"/);
    expect(labelingJobNameProblem('yolops-', 'yolops')).toMatch(/must be lowercase letters|must start with/);
    expect(labelingJobNameProblem('yolops--x', 'yolops')).toMatch(/single hyphens/);
    expect(labelingJobNameProblem(`yolops-${'a'.repeat(57)}`, 'yolops')).toMatch(/1 to 63 characters \(it has 64\)/);
    expect(() => assertLabelingJobName('Yolops-x', 'yolops')).toThrow(/lowercase/);
  });

  it('are read back from a labeling job ARN', () => {
    expect(jobNameOfArn('arn:aws:sagemaker:us-east-1:123456789012:labeling-job/yolops-a-1')).toBe('yolops-a-1');
    expect(jobNameOfArn('arn:aws:sagemaker:us-east-1:123456789012:training-job/yolops-a-1')).toBeUndefined();
  });
});

describe('--classes', () => {
  it('keeps the order (the class ids) and trims', () => {
    expect(parseClassList(' car, person ,bike')).toEqual(['car', 'person', 'bike']);
  });

  it(`refuses more than ${LABELING_LIMITS.maxLabelCategories} classes and names over ${LABELING_LIMITS.maxLabelLength} characters`, () => {
    expect(() => parseClassList(Array.from({ length: 51 }, (_, i) => `c${i}`).join(','))).toThrow(/51 classes; a Ground Truth bounding-box job takes at most 50/);
    expect(() => parseClassList(`car,${'x'.repeat(257)}`)).toThrow(/is 257 characters; Ground Truth takes at most 256/);
  });
});

describe('the images of a batch', () => {
  const uri = 's3://b/raw-images/x/';

  it('are the contract\'s image files, sorted; other files are counted, not sent', () => {
    const picked = selectLabelingImages(uri, [object('raw-images/x/b.png'), object('raw-images/x/a.JPG'), object('raw-images/x/readme.md')]);
    expect(picked.images.map((o) => o.key)).toEqual(['raw-images/x/a.JPG', 'raw-images/x/b.png']);
    expect(picked.otherFiles).toBe(1);
  });

  it(`refuse more than ${LABELING_LIMITS.maxDatasetObjects} images and images over 40 MB`, () => {
    const many = Array.from({ length: LABELING_LIMITS.maxDatasetObjects + 1 }, (_, i) => object(`raw-images/x/${i}.jpg`));
    expect(() => selectLabelingImages(uri, many)).toThrow(/100001 images, over the 100000 a labeling job may take: split the batch/);
    expect(() => selectLabelingImages(uri, [object('raw-images/x/big.jpg', 40 * 1024 * 1024 + 1)])).toThrow(/1 images are over Ground Truth's 40 MB per image \(e.g. raw-images\/x\/big.jpg/);
  });

  it('refuse a folder with no image, saying what is there', () => {
    expect(() => selectLabelingImages(uri, [object('raw-images/x/notes.txt')])).toThrow(/1 files are there but none is an image \(e.g. raw-images\/x\/notes.txt\)/);
  });

  it('are a batch folder of the training bucket under raw-images/', () => {
    expect(parseImagesPrefix('s3://b/raw-images/x', 'b')).toEqual({ prefix: 'raw-images/x/', batch: 'x', uri: 's3://b/raw-images/x/' });
    expect(parseImagesPrefix('s3://b/raw-images/x/cams/', 'b').batch).toBe('x');
    expect(() => parseImagesPrefix('s3://b/raw-images/', 'b')).toThrow(/is not a batch folder under raw-images\//);
    expect(() => parseImagesPrefix('raw-images/x/', 'b')).toThrow(/is not an S3 URI/);
  });
});

describe('the worker template', () => {
  it('escapes the title and instructions so that neither HTML nor Liquid in them runs', () => {
    const html = boundingBoxTemplate({ header: 'Cars "&" <b>people</b>', instructions: '{{ task.input.taskObject }} {% raw %}' });
    expect(html).toContain('header="Cars &quot;&amp;&quot; &lt;b&gt;people&lt;/b&gt;"');
    expect(html).not.toContain('{{ task.input.taskObject }} ');
    expect(html).toContain('&#123;&#123; task.input.taskObject &#125;&#125; &#123;% raw %&#125;');
    // The template's own Liquid stays: the image and the labels Ground Truth fills in.
    expect(html).toContain('src="{{ task.input.taskObject | grant_read_access }}"');
    expect(html).toContain('labels="{{ task.input.labels | to_json | escape }}"');
  });
});

describe('the CreateLabelingJob request', () => {
  const context = parseCdkContext({ ...BASE, aws_region: 'ap-southeast-2' });
  const images = parseImagesPrefix('s3://yolops-training-data-123456789012/raw-images/street/', 'yolops-training-data-123456789012');
  const options = { job: 'yolops-street-1', classes: ['car'], workteamArn: 'arn:aws:sagemaker:ap-southeast-2:123456789012:workteam/private-crowd/t', title: 'Boxes', description: 'Draw boxes', instructions: undefined, workersPerImage: 9, taskTimeLimitSeconds: 28_800 };

  it('conforms to the API\'s input shape (botocore\'s model) at the limits yolops allows', () => {
    const plan = planLabelingJob(context, images, [object('raw-images/street/a.jpg')], options);
    expect(requestProblems(MODEL, 'CreateLabelingJob', plan.request)).toEqual([]);
    expect(plan.request.HumanTaskConfig.PreHumanTaskLambdaArn).toBe('arn:aws:lambda:ap-southeast-2:454466003867:function:PRE-BoundingBox');
    expect(plan.request.LabelAttributeName).not.toMatch(/-(metadata|ref)$/);
  });

  it('is refused before anything is written in a region without the built-in task', () => {
    const stockholm = parseCdkContext({ ...BASE, aws_region: 'eu-north-1' });
    expect(() => planLabelingJob(stockholm, images, [object('raw-images/street/a.jpg')], options)).toThrow(/not available in eu-north-1/);
  });
});

describe('the output manifest', () => {
  const layout = labelingJobLayout('yolops-street-1');

  it('gives one copy per distinct image, into labeled-data/<job>/images/<key>', () => {
    const line = (key: string) => JSON.stringify({ 'source-ref': `s3://b/${key}`, 'bounding-box': { annotations: [] } });
    expect(imageCopies(`${line('raw-images/s/a.jpg')}\n\n${line('raw-images/s/a.jpg')}\n${line('raw-images/s/b.jpg')}\n`, 'b', layout)).toEqual([
      { from: 'raw-images/s/a.jpg', to: 'labeled-data/yolops-street-1/images/raw-images/s/a.jpg' },
      { from: 'raw-images/s/b.jpg', to: 'labeled-data/yolops-street-1/images/raw-images/s/b.jpg' },
    ]);
  });

  it('is refused, naming the line, when a line is not JSON or has no source-ref', () => {
    expect(() => imageCopies('{"source-ref": "s3://b/raw-images/s/a.jpg"}\nnot json\n', 'b', layout)).toThrow(/^line 2 of the output manifest is not JSON/);
    expect(() => imageCopies('{"source": "some text"}\n', 'b', layout)).toThrow(/^line 1 of the output manifest has no "source-ref" s3:\/\/ URI/);
    expect(() => imageCopies('\n', 'b', layout)).toThrow(/lists no image/);
  });
});

describe('cdk.json labeling', () => {
  const arn = 'arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/labelers';

  it('takes a work team of the stacks\' account and region', () => {
    expect(parseCdkContext({ ...BASE, labeling: { workteam_arn: arn } }).labeling).toEqual({ workteam_arn: arn });
    expect(parseCdkContext(BASE).labeling).toBeUndefined();
  });

  it.each([
    [{ workteam_arn: 'labelers' }, /context\.labeling\.workteam_arn: must be the ARN of a SageMaker work team/],
    [{ workteam_arn: arn.replace('us-east-1', 'eu-west-1') }, /is a work team of account 123456789012 in eu-west-1, but the stacks deploy to account 123456789012 in us-east-1/],
    [{ workteam_arn: arn.replace('123456789012', '210987654321') }, /is a work team of account 210987654321/],
    [{ workteam_arn: arn, team: 'x' }, /context\.labeling\.team: unknown key/],
  ])('refuses %j', (labeling, message) => {
    expect(() => parseCdkContext({ ...BASE, labeling })).toThrow(message);
  });
});
