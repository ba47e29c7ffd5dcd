// Command line of `lambda-image local` (`npm run local` in a project).
import { parseCommandArgs, UsageError } from '../shared/args.ts';

export interface LocalOptions {
  /** Invoke only this handler (by its manifest name). */
  handler?: string;
  /** Event for the invoked handler(s): a file path or inline JSON. */
  event?: string;
  keep: boolean;
  build: boolean;
  native: boolean;
  /** Fixed host port for the container (0: Docker picks a free one); with --serve, the server's port. */
  port: number;
  /** Serve the handlers over HTTP until Ctrl-C instead of invoking each once. */
  serve: boolean;
  /** With --serve: containers per group of handlers at most. */
  concurrency: number;
  verbose: boolean;
  /** No output lines under passing handlers. */
  quiet: boolean;
  /** A dotenv file whose variables reach the handlers. */
  envFile?: string;
  /** Pass the host's AWS credentials (the SDK's default chain) to the handlers. */
  awsCredentials: boolean;
  help: boolean;
  /** The Runtime Interface Emulator to mount, for a project on another base image than AWS's. */
  rie?: string;
  /** Stay up after the first run and run again on every change of the project's files. */
  watch: boolean;
}

export { UsageError };

/** --serve's port when --port is not given (that of `sam local start-api`). */
export const DEFAULT_SERVE_PORT = 3000;
const MAX_CONCURRENCY = 32;

export const LOCAL_USAGE = `Usage: npm run local -- [handler] [options]

Builds the image, starts ONE container (the base image's Runtime Interface Emulator)
and invokes every handler through the dispatcher, one at a time, with its sample
event (events/<handler>.json). Exits 0 only when every handler succeeded. A handler
with its own timeout, memory or environment in lambda-image.json runs in a container
of its own, under exactly those values.

Arguments:
  handler              invoke only this handler (a name from lambda-image.json);
                       with --serve, serve only this handler

Options:
  --event <file|json>  use this event instead of events/<handler>.json:
                       a file path, or inline JSON such as '{"id": 1}'
  --keep               leave the container running afterwards and print how to
                       call it (curl) and how to remove it
  --no-build           use the image from the last build as it is
  --native             no Docker: run the dispatcher in this machine's own runtime
                       (python3, node or ruby) with a Lambda-like context; the
                       sub-second inner loop
  --port <n>           publish the emulator on this host port (default: any free one;
                       with several containers, the first one's); with --serve, the
                       server's port (default 3000; 0: any free one, printed)
  --serve              keep the containers up and serve the handlers over HTTP on
                       127.0.0.1 until Ctrl-C: POST /<handler> with the event as the
                       body; Lambda's Invoke API (POST /2015-03-31/functions/<name>/
                       invocations) for an AWS SDK client with endpoint
                       http://127.0.0.1:<port>; a handler with a url trigger also
                       gets its function URL under /<handler>/ (any method, the
                       request as a payload 2.0 event). Requests wait in a queue:
                       one emulator never runs two invocations at once
  --concurrency <n>    with --serve: up to n containers per group of handlers
                       (default 1); the first starts upfront, the others when
                       every one is busy and a request waits
  --rie <path>         the Runtime Interface Emulator (aws-lambda-rie) to run in front of
                       the image's runtime client, for a project on another base image
                       than AWS's (default: $LAMBDA_IMAGE_RIE, else the release, downloaded
                       once into ~/.cache/lambda-image with its SHA-256 checked)
  --env-file <file>    variables for the handlers, in dotenv format (NAME=value
                       lines); over the manifest's deploy.environment
  --aws-credentials    give the handlers this machine's AWS credentials, from the
                       AWS SDK's standard chain (AWS_ACCESS_KEY_ID..., AWS_PROFILE,
                       SSO); OFF by default: without it handlers get no credentials.
                       Values travel in the docker client's environment, never in
                       arguments or files
  --watch              after the first run, stay up and run again on every change of
                       the project's files: code reaches the running container without
                       a build for Python, Node.js and Ruby (bound read-only, the runtime
                       restarted); Java, Go, .NET and custom rebuild (only the code layer);
                       a dependency file (requirements.txt, package.json, Gemfile, pom.xml,
                       go.mod, *.csproj) rebuilds; lambda-image.json is read again;
                       events/*.json only invoke again. Ctrl-C stops and removes it all.
                       With --serve: the server keeps serving; on a change it waits for
                       each container's invocation in flight, holds the queued requests,
                       restarts the runtime (or builds, then swaps in new containers;
                       a failed build leaves the old ones serving), then answers them
                       with the new code; one line per reload
  --quiet              show the output and REPORT line of failing handlers only
  --verbose            stream the full docker build output and the emulator's
                       own log lines
  -h, --help           show this help

Examples:
  npm run local
  npm run local -- ingest --event '{"orderId": "42"}'
  npm run local -- --native
  npm run local -- --watch report_daily
  npm run local -- report_daily --keep
  npm run local -- --serve --port 0 --concurrency 2
  npm run local -- --serve --watch`;

