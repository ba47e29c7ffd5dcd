// Each handler its own settings and trigger, deployed by the sdk engine end to end against moto
// (Lambda, SQS, EventBridge Scheduler, IAM) and the local registry: one generated project with
// one handler per trigger, `npm run deploy` / `destroy` as the user runs them.
//
// What moto does not do, and where it is checked instead: it never delivers a queue's messages,
// fires a schedule or serves a function URL (so the event shapes are checked by the generated
// projects' own tests), it checks no execution-role permission when a mapping is made, and it
// keeps a URL's CORS when an update clears it, keeps LastModified on a configuration update, and
// drops the InvokedViaFunctionUrl condition of a public URL's statement (the request itself is
// checked in packages/lambda-image/test/triggers.test.ts).
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import {
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { GetScheduleCommand, ListScheduleGroupsCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { packageRoot } from '../../generators/lib/paths.ts';
import { type AwsStandIn, removeLocalImages, startAws } from '../support/aws.ts';
import { generateProject } from '../support/generate.ts';
import { ensureBaseImages } from '../support/baseimages.ts';

const PROJECT = 'triggers-svc';
const fn = (h: string) => `${PROJECT}-${h}`;

let aws: AwsStandIn;
let work: string;
let project: string;
let lambda: LambdaClient;
let sqs: SQSClient;
let scheduler: SchedulerClient;
let iam: IAMClient;

const baseEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('AWS_') && v !== undefined)) as Record<string, string>;

const npmRun = (script: string, args: string[] = []) =>
  execa('npm', ['run', '--silent', script, '--', ...args], { cwd: project, env: { ...baseEnv(), ...aws.env }, extendEnv: false, reject: false, stdin: 'ignore' });

type Json = Record<string, any>;
const manifestPath = () => join(project, 'lambda-image.json');
function editManifest(change: (m: Json) => void) {
  const m = JSON.parse(readFileSync(manifestPath(), 'utf8'));
  change(m);
  writeFileSync(manifestPath(), `${JSON.stringify(m, null, 2)}\n`);
}
const entry = (m: Json, name: string) => m.handlers.find((h: Json) => h.name === name);

const lastModified = async () =>
  Object.fromEntries(
    await Promise.all(
      ['ingest', 'report_daily', 'api'].map(async (h) => [h, (await lambda.send(new GetFunctionCommand({ FunctionName: fn(h) }))).Configuration!.LastModified]),
    ),
  );
