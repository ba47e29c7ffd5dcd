// The sdk engine's triggers: what invokes each function besides `npm run invoke`, brought to
// what lambda-image.json says on every deploy, and removed by destroy.
//
// - schedule: an EventBridge Scheduler schedule named after the function, in a schedule group
//   named after the project (so one listing finds every schedule the project has), run by the
//   role `<project>-scheduler-role`, which may invoke the scheduled functions and nothing else;
// - url: the function's URL configuration; auth NONE adds the two resource-policy statements
//   a public URL needs (lambda:InvokeFunctionUrl, and lambda:InvokeFunction through the URL
//   only), AWS_IAM removes them;
// - sqs: an event source mapping with partial batch responses, from the queue deploy creates
//   (`<function>` with the dead-letter queue `<function>-dlq`) or from queueArn; the project's
//   own execution role gets the SQS actions on those queues (a role of deploy.roleArn must
//   already have them).
//
// A project function has the triggers its handler entry says and no others of these kinds:
// SQS mappings, a URL configuration or a schedule in the project's group that the manifest no
// longer names are deleted on the next deploy. Queues are data: a queue deploy created that no
// trigger uses any more is reported, and deleted only with --prune (as orphaned functions are).
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionUrlConfigCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  RemovePermissionCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionUrlConfigCommand,
  paginateListEventSourceMappings,
  type Cors,
  type EventSourceMappingConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
  paginateListQueues,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListTagsForResourceCommand,
  UpdateScheduleCommand,
  paginateListSchedules,
  type GetScheduleCommandOutput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import pLimit from 'p-limit';
import { DeployError } from '../shared/aws.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_RECEIVE_COUNT, type ScheduleTrigger, type SqsTrigger, type Trigger, type UrlTrigger } from '../shared/handler-settings.ts';
import { HANDLER_TAG, PROJECT_TAG, fitName, functionNamePrefix } from '../shared/names.ts';
import { deleteRole, findRole, isProjectRole } from './iam.ts';
import { table } from './deploy-report.ts';

export interface TriggerClients {
  lambda: LambdaClient;
  sqs: SQSClient;
  scheduler: SchedulerClient;
  iam: IAMClient;
}

export interface TriggerContext {
  project: string;
  account: string;
  partition: string;
  region: string;
  /** The execution role deploy manages (gets the SQS actions), or undefined when deploy.roleArn names one. */
  managedRole: string | undefined;
}

/** One function as deployed, with the trigger its handler entry asks for. */
export interface TriggerTarget {
  handlerName: string;
  functionName: string;
  functionArn: string;
  timeout: number;
  trigger: Trigger | undefined;
}

export interface TriggerRow {
  function: string;
  trigger: string;
  /** created / updated / unchanged / removed */
  result: string;
  /** The URL, the queue URL or the schedule. */
  detail: string;
}

export interface QueueRef {
  name: string;
  url: string;
  deleted: boolean;
}

export interface TriggersResult {
  rows: TriggerRow[];
  /** Queues deploy made that no trigger uses any more. */
  orphanQueues: QueueRef[];
}

// --- Names -----------------------------------------------------------------------------------

/** Schedule group names take letters, digits, `-`, `_` and `.`: the project name, cleaned. */
export const scheduleGroupName = (project: string) => fitName(project.replace(/[^0-9A-Za-z_.-]+/g, '-'), 64);
export const schedulerRoleName = (project: string) =>
  fitName(`${project.replace(/[^\w+=,.@-]+/g, '-').replace(/^-+|-+$/g, '')}-scheduler-role`, 64);
/** The queue deploy creates for a handler has the function's name; its dead-letter queue adds `-dlq`. */
export const queueName = (functionName: string) => functionName;
export const deadLetterQueueName = (functionName: string) => `${functionName}-dlq`;
export const SQS_POLICY = 'lambda-image-sqs-triggers';
export const SCHEDULER_POLICY = 'invoke-scheduled-functions';
/** Resource-policy statements of a public (auth NONE) function URL. */
export const URL_STATEMENTS = { url: 'lambda-image-url-public', invoke: 'lambda-image-url-invoke' } as const;

