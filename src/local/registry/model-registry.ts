import { userInfo } from 'node:os';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { judgeTransition } from '../../core/registry/approval-transition.ts';
import { groupNameProblem, versionProblem, type ApprovalInput, type ModelRegistry, type RegistryErrorCode } from '../../core/registry/model-registry.ts';
import { isApprovalStatus, modelVersionRecordSchema, type ApprovalStatus, type InferenceSpec, type ModelLineage, type ModelVersionRecord } from '../../core/registry/model-version.ts';
import { LocalError } from '../errors.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { isErrnoCode } from '../fs/errno.ts';
import { createFileExclusive } from '../fs/exclusive-create.ts';
import { CorruptRecordError, readRecordFileIfExists } from '../fs/record-file.ts';
import { LOCAL_ARN_PREFIX } from '../pipeline/interpreter.ts';

/** What a person asked of the registry cannot be done (`user`), or it is busy (`Busy`, try again). */
export class RegistryError extends LocalError {
  readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, message: string) {
    super(message, { audience: code === 'Busy' ? 'internal' : 'user' });
    this.code = code;
  }
}

const RECORD_KIND = 'model version record (schemaVersion 1)';

export interface RegisterModelInput {
  modelPackageGroupName: string;
  artifactUri: string;
  /** What serving the version needs (the InferenceSpecification); absent, the version cannot be deployed. */
  inference?: InferenceSpec;
  /** @default 'PendingManualApproval' */
  approvalStatus?: ApprovalStatus;
  description?: string;
  metrics: Record<string, number>;
  modelQualityStatisticsUri?: string;
  lineage: ModelLineage;
  customerMetadata?: Record<string, string>;
  now?: Date;
}

const VERSION_FILE = /^(\d+)\.json$/;
const MAX_ALLOCATION_ATTEMPTS = 1000;
const LOCK_WAIT_MS = 10_000;

/**
 * The local model registry: `registry/<group>/<version>.json`.
 *
 * - Versions are 1, 2, ... per group. A new version is published with an exclusive create of its file
 *   (createFileExclusive: a hard link of a complete temp file, an exclusive copy where the file system has no
 *   hard links), so two registrations at once get different numbers.
 * - Records read back are validated (schema, and the version and group their file name says); a corrupt one
 *   is a CorruptRecordError naming the file.
 * - Status changes rewrite the file atomically under a per-version lock and append to `approvalHistory`.
 * - Transitions follow judgeTransition (src/core/registry/approval-transition.ts), the rule the SageMaker
 *   registry applies too; a no-op change adds no history.
 */
export class LocalModelRegistry implements ModelRegistry {
  readonly dir: string;

  constructor(registryDir: string) {
    this.dir = registryDir;
  }

  private groupDir(group: string): string {
    const problem = groupNameProblem(group);
    if (problem) throw new RegistryError('InvalidInput', problem);
    return join(this.dir, group);
  }

  private versionPath(group: string, version: number): string {
    const problem = versionProblem(version);
    if (problem) throw new RegistryError('InvalidInput', problem);
    return join(this.groupDir(group), `${version}.json`);
  }

