// `npm run deploy` and `npm run destroy` with the sam engine, end to end and offline: a generated
// project, the real docker daemon, and the deploy tests' AWS stand-in (test/support/aws.ts:
// moto_server for STS, ECR, Lambda, IAM and CloudFormation, a real registry behind the ECR
// hostname). The product runs as the user runs it, configured only through the SDK's
// standard environment.
//
// What moto's CloudFormation does with the stack, measured with moto 5.2.1: change sets
// (create, describe with their changes, execute, delete; an update with nothing new is refused
// as "No updates are to be performed."), stacks with their resources, parameters, template
// and events, IAM roles, and Lambda functions with their name, image URI, role, memory,
// timeout and environment. It drops PackageType, ImageConfig, Architectures and Tags when it
// creates a function from a template, gives no stack Outputs after a change set, lists in a
// change set only the resources whose template changed (not those a new parameter value
// changes), keeps the functions it makes apart from its "simple" Lambda backend, and runs no
// SAM transform. So the functions' commands are checked in the template CloudFormation holds
// (GetTemplate), and the functions themselves through the Lambda API.
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../generators/lib/paths.ts';
import { stackFunctions, type Manifest } from 'lambda-image';
import { type AwsStandIn, startAws } from '../support/aws.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { addHandler, generateWithEngine, readCfnYaml } from './support.ts';

const PROJECT = 'orders-svc';
let aws: AwsStandIn;
let work: string;
let project: string;
let cfn: CloudFormationClient;
let lambda: LambdaClient;
let ecr: ECRClient;

function baseEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('AWS_') && v !== undefined)) as Record<string, string>;
}

const npmRun = (script: string, args: string[] = []) =>
  execa('npm', ['run', '--silent', script, '--', ...args], {
    cwd: project,
    env: { ...baseEnv(), ...aws.env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });

const manifest = (): Manifest => JSON.parse(readFileSync(join(project, 'lambda-image.json'), 'utf8'));
const functionNames = async () => ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!).sort();
const stackStatus = async () => {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: PROJECT }))).Stacks?.[0]?.StackStatus;
  } catch {
    return undefined;
  }
};

/** The digest-pinned URI of the one image the local registry holds for the project under `tag`. */
async function pushedImage(tag: string): Promise<string> {
  const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [PROJECT] }))).repositories![0]!;
  const digest = await aws.registryDigest(PROJECT, tag);
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  return `${repo.repositoryUri}@${digest}`;
}

/** Checks the stack and the functions against the manifest: one per handler, all running `imageUri`. */
async function expectDeployed(imageUri: string) {
  const m = manifest();
  const expected = stackFunctions(m);
  expect(await stackStatus()).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
  const resources = (await cfn.send(new ListStackResourcesCommand({ StackName: PROJECT }))).StackResourceSummaries ?? [];
  expect(resources.map((r) => r.LogicalResourceId).sort()).toEqual(['ExecutionRole', ...expected.map((f) => f.logicalId)].sort());
  const role = resources.find((r) => r.LogicalResourceId === 'ExecutionRole')!.PhysicalResourceId!;

  expect(await functionNames()).toEqual(expected.map((f) => f.functionName).sort());
  for (const fn of expected) {
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: fn.functionName }));
    expect(got.Code?.ImageUri, fn.functionName).toBe(imageUri);
    expect(got.Configuration?.MemorySize).toBe(m.memory);
    expect(got.Configuration?.Timeout).toBe(m.timeout);
    expect(got.Configuration?.Role).toBe(`arn:aws:iam::123456789012:role/${role}`);
  }
  // What CloudFormation was asked to run: the image parameter and, per function, its command.
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: PROJECT }))).Stacks![0]!;
  expect(stack.Parameters).toEqual([{ ParameterKey: 'ImageUri', ParameterValue: imageUri }]);
  const body = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: PROJECT }))).TemplateBody!);
  for (const fn of expected) {
    expect(body.Resources[fn.logicalId].Properties).toMatchObject({
      FunctionName: fn.functionName,
      PackageType: 'Image',
      Code: { ImageUri: { Ref: 'ImageUri' } },
      ImageConfig: { Command: [fn.command] },
      Architectures: [m.architecture],
    });
  }
}

