// `lambda-image eject` on small hand-made projects, through the built bin: what it writes,
// that the copy runs with no lambda-image package anywhere (no node_modules at all: the
// --native mode and the CDK app's helpers need no dependency), and each refusal.
// The full path on a generated project, with npm install and Docker, is test/e2e/eject.test.ts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { planEject } from '../src/eject.ts';
import { VERSION } from '../src/version.ts';
import { pythonProject } from './local-fixtures.ts';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PACKAGE, 'bin', 'lambda-image.js');

const run = (cwd: string, args: string[]) => execa(process.execPath, [BIN, ...args], { cwd, reject: false, env: { NO_COLOR: '1' } });
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Every file's path and content hash: equal before and after means nothing was touched. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
}

const CDK_APP = `// A CDK app's use of lambda-image/cdk, without aws-cdk-lib.
import { loadManifest, stackName } from 'lambda-image/cdk';
const manifest = loadManifest(new URL('..', import.meta.url).pathname);
console.log('stack', stackName(manifest));
`;

/** A Python project as generated (manifest with $schema, package.json on lambda-image, a CDK app). */
function project(): string {
  const dir = pythonProject();
  const manifest = json(join(dir, 'lambda-image.json'));
  writeFileSync(join(dir, 'lambda-image.json'), `${JSON.stringify({ $schema: './node_modules/lambda-image/schema/lambda-image.schema.json', ...manifest }, null, 2)}\n`);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'fixture-python',
        private: true,
        type: 'module',
        scripts: {
          test: 'python3 -m pytest',
          local: 'lambda-image local',
          deploy: 'lambda-image deploy',
          'local:ok': 'lambda-image local ok --native && echo done',
          where: 'ls scripts/lambda-image',
        },
        devDependencies: { execa: '^9.0.0', 'lambda-image': VERSION },
        engines: { node: '>=22' },
      },
      null,
      2,
    )}\n`,
  );
  mkdirSync(join(dir, 'cdk'));
  writeFileSync(join(dir, 'cdk', 'app.ts'), CDK_APP);
  return dir;
}

describe('lambda-image eject', () => {
  test('copies the package source, rewrites package.json, the CDK app and $schema, and the copy runs with no package installed', async () => {
    const dir = project();
    const result = await run(dir, ['eject']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Copied lambda-image ${VERSION}'s source to scripts/lambda-image/`);
    expect(result.stdout).toContain('Next: npm install');
    expect(result.stdout).toContain('Node.js 22.18.0 or later');

    const copy = join(dir, 'scripts', 'lambda-image');
    expect(filesUnder(join(copy, 'src'))).toEqual(filesUnder(join(PACKAGE, 'src')));
    expect(snapshot(join(copy, 'src'))).toEqual(snapshot(join(PACKAGE, 'src')));
    expect(snapshot(join(copy, 'schema'))).toEqual(snapshot(join(PACKAGE, 'schema')));
    expect(json(join(copy, 'package.json'))).toMatchObject({ version: VERSION, type: 'module', private: true, engines: { node: '>=22.18.0' } });

    const pkg = json(join(dir, 'package.json'));
    expect(pkg.scripts).toEqual({
      test: 'python3 -m pytest',
      local: 'node scripts/lambda-image/src/cli.ts local',
      deploy: 'node scripts/lambda-image/src/cli.ts deploy',
      'local:ok': 'node scripts/lambda-image/src/cli.ts local ok --native && echo done',
      where: 'ls scripts/lambda-image',
    });
    const own = json(join(PACKAGE, 'package.json'));
    expect(pkg.devDependencies).toEqual({ ...own.dependencies, execa: '^9.0.0' });
    expect(pkg.devDependencies['lambda-image']).toBeUndefined();
    expect(result.stdout).toContain(`Note: execa: kept your ^9.0.0; lambda-image ${VERSION} was tested with ${own.dependencies.execa}`);
    expect(pkg.engines).toEqual({ node: '>=22.18.0' });
    expect(json(join(dir, 'lambda-image.json')).$schema).toBe('./scripts/lambda-image/schema/lambda-image.schema.json');
    expect(existsSync(join(dir, json(join(dir, 'lambda-image.json')).$schema))).toBe(true);
    expect(readFileSync(join(dir, 'cdk', 'app.ts'), 'utf8')).toContain("from '../scripts/lambda-image/src/cdk.ts';");

    // No node_modules anywhere up the tree: only the copy can be running.
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    const local = await execa('npm', ['run', '--silent', 'local:ok'], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1' } });
    expect(local.exitCode, local.all).toBe(0);
    expect(local.all).toContain('{"doubled":4}');
    expect(local.all).toContain('PASS 1 handler: 1 ok, 0 failed');
    const app = await execa(process.execPath, ['cdk/app.ts'], { cwd: dir, reject: false, all: true });
    expect(app.exitCode, app.all).toBe(0);
    expect(app.stdout).toBe('stack fixture-python');
    const version = await execa(process.execPath, ['scripts/lambda-image/src/cli.ts', '--version'], { cwd: dir });
    expect(version.stdout).toBe(VERSION);
  });

  test('--dry-run lists the changes and makes none', async () => {
    const dir = project();
    const before = snapshot(dir);
    const result = await run(dir, ['eject', '--dry-run']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Would copy');
    expect(result.stdout).toContain('Would update package.json');
    expect(result.stdout).toContain('Would update cdk/app.ts');
    expect(result.stdout).toContain('Would update lambda-image.json');
    expect(snapshot(dir)).toEqual(before);
  });

  test('a failure half-way is undone: no copy left, every file as it was', async () => {
    const dir = project();
    const before = snapshot(dir);
    // The CDK app is replaced after package.json: its temporary file cannot be written.
    mkdirSync(join(dir, 'cdk', 'app.ts.lambda-image-eject'));
    const result = await run(dir, ['eject']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: eject failed and was undone: /);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, 'scripts'))).toBe(false);
  });

  describe('refusals: a clear message, exit 1, nothing written', () => {
    const refused = async (dir: string, message: string | RegExp) => {
      const before = snapshot(dir);
      const result = await run(dir, ['eject']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(snapshot(dir)).toEqual(before);
    };

    test('not in a project', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eject-none-'));
      await refused(dir, `error: no lambda-image.json in ${dir} or a folder above it: run eject in a lambda-image project`);
    });

    test('already ejected', async () => {
      const dir = project();
      expect((await run(dir, ['eject'])).exitCode).toBe(0);
      await refused(dir, /^error: already ejected: the tooling is in scripts\/lambda-image\//);
      // The copy refuses the same way.
      const again = await execa(process.execPath, ['scripts/lambda-image/src/cli.ts', 'eject'], { cwd: dir, reject: false });
      expect(again.exitCode).toBe(1);
      expect(again.stderr).toMatch(/^error: already ejected/);
    });

    test('something else at scripts/lambda-image', async () => {
      const dir = project();
      mkdirSync(join(dir, 'scripts', 'lambda-image'), { recursive: true });
      writeFileSync(join(dir, 'scripts', 'lambda-image', 'notes.txt'), 'mine');
      await refused(dir, 'error: scripts/lambda-image already exists and is not an ejected lambda-image: move it away, then eject');
    });

    test('no package.json, or one that is not JSON', async () => {
      const dir = pythonProject();
      await refused(dir, /^error: no package.json in .*: eject rewrites its scripts/);
      writeFileSync(join(dir, 'package.json'), '{"scripts": ');
      await refused(dir, /^error: .*package\.json is not valid JSON \(.*\): fix it, then eject/);
    });

    test('the project pins another lambda-image than the one running', async () => {
      const dir = project();
      const pkg = json(join(dir, 'package.json'));
      pkg.devDependencies['lambda-image'] = '0.1.9';
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
      await refused(dir, `error: this project pins lambda-image 0.1.9, but this is lambda-image ${VERSION}: eject with the project's own`);
    });

    test('a Node.js without type stripping', () => {
      expect(() => planEject(project(), '22.12.0')).toThrow(
        'the ejected tooling is TypeScript that Node.js runs directly, from Node.js 22.18.0 on; this is Node.js 22.12.0: upgrade Node.js, then eject',
      );
      expect(() => planEject(project(), '22.18.0')).not.toThrow();
    });
  });
});
