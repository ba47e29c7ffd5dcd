// Generated projects run for real: their own test suites (pytest, node's test
// runner), and their dispatchers executed in-process by the real interpreter.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test, beforeAll } from 'vitest';
import helpers from 'yeoman-test';
import { HANDLER, generateProject } from '../support/generate.ts';

const HANDLERS = ['ingest', 'report_daily', 'export_all'];

// Calls the dispatcher for every handler, then for an unknown and a missing one; prints JSON.
const PYTHON_PROBE = `
import json, sys
import lambda_function as m
out = {}
for name in sys.argv[1:]:
    event = json.load(open(f"events/{name}.json"))
    out[name] = m.lambda_handler({"handler": name, "event": event}, None)
for probe, event in (("unknown", {"handler": "nope", "event": {}}), ("missing", {"event": {}})):
    try:
        m.lambda_handler(event, None)
        out[probe] = None
    except Exception as e:
        out[probe] = {"errorType": type(e).__name__, "errorMessage": str(e)}
print(json.dumps(out))
`;
const NODE_PROBE = `
import { readFileSync } from 'node:fs';
const m = await import(process.cwd() + '/lambda_function.mjs');
const out = {};
for (const name of process.argv.slice(1)) {
  const event = JSON.parse(readFileSync('events/' + name + '.json', 'utf8'));
  out[name] = await m.handler({ handler: name, event }, {});
}
for (const [probe, event] of [['unknown', { handler: 'nope', event: {} }], ['missing', { event: {} }]]) {
  try { await m.handler(event, {}); out[probe] = null; }
  catch (e) { out[probe] = { errorType: e.name, errorMessage: e.message }; }
}
console.log(JSON.stringify(out));
`;

describe.each([
  ['python', ['python3', '-c', PYTHON_PROBE]],
  ['nodejs', ['node', '--input-type=module', '-e', NODE_PROBE]],
] as const)('%s', (runtime, probe) => {
  let dir: string;
  beforeAll(async () => {
    dir = await generateProject(join(mkdtempSync(join(tmpdir(), `lig-run-${runtime}-`)), 'orders-svc'), {
      runtime,
      handlers: 'ingest,report_daily',
    });
    // One more through the subgenerator: it must be as reachable as the others.
    await helpers.run(HANDLER, { cwd: dir, tmpdir: false, autoCleanup: false }).withArguments(['export_all']);
  });

  test('its own test suite passes (npm test)', async () => {
    const result = await execa('npm', ['test'], { cwd: dir, all: true, reject: false });
    expect(result.exitCode, result.all).toBe(0);
    // 2 core tests + 3 handlers + 3 dispatcher tests.
    expect(result.all).toMatch(runtime === 'python' ? /\b8 passed\b/ : /# pass 8\b/);
  });

  test('its own test suite fails when a handler breaks (the tests are real)', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const core = join(dir, runtime === 'python' ? 'orders_svc/core.py' : 'src/core.mjs');
    const original = readFileSync(core, 'utf8');
    writeFileSync(core, original.replace(/"handler": "ingest"|handler: 'ingest'/, runtime === 'python' ? '"handler": "broken"' : "handler: 'broken'"));
    try {
      const result = await execa('npm', ['test'], { cwd: dir, all: true, reject: false });
      expect(result.exitCode).not.toBe(0);
    } finally {
      writeFileSync(core, original);
    }
  });

  test('the dispatcher reaches every handler in-process and refuses unknown and missing ones', async () => {
    const [command, ...args] = probe;
    const { stdout } = await execa(command, [...args, ...HANDLERS], { cwd: dir });
    const out = JSON.parse(stdout);
    for (const name of HANDLERS) expect(out[name]).toEqual({ handler: name, count: 2, total: 19.75 });
    expect(out.unknown).toEqual({
      errorType: 'UnknownHandlerError',
      errorMessage: expect.stringMatching(/unknown handler .*nope.*: valid handlers are ingest, report_daily, export_all/),
    });
    expect(out.missing.errorMessage).toMatch(/missing "handler"/);
  });
});

// The generated Python project is an installable package, as pip sees it, on the Python it asks for.
test('pip install -e . works in a project on this machine\'s Python (3.11); requires-python is the tag\'s', async () => {
  const dir = await generateProject(join(mkdtempSync(join(tmpdir(), 'lig-pip-')), 'orders-svc'), { runtime: 'python', runtimeVersion: '3.11', handlers: 'ingest' });
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(join(dir, 'pyproject.toml'), 'utf8')).toContain('requires-python = ">=3.11"');
  expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/Python 3\.11, the base image's/);
  await execa('python3', ['-m', 'venv', '.venv'], { cwd: dir });
  const pip = await execa('.venv/bin/python', ['-m', 'pip', 'install', '-q', '-e', '.', '-r', 'requirements-dev.txt'], { cwd: dir, all: true, reject: false });
  expect(pip.exitCode, pip.all).toBe(0);
  // Installed: importable from anywhere, not only from the project's folder.
  const { stdout } = await execa(join(dir, '.venv/bin/python'), ['-c', 'import lambda_function, orders_svc.core; print(orders_svc.core.__name__)'], { cwd: tmpdir() });
  expect(stdout).toBe('orders_svc.core');
  const tests = await execa('.venv/bin/python', ['-m', 'pytest', '-q'], { cwd: dir, all: true, reject: false });
  expect(tests.exitCode, tests.all).toBe(0);
}, 300_000);
