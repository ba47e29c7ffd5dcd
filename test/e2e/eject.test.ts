// `lambda-image eject` end to end: a generated project with lambda-image installed from the test
// run's registry ejects, `npm install` removes the package, and `npm run local` still builds the
// image and invokes every handler in one container (the real Docker daemon, the stand-in base
// image), now run by the project's own copy of the tooling.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateProject } from '../support/generate.ts';
import { installProject, npmEnv } from '../support/install.ts';
import { ensureBaseImages } from '../support/baseimages.ts';

const NAME = `eject-e2e-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'eject-e2e-'));
let dir: string;

beforeAll(async () => {
  await ensureBaseImages(['python']);
  dir = await generateProject(join(work, 'p'), { name: NAME, runtime: 'python', handlers: 'ingest,report_daily' });
  await installProject(dir);
}, 600_000);

afterAll(async () => {
  await execa('docker', ['image', 'rm', '-f', `${NAME}:local`], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

test('after eject and npm install, the package is gone and npm run local works as before', { timeout: 300_000 }, async () => {
  expect(existsSync(join(dir, 'node_modules', 'lambda-image', 'package.json'))).toBe(true);
  const eject = await execa('npx', ['--no-install', 'lambda-image', 'eject'], { cwd: dir, reject: false, all: true });
  expect(eject.exitCode, eject.all).toBe(0);
  expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts.local).toBe('node scripts/lambda-image/src/cli.ts local');

  await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, env: npmEnv() });
  expect(existsSync(join(dir, 'node_modules', 'lambda-image'))).toBe(false);
  const { stdout: tree } = await execa('npm', ['ls', '--all', '--parseable'], { cwd: dir, reject: false });
  expect(tree.split('\n').some((line) => line.endsWith('/lambda-image'))).toBe(false);

  const local = await execa('npm', ['run', '--silent', 'local'], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1' } });
  expect(local.exitCode, local.all).toBe(0);
  expect(local.stdout).toMatch(/^✔ ingest +ok +\d+ ms$/m);
  expect(local.stdout).toMatch(/^✔ report_daily +ok +\d+ ms$/m);
  expect(local.stdout).toMatch(/^PASS 2 handlers: 2 ok, 0 failed \(build .+, start .+, invoke .+\)$/m);
  expect(local.stderr.match(/^Started /gm)).toHaveLength(1);

  const native = await execa('npm', ['run', '--silent', 'local', '--', '--native'], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1' } });
  expect(native.exitCode, native.all).toBe(0);
  expect(native.stdout).toContain('PASS 2 handlers: 2 ok, 0 failed');
});
