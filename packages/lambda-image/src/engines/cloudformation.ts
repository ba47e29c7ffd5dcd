// Deploying a stack the way CloudFormation is meant to be driven: a change set (so the changes
// are listed before anything happens, and a deploy with nothing new changes nothing), then its
// execution, watched through the stack's events until the stack settles; the outputs last.
// A failure names the resources that failed and why, from the same events.
import {
  type Change,
  type CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { DeployError } from '../shared/aws.ts';
import type { StopRequest } from '../deploy/interruption.ts';

/** CloudFormation's limit on a template sent inline (TemplateBody). */
export const TEMPLATE_BODY_LIMIT = 51_200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value: quickly at first (a small stack settles in seconds),
 * then every 5 s, so that a long update does not flood the API.
 */
export async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60 * 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DeployError(`${what} did not finish within ${Math.round(timeoutMs / 60_000)} minutes`);
    await sleep(delay);
    delay = Math.min(delay * 1.5, 5_000);
  }
}

export async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

const SETTLED_OK = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
/** Settled, but the last operation did not go through. */
const SETTLED_BAD = new Set([
  'CREATE_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'DELETE_FAILED',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_COMPLETE',
  'IMPORT_ROLLBACK_FAILED',
]);

export const isBusy = (status: string | undefined) => status !== undefined && status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';

/** The stack's events newer than `since`, oldest first. */
async function eventsSince(cfn: CloudFormationClient, stackName: string, since: Date, seen: Set<string>): Promise<StackEvent[]> {
  const fresh: StackEvent[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: token }));
    const events = page.StackEvents ?? [];
    let older = false;
    for (const event of events) {
      if (event.Timestamp && event.Timestamp < since) {
        older = true;
        break;
      }
      if (event.EventId && !seen.has(event.EventId)) {
        seen.add(event.EventId);
        fresh.push(event);
      }
    }
    token = older ? undefined : page.NextToken;
  } while (token);
  return fresh.reverse();
}

const eventLine = (e: StackEvent) =>
  `  ${(e.ResourceStatus ?? '').padEnd(20)} ${(e.ResourceType ?? '').padEnd(26)} ${e.LogicalResourceId ?? ''}${
    e.ResourceStatusReason ? `: ${e.ResourceStatusReason}` : ''
  }`;

/** What went wrong, from the events: every resource that failed, with CloudFormation's reason. */
function failureReasons(events: StackEvent[]): string[] {
  return events
    .filter((e) => /FAILED$/.test(e.ResourceStatus ?? '') && e.ResourceStatusReason && !/Resource creation cancelled|Resource update cancelled/.test(e.ResourceStatusReason))
    .map((e) => `${e.LogicalResourceId} (${e.ResourceType}): ${e.ResourceStatusReason}`);
}

export interface EventBaseline {
  since: Date;
  seen: Set<string>;
}

/** Where the stack's event history stands now, so that only the events of what follows are shown. */
export async function eventBaseline(cfn: CloudFormationClient, stackName: string): Promise<EventBaseline> {
  const seen = new Set<string>();
  try {
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }))).StackEvents ?? [];
    for (const e of events) if (e.EventId) seen.add(e.EventId);
    return { since: events[0]?.Timestamp ?? new Date(0), seen };
  } catch {
    return { since: new Date(0), seen };
  }
}

/** Waits until the stack settles, printing its events as they come; throws with the failures when it did not go through. */
export async function waitForStack(
  cfn: CloudFormationClient,
  stackName: string,
  baseline: EventBaseline,
  out: (line: string) => void,
  what: string,
): Promise<Stack> {
  const { since, seen } = baseline;
  const all: StackEvent[] = [];
  const stack = await poll(async () => {
    const events = await eventsSince(cfn, stackName, since, seen).catch(() => []);
    for (const event of events) out(eventLine(event));
    all.push(...events);
    const current = await describeStack(cfn, stackName);
    if (!current) return { StackName: stackName, StackStatus: 'DELETE_COMPLETE' } as Stack;
    return isBusy(current.StackStatus) ? undefined : current;
  }, what);
  const status = stack.StackStatus ?? '';
  if (SETTLED_BAD.has(status)) {
    const reasons = failureReasons(all);
    throw new DeployError(
      `${what} failed: the stack ${stackName} is ${status}${stack.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}${
        reasons.length > 0 ? `\n  - ${reasons.join('\n  - ')}` : ''
      }`,
    );
  }
  return stack;
}

