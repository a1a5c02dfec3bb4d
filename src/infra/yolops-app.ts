import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { InfraConfig } from './config.ts';
import { environmentPolicy } from './environment.ts';
import { resourceNames } from '../core/naming.ts';
import { mlflowAppArnPlaceholder, sagemakerExecutionRoleArn } from '../core/pipeline/index.ts';
import type { StagedCodeBundle } from './code-bundle.ts';
import { assertJobsRunAs, inspectPipelineDefinition, type PipelineDefinitionSource } from './compiled-pipeline-facts.ts';
import { ModelBuildStack } from './stacks/model-build-stack.ts';
import { S3TriggerStack } from './stacks/s3-trigger-stack.ts';
import { SageMakerPipelineStack } from './stacks/sagemaker-pipeline-stack.ts';
import { ServingStack } from './stacks/serving-stack.ts';
import { SharedResourcesStack } from './stacks/shared-resources-stack.ts';

export interface YolopsAppProps {
  readonly config: InfraConfig;
  /** The compiled pipeline definition (`src/core/pipeline`), with `codeBundle.version` as its default CodeVersion. */
  readonly pipelineDefinition: PipelineDefinitionSource;
  /** training/ packed (stageCodeBundle); the pipeline stack uploads it to `code/{version}/`. */
  readonly codeBundle: StagedCodeBundle;
}

export interface YolopsStacks {
  readonly shared: SharedResourcesStack;
  readonly pipeline: SageMakerPipelineStack;
  readonly trigger: S3TriggerStack;
  readonly serving: ServingStack;
  /** Only when cdk.json has `model_build`. */
  readonly modelBuild?: ModelBuildStack;
}

/**
 * Adds the four yolops stacks to `app`, and the model-build CI when cdk.json asks for it, checked by cdk-nag's
 * AwsSolutions pack at synth. Dependencies run one way: shared <- pipeline <- trigger, pipeline <- serving, and
 * pipeline <- model build.
 */
export function addYolopsStacks(app: App, props: YolopsAppProps): YolopsStacks {
  const { context } = props.config;
  const names = resourceNames(context);
  const policy = environmentPolicy(context.environment);
  const env = { account: context.aws_account_id, region: context.aws_region };

  const facts = inspectPipelineDefinition(props.pipelineDefinition);
  // The role this app creates, written out the way the compiler writes RoleArn (core/pipeline/aws/arns.ts).
  assertJobsRunAs(facts, sagemakerExecutionRoleArn(context));

  const shared = new SharedResourcesStack(app, 'SharedResourcesStack', {
    env,
    stackName: names.sharedResourcesStack,
    description: `yolops ${context.project_name} (${context.environment}): buckets, roles, notifications, MLflow ${context.mlflow === 'app' ? 'App' : 'tracking server'}`,
    config: props.config,
    names,
    environmentPolicy: policy,
    imageRepositories: facts.imageRepositories,
  });
  const pipeline = new SageMakerPipelineStack(app, 'SageMakerPipelineStack', {
    env,
    stackName: names.pipelineStack,
    description: `yolops ${context.project_name} (${context.environment}): SageMaker training pipeline, its code and model registry`,
    names,
    environmentPolicy: policy,
    pipelineDefinition: props.pipelineDefinition,
    pipelineFacts: facts,
    codeBundle: props.codeBundle,
    ...(context.mlflow === 'app' ? { mlflowAppArnPlaceholder: mlflowAppArnPlaceholder(context) } : {}),
    instanceTypes: { training: props.config.training.instance_type, evaluation: props.config.training.evaluation_instance_type },
    githubRepository: context.github_repository,
  });
  const trigger = new S3TriggerStack(app, 'S3TriggerStack', {
    env,
    stackName: names.triggerStack,
    description: `yolops ${context.project_name} (${context.environment}): S3 upload trigger, Ground Truth labeling role and completion, their alarms`,
    names,
    environmentPolicy: policy,
    quietPeriodSeconds: context.trigger_quiet_period_seconds,
    projectName: context.project_name,
  });
  const serving = new ServingStack(app, 'ServingStack', {
    env,
    stackName: names.servingStack,
    description: `yolops ${context.project_name} (${context.environment}): inference image build, endpoint role, deployer and production alarms`,
    names,
    projectName: context.project_name,
    environmentPolicy: policy,
    serving: props.config.training.serving,
  });
  // The stacks refer to each other by deterministic names, not CloudFormation exports, so the deployment
  // order is stated here rather than inferred.
  pipeline.addStackDependency(shared, 'the pipeline and its role use the shared buckets, roles, topic and MLflow tracking URI parameter by name');
  trigger.addStackDependency(shared, 'the trigger uses the shared bucket, role and topic by name');
  trigger.addStackDependency(pipeline, 'the trigger starts the pipeline by name');
  serving.addStackDependency(shared, 'serving reads the shared buckets and publishes to the shared topic by name');
  serving.addStackDependency(pipeline, 'the deployer deploys versions of the model package group by name');
  const modelBuild =
    context.model_build === undefined
      ? undefined
      : new ModelBuildStack(app, 'ModelBuildStack', {
          env,
          stackName: names.modelBuildStack,
          description: `yolops ${context.project_name} (${context.environment}): model-build CI (CodePipeline from ${context.model_build.source === 'codecommit' ? 'CodeCommit' : context.model_build.repository}, CodeBuild running buildspec.yml)`,
          names,
          environmentPolicy: policy,
          modelBuild: context.model_build,
        });
  modelBuild?.addStackDependency(shared, 'the build uses the shared training bucket, access-logs bucket and MLflow tracking URI parameter by name');
  modelBuild?.addStackDependency(pipeline, 'the build updates and starts the pipeline and passes its role, by name');

  for (const [key, value] of [['project', context.project_name], ['environment', context.environment], ['managed-by', 'yolops-cdk']] as const) {
    Tags.of(app).add(key, value);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { shared, pipeline, trigger, serving, ...(modelBuild === undefined ? {} : { modelBuild }) };
}
