import * as z from 'zod';
import raw from '../../../training/yolops_serving/content_types.json' with { type: 'json' };
import { CoreError } from '../errors.ts';

/**
 * What the inference server (training/yolops_serving) takes and answers, as the model registry records it with
 * every version. The content types exist once, in training/yolops_serving/content_types.json, which the server
 * reads too (image_decoding.py): the file sits under training/ because only that folder ships in the image.
 */
const contentTypesSchema = z.strictObject({
  /** One image per request, its bytes as the body. */
  image: z.array(z.string().min(1)).min(1),
  /** A JSON batch: `{"images": ["<base64>", ...]}`. */
  batch: z.string().min(1),
  /** What /invocations answers with. */
  response: z.array(z.string().min(1)).min(1),
});

const parsed = contentTypesSchema.safeParse(raw);
if (!parsed.success) throw new CoreError(`training/yolops_serving/content_types.json does not have its shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);

/** Every Content-Type /invocations accepts (SupportedContentTypes): the image types, then the batch's. */
export const REQUEST_CONTENT_TYPES: readonly string[] = [...parsed.data.image, parsed.data.batch];
/** SupportedResponseMIMETypes. */
export const RESPONSE_CONTENT_TYPES: readonly string[] = parsed.data.response;

/** The server's runtime (training-config.json `serving.runtime`): auto, torch or onnx. */
export const INFERENCE_RUNTIME_ENV = 'YOLOPS_INFERENCE_RUNTIME';