const queueArn = (ctx: TriggerContext, name: string) => `arn:${ctx.partition}:sqs:${ctx.region}:${ctx.account}:${name}`;

/** The event a scheduled function receives: Scheduler's context attributes in the shape of an EventBridge scheduled event. */
export function scheduleInput(account: string, region: string): string {
  return JSON.stringify({
    version: '0',
    id: '<aws.scheduler.execution-id>',
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account,
    time: '<aws.scheduler.scheduled-time>',
    region,
    resources: ['<aws.scheduler.schedule-arn>'],
    detail: {},
  });
}

/** Visibility timeout of a created queue: six times the function's timeout, as Lambda recommends for SQS sources. */
export const visibilityTimeout = (functionTimeout: number) => Math.min(43200, Math.max(30, 6 * functionTimeout));

const isNotFound = (error: unknown) =>
  /^(ResourceNotFoundException|AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist|NoSuchEntity|NoSuchEntityException)$/.test(
    (error as Error).name,
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** IAM changes take seconds to reach Lambda and Scheduler: retry what they refuse for that reason, for a while. */
async function retryWhilePropagating<T>(what: () => Promise<T>, propagating: (error: unknown) => boolean, seconds = 90): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (error) {
      if (!propagating(error) || Date.now() > deadline) throw error;
      await sleep(Math.min(1000 * attempt, 5000));
    }
  }
}

// --- SQS -------------------------------------------------------------------------------------

interface QueueState {
  url: string;
  arn: string;
  created: boolean;
  updated: boolean;
}

async function findQueueUrl(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A queue of the project, created or brought to `attributes`; a queue of that name that is not the project's is refused. */
async function ensureQueue(
  sqs: SQSClient,
  ctx: TriggerContext,
  name: string,
  handlerName: string,
  attributes: Record<string, string>,
): Promise<QueueState> {
  const arn = queueArn(ctx, name);
  const url = await findQueueUrl(sqs, name);
  if (!url) {
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes, tags: { [PROJECT_TAG]: ctx.project, [HANDLER_TAG]: handlerName } }),
    );
    return { url: created.QueueUrl ?? '', arn, created: true, updated: false };
  }
  const tags = (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
  if (tags[PROJECT_TAG] !== ctx.project) {
    throw new DeployError(
      `a queue named ${name} already exists and is not this project's (its ${PROJECT_TAG} tag is ${tags[PROJECT_TAG] ? `"${tags[PROJECT_TAG]}"` : 'missing'}): ` +
        `delete or rename it, or give the handler's trigger that queue's "queueArn" to use it as it is`,
    );
  }
  const current: Record<string, string | undefined> =
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...Object.keys(attributes), 'QueueArn'] as never }))).Attributes ?? {};
  const differs = Object.entries(attributes).filter(([key, value]) => !sameAttribute(current[key], value));
  if (differs.length > 0) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: Object.fromEntries(differs) }));
  return { url, arn: current.QueueArn ?? arn, created: false, updated: differs.length > 0 };
}

/** Redrive policies come back with their own spacing and maxReceiveCount as a string or number. */
function sameAttribute(current: string | undefined, wanted: string): boolean {
  if (current === wanted) return true;
  if (current === undefined || !wanted.startsWith('{')) return false;
  try {
    const a = JSON.parse(current) as Record<string, unknown>;
    const b = JSON.parse(wanted) as Record<string, unknown>;
    return Object.keys(b).every((k) => String(a[k]) === String(b[k])) && Object.keys(a).length === Object.keys(b).length;
  } catch {
    return false;
  }
}

