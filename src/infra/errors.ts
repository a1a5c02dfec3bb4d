import { YolopsError } from '../core/errors.ts';

/** Base of the errors of the CDK app: config that does not hold together, a pipeline that does not fit the stacks. */
export class InfraError extends YolopsError {}
