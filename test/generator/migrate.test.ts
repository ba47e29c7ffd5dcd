// Re-running the generator in a project made by generator-lambda-image 0.1.0 (rebuilt from its
// release commit: test/support/previous-release.ts), which copied the tooling into scripts/:
// the project moves to the lambda-image package, and nothing the user changed is lost.
// Through the built CLI, as `npx generator-lambda-image` runs. (With npm install and Docker:
// test/e2e/upgrade.test.ts.)
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { migratedPackageJson, planMigration } from '../../generators/lib/migrate.ts';
import { packageRoot } from '../../generators/lib/paths.ts';
import SHIPPED from '../../generators/lib/shipped-tooling.json' with { type: 'json' };
import { generateProject } from '../support/generate.ts';
import { LAMBDA_IMAGE_BIN } from '../support/lambda-image.ts';
import { previousRelease, type PreviousRelease } from '../support/previous-release.ts';

const CLI = join(packageRoot(), 'dist', 'generators', 'cli.js');
const VERSION = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string;
const [SHIPPED_0_1_0] = SHIPPED.releases;

let release: PreviousRelease;
const work = mkdtempSync(join(tmpdir(), 'migrate-'));

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const rerun = (dir: string) => execa(process.execPath, [CLI, '--yes', '--skip-install'], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1' } });

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .map((path) => [relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex')])
      .sort(),
  );
}

async function oldProject(name: string, args: string[] = []): Promise<string> {
  const result = await release.generate(work, [name, '--runtime', 'python', '--runtime-version', '3.12', '--handlers', 'ingest,report', '--yes', '--skip-install', ...args]);
  expect(result.exitCode, result.all).toBe(0);
  const dir = join(work, name);
  // It is what 0.1.0 made: the copied tooling, run by node.
  expect(existsSync(join(dir, 'scripts', 'lib', 'docker.ts'))).toBe(true);
  expect(json(join(dir, 'package.json')).scripts.local).toBe('node scripts/local.ts');
  return dir;
}

beforeAll(async () => {
  release = await previousRelease('0.1.0');
}, 600_000);

describe('a project of generator-lambda-image 0.1.0, re-run with this generator', { timeout: 120_000 }, () => {
  test('untouched: every copied file goes, package.json moves to lambda-image; a second run changes nothing', async () => {
    const dir = await oldProject('untouched');
    const result = await rerun(dir);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('Moved this project from the tooling generator-lambda-image 0.1.0 copied into it to the lambda-image package:');
    expect(result.all).toContain(`removed, as you had not changed them: ${Object.keys(SHIPPED_0_1_0!.files).filter((f) => f.startsWith('scripts/')).length} files of scripts/, .npmrc`);
    expect(result.all).not.toContain('Files you changed');
    expect(existsSync(join(dir, 'scripts'))).toBe(false);
    expect(existsSync(join(dir, '.npmrc'))).toBe(false);
    const pkg = json(join(dir, 'package.json'));
    expect(pkg.scripts).toEqual({ test: 'python3 -m pytest', local: 'lambda-image local', deploy: 'lambda-image deploy', invoke: 'lambda-image invoke', destroy: 'lambda-image destroy' });
    expect(pkg.devDependencies).toEqual({ 'lambda-image': VERSION });
    expect(json(join(dir, 'lambda-image.json'))).toMatchObject({ $schema: './node_modules/lambda-image/schema/lambda-image.schema.json', version: 1, name: 'untouched' });

    const before = tree(dir);
    const again = await rerun(dir);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.all).not.toContain('Moved this project');
    expect(tree(dir)).toEqual(before);
  });

  test('changed by the user: each change kept and listed with what to do; scripts translated; nothing lost', async () => {
    const dir = await oldProject('changed');
    const edited = join(dir, 'scripts', 'lib', 'docker.ts');
    appendFileSync(edited, '\n// my registry mirror tweak\n');
    const editedText = readFileSync(edited, 'utf8');
    writeFileSync(join(dir, 'scripts', 'seed.sh'), '#!/bin/sh\necho seed\n');
    // A checkout with CRLF line endings holds the same, unchanged file.
    const crlf = join(dir, 'scripts', 'lib', 'names.ts');
    writeFileSync(crlf, readFileSync(crlf, 'utf8').replace(/\n/g, '\r\n'));
    appendFileSync(join(dir, '.npmrc'), 'fund=false\n');
    const core = join(dir, 'changed', 'core.py');
    appendFileSync(core, '\n# my logic\n');
    const pkg = json(join(dir, 'package.json'));
    pkg.scripts['local:verbose'] = 'node scripts/local.ts --verbose && echo done';
    pkg.scripts.deploy = 'node scripts/deploy.ts --prune';
    pkg.devDependencies['@aws-sdk/client-lambda'] = '^3.2000.0';
    pkg.devDependencies.prettier = '^3.0.0';
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));

    const result = await rerun(dir);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('Files you changed (2), kept as they are:');
    expect(result.all).toContain(
      'scripts/lib/docker.ts: kept: you changed it, and nothing runs it any more (its code is now node_modules/lambda-image/src/shared/docker.ts). To keep your change, run `npx lambda-image eject` and make it again in scripts/lambda-image/src/shared/docker.ts',
    );
    expect(result.all).toContain('.npmrc: kept: you changed it. Its engine-strict=true was for the copied TypeScript tooling');
    expect(result.all).toContain('package.json: kept devDependency @aws-sdk/client-lambda ^3.2000.0 (you changed its version)');
    expect(result.all).toContain('README.md is yours, so it is unchanged');

    expect(readFileSync(edited, 'utf8')).toBe(editedText);
    expect(readFileSync(join(dir, 'scripts', 'seed.sh'), 'utf8')).toBe('#!/bin/sh\necho seed\n');
    expect(readdirSync(join(dir, 'scripts'), { recursive: true }).sort()).toEqual(['lib', 'lib/docker.ts', 'seed.sh']);
    expect(readFileSync(join(dir, '.npmrc'), 'utf8')).toContain('fund=false');
    expect(readFileSync(core, 'utf8')).toContain('# my logic');
    const after = json(join(dir, 'package.json'));
    expect(after.scripts).toMatchObject({
      local: 'lambda-image local',
      deploy: 'lambda-image deploy --prune',
      'local:verbose': 'lambda-image local --verbose && echo done',
    });
    expect(after.devDependencies).toEqual({ '@aws-sdk/client-lambda': '^3.2000.0', 'lambda-image': VERSION, prettier: '^3.0.0' });
  });

  test('the cdk engine: an untouched CDK app is replaced; a changed one keeps the changes and imports lambda-image/cdk', async () => {
    const untouched = await oldProject('cdk-untouched', ['--deploy', 'cdk']);
    const changed = await oldProject('cdk-changed', ['--deploy', 'cdk']);
    const app = join(changed, 'cdk', 'app.ts');
    writeFileSync(app, readFileSync(app, 'utf8').replace("const app = new App();", "const app = new App(); // my app tweak"));

    expect((await rerun(untouched)).exitCode).toBe(0);
    expect(readFileSync(join(untouched, 'cdk', 'app.ts'), 'utf8')).toBe(readFileSync(join(packageRoot(), 'templates', 'engines', 'cdk', 'app.ts'), 'utf8'));

    const result = await rerun(changed);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('cdk/app.ts: kept your changes; its imports of scripts/lib now come from lambda-image/cdk');
    const text = readFileSync(app, 'utf8');
    expect(text).toContain('// my app tweak');
    expect(text).not.toMatch(/from '\.\.\/scripts\//);
    expect(text.match(/from 'lambda-image\/cdk'/g)).toHaveLength(3);
    expect(json(join(changed, 'package.json')).devDependencies).toMatchObject({ 'aws-cdk-lib': expect.any(String), 'lambda-image': VERSION });
  });
});

