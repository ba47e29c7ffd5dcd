// The published packages, end to end: both are published to the test run's local registry;
// generator-lambda-image is installed from it with `yo`, then `yo lambda-image ... --yes` runs as
// a non-root user (yo refuses root) and `npx generator-lambda-image ... --yes` as root (as CI
// containers run); the new project's `npm install` takes lambda-image from the same registry.
import { chmodSync, chownSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../generators/lib/paths.ts';
import { npmEnv } from '../support/install.ts';

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
  for (const f of ['bin/lambda-image.js', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cdk.d.ts', 'dist/local/runners/runner.py', 'dist/local/runners/runner.mjs', 'dist/local/runners/runner.rb', 'src/index.ts'])
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
