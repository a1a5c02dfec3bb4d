import * as z from 'zod';
import { INFERENCE_RUNTIMES } from '../config/training-config.ts';

/** The inference server's answer to POST /invocations (training/README.md, Serving). */
const boxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });

export const detectionSchema = z.object({
  class_id: z.int().min(0),
  class_name: z.string(),
  score: z.number().min(0).max(1),
  box: boxSchema,
  box_normalized: z.object({ x_center: z.number(), y_center: z.number(), width: z.number(), height: z.number() }),
});
export type Detection = z.output<typeof detectionSchema>;

export const imagePredictionSchema = z.object({
  width: z.int().min(1),
  height: z.int().min(1),
  detections: z.array(detectionSchema),
});
export type ImagePrediction = z.output<typeof imagePredictionSchema>;

/**
 * What ran a prediction: `auto` is a setting, never an answer. A server on `onnx` answers a request for another imgsz
 * than its best.onnx was exported at with torch, so this is per answer, not per server.
 */
export const servedRuntimeSchema = z.enum(INFERENCE_RUNTIMES).exclude(['auto']);
export type ServedRuntime = z.output<typeof servedRuntimeSchema>;

export const invocationAnswerSchema = z.object({
  model: z.object({ version: z.string(), mlflow_run_id: z.string().nullable(), runtime: servedRuntimeSchema }),
  inference_ms: z.number(),
  options: z.object({ conf: z.number(), imgsz: z.int() }),
  predictions: z.array(imagePredictionSchema).min(1),
});
export type InvocationAnswer = z.output<typeof invocationAnswerSchema>;

/** A refusal: `{"error": "<one line>"}` with a 4xx/5xx status. */
export const refusalSchema = z.object({ error: z.string() });
