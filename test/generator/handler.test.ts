// `yo lambda-image:handler <name>` adds a handler everywhere it belongs and nothing else.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import helpers from 'yeoman-test';
import { HANDLER, generateProject } from '../support/generate.ts';
import { readTree } from '../support/tree.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lig-handler-'));
const addHandler = (cwd: string, name: string) =>
  helpers.run(HANDLER, { cwd, tmpdir: false, autoCleanup: false }).withArguments([name]).withOptions({ skipInstall: true });

function changedFiles(before: Record<string, string>, after: Record<string, string>): string[] {
  const paths = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...paths].filter((p) => before[p] !== after[p]).sort();
}

describe.each([
  ['python', ['README.md', 'events/export_all.json', 'lambda-image.json', 'lambda_function.py', 'tests/test_handlers.py', 'svc/core.py'], 'lambda_function.export_all'],
  ['nodejs', ['README.md', 'events/export_all.json', 'lambda-image.json', 'lambda_function.mjs', 'src/core.mjs', 'test/handlers.test.mjs'], 'lambda_function.exportAll'],
])('%s', (runtime, expectedChanges, handlerString) => {
  test('adds the function, the route, the core logic, a test, the event and the manifest entry; nothing else', async () => {
    const dir = await generateProject(join(tmp(), 'svc'), { runtime, handlers: 'ingest' });
    const before = readTree(dir, ['node_modules']);
    await addHandler(dir, 'export_all');
    const after = readTree(dir, ['node_modules']);
    expect(changedFiles(before, after)).toEqual([...expectedChanges].sort());
    const manifest = JSON.parse(after['lambda-image.json'] ?? '');
    expect(manifest.handlers.at(-1)).toEqual({ name: 'export_all', handler: handlerString, event: 'events/export_all.json' });
    // Only additions: every line that was there is still there, in order.
    for (const file of expectedChanges.filter((f) => before[f] !== undefined && f !== 'lambda-image.json')) {
      const added = (after[file] ?? '').split('\n');
      const kept = (before[file] ?? '').split('\n');
      let i = 0;
      for (const line of added) if (line === kept[i]) i++;
      expect(i, `${file} lost a line`).toBe(kept.length);
    }
  });
});

describe('refusals, with nothing written', () => {
  const refused = async (dir: string, name: string, message: RegExp) => {
    const before = readTree(dir);
    await expect(addHandler(dir, name)).rejects.toThrow(message);
    expect(readTree(dir)).toEqual(before);
  };

  test('a duplicate', async () => {
    const dir = await generateProject(join(tmp(), 'dup'), { handlers: 'ingest' });
    await refused(dir, 'ingest', /handler "ingest" is given twice \(the project already has it\)/);
  });
  test('an invalid name', async () => {
    const dir = await generateProject(join(tmp(), 'inv'), { handlers: 'ingest' });
    await refused(dir, 'export-all', /handler name "export-all" is not valid/);
  });
  test('a reserved word', async () => {
    const dir = await generateProject(join(tmp(), 'res'), { runtime: 'nodejs', handlers: 'ingest' });
    await refused(dir, 'class', /"class" is reserved in Node\.js/);
  });
  test('outside a generated project', async () => {
    await refused(tmp(), 'ingest', /no lambda-image\.json in .* or any folder above it: run `yo lambda-image:handler <name>` inside a project/);
  });
  test('a needle comment the user deleted', async () => {
    const dir = await generateProject(join(tmp(), 'needle'), { handlers: 'ingest' });
    const entry = join(dir, 'lambda_function.py');
    writeFileSync(entry, readFileSync(entry, 'utf8').replace(/^.*lambda-image:routes.*$/m, ''));
    await refused(dir, 'export_all', /lambda_function\.py has no "lambda-image:routes" comment line: .*put it back/);
  });
  test('a manifest that is not valid', async () => {
    const dir = await generateProject(join(tmp(), 'broken'), { handlers: 'ingest' });
    writeFileSync(join(dir, 'lambda-image.json'), '{"version": 1');
    await refused(dir, 'export_all', /lambda-image\.json is not valid JSON/);
  });
});
