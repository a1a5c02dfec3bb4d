import { CoreError } from '../errors.ts';

/**
 * A version that cannot be deployed to a stage as it is (no inference specification, not Approved, an instance
 * type it is not registered to run on): the message says why and what to do. Nothing was created.
 */
export class DeploymentRefusedError extends CoreError {
  readonly reason: string;
  constructor(reason: string) {
    super(reason, { audience: 'user' });
    this.reason = reason;
  }
}

/** A plan that would break one of SageMaker's limits (a name too long, a timeout out of range): a bug or a bad config. */
export class DeploymentPlanError extends CoreError {}
