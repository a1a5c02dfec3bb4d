import type { FollowerState, LocalStage, StageRecord } from '../../local/index.ts';
import { table } from '../output.ts';

export interface StageView {
  stage: LocalStage;
  record: StageRecord | undefined;
  /** The `yolops serve --stage` processes following it now. */
  followers: FollowerState[];
}

const time = (iso: string): string => iso.replace('T', ' ').slice(0, 19);

/** What the local servers of a stage serve: `version 2 at <endpoint> (pid 123)`, or `no`. */
function servedLocally(followers: readonly FollowerState[]): string {
  if (followers.length === 0) return 'no';
  return followers
    .map((f) => `version ${f.version} at ${f.endpoint} (pid ${f.pid})${f.failed ? `; version ${f.failed.version} did not start` : ''}`)
    .join('; ');
}

/** The stages as a table: the version each names, since when and by whom, the one before, and who serves it. */
export function stagesTable(views: readonly StageView[]): string {
  return table(
    ['stage', 'version', 'since', 'by', 'previous', 'served locally'],
    views.map(({ stage, record, followers }) => {
      const last = record?.history.at(-1);
      return [stage, record ? String(record.version) : '-', record ? time(record.since) : '-', last?.by ?? '-', last?.previousVersion ? String(last.previousVersion) : '-', servedLocally(followers)];
    }),
  );
}
