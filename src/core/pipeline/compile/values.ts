import type { JoinPartJson, ValueJson } from '../compiled-definition-types.ts';
import { join, type AnyValue, type Expression, type JoinPart } from '../dsl/values.ts';

/** A literal as is; an expression as `Get`, `Std:Join` or `Std:JsonGet`. */
export function compileValue(value: AnyValue | JoinPart): ValueJson {
  if (typeof value !== 'object') return value;
  return compileExpression(value);
}

function compileExpression(expression: Expression): ValueJson {
  switch (expression.kind) {
    case 'parameter':
      return { Get: `Parameters.${expression.name}` };
    case 'executionVariable':
      return { Get: `Execution.${expression.name}` };
    case 'stepProperty':
      return { Get: `Steps.${expression.step}.${expression.path}` };
    case 'jsonGet':
      return {
        'Std:JsonGet': {
          PropertyFile: { Get: `Steps.${expression.propertyFile.step}.PropertyFiles.${expression.propertyFile.name}` },
          Path: expression.path,
        },
      };
    case 'join':
      return { 'Std:Join': { On: expression.on, Values: expression.values.map((v) => compileValue(v) as JoinPartJson) } };
  }
}

/**
 * A hyperparameter value the way the SageMaker SDK writes it (SageMaker takes strings only): literals
 * JSON-encoded (`100` -> `"100"`, `"yolo11n.pt"` -> `"\"yolo11n.pt\""`); expressions that already are strings
 * (String parameters, execution variables, joins) as they are; any other expression wrapped in a one-value
 * `Std:Join`, which SageMaker turns into its string form at run time.
 */
export function compileHyperParameter(value: AnyValue): ValueJson {
  if (typeof value !== 'object') return JSON.stringify(value);
  switch (value.kind) {
    case 'parameter':
    case 'stepProperty':
      return value.type === 'String' ? compileExpression(value) : compileExpression(join([value]));
    case 'executionVariable':
    case 'join':
      return compileExpression(value);
    case 'jsonGet':
      return compileExpression(join([value]));
  }
}

/**
 * A string value JSON-quoted at run time, as the SDK writes `sagemaker_program` and `sagemaker_submit_directory`
 * (the training toolkit JSON-decodes every hyperparameter).
 */
export function compileJsonQuoted(value: AnyValue): ValueJson {
  if (typeof value !== 'object') return JSON.stringify(value);
  return compileExpression(join(['"', value, '"']));
}
