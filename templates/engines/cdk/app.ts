// Managed by generator-lambda-image: re-running the generator rewrites this file (and
// cdk.json, which cannot hold this comment) unless you changed it. It needs no regeneration
// when handlers change: it reads lambda-image.json each time `cdk synth` or `cdk deploy` runs
// (`npm run deploy` runs `cdk deploy`).
//
// One image, one function per handler. Every function gets the same image asset (the project
// folder, the same platform), so the CDK builds and pushes it once; each function overrides
// the image's CMD with its handler string (ImageConfig.Command). Function names, tags and
// logical IDs are those of the sdk and sam engines (from the lambda-image package), so
// `npm run invoke` finds the functions and a stack made by the sam engine updates in place.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  App,
  CfnOutput,
  Duration,
  Size,
  Stack,
  Tags,
  TimeZone,
  aws_ecr_assets,
  aws_iam,
  aws_lambda,
  aws_lambda_event_sources,
  aws_scheduler,
  aws_scheduler_targets,
  aws_sqs,
} from 'aws-cdk-lib';
import { EXECUTION_ROLE, HANDLER_TAG, PROJECT_TAG, cloudFormationEnvironment, loadManifest, queueVisibilityTimeout, stackFunctions, stackName } from 'lambda-image/cdk';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = loadManifest(projectDir);

const app = new App();
const stack = new Stack(app, stackName(manifest), {
  description: `${manifest.name}: AWS Lambda functions shipped as one container image (generator-lambda-image)`,
  // The CDK CLI sets these from the AWS profile and AWS_REGION; the manifest's region is the fallback.
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? manifest.region,
  },
});
Tags.of(stack).add(PROJECT_TAG, manifest.name);

const arm = manifest.architecture === 'arm64';
// Lambda only runs single-platform images: build for the functions' architecture.
const platform = arm ? aws_ecr_assets.Platform.LINUX_ARM64 : aws_ecr_assets.Platform.LINUX_AMD64;

const role = manifest.deploy.roleArn
  ? aws_iam.Role.fromRoleArn(stack, EXECUTION_ROLE, manifest.deploy.roleArn, { mutable: false })
  : new aws_iam.Role(stack, EXECUTION_ROLE, {
      assumedBy: new aws_iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [aws_iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
if (role instanceof aws_iam.Role) (role.node.defaultChild as aws_iam.CfnRole).overrideLogicalId(EXECUTION_ROLE);

for (const fn of stackFunctions(manifest)) {
  const lambda = new aws_lambda.DockerImageFunction(stack, fn.logicalId, {
    functionName: fn.functionName,
    code: aws_lambda.DockerImageCode.fromImageAsset(projectDir, { cmd: [fn.command], platform }),
    architecture: arm ? aws_lambda.Architecture.ARM_64 : aws_lambda.Architecture.X86_64,
    // Each handler's own values, falling back to the project's (lambda-image.json).
    memorySize: fn.settings.memory,
    timeout: Duration.seconds(fn.settings.timeout),
    // Secret references ({"ssm"}/{"secret"}) as CloudFormation dynamic references: no value in the template.
    environment: cloudFormationEnvironment(fn.settings.environment),
    ephemeralStorageSize: Size.mebibytes(fn.settings.ephemeralStorage),
    reservedConcurrentExecutions: fn.settings.reservedConcurrency,
    description: fn.settings.description,
    role,
  });
  (lambda.node.defaultChild as aws_lambda.CfnFunction).overrideLogicalId(fn.logicalId);
  Tags.of(lambda).add(HANDLER_TAG, fn.handlerName);
  new CfnOutput(stack, fn.outputKey, { value: lambda.functionArn, description: `${fn.handlerName} (${fn.command})` });

  const trigger = fn.settings.trigger;
  if (trigger?.type === 'schedule') {
    // The event the sdk and sam engines' schedules send: an EventBridge scheduled event filled in by Scheduler.
    const input = {
      version: '0',
      id: aws_scheduler.ContextAttribute.executionId,
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: stack.account,
      time: aws_scheduler.ContextAttribute.scheduledTime,
      region: stack.region,
      resources: [aws_scheduler.ContextAttribute.scheduleArn],
      detail: {},
    };
    new aws_scheduler.Schedule(stack, fn.ids.schedule, {
      description: `${manifest.name}: invokes ${fn.handlerName} (generator-lambda-image)`,
      schedule: aws_scheduler.ScheduleExpression.expression(
        trigger.expression,
        trigger.timezone ? TimeZone.of(trigger.timezone) : undefined,
      ),
      // Its role may invoke this function only.
      target: new aws_scheduler_targets.LambdaInvoke(lambda, { input: aws_scheduler.ScheduleTargetInput.fromObject(input) }),
    });
  } else if (trigger?.type === 'url') {
    const cors = trigger.cors;
    const url = lambda.addFunctionUrl({
      authType: trigger.auth === 'NONE' ? aws_lambda.FunctionUrlAuthType.NONE : aws_lambda.FunctionUrlAuthType.AWS_IAM,
      cors: cors && {
        allowedOrigins: cors.allowOrigins,
        allowedMethods: cors.allowMethods?.map((m) => (m === '*' ? aws_lambda.HttpMethod.ALL : (m as aws_lambda.HttpMethod))),
        allowedHeaders: cors.allowHeaders,
        exposedHeaders: cors.exposeHeaders,
        allowCredentials: cors.allowCredentials,
        maxAge: cors.maxAge === undefined ? undefined : Duration.seconds(cors.maxAge),
      },
    });
    new CfnOutput(stack, `${fn.ids.url}Address`, { value: url.url, description: `${fn.handlerName}: function URL` });
  } else if (trigger?.type === 'sqs') {
    let queue: aws_sqs.IQueue;
    if (trigger.queueArn) {
      queue = aws_sqs.Queue.fromQueueArn(stack, fn.ids.queue, trigger.queueArn);
    } else {
      const deadLetterQueue = new aws_sqs.Queue(stack, fn.ids.deadLetterQueue, {
        queueName: fn.deadLetterQueueName,
        retentionPeriod: Duration.days(14),
      });
      queue = new aws_sqs.Queue(stack, fn.ids.queue, {
        queueName: fn.queueName,
        visibilityTimeout: Duration.seconds(queueVisibilityTimeout(fn.settings.timeout)),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: trigger.maxReceiveCount ?? 5 },
      });
      new CfnOutput(stack, `${fn.ids.queue}Url`, { value: queue.queueUrl, description: `${fn.handlerName}: the queue it reads` });
    }
    // Grants the execution role the queue's consuming actions (a role of deploy.roleArn must have them already).
    lambda.addEventSource(
      new aws_lambda_event_sources.SqsEventSource(queue, {
        batchSize: trigger.batchSize ?? 10,
        maxBatchingWindow: trigger.batchWindow ? Duration.seconds(trigger.batchWindow) : undefined,
        reportBatchItemFailures: true,
      }),
    );
  }
}
