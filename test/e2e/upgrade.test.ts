// The upgrade from a release that copied the tooling into projects, end to end: a project made
// by generator-lambda-image 0.1.0 (rebuilt from its release commit), one of its scripts edited
// by the user, re-run with this generator. It ends on the lambda-image package (installed from
// the test run's registry), the edited file kept and reported, and `npm run local` builds and
// invokes every handler in one container (the real Docker daemon, the stand-in base image).
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { packageRoot } from '../../generators/lib/paths.ts';
import { installProject } from '../support/install.ts';
import { previousRelease } from '../support/previous-release.ts';
import { ensureBaseImages } from '../support/baseimages.ts';

const NAME = `upgrade-e2e-${process.pid}`;
const CLI = join(packageRoot(), 'dist', 'generators', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'upgrade-e2e-'));

beforeAll(async () => {
  await ensureBaseImages(['python:3.12']);
}, 600_000);

afterAll(async () => {
  await execa('docker', ['image', 'rm', '-f', `${NAME}:local`], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

test('a 0.1.0 project with an edited script, re-run with this generator: on the package, the edit kept and reported, npm run local works', { timeout: 600_000 }, async () => {
  const release = await previousRelease('0.1.0');
  const made = await release.generate(work, [NAME, '--runtime', 'python', '--runtime-version', '3.12', '--handlers', 'ingest,report_daily', '--yes', '--skip-install']);
  expect(made.exitCode, made.all).toBe(0);
  const dir = join(work, NAME);
  const edited = join(dir, 'scripts', 'lib', 'docker.ts');
  appendFileSync(edited, '\n// our build tweak\n');
  const editedText = readFileSync(edited, 'utf8');

  const rerun = await execa(process.execPath, [CLI, '--yes', '--skip-install'], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1' } });
  expect(rerun.exitCode, rerun.all).toBe(0);
  expect(rerun.all).toContain('Moved this project from the tooling generator-lambda-image 0.1.0 copied into it to the lambda-image package');
  expect(rerun.all).toContain('Files you changed (1), kept as they are:\n  scripts/lib/docker.ts: kept: you changed it');
  expect(readFileSync(edited, 'utf8')).toBe(editedText);
  expect(existsSync(join(dir, 'scripts', 'local.ts'))).toBe(false);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  expect(pkg.scripts.local).toBe('lambda-image local');
  expect(Object.keys(pkg.devDependencies)).toEqual(['lambda-image']);

  await installProject(dir);
  const local = await execa('npm', ['run', '--silent', 'local'], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1' } });
  expect(local.exitCode, local.all).toBe(0);
  expect(local.stdout).toMatch(/^PASS 2 handlers: 2 ok, 0 failed \(build .+, start .+, invoke .+\)$/m);
  expect(local.stderr.match(/^Started /gm)).toHaveLength(1);
});
