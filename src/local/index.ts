/**
 * The local backend: runs the compiled SageMaker Pipeline definition on this machine (a folder per bucket, a
 * local MLflow server, a local model registry, console/webhook notifications) and watches for datasets.
 * The CLI (`yolops run|runs|models|watch`) is a thin layer over these exports.
 */
export { runPipelineLocally, retryPipelineLocally, uploadDataset, isSplitYoloFolder, newExecutionId, DatasetRejectedError, type RunPipelineLocallyOptions, type RetryPipelineLocallyOptions } from './run-pipeline.ts';
export { DatasetWatcher, type DatasetWatcherOptions, type WatchEvent, type StartOutcome } from './watch/dataset-watcher.ts';
export { watchLocally, type WatchLocallyOptions } from './watch/watch-locally.ts';
export { RetryRefusedError } from './executions/retry-plan.ts';
export { CorruptRecordError } from './fs/record-file.ts';
export type { RunEvent, RunEventListener } from './events.ts';
export { localLayout, REPO_ROOT, type LocalLayout } from './layout.ts';
export { ExecutionStore, ExecutionNotFoundError, type ExecutionSummary } from './executions/execution-store.ts';
export type { ExecutionRecord, StepRecord, ExecutionStatus, StepStatus, ConditionDecision, RegisteredModelRef, MlflowRef, NotificationRecord, EpochProgress, RetryRecord } from './executions/execution-record.ts';
export { LocalModelRegistry, RegistryError, type RegisterModelInput } from './registry/model-registry.ts';
export { startMlflowServer, withMlflowServer, MlflowServerError, type MlflowServer, type MlflowServerOptions } from './mlflow/mlflow-server.ts';
export { MlflowApiError, MlflowClient, type MlflowRunRef } from './mlflow/mlflow-client.ts';
export { ConsoleChannel, WebhookChannel, channelsFromEnv, sendNotifications, type WebhookOptions } from './notify/notifier.ts';
export { notificationFromRecord } from './notify/notification.ts';
export { buildCodeBundle, publishCodeBundle, bundleFiles, type CodeBundle, type PublishedCodeBundle } from './code-bundle.ts';
export { parsePipelineDefinition, type ParsedPipeline, type StepNode } from './pipeline/runnable-pipeline.ts';
export { PipelineDefinitionError } from './pipeline/errors.ts';
export type { DefinitionProblem } from '../core/pipeline/compiled.ts';
export { ParameterValueError, type ParameterOverride, type ParameterValue } from './pipeline/parameters.ts';
export { pythonEnvironment, type PythonEnvironment, assertPythonEnvironment, jobEnvironment } from './python-env.ts';
export { chooseServedVersion, type ServedVersionChoice } from './serving/served-version.ts';
export { serveVersionLocally, type ServeVersionOptions } from './serving/serve-version.ts';
export { ModelLoadError, ModelServerError, type ModelServer } from './serving/model-server.ts';
export { followStage, type FollowEvent, type StageFollower, type StageFollowerOptions } from './serving/stage-follower.ts';
export { startReverseProxy, MODEL_VERSION_HEADER, type ReverseProxy, type Upstream } from './serving/reverse-proxy.ts';
export { LocalStageStore, StageError } from './stages/stage-store.ts';
export { LOCAL_STAGES, describeStageChange, type LocalStage, type StageRecord, type StageUpdate } from './stages/stage-record.ts';
export { judgePromotion, howToSetStage } from './stages/stage-choice.ts';
export { liveFollowers, type FollowerState } from './stages/stage-followers.ts';
