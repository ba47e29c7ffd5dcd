// The sam engine's files: template.yaml as the generator writes it (cfn-lint, its layout, how
// it follows the manifest), and the plain CloudFormation rendering `npm run deploy` sends,
// which must describe the same functions.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { type Manifest, loadManifest, manifestProblems, stackTemplate } from 'lambda-image';
import { addHandler, cfnLint, generateWithEngine, readCfnYaml, rerunApp, resourcesOfType, type Template } from './support.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lig-sam-'));
const HANDLERS = ['ingest', 'report_daily', 'notify'];

const readManifest = (project: string) => JSON.parse(readFileSync(join(project, 'lambda-image.json'), 'utf8')) as Manifest;
const writeManifest = (project: string, manifest: Manifest) =>
  writeFileSync(join(project, 'lambda-image.json'), `${JSON.stringify(manifest, null, 2)}\n`);

/** template.yaml through the SAM transform, offline (the region is only needed for ARNs it might build). */
async function samTransform(path: string): Promise<Template> {
  const script = [
    'import json, sys',
    'from samtranslator.translator.transform import transform',
    'from samtranslator.yaml_helper import yaml_parse',
    'class NoManagedPolicies:',
    '    def load(self): return {}',
    'print(json.dumps(transform(yaml_parse(open(sys.argv[1]).read()), {}, NoManagedPolicies())))',
  ].join('\n');
  const { stdout } = await execa('python3', ['-c', script, path], { env: { AWS_DEFAULT_REGION: 'us-east-1' } });
  return JSON.parse(stdout) as Template;
}

function samFunctions(template: Template) {
  return resourcesOfType(template, 'AWS::Serverless::Function');
}

/** The commands of the template's functions, by function name. */
const commandsByName = (functions: [string, Template['Resources'][string]][]) =>
  Object.fromEntries(functions.map(([, r]) => [r.Properties.FunctionName, r.Properties.ImageConfig.Command]));

describe.each(['python', 'nodejs'])('template.yaml of a %s project', (runtime) => {
  test('passes cfn-lint and runs one image as one function per handler', async () => {
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { runtime, handlers: HANDLERS.join(','), deploy: 'sam' });
    const manifest = readManifest(project);
    expect(manifest.deploy.engine).toBe('sam');
    const path = join(project, 'template.yaml');
    expect(readFileSync(path, 'utf8')).toMatch(/^# Managed by generator-lambda-image/);

    const lint = await cfnLint(path);
    expect(lint.errors, lint.output).toEqual([]);
    expect(lint.exitCode, lint.output).toBe(0);

    const template = readCfnYaml(path);
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    const functions = samFunctions(template);
    expect(functions).toHaveLength(HANDLERS.length);
    // One image: the same build instructions (so `sam build` builds once) and the same ImageUri.
    const metadata = functions.map(([, r]) => JSON.stringify(r.Metadata));
    expect(new Set(metadata).size).toBe(1);
    expect(functions[0]![1].Metadata).toEqual({ Dockerfile: 'Dockerfile', DockerContext: '.', DockerTag: 'latest' });
    for (const [, r] of functions) {
      expect(r.Properties.PackageType).toBe('Image');
      expect(r.Properties.ImageUri).toEqual({ Ref: 'ImageUri' });
      expect(r.Properties.Architectures).toEqual([manifest.architecture]);
      expect(r.Properties.MemorySize).toBe(512);
      expect(r.Properties.Timeout).toBe(30);
      expect(r.Properties.Role).toEqual({ 'Fn::GetAtt': ['ExecutionRole', 'Arn'] });
    }
    expect(template.Parameters?.ImageUri?.Type).toBe('String');
    expect(commandsByName(functions)).toEqual(
      Object.fromEntries(manifest.handlers.map((h) => [`orders-svc-${h.name}`, [h.handler]])),
    );
    // Every function's ARN is an output.
    const outputs = Object.values(template.Outputs ?? {}).map((o) => o.Value);
    expect(outputs).toEqual(functions.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    // The execution role: Lambda may assume it, and it may only write logs.
    const [[, role] = []] = resourcesOfType(template, 'AWS::IAM::Role');
    expect(role?.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'lambda.amazonaws.com' });
    expect(role?.Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
    ]);
  });
});