export interface ResourceChangeRow {
  action: string;
  logicalId: string;
  type: string;
  physicalId?: string;
  replacement?: string;
}

export const changeRows = (changes: Change[] | undefined): ResourceChangeRow[] =>
  (changes ?? []).map((c) => ({
    action: c.ResourceChange?.Action ?? '',
    logicalId: c.ResourceChange?.LogicalResourceId ?? '',
    type: c.ResourceChange?.ResourceType ?? '',
    physicalId: c.ResourceChange?.PhysicalResourceId,
    replacement: c.ResourceChange?.Replacement,
  }));

export interface StackDeployment {
  stackName: string;
  template: object;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  out: (line: string) => void;
  /** Only create the change set, list it and delete it. */
  preview?: boolean;
  /** The change set's changes, before it is executed. */
  onChanges?: (changes: ResourceChangeRow[]) => void;
  /**
   * Ctrl-C / SIGTERM. Asked before the change set runs: it is deleted and nothing changes. Asked
   * while it runs: the stack is left to settle (stopping the wait would not stop CloudFormation,
   * and a cancelled update rolls back as a whole), and the caller stops after.
   */
  stop?: StopRequest;
}

export interface StackResult {
  /** 'create' or 'update' for the stack; 'unchanged' when the change set found nothing to do. */
  action: 'create' | 'update' | 'unchanged';
  changes: ResourceChangeRow[];
  outputs: Record<string, string>;
  status?: string;
}

const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

const outputsOf = (stack: Stack | undefined) =>
  Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));

/**
 * The stack, ready for a change set: a first create that rolled back (ROLLBACK_COMPLETE) is an
 * empty shell CloudFormation will not update, so it is deleted first; a stack in the middle of
 * another operation, or stuck, is reported rather than touched.
 */
async function prepareStack(cfn: CloudFormationClient, stackName: string, out: (line: string) => void, preview: boolean) {
  let stack = await describeStack(cfn, stackName);
  const status = stack?.StackStatus;
  if (isBusy(status)) {
    throw new DeployError(`the stack ${stackName} is busy (${status}): wait until it settles (AWS console, CloudFormation) and deploy again`);
  }
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'DELETE_FAILED' || status === 'CREATE_FAILED') {
    if (status !== 'ROLLBACK_COMPLETE') {
      throw new DeployError(
        `the stack ${stackName} is ${status}${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}: delete it (npm run destroy, or the CloudFormation console) and deploy again`,
      );
    }
    if (preview) return { stack, create: true };
    out(`The stack ${stackName} is ROLLBACK_COMPLETE (its first deploy failed and left nothing): deleting it to start again`);
    const baseline = await eventBaseline(cfn, stackName);
    await cfn.send(new DeleteStackCommand({ StackName: stackName }));
    await waitForStack(cfn, stackName, baseline, out, `deleting the stack ${stackName}`);
    stack = undefined;
  }
  return { stack, create: stack === undefined || stack.StackStatus === 'REVIEW_IN_PROGRESS' };
}

