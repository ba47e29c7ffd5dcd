// The generator's command line as a user meets it: the bin run as a whole process (from the
// sources, through Node's type stripping), with no terminal attached, as in CI. Each path:
// a clear message, the right exit code, no stack trace, and nothing lost or half-written.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { packageRoot } from '../../generators/lib/paths.ts';
import { helpText } from '../../generators/lib/options.ts';
import { readTree } from '../support/tree.ts';
import { generateProject } from '../support/generate.ts';

const CLI = join(packageRoot(), 'generators', 'cli.ts');
const tmp = (what: string) => mkdtempSync(join(tmpdir(), `lig-cli-${what}-`));
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

function cli(cwd: string, args: string[]) {
  return execa(process.execPath, ['--conditions=source', CLI, ...args], { cwd, reject: false, all: true, env: { NO_COLOR: '1', FORCE_COLOR: '0' } });
}

const STACK = /\n\s+at /;

/** Every file byte-identical after a refused run: nothing lost, nothing added. */
async function refused(dir: string, args: string[], message: RegExp, exitCode = 1) {
  const before = readTree(dir, []);
  const result = await cli(dir, args);
  expect(result.exitCode, result.all).toBe(exitCode);
  expect(result.stderr).toMatch(message);
  expect(result.all).not.toMatch(STACK);
  expect(result.all).not.toMatch(/An error occured/);
  expect(readTree(dir, [])).toEqual(before);
  return result;
}

