// The cdk engine for real: a generated project installs its devDependencies (aws-cdk-lib,
// constructs and the aws-cdk CLI from the npm registry, through npm's cache), type-checks its
// CDK app, and deploys with `npm run deploy` (`cdk deploy`, the one synth of this file) to the
// deploy tests' AWS stand-in (test/support/aws.ts: moto_server, and a real registry behind
// the ECR hostname). The synthesized template must pass cfn-lint and hold one function per
// handler, all on one image asset that is built and pushed once.
//
// Two things of the stand-in, not of the product: the CDK builds the URL of the template it
// uploads from the endpoint, and moto reads such a URL only when its host is an AWS S3 name or
// "localhost", so the CDK's endpoint is http://localhost:<moto's port> (the same loopback
// server); and moto's CloudFormation creates functions in its regular Lambda store, which the
// stand-in's Lambda API (switched to the "simple" store, for invoke) would not show.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../generators/lib/paths.ts';
import { stackFunctions, type Manifest } from 'lambda-image';
import { type AwsStandIn, startAws } from '../support/aws.ts';
import { ensureBaseImages } from '../support/baseimages.ts';
import { npmEnv } from '../support/install.ts';
import { cfnLint, generateWithEngine, type Template } from './support.ts';

const HANDLERS = ['ingest', 'report_daily', 'notify'];
let work: string;
let project: string;
let manifest: Manifest;
let aws: AwsStandIn;
let cfn: CloudFormationClient;
let lambda: LambdaClient;
const timings: Record<string, number> = {};

/** This machine's environment without anything AWS or CDK, plus the stand-in's. */
function env(): Record<string, string> {
  const own = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => !k.startsWith('AWS_') && !k.startsWith('CDK_') && v !== undefined),
  ) as Record<string, string>;
  return { ...own, ...aws.env, AWS_ENDPOINT_URL: aws.endpoint.replace('127.0.0.1', 'localhost'), CDK_DISABLE_VERSION_CHECK: '1' };
}

const run = (command: string, args: string[]) =>
  execa(command, args, { cwd: project, env: env(), extendEnv: false, reject: false, all: true, stdin: 'ignore' });

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[name] = Math.round(performance.now() - started) / 1000;
  }
}

const functionNames = async () => ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!).sort();

