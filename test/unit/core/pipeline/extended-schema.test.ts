import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extendedPipelineSchema, RETRY_EXCEPTION_TYPES } from '../../../../src/core/pipeline/index.ts';
import { REPO } from './helpers.ts';

const COPY = new URL('src/core/pipeline/schema/sagemaker-pipeline-definition.schema.json', REPO);

describe('the pipeline definition schema', () => {
  it('is AWS\'s published schema, with a note of where it comes from', () => {
    const copy = JSON.parse(readFileSync(COPY, 'utf8')) as Record<string, unknown>;
    expect(copy.$comment).toMatch(/aws-sagemaker-mlops\/sagemaker-model-building-pipeline-definition-JSON-schema.*db33edc4534123e47058aa8e2d3afea32687f35e/);
    expect(copy.title).toBe('SageMaker Pipeline Definition JSON Schema');
    // the published schema lacks the SDK's additions; the extensions live in code
    const { $comment: _note, ...published } = copy;
    expect(JSON.stringify(published)).not.toContain('PropertyFiles');
    expect(JSON.stringify(published)).not.toContain('Std:JsonGet');
  });

  it('is extended in code, leaving the copy as it was', () => {
    const before = readFileSync(COPY, 'utf8');
    const schema = JSON.stringify(extendedPipelineSchema());
    expect(schema).toContain('"PropertyFiles"');
    expect(schema).toContain('"Std:JsonGet"');
    expect(readFileSync(COPY, 'utf8')).toBe(before);
  });

  it('knows every retry exception type the DSL offers, as a list (the SDK\'s form), not the published single string', () => {
    const copy = JSON.parse(readFileSync(COPY, 'utf8')) as { definitions: { RetryPolicy: { properties: { ExceptionType: { type: string; enum: string[] } } } } };
    const published = copy.definitions.RetryPolicy.properties.ExceptionType;
    expect(published.type).toBe('string');
    expect(published.enum).toEqual(expect.arrayContaining([...RETRY_EXCEPTION_TYPES]));
    const extended = (extendedPipelineSchema() as typeof copy & Record<string, unknown>).definitions.RetryPolicy.properties.ExceptionType as unknown;
    expect(extended).toEqual({ type: 'array', minItems: 1, uniqueItems: true, items: { enum: published.enum } });
  });
});
