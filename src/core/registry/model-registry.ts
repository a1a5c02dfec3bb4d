import type { ModelVersionRecord } from './model-version.ts';

/** Why a registry refused a request, the same on every backend so a caller can branch on it. */
export type RegistryErrorCode = 'NotFound' | 'InvalidTransition' | 'InvalidInput' | 'Busy';

export interface ApprovalInput {
  /**
   * Who decides; defaults to the OS user. The local registry keeps it in the approval history; SageMaker
   * records the caller's IAM identity itself (LastModifiedBy) and has no field for it.
   */
  by?: string;
  reason?: string;
  now?: Date;
}

/**
 * The model registry as the CLI and the deploy side use it: the versions of a model package group, one version,
 * and the approval decision. The local registry (src/local/registry) and the SageMaker Model Registry
 * (src/aws/sagemaker-model-registry.ts) implement it, both applying `judgeTransition` of ./approval-transition.ts.
 * Registering a version is not part of it: on AWS only the pipeline's RegisterModel step does that.
 */
export interface ModelRegistry {
  /** Every version of the group, oldest first; `[]` for a group without versions. */
  list(group: string): Promise<ModelVersionRecord[]>;
  /** One version; a `NotFound` registry error when it does not exist. */
  get(group: string, version: number): Promise<ModelVersionRecord>;
  approve(group: string, version: number, input?: ApprovalInput): Promise<ModelVersionRecord>;
  reject(group: string, version: number, input?: ApprovalInput): Promise<ModelVersionRecord>;
}

const GROUP_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/; // SageMaker's ModelPackageGroupName

/** What is wrong with a model package group name, or undefined when SageMaker would accept it. */
export function groupNameProblem(group: string): string | undefined {
  return GROUP_NAME.test(group) ? undefined : `invalid model package group name ${JSON.stringify(group)}: 1-63 letters, digits and "-", starting and ending with a letter or digit`;
}

/** What is wrong with a version number, or undefined for 1, 2, ... */
export function versionProblem(version: number): string | undefined {
  return Number.isSafeInteger(version) && version >= 1 ? undefined : `invalid model version ${version}: versions are 1, 2, ...`;
}
