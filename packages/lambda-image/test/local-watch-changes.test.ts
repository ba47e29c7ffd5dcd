// --watch: what a changed file means, read from the Dockerfiles the real generator writes.
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../../../test/support/generate.ts';
import { actionFor, changeKind, type ChangeKind, type ProjectFiles } from '../src/local/change-kind.ts';
import { codeMounts, mountsCover } from '../src/local/code-mounts.ts';
import { contextCopies, projectCopies } from '../src/local/dockerfile-copies.ts';

const work = mkdtempSync(join(tmpdir(), 'watch-changes-'));
const projects: Record<string, string> = {};
const filesOf = (runtime: string): ProjectFiles => ({ copies: projectCopies(projects[runtime]!), events: ['events/ingest.json', 'events/report.json'] });
const kinds = (runtime: string, paths: string[]): Record<string, ChangeKind> => Object.fromEntries(paths.map((p) => [p, changeKind(p, filesOf(runtime))]));

beforeAll(async () => {
  for (const runtime of ['python', 'nodejs', 'ruby', 'java', 'go', 'custom']) {
    projects[runtime] = await generateProject(join(work, runtime), { name: `orders-${runtime}`, runtime, handlers: 'ingest,report' });
  }
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('change kinds, from the generated Dockerfiles', () => {
  it('Python: the core library and the dispatcher are code; requirements.txt a dependency; tests, docs and the tooling nothing', () => {
    expect(kinds('python', ['orders_python/core.py', 'lambda_function.py', 'orders_python/handlers/ingest.py'])).toEqual({
      'orders_python/core.py': 'code',
      'lambda_function.py': 'code',
      'orders_python/handlers/ingest.py': 'code',
    });
    expect(changeKind('requirements.txt', filesOf('python'))).toBe('dependencies');
    for (const path of ['tests/test_core.py', 'README.md', 'package.json', 'pyproject.toml', 'requirements-dev.txt', 'node_modules/lambda-image/package.json'])
      expect(changeKind(path, filesOf('python')), path).toBe('ignored');
  });

  it('Node.js: src/ and the dispatcher are code; package.json and its lock dependencies; node_modules never', () => {
    expect(kinds('nodejs', ['src/core.mjs', 'lambda_function.mjs', 'package.json', 'package-lock.json', 'test/core.test.mjs', 'node_modules/is-number/index.js'])).toEqual({
      'src/core.mjs': 'code',
      'lambda_function.mjs': 'code',
      'package.json': 'dependencies',
      'package-lock.json': 'dependencies',
      'test/core.test.mjs': 'ignored',
      'node_modules/is-number/index.js': 'ignored',
    });
  });

  it('Ruby, Java, Go, custom: their sources are code, their dependency lists dependencies (build stages count)', () => {
    expect(changeKind('lib/core.rb', filesOf('ruby'))).toBe('code');
    expect(changeKind('Gemfile', filesOf('ruby'))).toBe('dependencies');
    expect(changeKind('Gemfile.lock', filesOf('ruby'))).toBe('dependencies');
    expect(changeKind('pom.xml', filesOf('java'))).toBe('dependencies');
    const javaSource = readdirDeep(projects.java!, 'src/main').find((p) => p.endsWith('.java'))!;
    expect(changeKind(javaSource, filesOf('java'))).toBe('code');
    expect(changeKind('target/classes/x.class', filesOf('java'))).toBe('ignored');
    expect(changeKind('go.mod', filesOf('go'))).toBe('dependencies');
    expect(changeKind('go.sum', filesOf('go'))).toBe('dependencies');
    expect(changeKind('core/core.go', filesOf('go'))).toBe('code');
    expect(changeKind('main.go', filesOf('go'))).toBe('code');
    expect(changeKind('bootstrap', filesOf('custom'))).toBe('code');
    expect(changeKind('lib/core.sh', filesOf('custom'))).toBe('code');
  });

  it('the manifest, the recipe and the events have kinds of their own', () => {
    for (const runtime of ['python', 'go']) {
      expect(changeKind('lambda-image.json', filesOf(runtime))).toBe('manifest');
      expect(changeKind('Dockerfile', filesOf(runtime))).toBe('recipe');
      expect(changeKind('.dockerignore', filesOf(runtime))).toBe('recipe');
      expect(changeKind('events/ingest.json', filesOf(runtime))).toBe('event');
      expect(changeKind('events/new-one.json', filesOf(runtime))).toBe('event');
    }
  });

  it("editors' scratch files and build outputs are never changes", () => {
    for (const path of [
      'orders_python/.core.py.swp', 'orders_python/.core.py.swx', 'orders_python/core.py~', 'orders_python/4913', 'orders_python/.#core.py',
      'orders_python/#core.py#', 'orders_python/core.py___jb_tmp___', 'orders_python/sedETH4qg', 'orders_python/__pycache__/core.cpython-314.pyc', '.git/index',
      '.venv/lib/x.py', 'cdk.out/manifest.json', '.aws-sam/build.toml', '.idea/workspace.xml',
    ]) expect(changeKind(path, filesOf('python')), path).toBe('ignored');
  });

  it('a Dockerfile that cannot be read leaves every non-scratch file code', () => {
    expect(changeKind('anything/at/all.txt', { copies: [], events: [] })).toBe('code');
    expect(changeKind('node_modules/x/y.js', { copies: [], events: [] })).toBe('ignored');
  });
});

describe('the action of a batch', () => {
  it('takes the most thorough kind; code restarts only where it is bound', () => {
    expect(actionFor(['code'], true)).toBe('restart');
    expect(actionFor(['code'], false)).toBe('rebuild');
    expect(actionFor(['code', 'event'], true)).toBe('restart');
    expect(actionFor(['event'], true)).toBe('invoke');
    expect(actionFor(['code', 'dependencies'], true)).toBe('rebuild');
    expect(actionFor(['recipe'], true)).toBe('rebuild');
    expect(actionFor(['event', 'manifest', 'code'], true)).toBe('reload');
    expect(actionFor(['ignored'], true)).toBeUndefined();
    expect(actionFor([], true)).toBeUndefined();
  });
});

function readdirDeep(root: string, under: string): string[] {
  return readdirSync(join(root, under), { recursive: true, encoding: 'utf8' }).map((p) => `${under}/${p}`);
}

describe('Dockerfile copies', () => {
  it('reads COPY and ADD of every stage, the JSON form, continuations, WORKDIR and ${LAMBDA_TASK_ROOT}; not --from', () => {
    const copies = contextCopies(
      [
        'FROM builder AS build',
        'WORKDIR /src',
        'COPY go.mod go.sum ./',
        'FROM base',
        '# COPY commented/ out/',
        'COPY --chown=1000 ["app.py", "${LAMBDA_TASK_ROOT}/"]',
        'COPY --from=build /out/bootstrap /var/runtime/bootstrap',
        'ADD lib/ \\',
        '    $LAMBDA_TASK_ROOT/lib/',
        'WORKDIR sub',
        'COPY ./conf.json settings.json',
      ].join('\n'),
    );
    expect(copies).toEqual([
      { sources: ['go.mod', 'go.sum'], destination: '/src', intoFolder: true, finalStage: false },
      { sources: ['app.py'], destination: '/var/task', intoFolder: true, finalStage: true },
      { sources: ['lib'], destination: '/var/task/lib', intoFolder: true, finalStage: true },
      { sources: ['conf.json'], destination: '/var/task/sub/settings.json', intoFolder: false, finalStage: true },
    ]);
  });
});

describe('code mounts', () => {
  it('Python: the dispatcher file and the package folder, not requirements.txt (pip installed into the task root stays visible)', () => {
    const dir = projects.python!;
    expect(codeMounts(dir, projectCopies(dir))?.map(({ path, target, folder }) => ({ path, target, folder }))).toEqual([
      { path: 'lambda_function.py', target: '/var/task/lambda_function.py', folder: false },
      { path: 'orders_python', target: '/var/task/orders_python', folder: true },
    ]);
  });

  it('Node.js: the dispatcher and src/, never node_modules nor package.json', () => {
    const dir = projects.nodejs!;
    expect(codeMounts(dir, projectCopies(dir))?.map((m) => m.target)).toEqual(['/var/task/lambda_function.mjs', '/var/task/src']);
  });

  it('Ruby: the dispatcher and lib/, not the Gemfile (vendor/bundle stays the image’s)', () => {
    const dir = projects.ruby!;
    expect(codeMounts(dir, projectCopies(dir))?.map((m) => m.target)).toEqual(['/var/task/lambda_function.rb', '/var/task/lib']);
  });

  it('none for a whole-context copy or a folder spread over the task root', () => {
    expect(codeMounts(projects.python!, contextCopies('FROM x\nCOPY . ${LAMBDA_TASK_ROOT}/'))).toBeUndefined();
    expect(codeMounts(projects.python!, contextCopies('FROM x\nCOPY orders_python/ ${LAMBDA_TASK_ROOT}/'))).toBeUndefined();
  });

  it('cover a change inside a bound folder, and a bound file saved in place, but not one replaced by a rename', () => {
    const dir = projects.python!;
    const mounts = codeMounts(dir, projectCopies(dir))!;
    expect(mountsCover(dir, mounts, ['orders_python/core.py', 'orders_python/new_module.py'])).toBe(true);
    const dispatcher = join(dir, 'lambda_function.py');
    writeFileSync(dispatcher, `${readFileSync(dispatcher, 'utf8')}\n# saved in place\n`);
    expect(mountsCover(dir, mounts, ['lambda_function.py'])).toBe(true);
    // How many editors save: a new file renamed over the old one. The bind still shows the old inode.
    writeFileSync(`${dispatcher}.new`, readFileSync(dispatcher));
    renameSync(`${dispatcher}.new`, dispatcher);
    expect(mountsCover(dir, mounts, ['lambda_function.py'])).toBe(false);
    expect(mountsCover(dir, mounts, ['other.py'])).toBe(false);
  });
});
