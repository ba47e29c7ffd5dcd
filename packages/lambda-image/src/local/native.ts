// `npm run local -- --native`: the dispatcher runs in this machine's own runtime, no
// Docker, one process for all the handlers, so that a run takes a fraction of a
// second. The programs in runners/ (real .py, .mjs and .rb files) resolve the handler
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

/** The environment Lambda gives a function, as far as it matters to handlers. */
export function lambdaEnvironment(manifest: Manifest, taskRoot: string): Record<string, string> {
  return {
    ...manifest.deploy.environment,
    AWS_LAMBDA_FUNCTION_NAME: manifest.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(manifest.memory),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(manifest.timeout),
    AWS_REGION: manifest.region,
    AWS_DEFAULT_REGION: manifest.region,
    LAMBDA_TASK_ROOT: taskRoot,
  };
}

export interface NativeInvocation {
  name: string;
  payload: unknown;
}

export interface NativeResult {
  name: string;
  outcome: Outcome;
  seconds: number;
}

export interface NativeRunOptions {
  manifest: Manifest;
  projectDir: string;
  invocations: NativeInvocation[];
  /** Per invocation; the runtime process is killed when one takes longer. */
  timeoutMs: number;
  /** Once the runtime has started: its version. */
  onStart?: (version: string) => void;
  onResult?: (result: NativeResult) => void;
  /** The runtimes to choose from (tests point one at a missing program). */
  runtimes?: readonly NativeRuntime[];
}

export interface NativeRun {
  version: string;
  results: NativeResult[];
  /** Set when an invocation timed out or the runtime died: the invocations after it did not run. */
  stoppedBy?: string;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

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

/** Runs the invocations in order in one host process; each result is reported as it arrives. */
export async function runNative(options: NativeRunOptions): Promise<NativeRun> {
  const native = nativeRuntimeFor(options.manifest, options.runtimes);
  const child = spawn(native.command, [...native.args, options.manifest.dispatcher, options.projectDir], {
    cwd: options.projectDir,
    // No __pycache__ in the project: it would change the image's build context.
    env: { ...process.env, ...lambdaEnvironment(options.manifest, options.projectDir), PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
  });
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
  try {
    await once(child, 'spawn');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw notAvailable(native, options.manifest, code === 'ENOENT' ? 'not installed (not on PATH)' : `not runnable (${(error as Error).message})`);
  }
  child.stdin!.on('error', () => {}); // a runtime that dies early closes its stdin: reported below
  child.stdin!.end(JSON.stringify({ timeoutMs: options.manifest.timeout * 1000, invocations: options.invocations }));

  let version: string | undefined;
  const results: NativeResult[] = [];
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
  };
  arm();
  try {
    for await (const line of createInterface({ input: child.stdio[3] as Readable, crlfDelay: Infinity })) {
      const record = JSON.parse(line) as { version?: string; ok: boolean; body: string; ms: number };
      if (record.version !== undefined && version === undefined) {
        version = record.version;
        options.onStart?.(version);
        continue;
      }
      const result = { name: options.invocations[results.length]?.name ?? '?', outcome: outcomeOf(record), seconds: record.ms / 1000 };
      results.push(result);
      options.onResult?.(result);
      if (results.length < options.invocations.length) arm();
      else clearTimeout(timer);
    }
  } finally {
    clearTimeout(timer);
  }
  const [exitCode, signal] = await closed;
  if (version === undefined) throw notAvailable(native, options.manifest, `not working (it exited with ${signal ?? `status ${exitCode}`} before running anything)`);

  let stoppedBy: string | undefined;
  if (results.length < options.invocations.length) {
    const name = options.invocations[results.length]?.name ?? '?';
    const outcome: Outcome = timedOut
      ? {
          ok: false,
          errorType: 'Sandbox.Timedout',
          errorMessage: `invocation timed out: no answer within ${seconds(options.timeoutMs)} (the function's timeout is ${options.manifest.timeout} s)`,
          stackTrace: [],
        }
      : { ok: false, errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${signal ? `signal ${signal}` : `exit status ${exitCode}`}`, stackTrace: [] };
    const result: NativeResult = { name, outcome, seconds: timedOut ? options.timeoutMs / 1000 : 0 };
    results.push(result);
    options.onResult?.(result);
    if (results.length < options.invocations.length) {
      stoppedBy = timedOut ? `${name} timed out` : `the ${native.label} process exited during ${name}`;
    }
  }
  return { version, results, stoppedBy };
}
