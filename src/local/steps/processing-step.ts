import { cpus } from 'node:os';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadPrefix, uploadDirectory } from '../buckets/transfer.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { isErrnoCode } from '../fs/errno.ts';
import type { FolderObjectStore } from '../folder-object-store.ts';
import type { JsonObject } from '../json.ts';
import { StepFailure } from '../pipeline/errors.ts';
import type { StepExecutor } from '../pipeline/interpreter.ts';
import { jobEnvironment, type PythonEnvironment } from '../python-env.ts';
import { ArgumentReader } from './arguments.ts';
import { describeExit, runContainerProcess } from './container-process.ts';

export interface ProcessingStepDependencies {
  store: FolderObjectStore;
  python: PythonEnvironment;
  baseEnv?: NodeJS.ProcessEnv;
}

const CONTAINER_ROOT = '/opt/ml';

/**
 * Maps every `/opt/ml` path in a container argument or variable into the job folder: the whole argument
 * (`/opt/ml/processing/model`) or the value after `=` (`--model=/opt/ml/processing/model`).
 */
export function remapContainerPaths(text: string, jobDir: string): string {
  return text.replace(/(^|=)\/opt\/ml(?=\/|$)/g, (_match, lead: string) => `${lead}${jobDir}${CONTAINER_ROOT}`);
}

interface Input {
  name: string;
  uri: string;
  localPath: string;
}
interface Output {
  name: string;
  uri: string;
  localPath: string;
  uploadMode: string;
}

/**
 * A SageMaker processing job on this machine: inputs downloaded into `<job>/opt/ml/processing/...`, the
 * container's entrypoint and arguments run with `/opt/ml` remapped there and the venv's python3 first on PATH,
 * outputs uploaded to their S3 URIs when the job succeeds.
 */
