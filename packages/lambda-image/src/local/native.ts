// `npm run local -- --native`: the dispatcher runs in this machine's own runtime, no
// Docker, one process for all the handlers of a run (local.ts starts a run per group of
// handlers with settings of their own), so that a run takes a fraction of a second. The programs in runners/ (real .py, .mjs and .rb files) resolve the handler
// string, build the context and shape errors the way the Lambda runtimes do, so the
// output reads the same as with Docker. node:child_process rather than execa here: this path must
// start fast, and it needs nothing execa adds.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '../shared/manifest.ts';
import type { Outcome } from '../shared/outcome.ts';
import { classifyResponse } from '../shared/outcome.ts';

// Shipped beside this module (the build copies runners/ next to the compiled file).
const runner = (file: string): string => fileURLToPath(new URL(`./runners/${file}`, import.meta.url));

export class NativeError extends Error {
  override name = 'NativeError';
}

export interface NativeRuntime {
  /** The manifest's runtime id. */
  runtime: string;
  /** The program run. */
  command: string;
  label: string;
  /** Arguments that run the runner program, which takes the dispatcher and the project root next. */
  args: string[];
}

export const NATIVE_RUNTIMES: readonly NativeRuntime[] = [
  // -u: handler output must reach the terminal before the result line that follows it.
  { runtime: 'python', command: 'python3', label: 'Python 3', args: ['-u', runner('runner.py')] },
  // The Node.js running this tool: always there.
  { runtime: 'nodejs', command: process.execPath, label: 'Node.js', args: [runner('runner.mjs')] },
  { runtime: 'ruby', command: 'ruby', label: 'Ruby', args: [runner('runner.rb')] },
];

export function nativeRuntimeFor(manifest: Pick<Manifest, 'runtime'>, runtimes: readonly NativeRuntime[] = NATIVE_RUNTIMES): NativeRuntime {
  const native = runtimes.find((r) => r.runtime === manifest.runtime);
  if (!native) {
    const supported = runtimes.map((r) => r.runtime).join(', ');
    throw new NativeError(
      `--native supports the ${supported} runtimes; this project's runtime is ${manifest.runtime}: run \`npm run local\` without --native (it uses Docker)`,
    );
  }
  return native;
}

export interface NativeInvocation {
  name: string;
  payload: unknown;
  /** This handler's own timeout (lambda-image.json: the handler's "timeout", else the project's). */
  timeoutMs?: number;
}

export interface NativeResult {
  name: string;
  outcome: Outcome;
  seconds: number;
  /** Set when the runtime was started again after this invocation (it timed out or the process died). */
  note?: string;
  /** What the handler printed (stdout and stderr). */
  logs?: string[];
}

export interface NativeRunOptions {
  manifest: Manifest;
  projectDir: string;
  invocations: NativeInvocation[];
  /** The process environment's additions: what Lambda sets, the manifest's and the handlers' own, --env-file's... */
  environment: Record<string, string>;
  /** Loading the code may take this long (Lambda's init phase: 10 s). */
  initTimeoutMs?: number;
  /** Once the runtime has started: its version. */
  onStart?: (version: string) => void;
  onResult?: (result: NativeResult) => void;
  /** The runtimes to choose from (tests point one at a missing program). */
  runtimes?: readonly NativeRuntime[];
}

export interface NativeRun {
  version: string;
  results: NativeResult[];
  /** Set when the runtime could not be started again: the invocations after it did not run. */
  stoppedBy?: string;
}

const INIT_TIMEOUT_MS = 10_000;

function notAvailable(native: NativeRuntime, manifest: Manifest, why: string): NativeError {
  const name = native.command.split('/').pop();
  return new NativeError(
    `--native runs the handlers with this machine's ${native.label} (\`${name}\`), which is ${why}.\nInstall ${native.label} (the image uses ${manifest.runtime} ${manifest.runtimeVersion}), or run \`npm run local\` without --native (it uses Docker).`,
  );
}

/** The runner's result line for one invocation, as an Outcome. */
export function outcomeOf(record: { ok: boolean; body: string }): Outcome {
  const classified = classifyResponse(200, record.body);
  // The runner knows whether the handler raised; the body only says how.
  if (record.ok) return { ok: true, value: classified.ok ? classified.value : JSON.parse(record.body) };
  return classified.ok ? { ok: false, errorType: 'Error', errorMessage: record.body, stackTrace: [] } : classified;
}

/**
 * Runs the invocations in order in one host process; each result is reported as it arrives.
 * An invocation past the function's timeout kills the process, as Lambda does, and so does
 * nothing for a process that dies: either way the rest run in a new process (a cold start).
 */
export async function runNative(options: NativeRunOptions): Promise<NativeRun> {
  const native = nativeRuntimeFor(options.manifest, options.runtimes);
  const results: NativeResult[] = [];
  let version: string | undefined;
  while (results.length < options.invocations.length) {
    const session = await runSession(native, options, options.invocations.slice(results.length), version === undefined);
    version ??= session.version;
    results.push(...session.results);
    if (session.results.length === 0) {
      return { version, results, stoppedBy: `the ${native.label} process exited before running ${options.invocations[results.length]?.name}` };
    }
  }
  return { version: version!, results };
}

