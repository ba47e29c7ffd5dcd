// The app generator through the real yeoman-environment (yeoman-test): every option
// and prompt path, the files of a Python and a Node.js project, re-runs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { KEYS, applies } from '../../generators/lib/questions.ts';
import { findRuntime } from '../../generators/lib/catalogue.ts';
import { APP, appOptions, generateProject } from '../support/generate.ts';
import { listFiles, readTree } from '../support/tree.ts';
import { lambdaImage } from '../support/lambda-image.ts';
import { packageRoot } from '../../generators/lib/paths.ts';
import helpers from 'yeoman-test';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `lig-${prefix}-`));
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('non-interactive (--yes) generation', () => {
  test('a Python project: every part the issue lists, and the manifest as the single source of truth', async () => {
    const dir = await generateProject(join(tmp('py'), 'orders-svc'), {
      runtime: 'python',
      runtimeVersion: '3.13',
      handlers: 'ingest,report_daily',
      arch: 'arm64',
      region: 'eu-west-1',
      memory: '1024',
      timeout: '60',
    });
    const files = listFiles(dir);
    expect(files).toEqual([
      '.dockerignore', '.github/workflows/ci.yml', '.gitignore', '.yo-rc.json', 'Dockerfile', 'README.md',
      'events/ingest.json', 'events/report_daily.json', 'lambda-image.json', 'lambda_function.py',
      'orders_svc/__init__.py', 'orders_svc/core.py', 'package.json', 'pyproject.toml',
      'requirements-dev.txt', 'requirements.txt',
      'tests/conftest.py', 'tests/test_core.py', 'tests/test_handlers.py',
    ]);
    expect(json(join(dir, 'lambda-image.json'))).toEqual({
      $schema: './node_modules/lambda-image/schema/lambda-image.schema.json',
      version: 1,
      name: 'orders-svc',
      runtime: 'python',
      runtimeVersion: '3.13',
      baseImage: 'public.ecr.aws/lambda/python:3.13',
      architecture: 'arm64',
      region: 'eu-west-1',
      repository: 'orders-svc',
      memory: 1024,
      timeout: 60,
      dispatcher: 'lambda_function.lambda_handler',
      handlers: [
        { name: 'ingest', handler: 'lambda_function.ingest', event: 'events/ingest.json' },
        { name: 'report_daily', handler: 'lambda_function.report_daily', event: 'events/report_daily.json' },
      ],
      deploy: { roleArn: null, imageTagMutability: 'MUTABLE', keepImages: 10, environment: {}, engine: 'sdk' },
    });
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=public\.ecr\.aws\/lambda\/python:3\.13$/m);
    expect(dockerfile).toMatch(/^FROM \$\{BASE_IMAGE\}$/m);
    expect(dockerfile).toMatch(/^CMD \["lambda_function\.lambda_handler"\]$/m);
    // Dependencies are installed in a layer before any code is copied.
    expect(dockerfile.indexOf('pip install')).toBeLessThan(dockerfile.indexOf('COPY lambda_function.py'));
    const dockerignore = readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n');
    for (const kept of ['tests', 'events', 'scripts', 'node_modules']) expect(dockerignore).toContain(kept);
    const pkg = json(join(dir, 'package.json'));
    expect(pkg.scripts.test).toBe('python3 -m pytest');
    // lambda-image is compiled JavaScript: any supported Node.js runs it.
    expect(pkg.engines.node).toBe('>=22');
    expect(pkg.private).toBe(true);
    expect(json(join(dir, '.yo-rc.json'))['generator-lambda-image']).toMatchObject({ runtime: 'python', memory: '1024' });
  });

  test('a Node.js project in its own idiom: ESM entry module, core library under src/, npm ci --omit=dev', async () => {
    const dir = await generateProject(join(tmp('node'), 'orders-svc'), { runtime: 'nodejs', handlers: 'ingest,report_daily' });
    expect(listFiles(dir)).toEqual([
      '.dockerignore', '.github/workflows/ci.yml', '.gitignore', '.yo-rc.json', 'Dockerfile', 'README.md',
      'events/ingest.json', 'events/report_daily.json', 'lambda-image.json', 'lambda_function.mjs',
      'package.json', 'src/core.mjs', 'test/core.test.mjs', 'test/handlers.test.mjs',
    ]);
    const manifest = json(join(dir, 'lambda-image.json'));
    expect(manifest.runtimeVersion).toBe('24');
    expect(manifest.dispatcher).toBe('lambda_function.handler');
    // The user's names stay the dispatcher keys; the exports are the language's identifiers.
    expect(manifest.handlers.map((h: { handler: string }) => h.handler)).toEqual(['lambda_function.ingest', 'lambda_function.reportDaily']);
    const entry = readFileSync(join(dir, 'lambda_function.mjs'), 'utf8');
    expect(entry).toContain('export async function reportDaily(event, context)');
    expect(entry).toContain('report_daily: reportDaily,');
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('RUN npm ci --omit=dev');
    expect(dockerfile).toMatch(/^CMD \["lambda_function\.handler"\]$/m);
    expect(json(join(dir, 'package.json')).type).toBe('module');
  });

  test('defaults: name from the folder, newest non-deprecated version, three handlers, host architecture', async () => {
    const dir = await generateProject(join(tmp('defaults'), 'My_Service'));
    const manifest = json(join(dir, 'lambda-image.json'));
    expect(manifest).toMatchObject({
      name: 'my-service',
      runtime: 'python',
      runtimeVersion: '3.14',
      repository: 'my-service',
      architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
      memory: 512,
      timeout: 30,
    });
    expect(manifest.handlers.map((h: { name: string }) => h.name)).toEqual(['handler_1', 'handler_2', 'handler_3']);
    expect(existsSync(join(dir, 'my_service', 'core.py'))).toBe(true);
  });

  test('the name argument writes to ./<name>', async () => {
    const parent = tmp('arg');
    const dir = await generateProject(parent, { name: 'billing', runtime: 'nodejs' });
    expect(dir).toBe(join(parent, 'billing'));
    expect(json(join(dir, 'lambda-image.json')).name).toBe('billing');
  });

  test('the tooling is the lambda-image package at the generator\'s own version, and each script runs one of its commands', async () => {
    const dir = await generateProject(join(tmp('tooling'), 'tooled'));
    expect(existsSync(join(dir, 'scripts'))).toBe(false);
    const pkg = json(join(dir, 'package.json'));
    const own = json(join(packageRoot(), 'package.json'));
    expect(pkg.devDependencies).toEqual({ 'lambda-image': own.version });
    // Released in lockstep: the generator pins the lambda-image its tests ran with.
    expect(json(join(packageRoot(), 'packages', 'lambda-image', 'package.json')).version).toBe(own.version);
    expect(own.dependencies['lambda-image']).toBe(own.version);
    expect(pkg.scripts).toEqual({
      test: 'python3 -m pytest',
      local: 'lambda-image local',
      deploy: 'lambda-image deploy',
      invoke: 'lambda-image invoke',
      destroy: 'lambda-image destroy',
    });
    // Every script names a command the bin knows: its help answers for each.
    for (const [name, command] of Object.entries(pkg.scripts as Record<string, string>)) {
      if (name === 'test') continue;
      const { exitCode, stdout } = await lambdaImage(dir, [...command.split(' ').slice(1), '--help']);
      expect(exitCode, command).toBe(0);
      expect(stdout, command).toMatch(/^Usage:/);
    }
  });

  test('the README lists the handlers, the dispatcher format and the commands', async () => {
    const dir = await generateProject(join(tmp('readme'), 'docs-svc'), { handlers: 'ingest,report_daily' });
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('| `report_daily` | `lambda_function.report_daily` |');
    expect(readme).toContain('{ "handler": "ingest", "event"');
    expect(readme).toContain('`npm test`');
  });
});

