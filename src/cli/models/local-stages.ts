import { InvalidArgumentError } from 'commander';
import { isLocalStage, LOCAL_STAGES, type LocalStage } from '../../local/stages/stage-record.ts';

/** A commander parser for `--stage`: one of the local stages, or a message listing them. */
export function stageOption(value: string): LocalStage {
  if (!isLocalStage(value)) throw new InvalidArgumentError(`--stage must be one of ${LOCAL_STAGES.join(', ')}, got "${value}"`);
  return value;
}
