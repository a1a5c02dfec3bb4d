const ACCOUNT = '123456789012';
const REGION = 'ap-southeast-2';

/** What `yolops code push` (and its image build), `pipeline upsert`, `pipeline start` and `pipeline watch` call (DeployAndTrainPolicy). */
export function deployAndTrainStatements(pipelineRoleArn: unknown) {
  const bucket = `arn:aws:s3:::yolops-training-data-${ACCOUNT}`;
  const sm = (resource: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${resource}`;
  return [
    { Sid: 'UploadCodeAndConfig', Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: [`${bucket}/code/*`, `${bucket}/config/training-config.json`] },
    { Sid: 'ListCodeAndConfig', Action: 's3:ListBucket', Effect: 'Allow', Resource: bucket, Condition: { StringLike: { 's3:prefix': ['code/*', 'config/*'] } } },
    { Sid: 'ReadMlflowTrackingUri', Action: 'ssm:GetParameter', Effect: 'Allow', Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/yolops/mlflow/tracking-uri` },
    {
      Sid: 'UpdateAndStartPipeline',
      Action: ['sagemaker:DescribePipeline', 'sagemaker:ListPipelineExecutions', 'sagemaker:StartPipelineExecution', 'sagemaker:UpdatePipeline'],
      Effect: 'Allow',
      Resource: sm('pipeline/yolops-yolo-training-pipeline'),
    },
    {
      Sid: 'FollowPipelineExecutions',
      Action: ['sagemaker:DescribePipelineExecution', 'sagemaker:ListPipelineExecutionSteps', 'sagemaker:ListPipelineParametersForExecution'],
      Effect: 'Allow',
      Resource: sm('pipeline/yolops-yolo-training-pipeline/execution/*'),
    },
    { Sid: 'DescribePipelineJobs', Action: ['sagemaker:DescribeProcessingJob', 'sagemaker:DescribeTrainingJob'], Effect: 'Allow', Resource: [sm('processing-job/pipelines-*'), sm('training-job/pipelines-*')] },
    { Sid: 'BuildInferenceImage', Action: ['codebuild:BatchGetBuilds', 'codebuild:BatchGetProjects', 'codebuild:StartBuild'], Effect: 'Allow', Resource: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/yolops-inference-image` },
    { Sid: 'FindInferenceImages', Action: 'ecr:DescribeImages', Effect: 'Allow', Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/yolops-inference` },
    { Sid: 'PassPipelineRole', Action: 'iam:PassRole', Effect: 'Allow', Resource: pipelineRoleArn, Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } },
  ];
}
