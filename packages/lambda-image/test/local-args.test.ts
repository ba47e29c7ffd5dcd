import { describe, expect, it } from 'vitest';
import { LOCAL_USAGE, parseLocalArgs, UsageError } from '../src/local/local-args.ts';

describe('parseLocalArgs', () => {
  it('defaults to every handler, built, in Docker', () => {
    expect(parseLocalArgs([])).toEqual({
      handler: undefined,
      event: undefined,
      keep: false,
      build: true,
      native: false,
      port: 0,
      serve: false,
      concurrency: 1,
      verbose: false,
      quiet: false,
      envFile: undefined,
      awsCredentials: false,
      help: false,
      watch: false,
    });
  });

  it('reads --watch with a handler; refuses it with --native or --keep, saying why', () => {
    expect(parseLocalArgs(['--watch', 'ingest'])).toMatchObject({ watch: true, handler: 'ingest' });
    expect(() => parseLocalArgs(['--watch', '--keep'])).toThrow(/--watch keeps its own container up and removes it on Ctrl-C, so --keep cannot apply: drop it or drop --watch/);
    expect(() => parseLocalArgs(['--watch', '--native', '--keep'])).toThrow(UsageError);
    expect(() => parseLocalArgs(['--wacth'])).toThrow(/--watch/);
    expect(LOCAL_USAGE).toMatch(/--watch +after the first run, stay up/);
  });

  it('--serve: port 3000 unless given, 0 for any free one, --concurrency from 1', () => {
    expect(parseLocalArgs(['--serve'])).toMatchObject({ serve: true, port: 3000, concurrency: 1 });
    expect(parseLocalArgs(['--serve', '--port', '0', '--concurrency', '2', 'ingest'])).toMatchObject({ serve: true, port: 0, concurrency: 2, handler: 'ingest' });
    expect(() => parseLocalArgs(['--port', '0'])).toThrow('--port must be a port number from 1 to 65535, got "0"');
    expect(() => parseLocalArgs(['--concurrency', '2'])).toThrow('--concurrency applies to --serve only');
    expect(() => parseLocalArgs(['--serve', '--concurrency', '0'])).toThrow('--concurrency must be a whole number from 1 to 32');
    expect(() => parseLocalArgs(['--serve', '--event', '{}', '--keep'])).toThrow('so --event and --keep cannot apply: drop them or drop --serve');
    expect(() => parseLocalArgs(['--serve', '--native'])).toThrow(UsageError);
    expect(parseLocalArgs(['--serve', '--watch', '--port', '0'])).toMatchObject({ serve: true, watch: true, port: 0 });
    expect(LOCAL_USAGE).toContain('npm run local -- --serve --watch');
  });

  it('reads --quiet, --env-file and --aws-credentials; credentials stay off unless asked for', () => {
    expect(parseLocalArgs(['--quiet', '--env-file', '.env', '--aws-credentials'])).toMatchObject({ quiet: true, envFile: '.env', awsCredentials: true });
    expect(parseLocalArgs([]).awsCredentials).toBe(false);
    expect(LOCAL_USAGE).toMatch(/--aws-credentials[\s\S]*OFF by default/);
    expect(() => parseLocalArgs(['--env-file', ''])).toThrow(UsageError);
  });

  it('reads a handler name and every option', () => {
    const options = parseLocalArgs(['ingest', '--event', '{"id":1}', '--keep', '--no-build', '--port', '9001', '--verbose']);
    expect(options).toMatchObject({ handler: 'ingest', event: '{"id":1}', keep: true, build: false, port: 9001, verbose: true });
    expect(parseLocalArgs(['--native', 'report_daily'])).toMatchObject({ native: true, handler: 'report_daily' });
    expect(parseLocalArgs(['-h']).help).toBe(true);
    expect(parseLocalArgs(['--event=events/x.json']).event).toBe('events/x.json');
  });

  it.each([
    [['--kep'], /Unknown option '--kep'[\s\S]*--help/],
    [['a', 'b'], /at most one handler name, got 2: a b/],
    [['--port', 'x'], /--port must be a port number from 1 to 65535, got "x"/],
    [['--port', '70000'], /--port must be a port number/],
    [['--event'], /--event/],
    [['--event', ' '], /--event needs a file path or inline JSON/],
    [['--native', '--keep'], /--native runs without Docker, so --keep cannot apply/],
    [['--native', '--no-build', '--port', '1'], /--no-build and --port cannot apply: drop them/],
  ])('refuses %j with a message naming the problem', (argv, message) => {
    expect(() => parseLocalArgs(argv)).toThrow(UsageError);
    expect(() => parseLocalArgs(argv)).toThrow(message);
  });

  it('documents every option in the help', () => {
    for (const option of ['--event', '--keep', '--no-build', '--native', '--port', '--verbose', '--help']) {
      expect(LOCAL_USAGE).toContain(option);
    }
  });
});
