// The project as one CloudFormation stack: the same layout as the sdk engine (one image, one
// function per handler, each overriding the image's CMD with its handler string), with the
// same function names and tags, so `npm run invoke` finds the functions whichever engine made
// them.
//
// Two renderings of lambda-image.json share the names and logical IDs defined here:
// - template.yaml (written by the generator for the sam engine): AWS::Serverless::Function
//   resources, for the SAM CLI (`sam build` builds the image once from their shared Metadata);
// - stackTemplate() below: plain AWS::Lambda::Function resources, which `npm run deploy`
//   sends to CloudFormation. It needs no SAM transform, so the SAM CLI is not required, and
//   CloudFormation stand-ins without the transform (moto) can run it too.
//
// No third-party imports: the generator imports this file to render template.yaml.
import type { Manifest } from '../shared/manifest.ts';
import { cloudFormationEnvironment } from '../shared/env-values.ts';
import { HANDLER_TAG, PROJECT_TAG, functionName } from '../shared/names.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_RECEIVE_COUNT, type EffectiveSettings, effectiveSettings } from '../shared/handler-settings.ts';

/** Logical ID of the role EventBridge Scheduler assumes to invoke the scheduled functions. */
export const SCHEDULER_ROLE = 'SchedulerRole';
/** The event a scheduled function receives (as the sdk engine's schedules send it), for Fn::Sub. */
export const SCHEDULE_INPUT_SUB = JSON.stringify({
  version: '0',
  id: '<aws.scheduler.execution-id>',
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '${AWS::AccountId}',
  time: '<aws.scheduler.scheduled-time>',
  region: '${AWS::Region}',
  resources: ['<aws.scheduler.schedule-arn>'],
  detail: {},
});
/** What a function reading an SQS queue needs on it. */
export const SQS_CONSUMER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'];
/** Visibility timeout of a created queue: six times the function's timeout (Lambda's advice), within SQS's range. */
export const queueVisibilityTimeout = (functionTimeout: number) => Math.min(43200, Math.max(30, 6 * functionTimeout));

/** The template parameter that receives the digest-pinned image (`repository@sha256:…`). */
export const IMAGE_PARAMETER = 'ImageUri';
/** Logical ID of the execution role the stack creates when lambda-image.json names none. */
export const EXECUTION_ROLE = 'ExecutionRole';

export interface StackFunction {
  /** The manifest handler's name. */
  handlerName: string;
  /** The handler string: ImageConfig.Command. */
  command: string;
  /** The template's logical ID (letters and digits): `report_daily` -> `ReportDailyFunction`. */
  logicalId: string;
  /** The deployed function's name, as the sdk engine names it. */
  functionName: string;
  /** Key of the output that holds the function's ARN. */
  outputKey: string;
  /** Its values after the fallbacks to the project's (handler-settings.ts), trigger included. */
  settings: EffectiveSettings;
  /** Logical IDs of its trigger's resources (only those its trigger has are used). */
  ids: { queue: string; deadLetterQueue: string; mapping: string; url: string; urlPermission: string; urlInvokePermission: string; schedule: string };
  /** The queues a created sqs trigger makes: the function's name, and that name with -dlq. */
  queueName: string;
  deadLetterQueueName: string;
}

/** CloudFormation stack names allow letters, digits and hyphens, starting with a letter; project names qualify. */
export function stackName(manifest: Pick<Manifest, 'name'>): string {
  return manifest.name;
}

const pascal = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join('');

/** One entry per handler, in manifest order; logical IDs made unique should two handler names differ only in punctuation or case. */
export function stackFunctions(manifest: Pick<Manifest, 'name' | 'handlers' | 'memory' | 'timeout' | 'deploy'>): StackFunction[] {
  const used = new Set<string>([EXECUTION_ROLE, SCHEDULER_ROLE]);
  return manifest.handlers.map((h) => {
    const base = `${pascal(h.name) || 'Handler'}Function`;
    let logicalId = base;
    for (let i = 2; used.has(logicalId); i++) logicalId = `${base}${i}`;
    used.add(logicalId);
    const stem = logicalId.replace(/Function(\d*)$/, '$1');
    const name = functionName(manifest.name, h.name);
    return {
      handlerName: h.name,
      command: h.handler,
      logicalId,
      functionName: name,
      outputKey: `${logicalId}Arn`,
      settings: effectiveSettings(manifest, h),
      ids: {
        queue: `${stem}Queue`,
        deadLetterQueue: `${stem}DeadLetterQueue`,
        mapping: `${stem}QueueMapping`,
        url: `${stem}FunctionUrl`,
        urlPermission: `${stem}FunctionUrlPermission`,
        urlInvokePermission: `${stem}FunctionUrlInvokePermission`,
        schedule: `${stem}Schedule`,
      },
      queueName: name,
      deadLetterQueueName: `${name}-dlq`,
    };
  });
}