/** Parses the arguments after `npm run local --`; throws UsageError naming the problem. */
export function parseLocalArgs(argv: string[]): LocalOptions {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      event: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      native: { type: 'boolean', default: false },
      port: { type: 'string' },
      serve: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      rie: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'env-file': { type: 'string' },
      'aws-credentials': { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    'local',
    true,
  );
  if (positionals.length > 1) {
    throw new UsageError(`expected at most one handler name, got ${positionals.length}: ${positionals.join(' ')}\nRun \`npm run local\` for all handlers, or \`npm run local -- <handler>\` for one.`);
  }
  const serve = values.serve ?? false;
  let port = serve ? DEFAULT_SERVE_PORT : 0;
  if (values.port !== undefined) {
    port = Number(values.port);
    const min = serve ? 0 : 1;
    if (!/^\d+$/.test(values.port) || port < min || port > 65535) {
      throw new UsageError(`--port must be a port number from ${min} to 65535${serve ? ' (0: any free one)' : ''}, got "${values.port}"`);
    }
  }
  let concurrency = 1;
  if (values.concurrency !== undefined) {
    if (!serve) throw new UsageError('--concurrency applies to --serve only (a run invokes each handler once, one at a time)');
    concurrency = Number(values.concurrency);
    if (!/^\d+$/.test(values.concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY} (containers per group of handlers), got "${values.concurrency}"`);
    }
  }
  if (serve) {
    const runOnly = [values.event !== undefined && '--event', values.keep && '--keep', values.native && '--native'].filter(Boolean);
    if (runOnly.length > 0) {
      throw new UsageError(`--serve takes each event from its request, runs in Docker and removes its containers on Ctrl-C, so ${runOnly.join(' and ')} cannot apply: drop ${runOnly.length > 1 ? 'them' : 'it'} or drop --serve`);
    }
  }
  if (values['env-file'] !== undefined && values['env-file'].trim() === '') {
    throw new UsageError('--env-file needs a file path, e.g. --env-file .env');
  }
  if (values.event !== undefined && values.event.trim() === '') {
    throw new UsageError('--event needs a file path or inline JSON, e.g. --event events/ingest.json or --event \'{"id": 1}\'');
  }
  if (values.rie !== undefined && values.rie.trim() === '') {
    throw new UsageError('--rie needs the path of an aws-lambda-rie binary, e.g. --rie ~/bin/aws-lambda-rie');
  }
  const native = values.native ?? false;
  if (native) {
    const dockerOnly = [values.keep && '--keep', values['no-build'] && '--no-build', values.port !== undefined && '--port', values.rie !== undefined && '--rie'].filter(Boolean);
    if (dockerOnly.length > 0) {
      throw new UsageError(`--native runs without Docker, so ${dockerOnly.join(' and ')} cannot apply: drop ${dockerOnly.length > 1 ? 'them' : 'it'} or drop --native`);
    }
  }
  if (values.watch) {
    const against = [native && '--native', values.keep && '--keep'].filter(Boolean);
    if (against.length > 0) {
      throw new UsageError(
        `--watch keeps its own container up and removes it on Ctrl-C, so ${against.join(' and ')} cannot apply: drop ${against.length > 1 ? 'them' : 'it'} or drop --watch`,
      );
    }
  }
  return {
    handler: positionals[0],
    event: values.event,
    keep: values.keep ?? false,
    build: !(values['no-build'] ?? false),
    native,
    port,
    serve,
    concurrency,
    verbose: values.verbose ?? false,
    quiet: values.quiet ?? false,
    envFile: values['env-file'],
    awsCredentials: values['aws-credentials'] ?? false,
    help: values.help ?? false,
    watch: values.watch ?? false,
    ...(values.rie !== undefined ? { rie: values.rie } : {}),
  };
}