describe('the pieces', () => {
  test('a project without copied tooling has nothing to migrate', async () => {
    expect(planMigration(await generateProject(join(work, 'fresh'), { runtime: 'python' }))).toBeUndefined();
  });

  test('package.json: only the dependencies and engines.node as the release wrote them go; other scripts stay as they are', () => {
    const original = {
      name: 'p',
      scripts: { test: 'pytest', seed: 'node scripts/seed.ts', local: 'node scripts/local.ts' },
      devDependencies: { execa: SHIPPED_0_1_0!.devDependencies.execa, 'p-limit': '^9.0.0' },
      engines: { node: SHIPPED_0_1_0!.engines.node, npm: '>=10' },
    };
    expect(migratedPackageJson(original)).toEqual({
      result: { name: 'p', scripts: { test: 'pytest', seed: 'node scripts/seed.ts', local: 'lambda-image local' }, devDependencies: { 'p-limit': '^9.0.0' }, engines: { npm: '>=10' } },
      removed: ['execa'],
      kept: ['p-limit ^9.0.0'],
    });
  });
});

describe('an ejected project, re-run with the generator', () => {
  test('stays ejected: its scripts, engines and no lambda-image dependency', async () => {
    const dir = await generateProject(join(work, 'ejected'), { runtime: 'python' });
    const eject = await execa(process.execPath, [LAMBDA_IMAGE_BIN, 'eject'], { cwd: dir, reject: false });
    expect(eject.exitCode, eject.stderr).toBe(0);
    const ejected = json(join(dir, 'package.json'));
    const result = await rerun(dir);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).not.toContain('Moved this project');
    const after = json(join(dir, 'package.json'));
    expect(after.scripts).toEqual(ejected.scripts);
    expect(after.devDependencies).toEqual(ejected.devDependencies);
    expect(after.engines).toEqual({ node: '>=22.18.0' });
    expect(existsSync(join(dir, 'scripts', 'lambda-image', 'src', 'cli.ts'))).toBe(true);
  });
});
