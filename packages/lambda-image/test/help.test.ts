// Every command's --help describes every option its parser accepts. The options are taken
// from the parser itself: parseCommandArgs is wrapped to record the spec each command hands
// it, so an option added to a parser and not to its help fails here. And, through the built
// bin, a mistyped command or option is refused with the closest one suggested.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { ParseArgsConfig } from 'node:util';
import { COMMANDS, main } from '../src/commands.ts';
import { DEPLOY_ENGINES, type DeployEngine } from '../src/shared/manifest.ts';
import { manifestFor } from './local-fixtures.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
const specs: Array<{ command: string; options: Options }> = [];

vi.mock('../src/shared/args.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/shared/args.ts')>();
  return {
    ...actual,
    parseCommandArgs: ((argv: string[], options: Options, command: string, allowPositionals?: boolean) => {
      specs.push({ command, options });
      return actual.parseCommandArgs(argv, options, command, allowPositionals);
    }) as typeof actual.parseCommandArgs,
  };
});

const BIN = fileURLToPath(new URL('../bin/lambda-image.js', import.meta.url));
const bin = (args: string[], cwd = tmpdir()) => execa(process.execPath, [BIN, ...args], { cwd, reject: false, env: { NO_COLOR: '1' } });

/** A project whose manifest names this deploy engine (deploy and destroy differ per engine). */
function projectWith(engine: DeployEngine): string {
  const dir = mkdtempSync(join(tmpdir(), `help-${engine}-`));
  const manifest = manifestFor('python', 'lambda_function.lambda_handler', ['ingest'], (h) => `lambda_function.${h}`);
  writeFileSync(join(dir, 'lambda-image.json'), JSON.stringify({ ...manifest, deploy: { ...manifest.deploy, engine } }));
  return dir;
}

let printed: string;
beforeEach(() => {
  printed = '';
  specs.length = 0;
  const capture = (chunk: unknown) => {
    printed += `${String(chunk)}\n`;
    return true;
  };
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
});
afterEach(() => vi.restoreAllMocks());

/** The spellings a user can type for each option of a spec: --dry-run, -h… */
const spellings = (options: Options) =>
  Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);

const cases = Object.keys(COMMANDS).flatMap((command) =>
  command === 'deploy' || command === 'destroy'
    ? DEPLOY_ENGINES.map((engine) => ({ command, engine }))
    : [{ command, engine: 'sdk' as DeployEngine }],
);

describe('each command’s --help names every option of its parser', () => {
  test.each(cases)('$command (engine $engine)', async ({ command, engine }) => {
    expect(await main([command, '--help'], projectWith(engine))).toBe(0);
    expect(specs.map((s) => s.command)).toEqual([command]);
    const options = spellings(specs[0]!.options);
    expect(options).toContain('--help');
    for (const option of options) {
      // As a word of its own: "--dry-run" must not pass because "--dry-run-x" is printed.
      expect(printed, `${command} --help does not mention ${option}`).toMatch(new RegExp(`(^|[\\s,\\[])${option}(?![\\w-])`, 'm'));
    }
  });

  test('`lambda-image help <command>` prints the same as `<command> --help`', async () => {
    const dir = projectWith('sdk');
    await main(['eject', '--help'], dir);
    const direct = printed;
    printed = '';
    await main(['help', 'eject'], dir);
    expect(printed).toBe(direct);
  });

  test('lambda-image --help names every command, help, --help and --version', async () => {
    expect(await main(['--help'])).toBe(0);
    for (const command of [...Object.keys(COMMANDS), 'help']) expect(printed).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(printed).toContain('-h, --help');
    expect(printed).toContain('-v, --version');
  });
});

describe('mistakes, through the built bin: a suggestion, the way to the help, exit 2', () => {
  test.each([
    [['lcoal'], 'error: unknown command "lcoal" (did you mean local?)\nRun `lambda-image --help` for the commands.'],
    [['ejcet'], 'error: unknown command "ejcet" (did you mean eject?)'],
    [['help', 'destory'], 'error: unknown command "destory" (did you mean destroy?)'],
    [['local', '--nativ'], "error: Unknown option '--nativ' (did you mean --native?)\nRun `lambda-image local --help` for the options."],
    [['local', '--no-biuld'], "error: Unknown option '--no-biuld' (did you mean --no-build?)"],
    [['deploy', '--dryrun'], "error: Unknown option '--dryrun' (did you mean --dry-run?)\nRun `lambda-image deploy --help` for the options."],
    [['invoke', 'ingest', '--evnt', '{}'], "error: Unknown option '--evnt' (did you mean --event?)\nRun `lambda-image invoke --help` for the options."],
    [['destroy', '--yse'], "error: Unknown option '--yse' (did you mean --yes?)"],
    [['eject', '--dry'], "error: Unknown option '--dry' (did you mean --dry-run?)\nRun `lambda-image eject --help` for the options."],
  ])('lambda-image %j', async (args, message) => {
    const result = await bin(args, projectWith('sdk'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('an option of another engine is refused by this one', async () => {
    const result = await bin(['deploy', '--prune'], projectWith('sam'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("error: Unknown option '--prune'");
    expect(result.stderr).toContain('(deploy engine: sam)');
  });

  test('no command: the help on stdout, exit 2', async () => {
    const result = await bin([]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/^Usage: lambda-image <command>/);
  });
});