export function createProcessingExecutor(deps: ProcessingStepDependencies): StepExecutor {
  return async (step, args, context) => {
    const a: ArgumentReader = new ArgumentReader(args, 'Arguments', step.name);
    const cluster = a.optionalObject('ProcessingResources')?.optionalObject('ClusterConfig');
    const instanceCount = cluster?.optionalNumber('InstanceCount') ?? 1;
    if (instanceCount !== 1) cluster?.fail('InstanceCount', `${instanceCount} instances: the local runner processes on one machine`);
    const instanceType = cluster?.optionalString('InstanceType') ?? 'local';
    const app = a.object('AppSpecification');
    const entrypoint = app.strings('ContainerEntrypoint');
    const containerArgs = app.strings('ContainerArguments');
    const command = [...entrypoint, ...containerArgs];
    // Without one, SageMaker would run the image's own entrypoint, which does not exist outside the image.
    if (entrypoint.length === 0) app.fail('ContainerEntrypoint', 'the local runner needs a ContainerEntrypoint (it cannot run an image\'s default entrypoint)');
    const localPathOf = (reader: ArgumentReader, key: string): string => {
      const path = reader.string(key);
      if (!path.startsWith('/opt/ml/processing/') || path.split('/').includes('..')) reader.fail(key, `must be a folder under /opt/ml/processing/, found ${JSON.stringify(path)}`);
      return path;
    };
    const inputs: Input[] = a.objects('ProcessingInputs').map((input) => {
      input.refuse('DatasetDefinition', 'Athena/Redshift dataset definitions do not exist locally');
      const s3 = input.object('S3Input');
      s3.oneOf('S3DataType', ['S3Prefix'], 'S3DataType');
      s3.oneOf('S3InputMode', ['File'], 'S3InputMode');
      s3.oneOf('S3CompressionType', ['None'], 'S3CompressionType');
      return { name: input.string('InputName'), uri: s3.string('S3Uri'), localPath: localPathOf(s3, 'LocalPath') };
    });
    const outputs: Output[] = (a.optionalObject('ProcessingOutputConfig')?.objects('Outputs') ?? []).map((output) => {
      output.refuse('FeatureStoreOutput', 'Feature Store does not exist locally');
      const s3 = output.object('S3Output');
      s3.oneOf('S3UploadMode', ['EndOfJob', 'Continuous'], 'S3UploadMode');
      return { name: output.string('OutputName'), uri: s3.string('S3Uri'), localPath: localPathOf(s3, 'LocalPath'), uploadMode: s3.optionalString('S3UploadMode') ?? 'EndOfJob' };
    });
    const environment = a.stringMap('Environment');
    const maxRuntime = a.optionalObject('StoppingCondition')?.optionalNumber('MaxRuntimeInSeconds');

    const hostPath = (containerPath: string): string => join(context.jobDir, ...containerPath.split('/').filter(Boolean));
    const outputDir = hostPath('/opt/ml/output');
    // A retried execution runs the step again in the same folder: start from an empty /opt/ml, as a new container does.
    await rm(hostPath('/opt'), { recursive: true, force: true });
    try {
      for (const input of inputs) await downloadPrefix(deps.store, input.uri, hostPath(input.localPath));
    } catch (error) {
      throw new StepFailure(`ClientError: cannot download the inputs of processing job ${context.jobName}: ${(error as Error).message}`, { cause: error });
    }
    for (const output of outputs) await mkdir(hostPath(output.localPath), { recursive: true });
    await mkdir(outputDir, { recursive: true });
    await writeJsonAtomic(hostPath('/opt/ml/config/resourceconfig.json'), { current_host: 'algo-1', hosts: ['algo-1'], current_instance_type: instanceType });
    await writeJsonAtomic(hostPath('/opt/ml/config/processingjobconfig.json'), { ProcessingJobName: context.jobName, ProcessingInputs: args['ProcessingInputs'] ?? [], ProcessingOutputConfig: args['ProcessingOutputConfig'] ?? {}, Environment: environment });

    const remapped = command.map((part) => remapContainerPaths(part, context.jobDir));
    const jobVariables: Record<string, string> = {
      // Where evaluate.py writes its failure message (SageMaker's /opt/ml/output/message, remapped).
      SM_OUTPUT_DIR: outputDir,
      SM_NUM_CPUS: String(cpus().length),
      SM_NUM_GPUS: '0',
      PROCESSING_JOB_NAME: context.jobName,
      ...Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, remapContainerPaths(v, context.jobDir)])),
    };
    const startedAt = new Date();
    const jobUpdates: Promise<void>[] = [];
    const result = await runContainerProcess({
      command: remapped[0] as string,
      args: remapped.slice(1),
      cwd: context.jobDir,
      env: jobEnvironment(deps.python, jobVariables, deps.baseEnv),
      logFile: join(context.jobDir, 'stdout.log'),
      ...(maxRuntime !== undefined ? { timeoutSeconds: maxRuntime } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
      onSpawn: (pid) => {
        const update = context.reportJob?.(pid);
        update?.catch(() => undefined); // awaited after the job ends
        if (update) jobUpdates.push(update);
      },
      onLine: (line) => context.emit({ type: 'log', executionId: context.executionId, step: step.name, line }),
    });
    await Promise.all(jobUpdates);
    const endedAt = new Date();
    if (result.exitCode !== 0) {
      let message = '';
      try {
        message = (await readFile(join(outputDir, 'message'), 'utf8')).trim();
      } catch (error) {
        if (!isErrnoCode(error, 'ENOENT')) throw error;
      }
      const reason = message || `last output: ${result.tail.slice(-5).join(' | ')}`;
      throw new StepFailure(`AlgorithmError: processing job ${context.jobName} ${describeExit(result, maxRuntime)}: ${reason}`);
    }
    for (const output of outputs) await uploadDirectory(deps.store, hostPath(output.localPath), output.uri);

    const properties: JsonObject = {
      ProcessingJobName: context.jobName,
      ProcessingJobArn: `arn:aws:sagemaker:local:000000000000:processing-job/${context.jobName.toLowerCase()}`,
      ProcessingJobStatus: 'Completed',
      ProcessingInputs: inputs.map((i) => ({ InputName: i.name, S3Input: { S3Uri: i.uri, LocalPath: i.localPath, S3DataType: 'S3Prefix', S3InputMode: 'File' } })),
      ProcessingOutputConfig: { Outputs: outputs.map((o) => ({ OutputName: o.name, S3Output: { S3Uri: o.uri, LocalPath: o.localPath, S3UploadMode: o.uploadMode } })) },
      AppSpecification: { ContainerEntrypoint: entrypoint, ContainerArguments: containerArgs },
      Environment: environment,
      ProcessingStartTime: startedAt.toISOString(),
      ProcessingEndTime: endedAt.toISOString(),
    };
    return properties;
  };
}
