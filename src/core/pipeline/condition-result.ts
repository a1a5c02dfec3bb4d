import type { JsonValue } from '../json.ts';

/**
 * One evaluated condition of a Condition step with the values it compared: the local runner records it as the
 * gate's decision, and notifications carry it so a reader sees why the gate passed or failed.
 */
export interface ConditionResult {
  type: string;
  outcome: boolean;
  left?: JsonValue;
  right?: JsonValue;
  query?: JsonValue;
  values?: JsonValue[];
  operands?: ConditionResult[];
}