describe('interactive generation', () => {
  test('asks every question when no option is given, with the catalogue\'s choices', async () => {
    const result = await helpers
      .run(APP)
      .withOptions(appOptions({ skipInstall: true }))
      .withAnswers({
        name: 'asked-svc',
        runtime: 'nodejs',
        runtimeVersion: '22',
        handlers: 'a_one, b_two',
        arch: 'x86_64',
        region: 'ap-south-1',
        repository: 'team/asked',
        memory: '256',
        timeout: '10',
        deploy: 'sam',
        baseImageKind: 'aws',
        trigger_a_one: 'sqs',
      });
    // The base image is asked as a choice (AWS's or another), the image's name only for another; then each new handler's trigger.
    const asked = KEYS.filter((k) => applies(k, findRuntime('nodejs'))).map((k) => (k === 'baseImage' ? 'baseImageKind' : k));
    expect(result.askedQuestions.map((q) => q.name)).toEqual([...asked, 'trigger_a_one', 'trigger_b_two']);
    result.assertJsonFileContent('lambda-image.json', {
      name: 'asked-svc',
      runtime: 'nodejs',
      runtimeVersion: '22',
      repository: 'team/asked',
      memory: 256,
      timeout: 10,
      handlers: [{ name: 'a_one', handler: 'lambda_function.aOne', trigger: { type: 'sqs' } }, { name: 'b_two', handler: 'lambda_function.bTwo' }],
      deploy: { engine: 'sam' },
    });
    result.assertFile('template.yaml');
  });

  test('asks exactly what the options did not give', async () => {
    const result = await helpers
      .run(APP)
      .withOptions(appOptions({ skipInstall: true, runtime: 'python', handlers: 'ingest', memory: '2048' }))
      .withAnswers({ name: 'partial', runtimeVersion: '3.12', arch: 'x86_64', region: 'us-west-2', repository: 'partial', timeout: '5' });
    expect(result.askedQuestions.map((q) => q.name)).toEqual(['name', 'runtimeVersion', 'baseImageKind', 'arch', 'region', 'repository', 'timeout', 'deploy']);
    result.assertJsonFileContent('lambda-image.json', { runtimeVersion: '3.12', memory: 2048, timeout: 5 });
  });

  test('every prompt validates its answer as it is typed, with the same checks as the options', async () => {
    const validators: Record<string, (input: string) => unknown> = {};
    await helpers
      .run(APP)
      .withOptions(appOptions({ skipInstall: true }))
      .withAnswers(
        { name: 'checked', runtime: 'python', runtimeVersion: '3.14', handlers: 'one', arch: 'x86_64', region: 'us-east-1', repository: 'checked', memory: '128', timeout: '1', deploy: 'sdk' },
        { callback: (answer, { question }) => { validators[question.name as string] = (question as { validate?: never }).validate as never; return answer; } },
      );
    expect(validators.name?.('Bad Name')).toMatch(/not a valid npm package name|must start with a letter/);
    expect(validators.runtime?.('cobol')).toMatch(/unknown runtime "cobol"/);
    expect(validators.runtimeVersion?.('2.7')).toMatch(/not a supported Python base image tag/);
    expect(validators.handlers?.('ok,class')).toMatch(/reserved in Python/);
    expect(validators.arch?.('sparc')).toMatch(/x86_64 or arm64/);
    expect(validators.region?.('moon-1')).toMatch(/not an AWS region/);
    expect(validators.repository?.('UPPER')).toMatch(/not a valid ECR repository name/);
    expect(validators.memory?.('64')).toMatch(/from 128 to 10240/);
    expect(validators.timeout?.('901')).toMatch(/from 1 to 900/);
    expect(validators.deploy?.('terraform')).toMatch(/terraform/);
    expect(validators.memory?.('128')).toBe(true);
  });
});

