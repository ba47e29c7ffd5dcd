// `npm run invoke -- <handler> [--event <file or JSON>]`: runs the deployed function once
// (RequestResponse) and prints its response and the tail of its log.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseCommandArgs } from '../shared/args.ts';
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { DeployError, createClients, explainAwsError, resolveRegion } from '../shared/aws.ts';
import { ManifestError, findHandler, loadManifest } from '../shared/manifest.ts';
import { functionName } from '../shared/names.ts';

export const INVOKE_USAGE = `Usage: npm run invoke -- <handler> [--event <file or JSON>]

Invokes the deployed function of <handler> and prints its response and log tail.
Without --event, the handler's sample event from lambda-image.json is sent.

Options:
  -e, --event <file or JSON>  the event: a path to a JSON file, or JSON text
  -h, --help                  show this help`;

export interface InvokeArgs {
  handler?: string;
  event?: string;
  help: boolean;
}

export function parseInvokeArgs(argv: string[]): InvokeArgs {
  let parsed;
  try {
    parsed = parseCommandArgs(argv, {
        event: { type: 'string', short: 'e' },
        help: { type: 'boolean', short: 'h', default: false },
      }, 'invoke', true);
  } catch (error) {
    throw new DeployError(`${(error as Error).message}\n\n${INVOKE_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new DeployError(`one handler at a time, got ${positionals.join(', ')}\n\n${INVOKE_USAGE}`);
  if (!values.help && positionals.length === 0) throw new DeployError(`which handler? Name one.\n\n${INVOKE_USAGE}`);
  return { handler: positionals[0], event: values.event, help: values.help };
}

/** The event to send: `value` as JSON text when it parses, else as a file (relative to `dir`); the default file otherwise. */
export function readEvent(value: string | undefined, defaultFile: string, dir: string): { payload: string; source: string } {
  const fromFile = (file: string, what: string) => {
    const path = isAbsolute(file) ? file : join(dir, file);
    if (!existsSync(path)) throw new DeployError(`${what} ${file} does not exist: give a JSON file or JSON text with --event`);
    const text = readFileSync(path, 'utf8');
    try {
      JSON.parse(text);
    } catch (error) {
      throw new DeployError(`${what} ${file} is not valid JSON (${(error as Error).message}): fix it and run again`);
    }
    return { payload: text, source: file };
  };
  if (value === undefined) return fromFile(defaultFile, 'the sample event');
  try {
    JSON.parse(value);
    return { payload: value, source: '--event' };
  } catch {
    if (/^\s*[[{"]/.test(value)) {
      throw new DeployError(`--event is neither valid JSON nor a file: ${value.slice(0, 80)}`);
    }
    return fromFile(value, 'the event file');
  }
}

const pretty = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

/** The response and log tail as lines; `failed` when the function reported an error. */
export interface InvokeResult {
  StatusCode?: number;
  FunctionError?: string;
  Payload?: Uint8Array;
  /** Base64: the last 4 KB of the invocation's log. */
  LogResult?: string;
}

export function formatInvokeResult(name: string, result: InvokeResult): {
  lines: string[];
  failed: boolean;
} {
  const payload = result.Payload ? Buffer.from(result.Payload).toString('utf8') : '';
  const failed = result.FunctionError !== undefined;
  const lines = [
    failed
      ? `${name} returned an error (${result.FunctionError}), status ${result.StatusCode ?? '?'}:`
      : `${name} responded, status ${result.StatusCode ?? '?'}:`,
    pretty(payload),
    '',
  ];
  if (result.LogResult) {
    lines.push('Log tail (last 4 KB):', Buffer.from(result.LogResult, 'base64').toString('utf8').trimEnd());
  } else {
    lines.push('Log tail: none returned');
  }
  return { lines, failed };
}

export interface InvokeOptions {
  dir: string;
  handler: string;
  event?: string;
  out?: (line: string) => void;
}

export async function invoke(options: InvokeOptions): Promise<{ failed: boolean; payload: string }> {
  const out = options.out ?? ((line: string) => console.log(line));
  const manifest = loadManifest(options.dir);
  const entry = findHandler(manifest, options.handler);
  const { payload, source } = readEvent(options.event, entry.event, options.dir);
  const { region, source: regionSource } = await resolveRegion(manifest);
  const clients = createClients(region);
  const name = functionName(manifest.name, entry.name);
  out(`Invoking ${name} (${region}, from ${regionSource}) with ${source}`);
  let result: InvokeCommandOutput;
  try {
    result = await clients.lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: 'RequestResponse', LogType: 'Tail', Payload: Buffer.from(payload) }),
    );
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new DeployError(`the function ${name} is not deployed in ${region}: run \`npm run deploy\` first`);
    }
    throw error;
  }
  const formatted = formatInvokeResult(name, result);
  for (const line of formatted.lines) out(line);
  return { failed: formatted.failed, payload: result.Payload ? Buffer.from(result.Payload).toString('utf8') : '' };
}

export async function main(argv: string[], dir: string = process.cwd()): Promise<number> {
  let args: InvokeArgs;
  try {
    args = parseInvokeArgs(argv);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (args.help || !args.handler) {
    console.log(INVOKE_USAGE);
    return 0;
  }
  try {
    const { failed } = await invoke({ dir, handler: args.handler, event: args.event });
    return failed ? 1 : 0;
  } catch (error) {
    console.error(`error: ${error instanceof ManifestError ? error.message : explainAwsError(error)}`);
    return 1;
  }
}