beforeAll(async () => {
  await ensureBaseImages(['python']);
  work = mkdtempSync(join(tmpdir(), 'lig-sam-e2e-'));
  project = await generateWithEngine(join(work, PROJECT), { runtime: 'python', handlers: 'ingest,report_daily', deploy: 'sam' });
  // The tooling's dependencies, as `npm install` in the project would provide them.
  symlinkSync(join(packageRoot(), 'node_modules'), join(project, 'node_modules'));
  aws = await startAws();
  // moto's CloudFormation creates functions in its regular Lambda store; the stand-in switches
  // the Lambda API to the separate "simple" store (for invoke), where they would not be seen.
  // Nothing here invokes, so the API goes back to the regular store.
  const config = await fetch(`${aws.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ lambda: { use_docker: true } }) });
  expect(config.ok).toBe(true);
  cfn = new CloudFormationClient(aws.clientConfig);
  lambda = new LambdaClient(aws.clientConfig);
  ecr = new ECRClient(aws.clientConfig);
}, 600_000);

afterAll(async () => {
  await aws?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the sam engine against moto and a local registry', { timeout: 240_000 }, () => {
  test('--dry-run on an empty account plans the stack and changes nothing', async () => {
    const result = await npmRun('deploy', ['--dry-run']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/as the CloudFormation stack orders-svc/);
    expect(result.stdout).toMatch(/Repository\s+orders-svc: create/);
    expect(result.stdout).toMatch(/Stack\s+orders-svc: create/);
    expect(result.stdout).toMatch(/orders-svc-ingest\s+lambda_function\.ingest\s+create/);
    expect(result.stdout).toMatch(/orders-svc-report_daily\s+lambda_function\.report_daily\s+create/);
    expect(await stackStatus()).toBeUndefined();
    expect(await functionNames()).toEqual([]);
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
  });

  let firstImage = '';
  let firstTag = '';

  test('deploy pushes one image and creates the stack: one function per handler, all on the pushed digest', async () => {
    const result = await npmRun('deploy');
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout.match(/^Pushing /gm)).toHaveLength(1);
    const tags = await aws.registryTags(PROJECT);
    expect(tags).toHaveLength(1);
    firstTag = tags[0]!;
    firstImage = await pushedImage(firstTag);
    await expectDeployed(firstImage);
    expect(result.stdout).toMatch(/Add\s+AWS::Lambda::Function\s+IngestFunction/);
    expect(result.stdout).toMatch(/orders-svc-ingest\s+lambda_function\.ingest\s+created/);
    expect(result.stdout).toMatch(/orders-svc-report_daily\s+lambda_function\.report_daily\s+created/);
  });

  test('deploying again with nothing new builds nothing and changes nothing', async () => {
    const result = await npmRun('deploy');
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/no build, no push/);
    expect(result.stdout).toMatch(/no changes: the stack already runs/);
    expect(result.stdout).toMatch(/orders-svc-ingest\s+lambda_function\.ingest\s+unchanged/);
    expect(await aws.registryTags(PROJECT)).toHaveLength(1);
    await expectDeployed(firstImage);
  });

  test('a handler added with the subgenerator reaches template.yaml and, on deploy, the stack: every function on the new image', async () => {
    await addHandler(project, 'notify');
    const sam = readCfnYaml(join(project, 'template.yaml'));
    expect(sam.Resources.NotifyFunction?.Properties.ImageConfig).toEqual({ Command: ['lambda_function.notify'] });

    const result = await npmRun('deploy');
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    // The entry module changed, so the image did: one more build and push.
    expect(result.stdout.match(/^Pushing /gm)).toHaveLength(1);
    const tags = await aws.registryTags(PROJECT);
    expect(tags).toHaveLength(2);
    const newTag = tags.find((t) => t !== firstTag)!;
    const newImage = await pushedImage(newTag);
    expect(newImage).not.toBe(firstImage);
    await expectDeployed(newImage);
    expect(result.stdout).toMatch(/Add\s+AWS::Lambda::Function\s+NotifyFunction/);
    expect(result.stdout).toMatch(/orders-svc-notify\s+lambda_function\.notify\s+created/);
    // (moto's change sets list only what changed in the template, not what a new parameter value
    // changes, so the other two functions are not reported "updated" here as AWS reports them;
    // expectDeployed above shows they run the new image.)
  });

  test('destroy without a terminal needs --yes; with it, the stack, its functions and (asked for) the repository go', async () => {
    const refused = await npmRun('destroy');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/npm run destroy -- --yes/);
    expect(await functionNames()).toHaveLength(3);

    const result = await npmRun('destroy', ['--yes', '--repository']);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/Deleted the stack orders-svc/);
    expect(await functionNames()).toEqual([]);
    expect(await stackStatus()).toBeUndefined();
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
  });
});
