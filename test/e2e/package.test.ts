// The published packages, end to end: both are published to the test run's local registry;
// generator-lambda-image is installed from it with `yo`, then `yo lambda-image ... --yes` runs as
// a non-root user (yo refuses root) and `npx generator-lambda-image ... --yes` as root (as CI
// containers run); the new project's `npm install` takes lambda-image from the same registry.
// Last, the whole path of a user after a release: `npx generator-lambda-image@<version>` fetched
// from the registry, then the project's npm install, npm test, npm run local (Docker, the
// stand-in base image) and npm run deploy (moto and a local registry: test/support/aws.ts).
// Uses port 443: run it under `flock /tmp/aws-e2e.lock`.
import { chmodSync, chownSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ListFunctionsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../generators/lib/paths.ts';
import { type AwsStandIn, removeLocalImages, startAws } from '../support/aws.ts';
import { npmEnv } from '../support/install.ts';
import { ensureBaseImages } from '../support/baseimages.ts';

const root = packageRoot();
const isRoot = process.getuid?.() === 0;
const USER = 'lambda-image-e2e';
let work: string;

/** A world-readable copy of this Node, so that a non-root user can run it (ours may live under /root). */
function sharedNode(dir: string): string {
  const bin = join(dir, 'node-bin');
  mkdirSync(bin, { recursive: true });
  const target = join(bin, 'node');
  try {
    linkSync(process.execPath, target);
  } catch {
    copyFileSync(process.execPath, target);
  }
  chmodSync(target, 0o755);
  return bin;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lig-pack-'));
  chmodSync(work, 0o755);
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  await execa('npm', ['init', '-y'], { cwd: work });
  // From the test run's registry, where both packages were published (test/support/registry.ts).
  await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `generator-lambda-image@${own.version}`, `yo@${own.devDependencies.yo}`], { cwd: work, env: npmEnv() });
}, 600_000);

const packedFiles = async (dir: string): Promise<string[]> => {
  const { stdout } = await execa('npm', ['pack', '--dry-run', '--json'], { cwd: dir });
  return JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
};

test('the generator tarball holds the built generators and the templates; the tooling is not in it', async () => {
  const files = await packedFiles(root);
  for (const f of ['dist/generators/app/index.js', 'dist/generators/handler/index.js', 'dist/generators/cli.js', 'templates/python/files/_gitignore', 'templates/engines/cdk/app.ts'])
    expect(files).toContain(f);
  expect(files.some((f) => f.startsWith('generators/') || f.startsWith('packages/') || f.startsWith('templates/tooling/'))).toBe(false);
  expect(files.some((f) => f.endsWith('.gitignore'))).toBe(false);
});

test('the lambda-image tarball holds its bin, compiled JavaScript with declarations, the --native runners, and its sources (for eject)', async () => {
  const files = await packedFiles(join(root, 'packages', 'lambda-image'));
  for (const f of ['bin/lambda-image.js', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cdk.d.ts', 'dist/eject.js', 'dist/local/runners/runner.py', 'dist/local/runners/runner.mjs', 'dist/local/runners/runner.rb', 'src/index.ts', 'src/eject.ts', 'src/local/runners/runner.py', 'schema/lambda-image.schema.json'])
    expect(files).toContain(f);
  expect(files.some((f) => f.includes('/test/') || f.endsWith('.test.ts'))).toBe(false);
});

describe('installed from the registry', () => {
  test('npx generator-lambda-image ... --yes writes the project (as root where the test runs as root)', async () => {
    await execa('npx', ['--no-install', 'generator-lambda-image', 'via-npx', '--runtime', 'nodejs', '--runtime-version', '22', '--handlers', 'ingest,report_daily', '--memory', '2048', '--yes', '--skip-install'], { cwd: work });
    const manifest = JSON.parse(readFileSync(join(work, 'via-npx', 'lambda-image.json'), 'utf8'));
    // Every kebab-case option reaches the generator from the real command line.
    expect(manifest).toMatchObject({ name: 'via-npx', runtime: 'nodejs', runtimeVersion: '22', memory: 2048 });
    expect(existsSync(join(work, 'via-npx', '.gitignore'))).toBe(true);
    expect(existsSync(join(work, 'via-npx', 'scripts'))).toBe(false);
    // --skip-install reaches the environment, which is what runs the install.
    expect(existsSync(join(work, 'via-npx', 'node_modules'))).toBe(false);
  });

  test('npm install in the new project takes lambda-image from the registry, and its commands run', async () => {
    const project = join(work, 'via-npx');
    await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, env: npmEnv() });
    const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'lambda-image', 'package.json'), 'utf8'));
    expect(installed.version).toBe(own.version);
    const result = await execa('npm', ['run', '--silent', 'local', '--', '--native'], { cwd: project, reject: false, all: true, env: { NO_COLOR: '1' } });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('PASS 2 handlers: 2 ok, 0 failed');
  });

  test('npx generator-lambda-image handler <name> runs the handler subgenerator', async () => {
    await execa('npx', ['--no-install', 'generator-lambda-image', 'handler', 'export_all'], { cwd: join(work, 'via-npx') });
    const manifest = JSON.parse(readFileSync(join(work, 'via-npx', 'lambda-image.json'), 'utf8'));
    expect(manifest.handlers.map((h: { name: string }) => h.name)).toEqual(['ingest', 'report_daily', 'export_all']);
  });

  test('bad input: a clear message, exit 1, nothing written', async () => {
    const result = await execa('npx', ['--no-install', 'generator-lambda-image', 'bad-one', '--memory', '99999', '--yes', '--skip-install'], { cwd: work, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/--memory: memory "99999" is out of range: give a whole number of MB from 128 to 10240/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(work, 'bad-one'))).toBe(false);
  });

  test('yo lambda-image ... --yes writes the project as a non-root user', async () => {
    const yo = join(work, 'node_modules', '.bin', 'yo');
    const env = { PATH: `${sharedNode(work)}:${dirname(yo)}:/usr/bin:/bin`, HOME: join(work, 'home'), NO_UPDATE_NOTIFIER: '1', CI: 'true' };
    mkdirSync(env.HOME, { recursive: true });
    const args = ['lambda-image', 'via-yo', '--runtime', 'python', '--runtime-version', '3.12', '--handlers', 'ingest', '--yes', '--skip-install', '--no-insight'];
    if (isRoot) {
      await execa('useradd', ['--system', '--no-create-home', USER], { reject: false });
      const { stdout: uid } = await execa('id', ['-u', USER]);
      const { stdout: gid } = await execa('id', ['-g', USER]);
      chownSync(work, Number(uid), Number(gid));
      chownSync(env.HOME, Number(uid), Number(gid));
      await execa('runuser', ['-u', USER, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), yo, ...args], { cwd: work });
    } else {
      await execa(yo, args, { cwd: work, env });
    }
    const manifest = JSON.parse(readFileSync(join(work, 'via-yo', 'lambda-image.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'via-yo', runtime: 'python', runtimeVersion: '3.12', handlers: [{ name: 'ingest' }] });
    expect(existsSync(join(work, 'via-yo', 'node_modules'))).toBe(false);
    expect(existsSync(join(work, 'via-yo', 'via_yo', 'core.py'))).toBe(true);
  });
});