/** Lambda's words for a timeout, and where the timeout that applied is set. */
function timedOutOutcome(handlerMs: number | undefined, projectSeconds: number): Outcome {
  const seconds = handlerMs === undefined ? projectSeconds : handlerMs / 1000;
  const where = handlerMs === undefined || seconds === projectSeconds ? `"timeout": ${projectSeconds} in lambda-image.json` : `the handler's "timeout": ${seconds} in lambda-image.json`;
  return { ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds}.00 seconds (the function's timeout: ${where})`, stackTrace: [] };
}

interface Session {
  version: string;
  results: NativeResult[];
}

async function runSession(native: NativeRuntime, options: NativeRunOptions, invocations: NativeInvocation[], first: boolean): Promise<Session> {
  const child = spawn(native.command, [...native.args, options.manifest.dispatcher, options.projectDir], {
    cwd: options.projectDir,
    // No __pycache__ in the project: it would change the image's build context.
    env: { ...process.env, ...options.environment, PYTHONDONTWRITEBYTECODE: '1' },
    // Output is collected per invocation, to be shown under its result as in Docker mode.
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const output: string[][] = invocations.map(() => []);
  let current = 0;
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => output[Math.min(current, invocations.length - 1)]?.push(line));
  }
  // The runner flushes the handler's output before its result line, but the pipes are read
  // independently: a moment lets the output that was written first arrive first.
  const settle = () => new Promise((r) => setTimeout(r, 15));
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
  try {
    await once(child, 'spawn');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw notAvailable(native, options.manifest, code === 'ENOENT' ? 'not installed (not on PATH)' : `not runnable (${(error as Error).message})`);
  }
  const timeoutMs = options.manifest.timeout * 1000;
  child.stdin!.on('error', () => {}); // a runtime that dies early closes its stdin: reported below
  child.stdin!.end(JSON.stringify({ timeoutMs, invocations }));

  let version: string | undefined;
  const results: NativeResult[] = [];
  let timedOut: 'init' | 'invoke' | undefined;
  let timer: NodeJS.Timeout | undefined;
  let startedAt = 0;
  const arm = (phase: 'init' | 'invoke', ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = phase;
      child.kill('SIGKILL');
    }, ms);
  };
  arm('init', options.initTimeoutMs ?? INIT_TIMEOUT_MS);
  try {
    for await (const line of createInterface({ input: child.stdio[3] as Readable, crlfDelay: Infinity })) {
      const record = JSON.parse(line) as { version?: string; start?: boolean; ok: boolean; body: string; ms: number };
      if (record.version !== undefined && version === undefined) {
        version = record.version;
        if (first) options.onStart?.(version);
        continue;
      }
      if (record.start) {
        startedAt = performance.now();
        arm('invoke', invocations[results.length]?.timeoutMs ?? timeoutMs);
        continue;
      }
      await settle();
      const index = results.length;
      const result: NativeResult = { name: invocations[index]?.name ?? '?', outcome: outcomeOf(record), seconds: record.ms / 1000, logs: output[index] };
      current = index + 1;
      results.push(result);
      options.onResult?.(result);
      // The next invocation's code is loaded already: only a hang before its start record is caught here.
      if (results.length < invocations.length) arm('init', options.initTimeoutMs ?? INIT_TIMEOUT_MS);
      else clearTimeout(timer);
    }
  } finally {
    clearTimeout(timer);
  }
  const [exitCode, signal] = await closed;
  if (version === undefined) {
    if (first) throw notAvailable(native, options.manifest, `not working (it exited with ${signal ?? `status ${exitCode}`} before running anything)`);
    return { version: '?', results };
  }
  if (results.length < invocations.length) {
    const name = invocations[results.length]?.name ?? '?';
    const outcome: Outcome =
      timedOut === 'invoke'
        ? timedOutOutcome(invocations[results.length]?.timeoutMs, options.manifest.timeout)
        : timedOut === 'init'
          ? { ok: false, errorType: 'Runtime.InitTimeout', errorMessage: `loading the handler took longer than ${(options.initTimeoutMs ?? INIT_TIMEOUT_MS) / 1000} s (Lambda's init phase limit)`, stackTrace: [] }
          : { ok: false, errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${signal ? `signal ${signal}` : `exit status ${exitCode}`}`, stackTrace: [] };
    const more = results.length + 1 < invocations.length;
    const result: NativeResult = {
      name,
      outcome,
      logs: output[results.length],
      seconds: startedAt ? (performance.now() - startedAt) / 1000 : 0,
      note: more ? `the ${native.label} process ${timedOut ? 'was stopped' : 'ended'}; a new one starts (a cold start) for the next invocation` : undefined,
    };
    results.push(result);
    options.onResult?.(result);
  }
  return { version, results };
}
