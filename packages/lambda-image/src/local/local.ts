// `npm run local`: build the image once, start ONE container (one per group of handlers
// with settings of their own), invoke every handler through the dispatcher one at a time
// (the emulator does not take concurrent requests), report, and remove the containers
// whatever happens. With --native, the same invocations run in the host's own runtime
// instead, one process per such group.
import { findHandler, loadManifest, ManifestError } from '../shared/manifest.ts';
import type { HandlerEntry, Manifest } from '../shared/manifest.ts';
import { LOCAL_USAGE, parseLocalArgs, UsageError } from './local-args.ts';
import type { LocalOptions } from './local-args.ts';
import { EventError, eventsFor } from './events.ts';
import { dispatcherPayload } from './emulator.ts';
import { EXIT, painterFor, Reporter } from '../shared/output.ts';
import { NativeError, runNative } from './native.ts';
import { headline, type Invocation, type LocalContext, type ModeInput } from './mode.ts';
import { checkEventSize, EventTooLarge } from './limits.ts';
import { HandlerEnvError, handlerEnvironment } from './handler-env.ts';
import { containerGroups } from './container-groups.ts';

export type { LocalContext } from './mode.ts';

/** Runs `npm run local` with these arguments; resolves to the exit code. */
export async function runLocal(argv: string[], context: LocalContext): Promise<number> {
  const { stdout, stderr } = context;
  const paint = painterFor(stderr, context.color);
  const fail = (message: string, code: number = EXIT.failed) => {
    stderr.write(`${paint('red', 'error:')} ${message}\n`);
    return code;
  };

  let options: LocalOptions;
  try {
    options = parseLocalArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, EXIT.usage);
    throw error;
  }
  if (options.help) {
    stdout.write(`${LOCAL_USAGE}\n`);
    return EXIT.ok;
  }

  let manifest: Manifest;
  let entries: HandlerEntry[];
  let invocations: Invocation[] = [];
  try {
    manifest = loadManifest(context.projectDir);
    entries = options.handler ? [findHandler(manifest, options.handler)] : manifest.handlers;
    // Served requests bring their own events: the sample events are not read.
    if (!options.serve) invocations = eventsFor(context.projectDir, entries, options.event, context.userDir ?? context.projectDir);
    for (const { entry, event } of invocations) checkEventSize(entry.name, event);
  } catch (error) {
    if (error instanceof ManifestError || error instanceof EventError || error instanceof EventTooLarge) return fail(error.message, EXIT.usage);
    throw error;
  }
  let environment: Record<string, string>;
  try {
    environment = await handlerEnvironment(options, context.userDir ?? context.projectDir);
  } catch (error) {
    if (error instanceof HandlerEnvError) return fail(error.message, EXIT.usage);
    throw error;
  }
  if (options.serve) {
    const { runServeMode } = await import('./serve-mode.ts');
    return runServeMode({ manifest, entries, options, context, paint, fail, environment, stdoutPaint: painterFor(stdout, context.color) });
  }
  const reporter = new Reporter(stdout, painterFor(stdout, context.color), invocations.map((i) => i.entry.name), options.quiet);
  const input: ModeInput = { manifest, invocations, options, context, reporter, paint, fail, environment };
  if (options.native) return runNativeMode(input);
  // Loaded only when needed: --native must start fast, and Docker mode pulls in execa.
  const { runDockerMode } = await import('./local-docker.ts');
  return runDockerMode(input);
}

async function runNativeMode({ manifest, invocations, context, reporter, paint, fail, environment }: ModeInput): Promise<number> {
  const started = performance.now();
  // One process per group of handlers with equal settings, the groups Docker mode gives a
  // container each, rather than setting each invocation's variables in one shared process:
  // code reads the environment when it is imported (a client made from TABLE_NAME at module
  // level), so only a process started with the handler's own environment runs it as its
  // deployed function does. The groups run one after the other, each warm for its handlers.
  const groups = containerGroups(
    manifest,
    invocations.map((i) => i.entry),
    context.projectDir,
    // What the base image sets; the runners read it as the runtime clients do (Node.js 24 refuses callbacks).
    { AWS_EXECUTION_ENV: `AWS_Lambda_${manifest.runtime}${manifest.runtimeVersion}${manifest.runtime === 'nodejs' ? '.x' : ''}`, ...environment },
  );
  let headed = false;
  try {
    for (const group of groups) {
      const mine = invocations.filter((i) => group.handlers.includes(i.entry.name));
      const run = await runNative({
        manifest,
        projectDir: context.projectDir,
        invocations: mine.map(({ entry, event }) => ({ name: entry.name, payload: dispatcherPayload(entry.name, event), timeoutMs: group.timeout * 1000 })),
        environment: group.environment,
        runtimes: context.nativeRuntimes,
        onStart: (version) => {
          if (headed) return;
          headed = true;
          const differs = version.startsWith(`${manifest.runtimeVersion}.`) || version === manifest.runtimeVersion ? '' : paint('yellow', ` (the image has ${manifest.runtimeVersion})`);
          context.stderr.write(headline(manifest, invocations.length, `native ${manifest.runtime} ${version}${differs}, no Docker`, paint));
        },
        onResult: (result) => reporter.handler(result),
      });
      if (run.stoppedBy) reporter.skip(mine.slice(run.results.length).map((i) => i.entry.name), `(${run.stoppedBy})`);
    }
  } catch (error) {
    if (error instanceof NativeError) return fail(error.message, EXIT.failed);
    throw error;
  }
  return reporter.summary([['total', (performance.now() - started) / 1000]]);
}
