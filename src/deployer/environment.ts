import * as z from 'zod';
import { YolopsError } from '../core/errors.ts';
import { environmentProblems } from '../core/function-environment.ts';

/** The deployer's settings, from its environment (set by the ServingStack; see src/infra/constructs/deployer.ts). */
export interface DeployerEnvironment {
  /** Only approvals of this group deploy (the EventBridge rule filters too; this is the second check). */
  modelPackageGroup: string;
  stagingEndpoint: string;
  /** The role every endpoint's model runs as: the one role the deployer may pass. */
  endpointRoleArn: string;
  /** Where the serving section of training-config.json is read from at run time (the S3 copy `code push` uploads). */
  trainingBucket: string;
  configKey: string;
  notificationsTopicArn: string;
}

/** The variable names, shared by the handler (reads them) and the CDK construct (sets them). */
export const DEPLOYER_ENV = {
  modelPackageGroup: 'MODEL_PACKAGE_GROUP',
  stagingEndpoint: 'STAGING_ENDPOINT',
  endpointRoleArn: 'ENDPOINT_ROLE_ARN',
  trainingBucket: 'TRAINING_BUCKET',
  configKey: 'TRAINING_CONFIG_KEY',
  notificationsTopicArn: 'NOTIFICATIONS_TOPIC_ARN',
} as const satisfies Record<keyof DeployerEnvironment, string>;

const schema = z.object({
  [DEPLOYER_ENV.modelPackageGroup]: z.string().min(1),
  [DEPLOYER_ENV.stagingEndpoint]: z.string().min(1),
  [DEPLOYER_ENV.endpointRoleArn]: z.string().startsWith('arn:'),
  [DEPLOYER_ENV.trainingBucket]: z.string().min(3),
  [DEPLOYER_ENV.configKey]: z.string().min(1),
  [DEPLOYER_ENV.notificationsTopicArn]: z.string().startsWith('arn:'),
});

/** A setting is missing or malformed: the function cannot work, so it fails at init, naming every bad variable. */
export class DeployerEnvironmentError extends YolopsError {}

/** Reads and checks every setting at once; throws DeployerEnvironmentError listing each bad variable. */
export function readDeployerEnvironment(env: NodeJS.ProcessEnv): DeployerEnvironment {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new DeployerEnvironmentError(`the deployer's environment is not valid; fix the function's configuration (ServingStack): ${environmentProblems(parsed.error, env)}`);
  }
  const e = parsed.data;
  return {
    modelPackageGroup: e[DEPLOYER_ENV.modelPackageGroup],
    stagingEndpoint: e[DEPLOYER_ENV.stagingEndpoint],
    endpointRoleArn: e[DEPLOYER_ENV.endpointRoleArn],
    trainingBucket: e[DEPLOYER_ENV.trainingBucket],
    configKey: e[DEPLOYER_ENV.configKey],
    notificationsTopicArn: e[DEPLOYER_ENV.notificationsTopicArn],
  };
}
