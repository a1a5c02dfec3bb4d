import { cpus } from 'node:os';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadObject, downloadPrefix, downloadPrefixIfAny, joinS3Uri, listFilesRecursive, uploadDirectory, uploadFile } from '../buckets/transfer.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { isErrnoCode } from '../fs/errno.ts';
import type { FolderObjectStore } from '../folder-object-store.ts';
import type { JsonObject } from '../json.ts';
import { StepFailure } from '../pipeline/errors.ts';
import type { StepExecutor } from '../pipeline/interpreter.ts';
import { jobEnvironment, type PythonEnvironment } from '../python-env.ts';
import { ArgumentReader } from './arguments.ts';
import { describeExit, runContainerProcess } from './container-process.ts';
import { hyperparameterEnvironment, splitHyperparameters, toCommandLineArgs } from './hyperparameters.ts';
import { extractTarGz, writeTarGz } from '../fs/tar-archive.ts';
import type { MetricDefinition } from '../../core/pipeline/compiled.ts';
import { MetricCollector, parseProgressLine } from './training-metrics.ts';

export interface TrainingStepDependencies {
  store: FolderObjectStore;
  python: PythonEnvironment;
  /** Environment the job inherits (defaults to this process's). */
  baseEnv?: NodeJS.ProcessEnv;
}

interface Channel {
  name: string;
  uri: string;
}

/** The job's /opt/ml tree inside its step folder; the SM_* variables point here. */
function trainingLayout(jobDir: string) {
  return {
    code: join(jobDir, 'code'),
    inputConfig: join(jobDir, 'input', 'config'),
    inputData: join(jobDir, 'input', 'data'),
    model: join(jobDir, 'model'),
    output: join(jobDir, 'output'),
    outputData: join(jobDir, 'output', 'data'),
    checkpoints: join(jobDir, 'checkpoints'),
    log: join(jobDir, 'stdout.log'),
  };
}

/**
 * Empties the job folder of an earlier attempt (a retried execution runs the step in the same folder) but for
 * its checkpoints and its log: like a new SageMaker container, only the checkpoint location carries over.
 */
async function clearEarlierAttempt(jobDir: string, dirs: ReturnType<typeof trainingLayout>): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(jobDir);
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return;
    throw error;
  }
  const keep = new Set([dirs.checkpoints, dirs.log].map((p) => p.slice(jobDir.length + 1)));
  for (const entry of entries) if (!keep.has(entry)) await rm(join(jobDir, entry), { recursive: true, force: true });
}

/**
 * A SageMaker training job in script mode on this machine: channels downloaded from the bucket folders, the
 * submit directory extracted, `python <sagemaker_program> --key value ...` run with the SM_* contract, then
 * model.tar.gz and output.tar.gz written where SageMaker puts them and checkpoints synced back.
 */
