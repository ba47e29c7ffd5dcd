// The package's layout is its architecture: local/, deploy/, engines/ over shared/, with the
// command table on top. Walking every import of src/ checks that it stays so: no import
// cycle, no two modules with one name, shared/ depending on no feature folder, and the
// --native runners as real programs their own languages accept.
import { execa } from 'execa';
import { copyFileSync, appendFileSync, mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const RUNNERS = join(SRC, 'local', 'runners');

/** Static imports and re-exports (type-only ones too) and dynamic import() of a literal. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

type Graph = Map<string, string[]>;

function importGraph(root: string): Graph {
  const modules = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
  return new Map(
    modules.map((module) => {
      const text = readFileSync(join(root, module), 'utf8');
      const targets = [...text.matchAll(IMPORT)]
        .map((m) => (m[1] ?? m[2])!)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => relative(root, resolve(root, dirname(module), spec)));
      return [module, [...new Set(targets)]];
    }),
  );
}

/** Every cycle's path (a → b → a), found by depth-first search. */
function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node);
  return found;
}

const graph = importGraph(SRC);

describe('the import graph of packages/lambda-image/src', () => {
  test('is read completely: every relative import names a module that exists, and the known edges are there', () => {
    for (const [module, targets] of graph) {
      for (const target of targets) expect(existsSync(join(SRC, target)), `${module} imports ${target}`).toBe(true);
    }
    expect(graph.get('commands.ts')).toEqual(expect.arrayContaining(['local/local.ts', 'engines/engine.ts', 'deploy/invoke.ts', 'eject.ts']));
    expect(graph.get('local/mode.ts')).toEqual(expect.arrayContaining(['shared/manifest.ts', 'local/native.ts']));
    expect(graph.size).toBeGreaterThan(30);
  });

  test('has no cycle (type-only imports included)', () => {
    expect(cycles(graph)).toEqual([]);
  });

  test('the cycle search finds one when there is one', () => {
    const cyclic: Graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(cyclic)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  test('has no two modules with one name', () => {
    const byName = new Map<string, string[]>();
    for (const module of graph.keys()) byName.set(basename(module), [...(byName.get(basename(module)) ?? []), module]);
    expect([...byName.values()].filter((modules) => modules.length > 1)).toEqual([]);
  });

  test('layers: shared/ imports no feature folder; local/ neither deploy/ nor engines/; only the top level imports the commands', () => {
    const problems: string[] = [];
    for (const [module, targets] of graph) {
      const folder = module.includes('/') ? module.split('/')[0]! : '';
      for (const target of targets) {
        const to = target.includes('/') ? target.split('/')[0]! : '';
        if (folder === 'shared' && to !== 'shared' && target !== 'version.ts') problems.push(`${module} -> ${target}`);
        if (folder === 'local' && (to === 'deploy' || to === 'engines')) problems.push(`${module} -> ${target}`);
        if (folder !== '' && to === '' && target !== 'version.ts') problems.push(`${module} -> ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the --native runners are real programs of their languages', () => {
  // Python writes __pycache__ beside the file unless told otherwise: never into src/ (it ships).
  const pycache = mkdtempSync(join(tmpdir(), 'runner-pycache-'));
  const LINTERS: Record<string, (file: string) => Promise<{ exitCode?: number; all?: string }>> = {
    'runner.py': (file) => execa('python3', ['-m', 'py_compile', file], { reject: false, all: true, env: { PYTHONPYCACHEPREFIX: pycache } }),
    'runner.mjs': (file) => execa(process.execPath, ['--check', file], { reject: false, all: true }),
    'runner.rb': (file) => execa('ruby', ['-c', file], { reject: false, all: true }),
  };

  test('there is one runner per language, and nothing else in runners/', () => {
    expect(readdirSync(RUNNERS).sort()).toEqual(Object.keys(LINTERS).sort());
  });

  test.each(Object.keys(LINTERS))('%s passes its language’s own syntax check, and a broken copy does not', async (name) => {
    const lint = LINTERS[name]!;
    const ok = await lint(join(RUNNERS, name));
    expect(ok.exitCode, ok.all).toBe(0);
    const broken = join(mkdtempSync(join(tmpdir(), 'runner-broken-')), name);
    copyFileSync(join(RUNNERS, name), broken);
    appendFileSync(broken, '\n)(\n');
    expect((await lint(broken)).exitCode).not.toBe(0);
  });
});
