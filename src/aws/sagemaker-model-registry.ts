import { DescribeModelPackageCommand, ListModelPackagesCommand, UpdateModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { forEachConcurrently } from '../core/dataset/concurrency.ts';
import { judgeTransition, type ApprovalDecision } from '../core/registry/approval-transition.ts';
import { groupNameProblem, versionProblem, type ApprovalInput, type ModelRegistry } from '../core/registry/model-registry.ts';
import type { ModelVersionRecord } from '../core/registry/model-version.ts';
import { isObjectStoreError } from '../core/storage/errors.ts';
import type { ObjectStore } from '../core/storage/object-store.ts';
import { parseS3Uri } from '../core/storage/s3-uri.ts';
import { describedPackage, metricsOfReport, modelVersionFromPackage, packageSummary, statisticsUri, type DescribedPackage, type PackageSummary } from './model-package-records.ts';
import { ModelRegistryError, registryCallError, SageMakerError } from './sagemaker-errors.ts';
import { clientRegion, describeFailure } from './sdk-errors.ts';

/** SageMaker's limit on ApprovalDescription. */
const MAX_REASON = 1024;
const PAGE_SIZE = 100;
/** DescribeModelPackage calls (and report reads) in flight at once while listing. */
const DESCRIBE_CONCURRENCY = 4;

/**
 * The SageMaker Model Registry behind the ModelRegistry port: versions are the model packages of a group
 * (ModelPackageVersion), decisions are UpdateModelPackage calls. Metrics come from each version's evaluation
 * report (ModelMetrics.ModelQuality.Statistics), read through the object store when one is given; without one
 * they are left empty. The approval rule is core's judgeTransition, as in the local registry: SageMaker itself
 * accepts any change.
 */
export class SageMakerModelRegistry implements ModelRegistry {
  private readonly client: SageMakerClient;
  private readonly store: ObjectStore | undefined;

  constructor(client: SageMakerClient, store?: ObjectStore) {
    this.client = client;
    this.store = store;
  }

  async list(group: string): Promise<ModelVersionRecord[]> {
    assertGroup(group);
    const summaries: PackageSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListModelPackages', `model package group ${group}`, () =>
        this.client.send(new ListModelPackagesCommand({ ModelPackageGroupName: group, SortBy: 'CreationTime', SortOrder: 'Ascending', MaxResults: PAGE_SIZE, ...(nextToken ? { NextToken: nextToken } : {}) })),
      );
      for (const summary of page.ModelPackageSummaryList ?? []) summaries.push(packageSummary(summary));
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    const records: ModelVersionRecord[] = [];
    await forEachConcurrently(summaries, DESCRIBE_CONCURRENCY, async (s) => {
      records.push(await this.recordOf(s.ModelPackageArn));
    });
    return records.sort((a, b) => a.version - b.version);
  }

  async get(group: string, version: number): Promise<ModelVersionRecord> {
    return this.recordOf(await this.packageArn(group, version));
  }

  approve(group: string, version: number, input: ApprovalInput = {}): Promise<ModelVersionRecord> {
    return this.decide(group, version, 'Approved', input);
  }

  reject(group: string, version: number, input: ApprovalInput = {}): Promise<ModelVersionRecord> {
    return this.decide(group, version, 'Rejected', input);
  }

  /**
   * Applies the decision after judgeTransition allowed it. SageMaker has no conditional update, so two people
   * deciding on one version at the same moment both succeed and the later call wins.
   */
  private async decide(group: string, version: number, to: ApprovalDecision, input: ApprovalInput): Promise<ModelVersionRecord> {
    if (input.reason !== undefined && input.reason.trim().length > MAX_REASON) {
      throw new ModelRegistryError('InvalidInput', 'UpdateModelPackage', `the reason must be at most ${MAX_REASON} characters (SageMaker's ApprovalDescription), found ${input.reason.trim().length}`);
    }
    const record = await this.get(group, version);
    const verdict = judgeTransition(record.approvalStatus, to, input.reason);
    if (verdict.kind === 'unchanged') return record;
    if (verdict.kind === 'refused') throw new ModelRegistryError('InvalidTransition', 'UpdateModelPackage', `model ${group} version ${version} ${verdict.why}`);
    await this.call('UpdateModelPackage', `model ${group} version ${version}`, () =>
      this.client.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: record.modelPackageArn,
          ModelApprovalStatus: to,
          // Always set, '' when no reason is given: an earlier decision's reason must not read as this one's.
          ApprovalDescription: verdict.reason ?? '',
        }),
      ),
    );
    // UpdateModelPackage answers only the ARN; nothing but the decision changed.
    const { approvalDescription: _previous, ...rest } = record;
    return { ...rest, approvalStatus: to, ...(verdict.reason ? { approvalDescription: verdict.reason } : {}) };
  }

  /**
   * The ARN of a version. DescribeModelPackage also takes `<group>/<version>` on SageMaker, but moto does not
   * know that form, so the version is looked up in the group's listing instead: newest first, stopping once the
   * versions drop below the one asked for (versions grow with creation time).
   */
  private async packageArn(group: string, version: number): Promise<string> {
    assertGroup(group);
    const problem = versionProblem(version);
    if (problem) throw new ModelRegistryError('InvalidInput', 'ListModelPackages', problem);
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListModelPackages', `model package group ${group}`, () =>
        this.client.send(new ListModelPackagesCommand({ ModelPackageGroupName: group, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: PAGE_SIZE, ...(nextToken ? { NextToken: nextToken } : {}) })),
      );
      const summaries = (page.ModelPackageSummaryList ?? []).map(packageSummary);
      const found = summaries.find((s) => s.ModelPackageVersion === version);
      if (found) return found.ModelPackageArn;
      const oldest = summaries.at(-1)?.ModelPackageVersion;
      if (oldest !== undefined && oldest < version) break;
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    throw new ModelRegistryError('NotFound', 'ListModelPackages', `model ${group} version ${version} does not exist in ${await clientRegion(this.client)}: npx yolops models list shows the versions there are`);
  }

  private async recordOf(packageArn: string): Promise<ModelVersionRecord> {
    const answer = await this.call('DescribeModelPackage', `model package ${packageArn}`, () => this.client.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn })));
    const pkg = describedPackage(answer);
    return modelVersionFromPackage(pkg, await this.metrics(pkg));
  }

  /** The `metrics` of the version's evaluation report; empty without a store, a report, or when the report is gone. */
  private async metrics(pkg: DescribedPackage): Promise<Record<string, number>> {
    const uri = statisticsUri(pkg);
    if (!this.store || uri === undefined) return {};
    const { bucket, key } = parseS3Uri(uri);
    let text: string;
    try {
      text = new TextDecoder().decode(await this.store.get(bucket, key));
    } catch (error) {
      // A report removed (say, by a lifecycle rule) must not make the version unreadable.
      if (isObjectStoreError(error, 'NotFound')) return {};
      throw new SageMakerError('DescribeModelPackage', `cannot read the evaluation report ${uri} of model ${pkg.ModelPackageGroupName} version ${pkg.ModelPackageVersion}: ${describeFailure(error)}`, { cause: error });
    }
    let report: unknown;
    try {
      report = JSON.parse(text);
    } catch (error) {
      throw new SageMakerError('DescribeModelPackage', `the evaluation report ${uri} of model ${pkg.ModelPackageGroupName} version ${pkg.ModelPackageVersion} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    const metrics = metricsOfReport(report);
    if (!metrics) throw new SageMakerError('DescribeModelPackage', `the evaluation report ${uri} of model ${pkg.ModelPackageGroupName} version ${pkg.ModelPackageVersion} has no "metrics" object`);
    return metrics;
  }

  private async call<T>(operation: string, subject: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw registryCallError(error, operation, subject);
    }
  }
}

function assertGroup(group: string): void {
  const problem = groupNameProblem(group);
  if (problem) throw new ModelRegistryError('InvalidInput', 'ListModelPackages', problem);
}