beforeAll(async () => {
  await ensureBaseImages(['python']);
  work = mkdtempSync(join(tmpdir(), 'lig-cdk-'));
  project = await generateWithEngine(join(work, 'orders-svc'), { handlers: HANDLERS.join(','), deploy: 'cdk', arch: 'x86_64' });
  manifest = JSON.parse(readFileSync(join(project, 'lambda-image.json'), 'utf8'));
  await timed('npm install', () =>
    execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, env: npmEnv() }),
  );
  aws = await startAws();
  const config = await fetch(`${aws.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ lambda: { use_docker: true } }) });
  expect(config.ok).toBe(true);
  cfn = new CloudFormationClient(aws.clientConfig);
  lambda = new LambdaClient(aws.clientConfig);
}, 600_000);

afterAll(async () => {
  console.log(`cdk engine timings (s): ${JSON.stringify(timings)}`);
  await aws?.stop();
  // The tags the CDK gave the image (its layers stay cached for the next run).
  const tags = await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { reject: false });
  const ours = tags.stdout.split('\n').filter((t) => /^cdkasset-|\/cdk-hnb659fds-container-assets-/.test(t));
  if (ours.length > 0) await execa('docker', ['rmi', ...ours], { reject: false });
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the cdk engine', { timeout: 300_000 }, () => {
  test('the CDK app type-checks against the installed aws-cdk-lib', async () => {
    writeFileSync(
      join(project, 'tsconfig.cdk-check.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          erasableSyntaxOnly: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(packageRoot(), 'node_modules', '@types')],
        },
        files: ['cdk/app.ts'],
      }),
    );
    const tsc = join(packageRoot(), 'node_modules', '.bin', 'tsc');
    const result = await timed('tsc', () => execa(tsc, ['-p', 'tsconfig.cdk-check.json'], { cwd: project, reject: false, all: true }));
    expect(result.exitCode, result.all).toBe(0);
  });

  test('npm run deploy runs cdk deploy: the image is built and pushed once, and runs one function per handler', async () => {
    const bootstrap = await timed('cdk bootstrap', () => run('npx', ['cdk', 'bootstrap', 'aws://123456789012/us-east-1']));
    expect(bootstrap.exitCode, bootstrap.all).toBe(0);

    const result = await timed('npm run deploy', () => run('npm', ['run', '--silent', 'deploy']));
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all?.match(/start: Building \S+\/AssetImage/g)).toHaveLength(1);
    expect(result.all?.match(/success: Published \S+\/AssetImage/g)).toHaveLength(1);

    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'orders-svc' }))).Stacks![0]!;
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const expected = stackFunctions(manifest);
    expect(await functionNames()).toEqual(expected.map((f) => f.functionName).sort());
    const images = new Set<string>();
    for (const fn of expected) {
      images.add((await lambda.send(new GetFunctionCommand({ FunctionName: fn.functionName }))).Code!.ImageUri!);
    }
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/cdk-hnb659fds-container-assets-123456789012-us-east-1:[0-9a-f]{64}$/);
  });

  let template: Template;
  let assets: { dockerImages: Record<string, { source: { directory: string; platform?: string } }> };

  test('the synthesized template: one function per handler, all on one image asset, with their own commands', () => {
    const out = join(project, 'cdk.out');
    template = JSON.parse(readFileSync(join(out, 'orders-svc.template.json'), 'utf8'));
    assets = JSON.parse(readFileSync(join(out, 'orders-svc.assets.json'), 'utf8'));

    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(HANDLERS.length);
    // The same logical IDs and names as the sam engine's template.
    const expected = stackFunctions(manifest);
    expect(functions.map(([id]) => id)).toEqual(expected.map((f) => f.logicalId));
    for (const [id, r] of functions) {
      const fn = expected.find((f) => f.logicalId === id)!;
      expect(r.Properties).toMatchObject({
        FunctionName: fn.functionName,
        PackageType: 'Image',
        ImageConfig: { Command: [fn.command] },
        Architectures: ['x86_64'],
        MemorySize: 512,
        Timeout: 30,
        Role: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] },
      });
      expect(r.Properties.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'lambda-image:project', Value: 'orders-svc' },
          { Key: 'lambda-image:handler', Value: fn.handlerName },
        ]),
      );
    }
    // One image: every function points at the same asset, and the assembly has one image to build.
    const imageUris = new Set(functions.map(([, r]) => JSON.stringify(r.Properties.Code.ImageUri)));
    expect(imageUris.size).toBe(1);
    const images = Object.entries(assets.dockerImages);
    expect(images).toHaveLength(1);
    const [hash, image] = images[0]!;
    expect([...imageUris][0]).toContain(hash);
    expect(image.source.platform).toBe('linux/amd64');
    // The asset is the project as docker sees it: .dockerignore applies.
    const staged = readdirSync(join(out, image.source.directory));
    expect(staged).toEqual(expect.arrayContaining(['Dockerfile', 'lambda_function.py', 'orders_svc', 'requirements.txt']));
    for (const ignored of ['node_modules', 'scripts', 'tests', 'events', 'cdk.out']) expect(staged).not.toContain(ignored);

    expect(Object.keys(template.Outputs ?? {})).toEqual(expected.map((f) => f.outputKey));
  });

  test('the synthesized template passes cfn-lint with no errors', async () => {
    expect(template).toBeDefined();
    const lint = await cfnLint(join(project, 'cdk.out', 'orders-svc.template.json'));
    expect(lint.errors, lint.output).toEqual([]);
    expect(lint.exitCode & 3, lint.output).toBe(0);
  });

  test('npm run destroy: refused without a terminal or --yes; with --yes, cdk destroy removes the stack and its functions', async () => {
    const help = await run('npm', ['run', '--silent', 'deploy', '--', '--help']);
    expect(help.stdout).toMatch(/deploy engine: cdk/);
    const refused = await run('npm', ['run', '--silent', 'destroy']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/run `npm run destroy -- --yes`/);
    expect(await functionNames()).toHaveLength(HANDLERS.length);

    const result = await timed('npm run destroy', () => run('npm', ['run', '--silent', 'destroy', '--', '--yes']));
    expect(result.exitCode, result.all).toBe(0);
    expect(await functionNames()).toEqual([]);
  });
  test('each handler its own settings and trigger: the synthesized template holds the schedule, the queues and mapping, the URL, and passes cfn-lint', async () => {
    const edited = JSON.parse(readFileSync(join(project, 'lambda-image.json'), 'utf8'));
    const entry = (name: string) => edited.handlers.find((h: { name: string }) => h.name === name);
    Object.assign(entry('ingest'), { memory: 256, trigger: { type: 'sqs', batchSize: 50, batchWindow: 5 } });
    Object.assign(entry('report_daily'), { memory: 2048, ephemeralStorage: 1024, trigger: { type: 'schedule', expression: 'cron(0 6 * * ? *)', timezone: 'Europe/Paris' } });
    Object.assign(entry('notify'), { reservedConcurrency: 2, trigger: { type: 'url', auth: 'NONE', cors: { allowOrigins: ['https://example.com'], allowMethods: ['GET'] } } });
    writeFileSync(join(project, 'lambda-image.json'), JSON.stringify(edited, null, 2));
    const synth = await run('npx', ['cdk', 'synth', '--quiet']);
    expect(synth.exitCode, synth.all).toBe(0);
    const path = join(project, 'cdk.out', 'orders-svc.template.json');
    const synthesized = JSON.parse(readFileSync(path, 'utf8')) as Template;
    const ofType = (type: string) => Object.values(synthesized.Resources).filter((r) => r.Type === type).map((r) => r.Properties);
    expect(synthesized.Resources.IngestFunction!.Properties.MemorySize).toBe(256);
    expect(synthesized.Resources.ReportDailyFunction!.Properties).toMatchObject({ MemorySize: 2048, EphemeralStorage: { Size: 1024 } });
    expect(synthesized.Resources.NotifyFunction!.Properties.ReservedConcurrentExecutions).toBe(2);
    expect(ofType('AWS::Lambda::EventSourceMapping')).toEqual([expect.objectContaining({ BatchSize: 50, MaximumBatchingWindowInSeconds: 5, FunctionResponseTypes: ['ReportBatchItemFailures'] })]);
    expect(ofType('AWS::SQS::Queue').map((q) => q.QueueName).sort()).toEqual(['orders-svc-ingest', 'orders-svc-ingest-dlq']);
    expect(ofType('AWS::Scheduler::Schedule')).toEqual([expect.objectContaining({ ScheduleExpression: 'cron(0 6 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' })]);
    expect(ofType('AWS::Lambda::Url')).toEqual([expect.objectContaining({ AuthType: 'NONE', Cors: expect.objectContaining({ AllowOrigins: ['https://example.com'] }) })]);
    expect(ofType('AWS::Lambda::Permission').map((p) => p.Action)).toContain('lambda:InvokeFunctionUrl');
    const lint = await cfnLint(path);
    expect(lint.errors, lint.output).toEqual([]);
  });
});