describe('template.yaml follows lambda-image.json', () => {
  test('the handler subgenerator adds the function; re-running the generator applies manifest edits and replaces hand edits', async () => {
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { handlers: 'ingest', deploy: 'sam' });
    const path = join(project, 'template.yaml');

    await addHandler(project, 'report_daily');
    let functions = samFunctions(readCfnYaml(path));
    expect(commandsByName(functions)).toEqual({
      'orders-svc-ingest': ['lambda_function.ingest'],
      'orders-svc-report_daily': ['lambda_function.report_daily'],
    });

    const manifest = readManifest(project);
    manifest.memory = 1024;
    manifest.timeout = 120;
    manifest.architecture = 'arm64';
    manifest.deploy.roleArn = 'arn:aws:iam::123456789012:role/orders-runner';
    manifest.deploy.environment = { LOG_LEVEL: 'debug', GREETING: 'a "quoted": value # not a comment' };
    writeManifest(project, manifest);
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n# my own edit\n`);
    await rerunApp(project);

    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/my own edit/);
    const template = readCfnYaml(path);
    functions = samFunctions(template);
    expect(functions).toHaveLength(2);
    for (const [, r] of functions) {
      expect(r.Properties).toMatchObject({
        MemorySize: 1024,
        Timeout: 120,
        Architectures: ['arm64'],
        Role: 'arn:aws:iam::123456789012:role/orders-runner',
        Environment: { Variables: { LOG_LEVEL: 'debug', GREETING: 'a "quoted": value # not a comment' } },
      });
    }
    // A role from the manifest: the stack makes none.
    expect(resourcesOfType(template, 'AWS::IAM::Role')).toEqual([]);
    const lint = await cfnLint(path);
    expect(lint.errors, lint.output).toEqual([]);
  });

  test('the plain CloudFormation rendering deploys the same functions as template.yaml, and passes cfn-lint', async () => {
    const dir = tmp();
    const project = await generateWithEngine(join(dir, 'orders-svc'), { handlers: HANDLERS.join(','), deploy: 'sam' });
    const manifest = loadManifest(project);
    manifest.deploy.environment = { STAGE: 'prod' };
    writeManifest(project, manifest);
    await rerunApp(project);

    const sam = readCfnYaml(join(project, 'template.yaml'));
    const plain = stackTemplate(loadManifest(project)) as unknown as Template;
    expect(plain.Transform).toBeUndefined();
    const lambdas = resourcesOfType(plain, 'AWS::Lambda::Function');
    expect(lambdas.map(([id]) => id)).toEqual(samFunctions(sam).map(([id]) => id));
    for (const [id, fn] of samFunctions(sam)) {
      const twin = plain.Resources[id]!.Properties;
      for (const key of ['FunctionName', 'PackageType', 'ImageConfig', 'Architectures', 'MemorySize', 'Timeout', 'Role', 'Environment']) {
        expect(twin[key], `${id}.${key}`).toEqual(fn.Properties[key]);
      }
      expect(twin.Code).toEqual({ ImageUri: fn.Properties.ImageUri });
      // SAM's Tags map becomes Lambda's list of Key/Value pairs.
      expect(Object.fromEntries(twin.Tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value]))).toEqual(fn.Properties.Tags);
    }
    expect(plain.Resources.ExecutionRole).toEqual(sam.Resources.ExecutionRole);
    expect(plain.Outputs).toEqual(
      Object.fromEntries(Object.entries(sam.Outputs ?? {}).map(([k, o]) => [k, { Description: o.Description, Value: o.Value }])),
    );

    // What the SAM transform itself makes of template.yaml (samtranslator, the library behind
    // CloudFormation's AWS::Serverless transform, installed here with cfn-lint): the same
    // resources as the plain rendering, but for SAM's own lambda:createdBy tag.
    const transformed = await samTransform(join(project, 'template.yaml'));
    expect(Object.keys(transformed.Resources).sort()).toEqual(Object.keys(plain.Resources).sort());
    for (const [id, resource] of Object.entries(transformed.Resources)) {
      const { Metadata: _metadata, ...rest } = resource;
      if (rest.Type === 'AWS::Lambda::Function') {
        rest.Properties.Tags = rest.Properties.Tags.filter((t: { Key: string }) => t.Key !== 'lambda:createdBy');
      }
      expect(rest, id).toEqual(plain.Resources[id]);
    }

    const path = join(dir, 'stack.json');
    writeFileSync(path, JSON.stringify(plain, null, 2));
    const lint = await cfnLint(path);
    expect(lint.errors, lint.output).toEqual([]);
    expect(lint.exitCode, lint.output).toBe(0);
  });
});

