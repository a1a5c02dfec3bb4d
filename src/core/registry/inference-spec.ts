import type { InferenceSpec } from './model-version.ts';

/** The fields of an InferenceSpecification a version record keeps: the first container's, and the lists. */
export interface InferenceSpecFields {
  image: string;
  modelDataUrl: string;
  environment: Readonly<Record<string, string>>;
  contentTypes: readonly string[];
  responseMimeTypes: readonly string[];
  realtimeInstanceTypes: readonly string[];
}

/**
 * A version's `inference`, or undefined for a version registered before serving existed. SageMaker requires an
 * image on every model package, so an image alone says nothing: those versions carry the training image, and
 * neither content types nor instance types. A specification that states what it accepts and where it may run
 * (a production endpoint's instance type must be one of those) was written for a server. Both registries apply
 * this one rule, so a version is deployable from one exactly when it would be from the other. Callers validate
 * the result with the record (inferenceSpecSchema), each reporting a bad value its own way.
 */
export function inferenceSpecOf(fields: InferenceSpecFields): InferenceSpec | undefined {
  if (fields.contentTypes.length === 0 || fields.realtimeInstanceTypes.length === 0) return undefined;
  return {
    image: fields.image,
    modelDataUrl: fields.modelDataUrl,
    environment: { ...fields.environment },
    contentTypes: [...fields.contentTypes],
    responseMimeTypes: [...fields.responseMimeTypes],
    realtimeInstanceTypes: [...fields.realtimeInstanceTypes],
  };
}