export const TRUST_POLICY_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

export const BASIC_EXECUTION_POLICY = 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The stack's template as plain CloudFormation (JSON), rendered from the manifest. */
export function stackTemplate(manifest: Manifest): { [key: string]: Json } {
  const role: Json = manifest.deploy.roleArn ?? { 'Fn::GetAtt': [EXECUTION_ROLE, 'Arn'] };
  const resources: { [key: string]: Json } = {};
  const outputs: { [key: string]: Json } = {};
  const functions = stackFunctions(manifest);
  const queueArns = queueArnsOf(functions);
  if (!manifest.deploy.roleArn) {
    resources[EXECUTION_ROLE] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: TRUST_POLICY_DOCUMENT,
        ManagedPolicyArns: [{ 'Fn::Sub': BASIC_EXECUTION_POLICY }],
        ...(queueArns.length > 0
          ? { Policies: [{ PolicyName: 'sqs-triggers', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: SQS_CONSUMER_ACTIONS, Resource: queueArns }] } }] }
          : {}),
        Tags: [{ Key: PROJECT_TAG, Value: manifest.name }],
      },
    };
  }
  const scheduled = functions.filter((f) => f.settings.trigger?.type === 'schedule');
  if (scheduled.length > 0) resources[SCHEDULER_ROLE] = schedulerRole(scheduled.map((f) => ({ 'Fn::GetAtt': [f.logicalId, 'Arn'] })));
  for (const fn of functions) {
    const environment = fn.settings.environment;
    resources[fn.logicalId] = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: fn.functionName,
        PackageType: 'Image',
        Code: { ImageUri: { Ref: IMAGE_PARAMETER } },
        ImageConfig: { Command: [fn.command] },
        Architectures: [manifest.architecture],
        MemorySize: fn.settings.memory,
        Timeout: fn.settings.timeout,
        Description: fn.settings.description,
        ...(fn.settings.ephemeralStorage !== 512 ? { EphemeralStorage: { Size: fn.settings.ephemeralStorage } } : {}),
        ...(fn.settings.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.settings.reservedConcurrency } : {}),
        Role: role,
        // Secret references become dynamic references: CloudFormation reads the values, the template holds none.
        ...(Object.keys(environment).length > 0 ? { Environment: { Variables: cloudFormationEnvironment(environment) } } : {}),
        Tags: [
          { Key: PROJECT_TAG, Value: manifest.name },
          { Key: HANDLER_TAG, Value: fn.handlerName },
        ],
      },
    };
    outputs[fn.outputKey] = {
      Description: `${fn.handlerName} (${fn.command})`,
      Value: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] },
    };
    Object.assign(resources, triggerResources(fn, manifest.name));
    Object.assign(outputs, triggerOutputs(fn));
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${manifest.name}: AWS Lambda functions shipped as one container image (generator-lambda-image)`,
    Parameters: {
      [IMAGE_PARAMETER]: {
        Type: 'String',
        Description: 'The image every function runs, pinned by digest (repository@sha256:...)',
      },
    },
    Resources: resources,
    Outputs: outputs,
  };
}

/** The ARNs of the queues the functions read, for the execution role's policy. */
export function queueArnsOf(functions: StackFunction[]): Json[] {
  return functions.flatMap((f): Json[] => {
    const t = f.settings.trigger;
    if (t?.type !== 'sqs') return [];
    return [t.queueArn ?? { 'Fn::GetAtt': [f.ids.queue, 'Arn'] }];
  });
}

/** Scheduler's role: trusted by scheduler.amazonaws.com for this account only, allowed to invoke the scheduled functions only. */
export function schedulerRole(functionArns: Json[]): Json {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'invoke-scheduled-functions',
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: functionArns }] },
        },
      ],
    },
  };
}

const corsOf = (cors: NonNullable<Extract<EffectiveSettings['trigger'], { type: 'url' }>['cors']>): Json =>
  JSON.parse(
    JSON.stringify({
      AllowOrigins: cors.allowOrigins,
      AllowMethods: cors.allowMethods,
      AllowHeaders: cors.allowHeaders,
      ExposeHeaders: cors.exposeHeaders,
      AllowCredentials: cors.allowCredentials,
      MaxAge: cors.maxAge,
    }),
  ) as Json;

/** The resources of one function's trigger, as plain CloudFormation. */
export function triggerResources(fn: StackFunction, project: string): { [key: string]: Json } {
  const t = fn.settings.trigger;
  const functionArn: Json = { 'Fn::GetAtt': [fn.logicalId, 'Arn'] };
  const tags = [
    { Key: PROJECT_TAG, Value: project },
    { Key: HANDLER_TAG, Value: fn.handlerName },
  ];
  if (!t) return {};
  if (t.type === 'schedule') {
    return {
      [fn.ids.schedule]: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          Description: `${project}: invokes ${fn.handlerName} (generator-lambda-image)`,
          ScheduleExpression: t.expression,
          ...(t.timezone ? { ScheduleExpressionTimezone: t.timezone } : {}),
          FlexibleTimeWindow: { Mode: 'OFF' },
          State: 'ENABLED',
          Target: { Arn: functionArn, RoleArn: { 'Fn::GetAtt': [SCHEDULER_ROLE, 'Arn'] }, Input: { 'Fn::Sub': SCHEDULE_INPUT_SUB } },
        },
      },
    };
  }
  if (t.type === 'url') {
    const out: { [key: string]: Json } = {
      [fn.ids.url]: {
        Type: 'AWS::Lambda::Url',
        Properties: { TargetFunctionArn: functionArn, AuthType: t.auth ?? 'AWS_IAM', ...(t.cors ? { Cors: corsOf(t.cors) } : {}) },
      },
    };
    if (t.auth === 'NONE') {
      out[fn.ids.urlPermission] = {
        Type: 'AWS::Lambda::Permission',
        Properties: { FunctionName: { Ref: fn.logicalId }, Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' },
      };
      out[fn.ids.urlInvokePermission] = {
        Type: 'AWS::Lambda::Permission',
        Properties: { FunctionName: { Ref: fn.logicalId }, Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true },
      };
    }
    return out;
  }
  const out: { [key: string]: Json } = {};
  if (!t.queueArn) {
    out[fn.ids.deadLetterQueue] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: fn.deadLetterQueueName, MessageRetentionPeriod: 1209600, Tags: tags },
    };
    out[fn.ids.queue] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: fn.queueName,
        VisibilityTimeout: queueVisibilityTimeout(fn.settings.timeout),
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [fn.ids.deadLetterQueue, 'Arn'] }, maxReceiveCount: t.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT },
        Tags: tags,
      },
    };
  }
  out[fn.ids.mapping] = {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: {
      EventSourceArn: t.queueArn ?? { 'Fn::GetAtt': [fn.ids.queue, 'Arn'] },
      FunctionName: { Ref: fn.logicalId },
      BatchSize: t.batchSize ?? DEFAULT_BATCH_SIZE,
      ...(t.batchWindow ? { MaximumBatchingWindowInSeconds: t.batchWindow } : {}),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    },
  };
  return out;
}

/** Where to reach a trigger: the URL, or the queue's URL. */
export function triggerOutputs(fn: StackFunction): { [key: string]: Json } {
  const t = fn.settings.trigger;
  if (t?.type === 'url') return { [`${fn.ids.url}Address`]: { Description: `${fn.handlerName}: function URL`, Value: { 'Fn::GetAtt': [fn.ids.url, 'FunctionUrl'] } } };
  if (t?.type === 'sqs' && !t.queueArn) return { [`${fn.ids.queue}Url`]: { Description: `${fn.handlerName}: the queue it reads`, Value: { Ref: fn.ids.queue } } };
  return {};
}
