import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { contentTag, contextFiles, isIgnored, parseDockerignore } from '../src/deploy/deploy-context.ts';

describe('.dockerignore matching (docker semantics)', () => {
  const rules = parseDockerignore(
    [
      '# comment',
      '',
      '.git',
      'node_modules',
      '/tests',
      '**/__pycache__',
      '**/*.pyc',
      '*.md',
      '!KEEP.md',
      'docs/*/draft?.txt',
      'build/',
      '  spaced  ',
    ].join('\n'),
  );
  const cases: [string, boolean][] = [
    ['lambda_function.py', false],
    ['.git/HEAD', true],
    ['node_modules/execa/index.js', true],
    ['tests/test_core.py', true],
    ['src/tests/x.py', false],
    ['orders_svc/__pycache__/core.cpython-313.pyc', true],
    ['__pycache__/x.pyc', true],
    ['deep/a/b/c.pyc', true],
    ['README.md', true],
    ['KEEP.md', false],
    ['docs/README.md', false],
    ['docs/v1/draft1.txt', true],
    ['docs/v1/draft12.txt', false],
    ['docs/v1/v2/draft1.txt', false],
    ['build/out/a.js', true],
    ['spaced', true],
  ];
  test.each(cases)('%s ignored: %s', (path, ignored) => {
    expect(isIgnored(rules, path)).toBe(ignored);
  });

  test('a later rule wins over an earlier one', () => {
    const r = parseDockerignore('*.txt\n!keep.txt\nkeep.txt');
    expect(isIgnored(r, 'keep.txt')).toBe(true);
    expect(isIgnored(parseDockerignore('*.txt\n!keep.txt'), 'keep.txt')).toBe(false);
  });

  test('escapes and regex metacharacters are literal', () => {
    const r = parseDockerignore('a+b(c).txt\nstar\\*.txt');
    expect(isIgnored(r, 'a+b(c).txt')).toBe(true);
    expect(isIgnored(r, 'aab(c).txt')).toBe(false);
    expect(isIgnored(r, 'star*.txt')).toBe(true);
    expect(isIgnored(r, 'starx.txt')).toBe(false);
  });
});

describe('content tag', () => {
  let dir: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-image-context-'));
    write('Dockerfile', 'FROM base\nCOPY app.py /\n');
    write('.dockerignore', 'tests\nevents\nnode_modules\n*.md\n');
    write('app.py', 'print(1)\n');
    write('pkg/core.py', 'x = 1\n');
    write('tests/test_app.py', 'assert True\n');
    write('events/a.json', '{}');
    write('README.md', '# hi');
    write('node_modules/dep/index.js', '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('lists what docker would send', async () => {
    expect(await contextFiles(dir)).toEqual(['.dockerignore', 'Dockerfile', 'app.py', 'pkg/core.py']);
  });

  test('is stable, and has the shape of an ECR tag', async () => {
    const tag = await contentTag(dir, 'x86_64');
    expect(tag).toMatch(/^ctx-[0-9a-f]{16}$/);
    expect(await contentTag(dir, 'x86_64')).toBe(tag);
  });

  test('changes with a file that goes into the image, the Dockerfile, the architecture, a build argument', async () => {
    const tag = await contentTag(dir, 'x86_64');
    expect(await contentTag(dir, 'arm64')).not.toBe(tag);
    expect(await contentTag(dir, 'x86_64', { BASE_IMAGE: 'mirror/python:3.13' })).not.toBe(tag);
    write('pkg/core.py', 'x = 2\n');
    const changed = await contentTag(dir, 'x86_64');
    expect(changed).not.toBe(tag);
    write('Dockerfile', 'FROM base\nCOPY app.py /\nCMD ["x"]\n');
    expect(await contentTag(dir, 'x86_64')).not.toBe(changed);
  });

  test('changes with a new file and with the executable bit', async () => {
    const tag = await contentTag(dir, 'x86_64');
    write('pkg/new.py', '');
    const added = await contentTag(dir, 'x86_64');
    expect(added).not.toBe(tag);
    chmodSync(join(dir, 'app.py'), 0o755);
    expect(await contentTag(dir, 'x86_64')).not.toBe(added);
  });

  test('does not change with tests, events, docs or node_modules', async () => {
    const tag = await contentTag(dir, 'x86_64');
    write('tests/test_app.py', 'assert False\n');
    write('events/b.json', '{"a":1}');
    write('README.md', '# changed');
    write('node_modules/other/index.js', 'x');
    expect(await contentTag(dir, 'x86_64')).toBe(tag);
  });
});