export function createTrainingExecutor(deps: TrainingStepDependencies): StepExecutor {
  return async (step, args, context) => {
    const a: ArgumentReader = new ArgumentReader(args, 'Arguments', step.name);
    const algorithm = a.object('AlgorithmSpecification');
    algorithm.oneOf('TrainingInputMode', ['File', 'FastFile'], 'TrainingInputMode');
    algorithm.refuse('AlgorithmName', 'a marketplace or built-in algorithm needs its own image; script mode only');
    const metricDefinitions: MetricDefinition[] = algorithm.objects('MetricDefinitions').map((m) => ({ Name: m.string('Name'), Regex: m.string('Regex') }));
    let metrics: MetricCollector;
    try {
      metrics = new MetricCollector(metricDefinitions);
    } catch (error) {
      throw new StepFailure(`step "${step.name}", Arguments.AlgorithmSpecification.MetricDefinitions: ${(error as Error).message}`, { cause: error });
    }

    const resources = a.optionalObject('ResourceConfig');
    const instanceCount = resources?.optionalNumber('InstanceCount') ?? 1;
    if (instanceCount !== 1) resources?.fail('InstanceCount', `${instanceCount} instances: the local runner trains on one machine`);
    const instanceType = resources?.optionalString('InstanceType') ?? 'local';

    const channels: Channel[] = a.objects('InputDataConfig').map((c) => {
      const source = c.object('DataSource');
      source.refuse('FileSystemDataSource', 'EFS/FSx channels do not exist locally');
      const s3 = source.object('S3DataSource');
      s3.oneOf('S3DataType', ['S3Prefix'], 'S3DataType');
      c.oneOf('CompressionType', ['None'], 'CompressionType');
      c.oneOf('InputMode', ['File', 'FastFile'], 'InputMode');
      return { name: c.string('ChannelName'), uri: s3.string('S3Uri') };
    });
    const outputPath = a.object('OutputDataConfig').string('S3OutputPath');
    const checkpoint = a.optionalObject('CheckpointConfig');
    const checkpointUri = checkpoint?.string('S3Uri');
    const checkpointLocal = checkpoint?.optionalString('LocalPath') ?? '/opt/ml/checkpoints';
    if (checkpointLocal !== '/opt/ml/checkpoints') checkpoint?.fail('LocalPath', `only /opt/ml/checkpoints is mapped locally, found ${checkpointLocal}`);
    const maxRuntime = a.optionalObject('StoppingCondition')?.optionalNumber('MaxRuntimeInSeconds');
    const rawHyperparameters = a.stringMap('HyperParameters');
    const environment = a.stringMap('Environment');

    const { user, framework } = splitHyperparameters(rawHyperparameters);
    const program = framework['sagemaker_program'];
    const submitDirectory = framework['sagemaker_submit_directory'];
    if (typeof program !== 'string' || !/^[\w./-]+\.py$/.test(program) || program.split('/').includes('..')) {
      a.fail('HyperParameters.sagemaker_program', `must name the script to run, e.g. "\\"train.py\\"", found ${JSON.stringify(rawHyperparameters['sagemaker_program'])}`);
    }
    if (typeof submitDirectory !== 'string' || !submitDirectory.startsWith('s3://') || !submitDirectory.endsWith('.tar.gz')) {
      a.fail('HyperParameters.sagemaker_submit_directory', `must be the S3 URI of a sourcedir.tar.gz, found ${JSON.stringify(rawHyperparameters['sagemaker_submit_directory'])}`);
    }

    const dirs = trainingLayout(context.jobDir);
    await clearEarlierAttempt(context.jobDir, dirs);
    for (const dir of [dirs.code, dirs.inputConfig, dirs.inputData, dirs.model, dirs.outputData, dirs.checkpoints]) await mkdir(dir, { recursive: true });
    const bundle = join(context.jobDir, 'sourcedir.tar.gz');
    try {
      for (const channel of channels) await downloadPrefix(deps.store, channel.uri, join(dirs.inputData, channel.name));
      await downloadObject(deps.store, submitDirectory, bundle);
      await extractTarGz(bundle, dirs.code);
      if (checkpointUri) {
        // An earlier attempt of this job whose runner died never uploaded its last checkpoints; SageMaker syncs
        // them while the job runs, so they would be at the S3 location: put them there first.
        if ((await listFilesRecursive(dirs.checkpoints)).length > 0) await uploadDirectory(deps.store, dirs.checkpoints, checkpointUri);
        await downloadPrefixIfAny(deps.store, checkpointUri, dirs.checkpoints);
      }
    } catch (error) {
      throw new StepFailure(`ClientError: cannot prepare the inputs of training job ${context.jobName}: ${(error as Error).message}`, { cause: error });
    }

    const channelNames = channels.map((c) => c.name);
    const resourceConfig = { current_host: 'algo-1', hosts: ['algo-1'], current_instance_type: instanceType, network_interface_name: 'lo' };
    const inputDataConfig = Object.fromEntries(channels.map((c) => [c.name, { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' }]));
    await writeJsonAtomic(join(dirs.inputConfig, 'hyperparameters.json'), rawHyperparameters);
    await writeJsonAtomic(join(dirs.inputConfig, 'resourceconfig.json'), resourceConfig);
    await writeJsonAtomic(join(dirs.inputConfig, 'inputdataconfig.json'), inputDataConfig);

    const userArgs = toCommandLineArgs(user);
    const smVariables: Record<string, string> = {
      SM_MODEL_DIR: dirs.model,
      SM_CHANNELS: JSON.stringify(channelNames),
      ...Object.fromEntries(channelNames.map((name) => [`SM_CHANNEL_${name.toUpperCase()}`, join(dirs.inputData, name)])),
      SM_OUTPUT_DATA_DIR: dirs.outputData,
      SM_OUTPUT_DIR: dirs.output,
      SM_INPUT_DIR: join(context.jobDir, 'input'),
      SM_INPUT_CONFIG_DIR: dirs.inputConfig,
      SM_INPUT_DATA_CONFIG: JSON.stringify(inputDataConfig),
      SM_RESOURCE_CONFIG: JSON.stringify(resourceConfig),
      SM_CHECKPOINT_DIR: dirs.checkpoints,
      SM_CURRENT_HOST: 'algo-1',
      SM_HOSTS: JSON.stringify(['algo-1']),
      SM_CURRENT_INSTANCE_TYPE: instanceType,
      SM_NUM_CPUS: String(cpus().length),
      SM_NUM_GPUS: '0',
      SM_MODULE_DIR: submitDirectory,
      SM_USER_ENTRY_POINT: program,
      SM_USER_ARGS: JSON.stringify(userArgs),
      SM_LOG_LEVEL: '20',
      TRAINING_JOB_NAME: context.jobName,
      TRAINING_JOB_ARN: `arn:aws:sagemaker:local:000000000000:training-job/${context.jobName.toLowerCase()}`,
      ...hyperparameterEnvironment(user),
    };

    const startedAt = new Date();
    const progressUpdates: Promise<void>[] = [];
    const jobUpdates: Promise<void>[] = [];
    const result = await runContainerProcess({
      command: deps.python.python,
      args: [program, ...userArgs],
      cwd: dirs.code,
      env: jobEnvironment(deps.python, { ...smVariables, ...environment }, deps.baseEnv),
      logFile: dirs.log,
      ...(maxRuntime !== undefined ? { timeoutSeconds: maxRuntime } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
      onSpawn: (pid) => {
        const update = context.reportJob?.(pid);
        update?.catch(() => undefined); // awaited after the job ends
        if (update) jobUpdates.push(update);
      },
      onLine: (line) => {
        metrics.line(line);
        context.emit({ type: 'log', executionId: context.executionId, step: step.name, line });
        const progress = parseProgressLine(line);
        if (progress) {
          const update = context.reportProgress(progress);
          // Awaited (and so reported) after the job ends; marked handled now so it cannot crash the process meanwhile.
          update.catch(() => undefined);
          progressUpdates.push(update);
        }
      },
    });
    await Promise.all([...progressUpdates, ...jobUpdates]);
    const endedAt = new Date();

    // SageMaker uploads checkpoints whatever the outcome: a failed or interrupted job resumes from them.
    if (checkpointUri && (await listFilesRecursive(dirs.checkpoints)).length > 0) await uploadDirectory(deps.store, dirs.checkpoints, checkpointUri);

    if (result.exitCode !== 0) {
      const failure = await readFile(join(dirs.output, 'failure'), 'utf8').catch((error: unknown) => {
        if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return '';
        throw error;
      });
      const reason = failure.trim() || `${describeExit(result, maxRuntime)}; last output: ${result.tail.slice(-5).join(' | ')}`;
      throw new StepFailure(`AlgorithmError: training job ${context.jobName} ${describeExit(result, maxRuntime)}: ${reason}`);
    }

    const jobOutput = joinS3Uri(outputPath, `${context.jobName}/output`);
    const modelUri = joinS3Uri(jobOutput, 'model.tar.gz');
    const outputUri = joinS3Uri(jobOutput, 'output.tar.gz');
    const modelTar = join(context.jobDir, 'model.tar.gz');
    const outputTar = join(context.jobDir, 'output.tar.gz');
    await writeTarGz(dirs.model, await listFilesRecursive(dirs.model), modelTar);
    await writeTarGz(dirs.outputData, await listFilesRecursive(dirs.outputData), outputTar);
    await uploadFile(deps.store, modelTar, modelUri);
    await uploadFile(deps.store, outputTar, outputUri);

    const properties: JsonObject = {
      TrainingJobName: context.jobName,
      TrainingJobArn: smVariables['TRAINING_JOB_ARN'] as string,
      TrainingJobStatus: 'Completed',
      ModelArtifacts: { S3ModelArtifacts: modelUri },
      FinalMetricDataList: metrics.finalMetrics().map((m) => ({ ...m })),
      HyperParameters: rawHyperparameters,
      OutputDataConfig: { S3OutputPath: outputPath },
      AlgorithmSpecification: { TrainingInputMode: 'File', MetricDefinitions: metricDefinitions.map((m) => ({ Name: m.Name, Regex: m.Regex })) },
      InputDataConfig: channels.map((c) => ({ ChannelName: c.name, DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: c.uri } } })),
      TrainingStartTime: startedAt.toISOString(),
      TrainingEndTime: endedAt.toISOString(),
    };
    if (checkpointUri) properties['CheckpointConfig'] = { S3Uri: checkpointUri, LocalPath: checkpointLocal };
    return properties;
  };
}