describe('a folder that is not empty and not a lambda-image project', () => {
  const userFolder = () => {
    const dir = tmp('foreign');
    writeFileSync(join(dir, 'lambda_function.py'), 'def mine(event, context):\n    return 1\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', scripts: { test: 'echo mine' } }, null, 2));
    return dir;
  };

  test('--yes refuses it before anything is written, naming what is there', async () => {
    const dir = userFolder();
    await refused(dir, ['--runtime', 'python', '--yes', '--skip-install'], /is not empty and is not a lambda-image project: it has lambda_function\.py, package\.json\.\n.*--force/);
  });

  test('--force still changes none of its files: the conflicts are shown and nothing is written', async () => {
    const dir = userFolder();
    const result = await refused(dir, ['--runtime', 'python', '--yes', '--force', '--skip-install'], /conflict lambda_function\.py/);
    expect(result.stderr).toMatch(/conflict package\.json/);
    expect(result.stderr).toMatch(/did not come from lambda-image: they are left as they are, and nothing was written/);
  });

  test('--force with files that are not in the way generates around them', async () => {
    const dir = tmp('notes');
    writeFileSync(join(dir, 'NOTES.txt'), 'mine\n');
    const result = await cli(dir, ['--runtime', 'nodejs', '--yes', '--force', '--skip-install']);
    expect(result.exitCode, result.all).toBe(0);
    expect(readFileSync(join(dir, 'NOTES.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'lambda-image.json'))).toBe(true);
  });

  test('with no terminal and no --force: one line, exit 2', async () => {
    const dir = userFolder();
    const result = await refused(dir, ['--runtime', 'python', '--handlers', 'ingest'], /no terminal is attached to confirm: pass --force/, 2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('options: every one known, and nothing else', () => {
  test('typos are refused with the closest option, and nothing is written', async () => {
    const dir = tmp('typo');
    const result = await refused(dir, ['--runtim', 'nodejs', '--handler', 'ingest', '--memroy', '1024', '--yes'], /unknown option --runtim: did you mean --runtime\?/);
    expect(result.stderr).toMatch(/unknown option --handler: did you mean --handlers\?/);
    expect(result.stderr).toMatch(/unknown option --memroy: did you mean --memory\?/);
    expect(readTree(dir, [])).toEqual({});
  });

  test('an option without its value is refused', async () => {
    await refused(tmp('novalue'), ['--runtime', '--yes'], /--runtime needs a value/);
  });

  test('--version prints the version; --help is ours, with every option and the valid values per runtime', async () => {
    const dir = tmp('help');
    const version = await cli(dir, ['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toBe(json(join(packageRoot(), 'package.json')).version);
    const help = await cli(dir, ['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: npx generator-lambda-image [name] [options]');
    expect(help.stdout).toContain('yo lambda-image [name] [options]');
    for (const option of ['--runtime <runtime>', '--runtime-version <tag>', '--java-package', '--go-module', '--handlers', '--arch', '--region', '--repository', '--memory', '--timeout', '--deploy', '--yes', '--force', '--skip-install', '--verbose'])
      expect(help.stdout).toContain(option);
    expect(help.stdout).toMatch(/python: 3\.14, 3\.13, 3\.12, 3\.11 \(deprecation 2027-06-30\), 3\.10 \(deprecation 2026-10-31, no new functions from 2026-11-30\)/);
    expect(help.stdout).toMatch(/ruby: 4\.0 \(deprecation 2029-03-31\), 3\.4, 3\.3 \(deprecation 2027-03-31\)/);
    // None of Yeoman's internals, nor its namespace.
    expect(help.stdout).not.toMatch(/skip-cache|ask-answered|force-install|lambda-image:app/);
    expect(help.stdout.trimEnd()).toBe(helpText('app').trimEnd());
    const handlerHelp = await cli(dir, ['handler', '--help']);
    expect(handlerHelp.stdout).toContain('Usage: npx generator-lambda-image handler <name> [options]');
    expect(readTree(dir, [])).toEqual({});
  });

  test('no terminal and no --yes: one line that names what is missing, exit 2, nothing written', async () => {
    const dir = tmp('notty');
    const result = await refused(dir, ['orders-svc', '--runtime', 'python'], /^error: no terminal to ask on: pass --yes to take the defaults, or give --runtime-version, --base-image, --handlers, --arch, --region, --repository, --memory, --timeout, --deploy$/, 2);
    expect(result.stdout).toBe('');
  });
});

describe('quiet output', () => {
  test('one "create" line per file, then the summary: no force lines, no Yeoman diagnostics', async () => {
    const dir = tmp('quiet');
    const result = await cli(dir, ['orders-svc', '--runtime', 'python', '--handlers', 'ingest', '--yes', '--skip-install']);
    expect(result.exitCode, result.all).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    const creates = lines.filter((l) => /^\s*create /.test(l));
    expect(creates.map((l) => l.trim().slice('create '.length)).sort()).toEqual(Object.keys(readTree(join(dir, 'orders-svc'), [])).sort());
    expect(lines.length - creates.length).toBe(2);
    expect(result.all).not.toMatch(/force|Changes to package\.json|package manager|An error occured|identical/);
    expect(result.stderr).toBe('');
  });
});

describe('what is already there is read as data: every problem named with its file and field, nothing written', () => {
  const project = async (what: string) => generateProject(join(tmp(what), 'orders-svc'), { runtime: 'python', handlers: 'ingest' });
  const editManifest = async (dir: string, edit: (m: Record<string, unknown>) => unknown) => {
    const path = join(dir, 'lambda-image.json');
    writeFileSync(path, JSON.stringify(edit(json(path)), null, 2));
  };

  test.each([
    ['"handlers": null', (m: Record<string, unknown>) => ({ ...m, handlers: null }), /lambda-image\.json is not a valid manifest:\n\s+- "handlers" must be a non-empty array/],
    ['a JSON array', () => [1, 2], /lambda-image\.json is not a valid manifest:\n\s+- the manifest must be a JSON object/],
    ['memory 99999', (m: Record<string, unknown>) => ({ ...m, memory: 99999 }), /lambda-image\.json is not a valid manifest:\n\s+- "memory" must be a whole number from 128 to 10240/],
    ['an unknown runtime version', (m: Record<string, unknown>) => ({ ...m, runtimeVersion: '2.7' }), /lambda-image\.json: "runtimeVersion": "2\.7" is not a supported Python base image tag/],
    ['a handler name that is not an identifier', (m: Record<string, unknown>) => ({ ...m, handlers: [{ name: 'bad-name', handler: 'x', event: 'e' }] }), /lambda-image\.json: "handlers": handler name "bad-name" is not valid/],
  ])('a manifest with %s', async (_what, edit, message) => {
    const dir = await project('manifest');
    await editManifest(dir, edit);
    await refused(dir, ['--yes', '--skip-install'], message);
    await refused(dir, ['handler', 'export_all'], message);
  });

  test('a manifest that is not JSON', async () => {
    const dir = await project('manifest-json');
    writeFileSync(join(dir, 'lambda-image.json'), '{"version": 1');
    await refused(dir, ['--yes', '--skip-install'], /lambda-image\.json is not valid JSON/);
  });

  test.each([
    ['not JSON', '{"generator-lambda-image": ', /\.yo-rc\.json is not valid JSON \(.*\): fix it, or delete it/],
    ['an unknown key', '{"generator-lambda-image": {"runtime": "python", "colour": "red"}}', /\.yo-rc\.json: "generator-lambda-image\.colour" is not an answer this generator knows/],
    ['a value of the wrong type', '{"generator-lambda-image": {"memory": [512]}}', /\.yo-rc\.json: "generator-lambda-image\.memory" must be a string/],
    ['a value out of range', '{"generator-lambda-image": {"timeout": "9000"}}', /\.yo-rc\.json: "generator-lambda-image\.timeout": timeout "9000" is out of range/],
  ])('.yo-rc.json with %s', async (_what, text, message) => {
    const dir = tmp('yorc');
    writeFileSync(join(dir, '.yo-rc.json'), text);
    await refused(dir, ['--runtime', 'python', '--yes', '--skip-install'], message);
  });
});

describe('the environment: which path and why, no stack trace, nothing half-written', () => {
  test('a target that is a file', async () => {
    const dir = tmp('file');
    writeFileSync(join(dir, 'orders-svc'), 'a file\n');
    await refused(dir, ['orders-svc', '--yes', '--skip-install'], /orders-svc is a file, not a folder/);
  });

  test('a name over 255 characters', async () => {
    const dir = tmp('long');
    await refused(dir, ['a'.repeat(300), '--yes', '--skip-install'], /is not a valid npm package name|is 300 characters long/);
  });

  test('a file where a folder is needed: nothing written, and the message names both', async () => {
    const dir = await generateProject(join(tmp('inway'), 'orders-svc'), { runtime: 'python', handlers: 'ingest' });
    rmSync(join(dir, 'events'), { recursive: true });
    writeFileSync(join(dir, 'events'), 'in the way\n');
    await refused(dir, ['handler', 'export_all'], /cannot write events\/export_all\.json: events is a file, where a folder is needed\nNothing was written\./);
  });

  test.runIf(existsSync('/sys/kernel'))('a parent folder this user may not write to', async () => {
    const result = await cli('/sys/kernel', ['orders-svc', '--yes', '--skip-install']);
    expect(result.exitCode, result.all).toBe(1);
    // Root passes the permission check on a read-only file system; the write itself fails, and is undone.
    expect(result.stderr).toMatch(/cannot write .*(this user may not create files in \/sys\/kernel\nNothing was written\.|EPERM.*\nEverything this run had written was removed again)/);
    expect(existsSync('/sys/kernel/orders-svc')).toBe(false);
    expect(result.all).not.toMatch(STACK);
  });

  test('a read-only file the run must change, as a user without root would meet it', async () => {
    const dir = await generateProject(join(tmp('readonly'), 'orders-svc'), { runtime: 'python', handlers: 'ingest' });
    chmodSync(join(dir, 'lambda-image.json'), 0o444);
    const result = await cli(dir, ['handler', 'export_all']);
    // Root writes read-only files all the same; anyone else gets the message.
    if (process.getuid?.() !== 0) expect(result.stderr).toMatch(/cannot write lambda-image\.json: it is read-only for this user/);
    expect(result.all).not.toMatch(STACK);
  });
});

describe('re-runs', () => {
  test('package.json keys the user changed are kept, and reported', async () => {
    const dir = await generateProject(join(tmp('pkg'), 'orders-svc'), { runtime: 'python', handlers: 'ingest' });
    const path = join(dir, 'package.json');
    const pkg = json(path);
    pkg.scripts.test = 'pytest -x --cov';
    pkg.engines.node = '>=24';
    pkg.dependencies = { leftpad: '1.0.0' };
    delete pkg.scripts.invoke;
    writeFileSync(path, JSON.stringify(pkg, null, 2));
    const result = await cli(dir, ['--yes', '--skip-install']);
    expect(result.exitCode, result.all).toBe(0);
    const after = json(path);
    expect(after.scripts.test).toBe('pytest -x --cov');
    expect(after.engines.node).toBe('>=24');
    expect(after.dependencies).toEqual({ leftpad: '1.0.0' });
    // What was missing comes back.
    expect(after.scripts.invoke).toBe('lambda-image invoke');
    expect(result.stdout).toContain('package.json: kept your scripts.test "pytest -x --cov" (the generator\'s is "python3 -m pytest")');
    expect(result.stdout).toContain('package.json: kept your engines.node ">=24" (the generator\'s is ">=22")');
  });

  test('a project that lost files is completed by the next run: every handler, its event, the manifest agree', async () => {
    const dir = await generateProject(join(tmp('complete'), 'orders-svc'), { runtime: 'python', handlers: 'ingest,report_daily' });
    rmSync(join(dir, 'events', 'report_daily.json'));
    rmSync(join(dir, 'lambda_function.py'));
    const result = await cli(dir, ['--yes', '--skip-install']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/create events\/report_daily\.json/);
    expect(result.stdout).toMatch(/create lambda_function\.py/);
    const tests = await execa('python3', ['-m', 'pytest', '-q'], { cwd: dir, reject: false, all: true });
    expect(tests.exitCode, tests.all).toBe(0);
    expect(tests.all).toMatch(/\b7 passed\b/);
  });
});

describe('the handler subgenerator', () => {
  test('finds the project root from any folder below it, and adds the README row', async () => {
    const dir = await generateProject(join(tmp('sub'), 'orders-svc'), { runtime: 'nodejs', handlers: 'ingest' });
    const below = join(dir, 'src');
    mkdirSync(below, { recursive: true });
    const result = await cli(below, ['handler', 'report_daily']);
    expect(result.exitCode, result.all).toBe(0);
    expect(json(join(dir, 'lambda-image.json')).handlers.map((h: { name: string }) => h.name)).toEqual(['ingest', 'report_daily']);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/\| `ingest` \| `lambda_function\.ingest` \|\n\| `report_daily` \| `lambda_function\.reportDaily` \|\n<!-- lambda-image:readme-handlers/);
    expect(existsSync(join(below, 'lambda-image.json'))).toBe(false);
  });

  test('a needle line that appears twice is refused, naming the lines', async () => {
    const dir = await generateProject(join(tmp('twice'), 'orders-svc'), { runtime: 'python', handlers: 'ingest' });
    const entry = join(dir, 'lambda_function.py');
    writeFileSync(entry, `${readFileSync(entry, 'utf8')}\n# lambda-image:routes (a copy)\n`);
    await refused(dir, ['handler', 'export_all'], /lambda_function\.py has the "lambda-image:routes" comment line 2 times \(lines \d+, \d+\)/);
  });

  test('the needle counts only as a whole comment line; the snippet takes the needle\'s indentation', async () => {
    const dir = await generateProject(join(tmp('indent'), 'orders-svc'), { runtime: 'python', handlers: 'ingest' });
    const entry = join(dir, 'lambda_function.py');
    const text = readFileSync(entry, 'utf8')
      .replace('HANDLERS = {', 'NOTE = "see # lambda-image:routes below"\nHANDLERS = {')
      .replace('    # lambda-image:routes', '        # lambda-image:routes');
    writeFileSync(entry, text);
    const result = await cli(dir, ['handler', 'export_all']);
    expect(result.exitCode, result.all).toBe(0);
    const after = readFileSync(entry, 'utf8');
    expect(after).toContain('        "export_all": export_all,\n        # lambda-image:routes');
    expect(after).toContain('NOTE = "see # lambda-image:routes below"\nHANDLERS');
  });

  test('an insertion that would break the file\'s syntax is refused, with the checker\'s message', async () => {
    const dir = await generateProject(join(tmp('syntax'), 'orders-svc'), { runtime: 'python', handlers: 'ingest' });
    const core = join(dir, 'orders_svc', 'core.py');
    // The needle moved into a function's body: a def inserted there, at the needle's depth, ends the body early.
    writeFileSync(core, readFileSync(core, 'utf8').replace('# lambda-image:core', 'def mine():\n    if True:\n        # lambda-image:core\n    return 1'));
    await refused(dir, ['handler', 'export_all'], /would leave core\.py with a syntax error; nothing was written/);
  });
});

test('a tag past its deprecation date is accepted with a warning that names the date and the newest tag', async () => {
  const dir = tmp('deprecated');
  const result = await cli(dir, ['old-svc', '--runtime', 'python', '--runtime-version', '3.10', '--yes', '--skip-install']);
  expect(result.exitCode, result.all).toBe(0);
  expect(result.stdout).toMatch(/warning: Python 3\.10 \(public\.ecr\.aws\/lambda\/python:3\.10\) has been deprecated by AWS since 2026-10-31; AWS blocks creating new functions on it since 2026-11-30: use 3\.14, the newest/);
  expect(json(join(dir, 'old-svc', 'lambda-image.json')).runtimeVersion).toBe('3.10');
});
