import type { JsonValue } from '../core/json.ts';

// The JSON types and helpers live in core (the pipeline analysis reads definitions with them); src/local uses them from here.
export { describeJson, isJsonObject, type JsonObject, type JsonPrimitive, type JsonValue } from '../core/json.ts';

/** `JSON.parse` with the file named in the error, since a bare SyntaxError does not say which file. */
export function parseJsonText(text: string, source: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new Error(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