describe('triggers and per-handler settings', () => {
  test('template.yaml and the plain rendering both carry them, and both pass cfn-lint', async () => {
    const dir = tmp();
    const project = await generateWithEngine(join(dir, 'orders-svc'), { handlers: 'ingest,report_daily,api', deploy: 'sam' });
    const manifest = readManifest(project);
    const entry = (name: string) => manifest.handlers.find((h) => h.name === name)!;
    Object.assign(entry('ingest'), { memory: 256, trigger: { type: 'sqs', batchSize: 50, batchWindow: 5 } });
    Object.assign(entry('report_daily'), { memory: 2048, timeout: 300, ephemeralStorage: 1024, trigger: { type: 'schedule', expression: 'cron(0 6 * * ? *)', timezone: 'Europe/Paris' } });
    Object.assign(entry('api'), { reservedConcurrency: 3, environment: { LEVEL: 'debug' }, trigger: { type: 'url', auth: 'NONE', cors: { allowOrigins: ['https://example.com'] } } });
    writeManifest(project, manifest);
    await rerunApp(project);

    const path = join(project, 'template.yaml');
    const lint = await cfnLint(path);
    expect(lint.errors, lint.output).toEqual([]);
    const sam = readCfnYaml(path);
    const props = (id: string) => sam.Resources[id]!.Properties;
    expect(props('IngestFunction')).toMatchObject({
      MemorySize: 256,
      Events: { Queue: { Type: 'SQS', Properties: { Queue: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] }, BatchSize: 50, MaximumBatchingWindowInSeconds: 5, FunctionResponseTypes: ['ReportBatchItemFailures'] } } },
    });
    expect(props('IngestQueue').RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['IngestDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    expect(props('ReportDailyFunction')).toMatchObject({ MemorySize: 2048, Timeout: 300, EphemeralStorage: { Size: 1024 } });
    expect(props('ReportDailyFunction').Events.Schedule).toMatchObject({ Type: 'ScheduleV2', Properties: { ScheduleExpression: 'cron(0 6 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' } });
    expect(props('ApiFunction')).toMatchObject({ ReservedConcurrentExecutions: 3, FunctionUrlConfig: { AuthType: 'NONE', Cors: { AllowOrigins: ['https://example.com'] } } });
    expect(props('ApiFunction').Environment.Variables).toMatchObject({ LEVEL: 'debug' });
    expect(props('ExecutionRole').Policies[0].PolicyDocument.Statement[0].Resource).toEqual([{ 'Fn::GetAtt': ['IngestQueue', 'Arn'] }]);

    // The SAM transform makes of them what the plain rendering (which `npm run deploy` sends) holds.
    const types = (t: Template) => Object.values(t.Resources).map((r) => r.Type).sort();
    const transformed = await samTransform(path);
    const plain = stackTemplate(loadManifest(project)) as unknown as Template;
    for (const type of ['AWS::Lambda::EventSourceMapping', 'AWS::Scheduler::Schedule', 'AWS::Lambda::Url', 'AWS::SQS::Queue']) {
      expect(types(transformed).filter((t) => t === type), type).toEqual(types(plain).filter((t) => t === type));
    }
    // A public URL: anyone may call it, and the call may invoke the function through the URL only.
    const permissions = (t: Template) => resourcesOfType(t, 'AWS::Lambda::Permission').map(([, r]) => [r.Properties.Action, r.Properties.FunctionUrlAuthType ?? r.Properties.InvokedViaFunctionUrl]).sort();
    expect(permissions(plain)).toEqual([['lambda:InvokeFunction', true], ['lambda:InvokeFunctionUrl', 'NONE']]);
    expect(permissions(transformed)).toEqual(permissions(plain));
    const [[, mapping] = []] = resourcesOfType(plain, 'AWS::Lambda::EventSourceMapping');
    expect(mapping!.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const [[, schedule] = []] = resourcesOfType(plain, 'AWS::Scheduler::Schedule');
    expect(schedule!.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] });
    expect(plain.Resources.SchedulerRole!.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': ['ReportDailyFunction', 'Arn'] }] },
    ]);

    const plainPath = join(dir, 'stack.json');
    writeFileSync(plainPath, JSON.stringify(plain, null, 2));
    const plainLint = await cfnLint(plainPath);
    expect(plainLint.errors, plainLint.output).toEqual([]);
  });
});