/** The queue and its dead-letter queue for a handler whose trigger creates them. */
async function ensureHandlerQueues(sqs: SQSClient, ctx: TriggerContext, target: TriggerTarget, trigger: SqsTrigger) {
  const dlq = await ensureQueue(sqs, ctx, deadLetterQueueName(target.functionName), target.handlerName, {
    // Fourteen days, SQS's longest: time to look at what failed.
    MessageRetentionPeriod: '1209600',
  });
  const main = await ensureQueue(sqs, ctx, queueName(target.functionName), target.handlerName, {
    VisibilityTimeout: String(visibilityTimeout(target.timeout)),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: trigger.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT }),
  });
  return { main, dlq };
}

/** The queues deploy created for this project (tagged with it), by name. */
async function listProjectQueues(sqs: SQSClient, project: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const urls: string[] = [];
  for await (const page of paginateListQueues({ client: sqs }, { QueueNamePrefix: functionNamePrefix(project) })) urls.push(...(page.QueueUrls ?? []));
  const limit = pLimit(8);
  await Promise.all(
    urls.map((url) =>
      limit(async () => {
        const tags = (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
        if (tags[PROJECT_TAG] === project) found.set(url.split('/').pop()!, url);
      }),
    ),
  );
  return found;
}

const sqsUrlFromArn = (arn: string) => {
  const [, , , region, account, name] = arn.split(':');
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
};

/** The project's execution role may receive from (and delete on) exactly the queues its functions read. */
async function syncSqsPolicy(iam: IAMClient, role: string, arns: string[]): Promise<void> {
  let current: string | undefined;
  try {
    current = decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: SQS_POLICY }))).PolicyDocument ?? '');
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (arns.length === 0) {
    if (current !== undefined) await iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: SQS_POLICY }));
    return;
  }
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
        Resource: [...arns].sort(),
      },
    ],
  });
  if (current === undefined || !samePolicy(current, document)) {
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: SQS_POLICY, PolicyDocument: document }));
  }
}

const samePolicy = (a: string, b: string) => {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
};

async function listMappings(lambda: LambdaClient, functionName: string): Promise<EventSourceMappingConfiguration[]> {
  const all: EventSourceMappingConfiguration[] = [];
  for await (const page of paginateListEventSourceMappings({ client: lambda }, { FunctionName: functionName })) {
    all.push(...(page.EventSourceMappings ?? []));
  }
  return all.filter((m) => /^arn:[^:]+:sqs:/.test(m.EventSourceArn ?? ''));
}

const isRolePermissionPending = (error: unknown) =>
  (error as Error).name === 'InvalidParameterValueException' && /execution role does not have permissions|cannot be assumed/i.test((error as Error).message);

/** One SQS event source mapping for the function, or none: returns what was done. */
async function syncMapping(lambda: LambdaClient, target: TriggerTarget, sourceArn: string | undefined, trigger: SqsTrigger | undefined): Promise<'created' | 'updated' | 'unchanged' | 'removed' | undefined> {
  const mappings = await listMappings(lambda, target.functionName);
  let result: 'created' | 'updated' | 'unchanged' | 'removed' | undefined;
  for (const m of mappings) {
    if (m.EventSourceArn !== sourceArn) {
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
      result = 'removed';
    }
  }
  if (!sourceArn || !trigger) return result;
  const wanted = {
    BatchSize: trigger.batchSize ?? DEFAULT_BATCH_SIZE,
    MaximumBatchingWindowInSeconds: trigger.batchWindow ?? 0,
    FunctionResponseTypes: ['ReportBatchItemFailures' as const],
  };
  const existing = mappings.find((m) => m.EventSourceArn === sourceArn);
  if (!existing) {
    await retryWhilePropagating(
      () => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: target.functionName, EventSourceArn: sourceArn, Enabled: true, ...wanted })),
      isRolePermissionPending,
    );
    return 'created';
  }
  const same =
    existing.BatchSize === wanted.BatchSize &&
    (existing.MaximumBatchingWindowInSeconds ?? 0) === wanted.MaximumBatchingWindowInSeconds &&
    (existing.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures');
  if (same) return 'unchanged';
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: existing.UUID, ...wanted }));
  return 'updated';
}