  async register(input: RegisterModelInput): Promise<ModelVersionRecord> {
    const group = input.modelPackageGroupName;
    const status = input.approvalStatus ?? 'PendingManualApproval';
    if (!isApprovalStatus(status)) throw new RegistryError('InvalidInput', `invalid approval status ${JSON.stringify(status)}`);
    const existing = await this.versionNumbers(group);
    let version = (existing.at(-1) ?? 0) + 1;
    for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++, version++) {
      const record: ModelVersionRecord = {
        schemaVersion: 1,
        modelPackageGroupName: group,
        version,
        modelPackageArn: `${LOCAL_ARN_PREFIX}:model-package/${group.toLowerCase()}/${version}`,
        ...(input.description ? { description: input.description } : {}),
        artifactUri: input.artifactUri,
        approvalStatus: status,
        approvalHistory: [],
        metrics: { ...input.metrics },
        ...(input.modelQualityStatisticsUri ? { modelQualityStatisticsUri: input.modelQualityStatisticsUri } : {}),
        lineage: { ...input.lineage },
        ...(input.inference ? { inference: structuredClone(input.inference) } : {}),
        customerMetadata: { ...(input.customerMetadata ?? {}) },
        createdAt: (input.now ?? new Date()).toISOString(),
      };
      // Another registration took this number between our listing and now: take the next one.
      if (await createFileExclusive(this.versionPath(group, version), `${JSON.stringify(record, null, 2)}\n`)) return record;
    }
    throw new RegistryError('Busy', `could not allocate a version in group ${group} after ${MAX_ALLOCATION_ATTEMPTS} attempts`);
  }

  async get(group: string, version: number): Promise<ModelVersionRecord> {
    const path = this.versionPath(group, version);
    const record = await readRecordFileIfExists(path, modelVersionRecordSchema, RECORD_KIND);
    if (record === undefined) throw new RegistryError('NotFound', `model ${group} version ${version} does not exist (${path})`);
    // The file's place is its identity: a record copied to another name or group would answer for the wrong one.
    const misplaced = [
      ...(record.version === version ? [] : [`version: ${record.version}, but the file is version ${version}`]),
      ...(record.modelPackageGroupName === group ? [] : [`modelPackageGroupName: ${JSON.stringify(record.modelPackageGroupName)}, but the file is in group ${group}`]),
    ];
    if (misplaced.length > 0) throw new CorruptRecordError(path, RECORD_KIND, misplaced);
    return record;
  }

  /** Model package groups that have versions. */
  async groups(): Promise<string[]> {
    try {
      return (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return [];
      throw error;
    }
  }

  /** Every version of a group (all groups when omitted), oldest first. */
  async list(group?: string): Promise<ModelVersionRecord[]> {
    const groups = group === undefined ? await this.groups() : [group];
    const out: ModelVersionRecord[] = [];
    for (const g of groups) for (const v of await this.versionNumbers(g)) out.push(await this.get(g, v));
    return out;
  }

  /** The newest version with this status (e.g. the model to deploy: the latest Approved). */
  async latest(group: string, status?: ApprovalStatus): Promise<ModelVersionRecord | undefined> {
    const versions = await this.list(group);
    return versions.filter((v) => status === undefined || v.approvalStatus === status).at(-1);
  }

  approve(group: string, version: number, input: ApprovalInput = {}): Promise<ModelVersionRecord> {
    return this.changeStatus(group, version, 'Approved', input);
  }

  reject(group: string, version: number, input: ApprovalInput = {}): Promise<ModelVersionRecord> {
    return this.changeStatus(group, version, 'Rejected', input);
  }

  private async changeStatus(group: string, version: number, to: 'Approved' | 'Rejected', input: ApprovalInput): Promise<ModelVersionRecord> {
    const path = this.versionPath(group, version);
    await this.get(group, version); // NotFound before any lock file (and group folder) is made for it
    return this.withLock(`${path}.lock`, async () => {
      const record = await this.get(group, version);
      const from = record.approvalStatus;
      const verdict = judgeTransition(from, to, input.reason);
      if (verdict.kind === 'unchanged') return record;
      if (verdict.kind === 'refused') throw new RegistryError('InvalidTransition', `model ${group} version ${version} ${verdict.why}`);
      const { reason } = verdict;
      const updated: ModelVersionRecord = {
        ...record,
        approvalStatus: to,
        approvalHistory: [...record.approvalHistory, { from, to, by: input.by ?? currentUser(), at: (input.now ?? new Date()).toISOString(), ...(reason ? { reason } : {}) }],
      };
      await writeJsonAtomic(path, updated);
      return updated;
    });
  }

  private async versionNumbers(group: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.groupDir(group));
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return [];
      throw error;
    }
    return names.flatMap((n) => {
      const m = VERSION_FILE.exec(n);
      return m ? [Number(m[1])] : [];
    }).sort((a, b) => a - b);
  }

  /** A lock file holding the owner's pid; a lock whose owner died is taken over. */
  private async withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (!(await createFileExclusive(lockPath, String(process.pid)))) {
      const owner = await lockOwner(lockPath);
      if (Number.isInteger(owner) && owner !== process.pid && !processExists(owner)) {
        await unlink(lockPath).catch((error: unknown) => {
          if (!isErrnoCode(error, 'ENOENT')) throw error;
        });
        continue;
      }
      if (Date.now() > deadline) throw new RegistryError('Busy', `${lockPath} is held by process ${Number.isNaN(owner) ? '?' : owner}; try again`);
      await new Promise((r) => setTimeout(r, 25));
    }
    try {
      return await fn();
    } finally {
      await unlink(lockPath);
    }
  }
}

/** The pid in a lock file; NaN when it cannot be read (gone meanwhile, or being written). */
async function lockOwner(lockPath: string): Promise<number> {
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrnoCode(error, 'ESRCH');
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // userInfo throws for a uid without a passwd entry (common in containers); the env is the next best name.
    return process.env['USER'] ?? 'unknown';
  }
}