describe('as a user after a release: npx, npm install, npm test, npm run local, npm run deploy', { timeout: 600_000 }, () => {
  const PROJECT = `published-${process.pid}`;
  let home: string;
  let project: string;
  let aws: AwsStandIn | undefined;

  beforeAll(async () => {
    await ensureBaseImages(['python:3.12']);
    home = mkdtempSync(join(tmpdir(), 'lig-user-'));
    project = join(home, PROJECT);
  }, 600_000);

  afterAll(async () => {
    await aws?.stop();
    removeLocalImages(PROJECT);
    await execa('docker', ['image', 'rm', '-f', `${PROJECT}:local`], { reject: false });
    rmSync(home, { recursive: true, force: true });
  });

  // An empty npm cache: npx must fetch this run's generator-lambda-image from the registry, not
  // reuse an earlier run's copy of the same version.
  const userEnv = () => ({ ...npmEnv(), npm_config_cache: join(home, '.npm'), NO_COLOR: '1' });

  test('npx generator-lambda-image@<version> fetches the generator from the registry and writes the project', async () => {
    const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const result = await execa(
      'npx',
      ['--yes', `generator-lambda-image@${own.version}`, PROJECT, '--runtime', 'python', '--runtime-version', '3.12', '--handlers', 'ingest,report_daily', '--yes', '--skip-install'],
      { cwd: home, env: userEnv(), reject: false, all: true },
    );
    expect(result.exitCode, result.all).toBe(0);
    expect(existsSync(join(project, 'lambda-image.json'))).toBe(true);
    expect(existsSync(join(project, 'scripts'))).toBe(false);
  });

  test('npm install takes lambda-image from the registry; the manifest\'s $schema is its schema, and the manifest passes it', async () => {
    await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: project, env: userEnv() });
    const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(JSON.parse(readFileSync(join(project, 'node_modules', 'lambda-image', 'package.json'), 'utf8')).version).toBe(own.version);
    const manifest = JSON.parse(readFileSync(join(project, 'lambda-image.json'), 'utf8'));
    const schema = JSON.parse(readFileSync(join(project, manifest.$schema), 'utf8'));
    const validate = new Ajv({ strict: true }).compile(schema);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
  });

  test('npm test runs the project\'s own tests', async () => {
    const result = await execa('npm', ['test'], { cwd: project, reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/\d+ passed/);
  });

  test('npm run local builds the image and invokes every handler in one container', async () => {
    const result = await execa('npm', ['run', '--silent', 'local'], { cwd: project, reject: false, all: true, env: { NO_COLOR: '1' } });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/^PASS 2 handlers: 2 ok, 0 failed \(build .+, start .+, invoke .+\)$/m);
  });

  test('npm run deploy pushes the image once and creates one function per handler (moto)', async () => {
    aws = await startAws();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('AWS_') && v !== undefined)) as Record<string, string>;
    const result = await execa('npm', ['run', '--silent', 'deploy'], { cwd: project, env: { ...env, ...aws.env }, extendEnv: false, reject: false, all: true, stdin: 'ignore' });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout.match(/^Pushing /gm)).toHaveLength(1);
    const functions = (await new LambdaClient(aws.clientConfig).send(new ListFunctionsCommand({}))).Functions ?? [];
    expect(functions.map((f) => f.FunctionName).sort()).toEqual([`${PROJECT}-ingest`, `${PROJECT}-report_daily`]);
    expect(new Set(functions.map((f) => f.PackageType))).toEqual(new Set(['Image']));
  });
});