// --- Function URLs ---------------------------------------------------------------------------

const toCors = (trigger: UrlTrigger): Cors | undefined => {
  const c = trigger.cors;
  if (!c) return undefined;
  return {
    AllowOrigins: c.allowOrigins,
    AllowMethods: c.allowMethods,
    AllowHeaders: c.allowHeaders,
    ExposeHeaders: c.exposeHeaders,
    AllowCredentials: c.allowCredentials,
    MaxAge: c.maxAge,
  };
};

const normalCors = (cors: Cors | undefined) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(cors ?? {})
        .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  );

async function policyStatements(lambda: LambdaClient, functionName: string): Promise<Set<string>> {
  try {
    const policy = (await lambda.send(new GetPolicyCommand({ FunctionName: functionName }))).Policy;
    const statements = (JSON.parse(policy ?? '{}') as { Statement?: { Sid?: string }[] }).Statement ?? [];
    return new Set(statements.map((s) => s.Sid ?? ''));
  } catch (error) {
    if (isNotFound(error)) return new Set();
    throw error;
  }
}

/** The public URL's two statements: anyone may call the URL, and the call may invoke the function, through the URL only. */
export function publicUrlPermissions(functionName: string) {
  return [
    new AddPermissionCommand({
      FunctionName: functionName,
      StatementId: URL_STATEMENTS.url,
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    }),
    new AddPermissionCommand({
      FunctionName: functionName,
      StatementId: URL_STATEMENTS.invoke,
      Action: 'lambda:InvokeFunction',
      Principal: '*',
      InvokedViaFunctionUrl: true,
    }),
  ];
}

async function syncUrl(lambda: LambdaClient, target: TriggerTarget, trigger: UrlTrigger | undefined): Promise<{ result?: string; url?: string }> {
  let current: { AuthType?: string; Cors?: Cors; FunctionUrl?: string } | undefined;
  try {
    current = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: target.functionName }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const statements = current || trigger ? await policyStatements(lambda, target.functionName) : new Set<string>();
  const removeStatements = async () => {
    for (const sid of Object.values(URL_STATEMENTS)) {
      if (statements.has(sid)) await lambda.send(new RemovePermissionCommand({ FunctionName: target.functionName, StatementId: sid }));
    }
  };
  if (!trigger) {
    if (!current) return {};
    await removeStatements();
    await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: target.functionName }));
    return { result: 'removed' };
  }
  const auth = trigger.auth ?? 'AWS_IAM';
  const cors = toCors(trigger);
  let result = 'unchanged';
  let url = current?.FunctionUrl;
  if (!current) {
    url = (await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: target.functionName, AuthType: auth, Cors: cors }))).FunctionUrl;
    result = 'created';
  } else if (current.AuthType !== auth || normalCors(current.Cors) !== normalCors(cors)) {
    // An empty Cors object clears what was set: leaving it out would keep it.
    await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: target.functionName, AuthType: auth, Cors: cors ?? {} }));
    result = 'updated';
  }
  if (auth === 'NONE') {
    for (const command of publicUrlPermissions(target.functionName)) {
      if (!statements.has(command.input.StatementId!)) {
        await lambda.send(command);
        if (result === 'unchanged') result = 'updated';
      }
    }
  } else if ([...Object.values(URL_STATEMENTS)].some((sid) => statements.has(sid))) {
    await removeStatements();
    if (result === 'unchanged') result = 'updated';
  }
  return { result, url };
}

// --- Schedules -------------------------------------------------------------------------------

const SCHEDULER_TRUST = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        // Only schedules of this account may use the role (the confused-deputy guard).
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  });