/** Creates or updates the stack through a change set; returns what changed and the outputs. */
export async function deployStack(cfn: CloudFormationClient, d: StackDeployment): Promise<StackResult> {
  const body = JSON.stringify(d.template);
  if (body.length > TEMPLATE_BODY_LIMIT) {
    throw new DeployError(
      `the stack's template is ${body.length} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit for templates sent inline: ` +
        'use the cdk engine (it uploads templates to S3), or fewer handlers per project',
    );
  }
  const { stack, create } = await prepareStack(cfn, d.stackName, d.out, d.preview ?? false);
  if (d.preview && create) {
    // A change set for a new stack would leave an empty stack behind: a plan needs none.
    return { action: 'create', changes: [], outputs: {} };
  }
  const changeSetName = `lambda-image-${Date.now()}`;
  const unchanged = (): StackResult => ({ action: 'unchanged', changes: [], outputs: outputsOf(stack), status: stack?.StackStatus });
  try {
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: d.stackName,
        ChangeSetName: changeSetName,
        ChangeSetType: create ? 'CREATE' : 'UPDATE',
        TemplateBody: body,
        Parameters: Object.entries(d.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
        // The template may create the execution role (an unnamed one).
        Capabilities: ['CAPABILITY_IAM'],
        Tags: Object.entries(d.tags).map(([Key, Value]) => ({ Key, Value })),
        Description: 'npm run deploy (generator-lambda-image)',
      }),
    );
  } catch (error) {
    // Some CloudFormation implementations refuse an empty change set outright rather than
    // creating it FAILED: the same answer, nothing to do.
    if (NO_CHANGES.test((error as Error).message)) return unchanged();
    throw error;
  }
  const described = await poll<DescribeChangeSetCommandOutput>(async () => {
    const cs = await cfn.send(new DescribeChangeSetCommand({ StackName: d.stackName, ChangeSetName: changeSetName }));
    return cs.Status === 'CREATE_COMPLETE' || cs.Status === 'FAILED' ? cs : undefined;
  }, `the change set ${changeSetName}`);
  const deleteChangeSet = () =>
    cfn.send(new DeleteChangeSetCommand({ StackName: d.stackName, ChangeSetName: changeSetName })).catch(() => undefined);

  if (described.Status === 'FAILED') {
    await deleteChangeSet();
    if (NO_CHANGES.test(described.StatusReason ?? '')) return unchanged();
    throw new DeployError(`CloudFormation refused the change set for ${d.stackName}: ${described.StatusReason ?? 'no reason given'}`);
  }
  const changes = changeRows(described.Changes);
  if (d.preview) {
    await deleteChangeSet();
    return { action: create ? 'create' : 'update', changes, outputs: outputsOf(stack) };
  }
  d.onChanges?.(changes);
  if (d.stop?.signal) {
    await deleteChangeSet();
    d.stop.check();
  }
  const baseline = await eventBaseline(cfn, d.stackName);
  await cfn.send(new ExecuteChangeSetCommand({ StackName: d.stackName, ChangeSetName: changeSetName }));
  const settled = await waitForStack(cfn, d.stackName, baseline, d.out, `${create ? 'creating' : 'updating'} the stack ${d.stackName}`);
  if (!SETTLED_OK.has(settled.StackStatus ?? '')) {
    throw new DeployError(`the stack ${d.stackName} ended ${settled.StackStatus}`);
  }
  return { action: create ? 'create' : 'update', changes, outputs: outputsOf(settled), status: settled.StackStatus };
}

/** Deletes the stack and waits; false when there was none. */
export async function deleteStack(cfn: CloudFormationClient, stackName: string, out: (line: string) => void): Promise<boolean> {
  const stack = await describeStack(cfn, stackName);
  if (!stack) return false;
  if (isBusy(stack.StackStatus)) {
    throw new DeployError(`the stack ${stackName} is busy (${stack.StackStatus}): wait until it settles and run again`);
  }
  const baseline = await eventBaseline(cfn, stackName);
  await cfn.send(new DeleteStackCommand({ StackName: stackName }));
  await waitForStack(cfn, stackName, baseline, out, `deleting the stack ${stackName}`);
  const after = await describeStack(cfn, stackName);
  if (after && after.StackStatus !== 'DELETE_COMPLETE') {
    throw new DeployError(`the stack ${stackName} is ${after.StackStatus} after the delete${after.StackStatusReason ? `: ${after.StackStatusReason}` : ''}`);
  }
  return true;
}