const mappings = async (h: string) => (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn(h) }))).EventSourceMappings ?? [];
const queues = async () => ((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: PROJECT }))).QueueUrls ?? []).map((u) => u.split('/').pop()).sort();
const groups = async () => ((await scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups ?? []).map((g) => g.Name).filter((n) => n !== 'default');
const exists = (p: Promise<unknown>) => p.then(() => true, () => false);

beforeAll(async () => {
  await ensureBaseImages(['python']);
  work = mkdtempSync(join(tmpdir(), 'lambda-image-triggers-'));
  project = await generateProject(join(work, 'projects'), { name: PROJECT, runtime: 'python', handlers: 'ingest,report_daily,api' });
  symlinkSync(join(packageRoot(), 'node_modules'), join(project, 'node_modules'));
  editManifest((m) => {
    Object.assign(entry(m, 'ingest'), { memory: 256, trigger: { type: 'sqs', batchSize: 5, maxReceiveCount: 3 } });
    Object.assign(entry(m, 'report_daily'), {
      memory: 2048, timeout: 300, ephemeralStorage: 2048, environment: { REPORT_BUCKET: 'reports' },
      trigger: { type: 'schedule', expression: 'cron(0 6 * * ? *)', timezone: 'Europe/Paris' },
    });
    Object.assign(entry(m, 'api'), { reservedConcurrency: 5, description: 'the HTTP API', trigger: { type: 'url', cors: { allowOrigins: ['https://example.com'] } } });
  });
  aws = await startAws();
  lambda = new LambdaClient(aws.clientConfig);
  sqs = new SQSClient(aws.clientConfig);
  scheduler = new SchedulerClient(aws.clientConfig);
  iam = new IAMClient(aws.clientConfig);
}, 600_000);

afterAll(async () => {
  await aws?.stop();
  removeLocalImages(PROJECT);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('per-handler settings and triggers, sdk engine, against moto', { timeout: 300_000 }, () => {
  let before: Record<string, string | undefined>;

  test('deploy: each function its own settings; the queue with its dead-letter queue and mapping, the URL, the schedule and its role', async () => {
    const result = await npmRun('deploy');
    expect(result.exitCode, result.stderr).toBe(0);
    const config = async (h: string) => (await lambda.send(new GetFunctionCommand({ FunctionName: fn(h) })));
    const [ingest, report, api] = await Promise.all(['ingest', 'report_daily', 'api'].map(config));
    expect(ingest!.Configuration).toMatchObject({ MemorySize: 256, Timeout: 30 });
    expect(report!.Configuration).toMatchObject({ MemorySize: 2048, Timeout: 300, EphemeralStorage: { Size: 2048 } });
    expect(report!.Configuration!.Environment!.Variables).toMatchObject({ REPORT_BUCKET: 'reports' });
    expect(api!.Configuration).toMatchObject({ MemorySize: 512, Description: 'the HTTP API' });
    expect(api!.Concurrency?.ReservedConcurrentExecutions).toBe(5);

    // SQS: the queue and its dead-letter queue, the redrive policy, the mapping with partial batch responses.
    expect(await queues()).toEqual([fn('ingest'), `${fn('ingest')}-dlq`]);
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: fn('ingest') }))).QueueUrl!;
    const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes!;
    expect(JSON.parse(attributes.RedrivePolicy!)).toMatchObject({ deadLetterTargetArn: expect.stringMatching(/:triggers-svc-ingest-dlq$/), maxReceiveCount: 3 });
    expect(attributes.VisibilityTimeout).toBe('180');
    const [mapping] = await mappings('ingest');
    expect(mapping).toMatchObject({ BatchSize: 5, FunctionResponseTypes: ['ReportBatchItemFailures'], EventSourceArn: expect.stringMatching(/:triggers-svc-ingest$/) });
    const sqsPolicy = JSON.parse(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: `${PROJECT}-lambda-role`, PolicyName: 'lambda-image-sqs-triggers' }))).PolicyDocument!));
    expect(sqsPolicy.Statement[0].Resource).toEqual([mapping!.EventSourceArn]);

    // URL: AWS_IAM by default, so no public statement.
    const url = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn('api') }));
    expect(url).toMatchObject({ AuthType: 'AWS_IAM', Cors: { AllowOrigins: ['https://example.com'] } });
    expect(await exists(lambda.send(new GetPolicyCommand({ FunctionName: fn('api') })))).toBe(false);

    // Schedule: in the project's group, with the role that may invoke that function only.
    const schedule = await scheduler.send(new GetScheduleCommand({ GroupName: PROJECT, Name: fn('report_daily') }));
    expect(schedule).toMatchObject({ ScheduleExpression: 'cron(0 6 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' });
    expect(schedule.Target!.Arn).toBe(report!.Configuration!.FunctionArn);
    expect(JSON.parse(schedule.Target!.Input!)).toMatchObject({ 'detail-type': 'Scheduled Event', time: '<aws.scheduler.scheduled-time>' });
    const schedulerRole = (await iam.send(new GetRoleCommand({ RoleName: `${PROJECT}-scheduler-role` }))).Role!;
    expect(schedule.Target!.RoleArn).toBe(schedulerRole.Arn);
    expect(decodeURIComponent(schedulerRole.AssumeRolePolicyDocument!)).toContain('scheduler.amazonaws.com');
    const invoke = JSON.parse(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: `${PROJECT}-scheduler-role`, PolicyName: 'invoke-scheduled-functions' }))).PolicyDocument!));
    expect(invoke.Statement).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [report!.Configuration!.FunctionArn] }]);

    // The table says where each trigger is.
    expect(result.stdout).toMatch(new RegExp(`${fn('api')}\\s+url\\s+created\\s+${url.FunctionUrl!.replace(/[.]/g, '\\.')}`));
    expect(result.stdout).toContain(queueUrl);
    expect(result.stdout).toMatch(new RegExp(`${fn('ingest')}\\s+sqs\\s+created\\s+\\S+/${fn('ingest')}`));
    expect(result.stdout).toMatch(new RegExp(`${fn('report_daily')}\\s+schedule\\s+created\\s+cron\\(0 6 \\* \\* \\? \\*\\) Europe/Paris`));
    before = await lastModified();
  });

  test('a second deploy changes nothing', async () => {
    const result = await npmRun('deploy');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/\b(created|updated|removed)\b/);
    expect(result.stdout.match(/\bunchanged\b/g)!.length).toBeGreaterThanOrEqual(6);
    expect(await lastModified()).toEqual(before);
    expect(await mappings('ingest')).toHaveLength(1);
  });

  test('one handler’s memory changes: only its function is updated', async () => {
    editManifest((m) => (entry(m, 'ingest').memory = 1024));
    const result = await npmRun('deploy');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`${fn('ingest')}\\s+\\S+\\s+updated`));
    for (const other of ['report_daily', 'api']) expect(result.stdout).toMatch(new RegExp(`${fn(other)}\\s+\\S+\\s+unchanged`));
    // moto keeps LastModified on a configuration update: the untouched functions' stay as they were all the same.
    const after = await lastModified();
    expect({ ...after, ingest: undefined }).toEqual({ ...before, ingest: undefined });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: fn('ingest') }))).Configuration!.MemorySize).toBe(1024);
  });

  test('triggers dropped from the manifest are gone; the URL turned public gets its two statements; the queues go with --prune', async () => {
    editManifest((m) => {
      delete entry(m, 'ingest').trigger;
      delete entry(m, 'report_daily').trigger;
      // The CORS setting is kept: moto cannot clear one (an update with an empty Cors leaves it as it was).
      entry(m, 'api').trigger = { type: 'url', auth: 'NONE', cors: { allowOrigins: ['https://example.com'] } };
    });
    const kept = await npmRun('deploy');
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(new RegExp(`${fn('ingest')}\\s+sqs\\s+removed`));
    expect(kept.stdout).toMatch(new RegExp(`${fn('report_daily')}\\s+schedule\\s+removed`));
    expect(kept.stdout).toMatch(/Queues no trigger uses any more \(kept: they may hold messages\): triggers-svc-ingest, triggers-svc-ingest-dlq/);
    expect(await mappings('ingest')).toEqual([]);
    expect(await groups()).toEqual([]);
    expect(await exists(iam.send(new GetRoleCommand({ RoleName: `${PROJECT}-scheduler-role` })))).toBe(false);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: `${PROJECT}-lambda-role` }))).PolicyNames).toEqual([]);
    expect(await queues()).toHaveLength(2);
    const url = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn('api') }));
    expect(url.AuthType).toBe('NONE');
    const statements = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: fn('api') }))).Policy!).Statement;
    expect(statements.map((s: Json) => [s.Sid, s.Action, s.Principal]).sort()).toEqual([
      ['lambda-image-url-invoke', 'lambda:InvokeFunction', '*'],
      ['lambda-image-url-public', 'lambda:InvokeFunctionUrl', '*'],
    ]);

    const pruned = await npmRun('deploy', ['--prune']);
    expect(pruned.exitCode, pruned.stderr).toBe(0);
    expect(pruned.stdout).not.toMatch(/\burl\s+updated/);
    expect(pruned.stdout).toMatch(/Deleted queues no trigger uses any more: triggers-svc-ingest, triggers-svc-ingest-dlq/);
    expect(await queues()).toEqual([]);
  });

  test('destroy removes every function and trigger the project made', async () => {
    editManifest((m) => {
      entry(m, 'ingest').trigger = { type: 'sqs' };
      entry(m, 'report_daily').trigger = { type: 'schedule', expression: 'rate(1 day)' };
    });
    expect((await npmRun('deploy')).exitCode).toBe(0);
    expect(await queues()).toHaveLength(2);
    const result = await npmRun('destroy', ['--yes', '--role']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Deleted schedule group triggers-svc/);
    expect(((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).filter((f) => f.FunctionName!.startsWith(PROJECT))).toEqual([]);
    expect((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []).toEqual([]);
    expect(await queues()).toEqual([]);
    expect(await groups()).toEqual([]);
    for (const role of [`${PROJECT}-scheduler-role`, `${PROJECT}-lambda-role`]) expect(await exists(iam.send(new GetRoleCommand({ RoleName: role })))).toBe(false);
  });
});