describe('the engine option', () => {
  test('sdk (the default) writes no engine file; the manifest records the engine', async () => {
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { handlers: 'ingest' });
    expect(readManifest(project).deploy.engine).toBe('sdk');
    for (const file of ['template.yaml', 'cdk/app.ts', 'cdk.json']) expect(existsSync(join(project, file)), file).toBe(false);
  });

  test('cdk writes the CDK app and cdk.json, and the CDK packages as devDependencies', async () => {
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { handlers: 'ingest', deploy: 'cdk' });
    expect(readManifest(project).deploy.engine).toBe('cdk');
    expect(existsSync(join(project, 'template.yaml'))).toBe(false);
    const app = readFileSync(join(project, 'cdk/app.ts'), 'utf8');
    expect(app).toMatch(/^\/\/ Managed by generator-lambda-image/);
    // The app names what it deploys through the package's public entry, not a path into it.
    expect(app).toMatch(/from 'lambda-image\/cdk'/);
    expect(app).toMatch(/DockerImageCode\.fromImageAsset\(projectDir, \{ cmd: \[fn\.command\], platform \}\)/);
    expect(JSON.parse(readFileSync(join(project, 'cdk.json'), 'utf8')).app).toBe('node cdk/app.ts');
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['aws-cdk', 'aws-cdk-lib', 'constructs']));
    expect(pkg.devDependencies['aws-cdk']).toMatch(/^\^2\./);
  });

  test('switching engines on a re-run: the manifest follows, files appear, and a changed CDK app is kept', async () => {
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { handlers: 'ingest', deploy: 'cdk' });
    const app = join(project, 'cdk/app.ts');
    writeFileSync(app, `${readFileSync(app, 'utf8')}// mine\n`);
    await rerunApp(project, { deploy: 'sam' });
    expect(readManifest(project).deploy.engine).toBe('sam');
    expect(existsSync(join(project, 'template.yaml'))).toBe(true);
    // Re-running without --deploy keeps the manifest's engine.
    await rerunApp(project);
    expect(readManifest(project).deploy.engine).toBe('sam');
    await rerunApp(project, { deploy: 'cdk' });
    expect(readFileSync(app, 'utf8')).toMatch(/\/\/ mine\n$/);
  });

  test('a manifest from before engines (no deploy.engine, no workflow): adding a handler writes no engine file', async () => {
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { handlers: 'ingest', deploy: 'cdk' });
    const manifest = readManifest(project);
    delete manifest.deploy.engine;
    writeManifest(project, manifest);
    rmSync(join(project, '.github'), { recursive: true });
    rmSync(join(project, 'cdk'), { recursive: true });
    await addHandler(project, 'notify');
    expect(readManifest(project).deploy.engine).toBeUndefined();
    for (const file of ['.github', 'cdk', 'template.yaml']) expect(existsSync(join(project, file)), file).toBe(false);
  });

  test('an unknown engine is refused, by the generator and in the manifest; a manifest without one is valid', async () => {
    await expect(generateWithEngine(join(tmp(), 'orders-svc'), { handlers: 'ingest', deploy: 'terraform' })).rejects.toThrow(
      /--deploy: unknown deploy engine "terraform": choose one of sdk, sam, cdk/,
    );
    const project = await generateWithEngine(join(tmp(), 'orders-svc'), { handlers: 'ingest' });
    const manifest = readManifest(project) as unknown as { deploy: Record<string, unknown> };
    manifest.deploy.engine = 'terraform';
    expect(manifestProblems(manifest)).toEqual(['"deploy.engine" must be one of "sdk", "sam", "cdk" (absent means "sdk")']);
    delete manifest.deploy.engine;
    expect(manifestProblems(manifest)).toEqual([]);
  });
});