describe('re-running in a generated project', () => {
  test('asks nothing already answered and keeps the sample files the user changed', async () => {
    const dir = await generateProject(join(tmp('rerun'), 'keep-svc'), { runtime: 'python', handlers: 'ingest' });
    const core = join(dir, 'keep_svc', 'core.py');
    writeFileSync(core, `${readFileSync(core, 'utf8')}\n# my change\n`);
    const result = await helpers.run(APP, { cwd: dir, tmpdir: false, autoCleanup: false }).withOptions(appOptions({ skipInstall: true })).withAnswers({});
    expect(result.askedQuestions).toEqual([]);
    expect(readFileSync(core, 'utf8')).toContain('# my change');
  });

  test('new names in --handlers are added through the same mechanism; none is deleted', async () => {
    const dir = await generateProject(join(tmp('rerun-add'), 'grow-svc'), { runtime: 'python', handlers: 'ingest' });
    await helpers.run(APP, { cwd: dir, tmpdir: false, autoCleanup: false }).withOptions(appOptions({ skipInstall: true, yes: true, handlers: 'ingest,export_all' }));
    const manifest = json(join(dir, 'lambda-image.json'));
    expect(manifest.handlers.map((h: { name: string }) => h.name)).toEqual(['ingest', 'export_all']);
    expect(readFileSync(join(dir, 'lambda_function.py'), 'utf8')).toContain('def export_all(event, context):');
    expect(existsSync(join(dir, 'events', 'export_all.json'))).toBe(true);
  });

  test('the manifest keeps keys the user added (deploy settings)', async () => {
    const dir = await generateProject(join(tmp('rerun-keys'), 'keys-svc'));
    const path = join(dir, 'lambda-image.json');
    const manifest = json(path);
    manifest.deploy.roleArn = 'arn:aws:iam::123456789012:role/mine';
    manifest.deploy.environment = { STAGE: 'prod' };
    writeFileSync(path, JSON.stringify(manifest, null, 2));
    await helpers.run(APP, { cwd: dir, tmpdir: false, autoCleanup: false }).withOptions(appOptions({ skipInstall: true, yes: true }));
    expect(json(path).deploy).toMatchObject({ roleArn: 'arn:aws:iam::123456789012:role/mine', environment: { STAGE: 'prod' } });
  });
});

describe('snapshots of the generated trees', () => {
  for (const runtime of ['python', 'nodejs']) {
    test(runtime, async () => {
      const dir = await generateProject(join(tmp(`snap-${runtime}`), 'snap-svc'), {
        runtime,
        handlers: 'ingest,report_daily',
        arch: 'x86_64',
        region: 'us-east-1',
      });
      const tree = readTree(dir);
      // lambda-image's pin moves with every release; the snapshot is about the project.
      const pkg = JSON.parse(tree['package.json'] ?? '{}');
      pkg.devDependencies = Object.keys(pkg.devDependencies ?? {});
      tree['package.json'] = JSON.stringify(pkg, null, 2);
      await expect(JSON.stringify(tree, null, 2)).toMatchFileSnapshot(`__snapshots__/${runtime}-tree.json`);
    });
  }
});

test('the folder for ./<name> is created only after validation passes', async () => {
  const parent = tmp('late-mkdir');
  mkdirSync(parent, { recursive: true });
  await expect(generateProject(parent, { name: 'late', memory: '1' })).rejects.toThrow(/memory "1" is out of range/);
  expect(existsSync(join(parent, 'late'))).toBe(false);
});