/** The scheduler's role, allowed lambda:InvokeFunction on the scheduled functions and nothing else. */
async function ensureSchedulerRole(iam: IAMClient, ctx: TriggerContext, functionArns: string[]): Promise<string> {
  const name = schedulerRoleName(ctx.project);
  let role = await findRole(iam, name);
  if (role && !isProjectRole(role, ctx.project)) {
    throw new DeployError(`an IAM role named ${name} already exists and is not this project's (no ${PROJECT_TAG}=${ctx.project} tag): delete or rename it`);
  }
  if (!role) {
    role = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: SCHEDULER_TRUST(ctx.account),
          Description: `Lets EventBridge Scheduler invoke the scheduled functions of ${ctx.project} (generator-lambda-image)`,
          Tags: [{ Key: PROJECT_TAG, Value: ctx.project }],
        }),
      )
    ).Role;
  }
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [...functionArns].sort() }],
  });
  let current: string | undefined;
  try {
    current = decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: SCHEDULER_POLICY }))).PolicyDocument ?? '');
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (current === undefined || !samePolicy(current, document)) {
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: SCHEDULER_POLICY, PolicyDocument: document }));
  }
  return role!.Arn!;
}

async function findGroup(scheduler: SchedulerClient, group: string): Promise<{ arn: string; ours: boolean; project?: string } | undefined> {
  try {
    const arn = (await scheduler.send(new GetScheduleGroupCommand({ Name: group }))).Arn ?? '';
    const tags = (await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags ?? [];
    const project = tags.find((t) => t.Key === PROJECT_TAG)?.Value;
    return { arn, ours: project !== undefined, project };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function listGroupSchedules(scheduler: SchedulerClient, group: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListSchedules({ client: scheduler }, { GroupName: group })) {
    for (const s of page.Schedules ?? []) if (s.Name) names.push(s.Name);
  }
  return names;
}

async function getSchedule(scheduler: SchedulerClient, group: string, name: string): Promise<GetScheduleCommandOutput | undefined> {
  try {
    return await scheduler.send(new GetScheduleCommand({ GroupName: group, Name: name }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const isRoleNotAssumable = (error: unknown) =>
  (error as Error).name === 'ValidationException' && /role|assume/i.test((error as Error).message);

async function syncSchedule(
  scheduler: SchedulerClient,
  ctx: TriggerContext,
  group: string,
  target: TriggerTarget,
  trigger: ScheduleTrigger,
  roleArn: string,
): Promise<string> {
  const input = scheduleInput(ctx.account, ctx.region);
  const definition = {
    Name: target.functionName,
    GroupName: group,
    ScheduleExpression: trigger.expression,
    ScheduleExpressionTimezone: trigger.timezone,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    State: 'ENABLED' as const,
    Description: `${ctx.project}: invokes ${target.handlerName} (generator-lambda-image)`,
    Target: { Arn: target.functionArn, RoleArn: roleArn, Input: input },
  };
  const current = await getSchedule(scheduler, group, target.functionName);
  if (!current) {
    await retryWhilePropagating(() => scheduler.send(new CreateScheduleCommand(definition)), isRoleNotAssumable);
    return 'created';
  }
  const same =
    current.ScheduleExpression === trigger.expression &&
    (current.ScheduleExpressionTimezone ?? 'UTC') === (trigger.timezone ?? 'UTC') &&
    current.State === 'ENABLED' &&
    current.Target?.Arn === target.functionArn &&
    current.Target?.RoleArn === roleArn &&
    samePolicy(current.Target?.Input ?? '', input);
  if (same) return 'unchanged';
  await retryWhilePropagating(() => scheduler.send(new UpdateScheduleCommand(definition)), isRoleNotAssumable);
  return 'updated';
}

// --- The whole -------------------------------------------------------------------------------

/**
 * Brings every function's triggers to the manifest, and removes those it no longer names. Queue
 * and role changes come first (a mapping needs its queue and the role's permission), schedules
 * last (they need the scheduler's role).
 */
export async function applyTriggers(
  clients: TriggerClients,
  ctx: TriggerContext,
  targets: TriggerTarget[],
  options: { prune: boolean; allFunctions?: string[] } = { prune: false },
): Promise<TriggersResult> {
  const rows: TriggerRow[] = [];
  const row = (target: TriggerTarget, trigger: string, result: string | undefined, detail = '') => {
    if (result) rows.push({ function: target.functionName, trigger, result, detail });
  };
  const limit = pLimit(4);

  // SQS: the queues first, then the role's permission on them, then the mappings.
  const sources = new Map<string, { arn: string; url: string; changed: boolean }>();
  const wantedQueues = new Set<string>();
  for (const target of targets) {
    const trigger = target.trigger;
    if (trigger?.type !== 'sqs') continue;
    if (trigger.queueArn) {
      sources.set(target.functionName, { arn: trigger.queueArn, url: sqsUrlFromArn(trigger.queueArn), changed: false });
    } else {
      const { main, dlq } = await ensureHandlerQueues(clients.sqs, ctx, target, trigger);
      wantedQueues.add(queueName(target.functionName)).add(deadLetterQueueName(target.functionName));
      sources.set(target.functionName, { arn: main.arn, url: main.url, changed: main.created || main.updated || dlq.created || dlq.updated });
    }
  }
  if (ctx.managedRole) await syncSqsPolicy(clients.iam, ctx.managedRole, [...new Set([...sources.values()].map((s) => s.arn))]);

  await Promise.all(
    targets.map((target) =>
      limit(async () => {
        const trigger = target.trigger;
        const source = sources.get(target.functionName);
        const mapping = await syncMapping(clients.lambda, target, source?.arn, trigger?.type === 'sqs' ? trigger : undefined);
        if (trigger?.type === 'sqs' && source) {
          row(target, 'sqs', mapping === 'unchanged' && source.changed ? 'updated' : mapping === 'removed' ? 'updated' : mapping, source.url);
        } else if (mapping === 'removed') {
          row(target, 'sqs', 'removed');
        }
        const url = await syncUrl(clients.lambda, target, trigger?.type === 'url' ? trigger : undefined);
        row(target, 'url', url.result, url.url ?? '');
      }),
    ),
  );

  // Schedules: the group and role exist while some handler has a schedule.
  const group = scheduleGroupName(ctx.project);
  const scheduled = targets.filter((t): t is TriggerTarget & { trigger: ScheduleTrigger } => t.trigger?.type === 'schedule');
  let existingGroup = await findGroup(clients.scheduler, group);
  if (existingGroup && existingGroup.project !== ctx.project) {
    if (scheduled.length > 0)
      throw new DeployError(
        `an EventBridge Scheduler schedule group named ${group} already exists and is not this project's (${existingGroup.project ? `its ${PROJECT_TAG} tag is "${existingGroup.project}"` : `no ${PROJECT_TAG} tag`}): delete or rename it`,
      );
    existingGroup = undefined;
  }
  const present = existingGroup ? await listGroupSchedules(clients.scheduler, group) : [];
  if (scheduled.length > 0) {
    if (!existingGroup) {
      await clients.scheduler.send(new CreateScheduleGroupCommand({ Name: group, Tags: [{ Key: PROJECT_TAG, Value: ctx.project }] }));
    }
    const roleArn = await ensureSchedulerRole(clients.iam, ctx, scheduled.map((t) => t.functionArn));
    await Promise.all(
      scheduled.map((target) =>
        limit(async () => {
          const result = await syncSchedule(clients.scheduler, ctx, group, target, target.trigger, roleArn);
          row(target, 'schedule', result, `${target.trigger.expression}${target.trigger.timezone ? ` ${target.trigger.timezone}` : ''}`);
        }),
      ),
    );
  }
  const wantedSchedules = new Set(scheduled.map((t) => t.functionName));
  for (const name of present.filter((n) => !wantedSchedules.has(n))) {
    await clients.scheduler.send(new DeleteScheduleCommand({ GroupName: group, Name: name }));
    rows.push({ function: name, trigger: 'schedule', result: 'removed', detail: '' });
  }
  if (scheduled.length === 0) await removeScheduling(clients, ctx, existingGroup !== undefined);

  // Queues that no trigger uses any more.
  const projectQueues = await listProjectQueues(clients.sqs, ctx.project);
  const orphanQueues: QueueRef[] = [...projectQueues]
    .filter(([name]) => !wantedQueues.has(name))
    .map(([name, url]) => ({ name, url, deleted: false }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (options.prune) {
    for (const q of orphanQueues) {
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: q.url }));
      q.deleted = true;
    }
  }
  rows.sort((a, b) => a.function.localeCompare(b.function) || a.trigger.localeCompare(b.trigger));
  return { rows, orphanQueues };
}

/** The schedule group (with any schedule left in it) and the scheduler's role, when they are the project's. */
async function removeScheduling(clients: TriggerClients, ctx: TriggerContext, groupIsOurs: boolean): Promise<string[]> {
  const removed: string[] = [];
  const group = scheduleGroupName(ctx.project);
  if (groupIsOurs) {
    for (const name of await listGroupSchedules(clients.scheduler, group)) {
      await clients.scheduler.send(new DeleteScheduleCommand({ GroupName: group, Name: name }));
      removed.push(`schedule ${group}/${name}`);
    }
    await clients.scheduler.send(new DeleteScheduleGroupCommand({ Name: group }));
    removed.push(`schedule group ${group}`);
  }
  const roleName = schedulerRoleName(ctx.project);
  const role = await findRole(clients.iam, roleName);
  if (role && isProjectRole(role, ctx.project)) {
    await deleteRole(clients.iam, roleName);
    removed.push(`role ${roleName}`);
  }
  return removed;
}

/** The SQS mappings of a function about to be deleted: Lambda keeps a mapping whose function is gone. */
export async function removeMappings(lambda: LambdaClient, functionName: string): Promise<number> {
  const mappings = await listMappings(lambda, functionName);
  for (const m of mappings) await lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
  return mappings.length;
}

/** What destroy deletes besides the functions: the project's schedules, group, scheduler role and queues. */
export async function listTriggerResources(clients: TriggerClients, ctx: TriggerContext): Promise<{ group?: string; schedulerRole?: string; queues: QueueRef[] }> {
  const group = await findGroup(clients.scheduler, scheduleGroupName(ctx.project));
  const role = await findRole(clients.iam, schedulerRoleName(ctx.project));
  const queues = [...(await listProjectQueues(clients.sqs, ctx.project))].map(([name, url]) => ({ name, url, deleted: false }));
  return {
    group: group?.project === ctx.project ? scheduleGroupName(ctx.project) : undefined,
    schedulerRole: role && isProjectRole(role, ctx.project) ? role.RoleName : undefined,
    queues,
  };
}

export async function destroyTriggerResources(clients: TriggerClients, ctx: TriggerContext, found: Awaited<ReturnType<typeof listTriggerResources>>): Promise<string[]> {
  const removed = await removeScheduling(clients, ctx, found.group !== undefined);
  for (const q of found.queues) {
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: q.url }));
    removed.push(`queue ${q.name}`);
  }
  return removed;
}

/** The triggers' table after a deploy: what invokes each function, and where to reach it. */
export function triggerTable(rows: TriggerRow[]): string[] {
  return table(['FUNCTION', 'TRIGGER', 'RESULT', 'URL / QUEUE / SCHEDULE'], rows.map((r) => [r.function, r.trigger, r.result, r.detail]));
}
