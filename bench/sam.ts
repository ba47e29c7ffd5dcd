// `npm run local` beside the AWS SAM CLI doing the same work, on ONE generated `--deploy sam`
// Python project (real-parts base image), first with 3 handlers, then grown to 10 with the
// handler generator. Each side is warm: our image and SAM's `sam build` image (and its
// rapid-* layer) exist before the timed runs. Timed, alternating, whole wall time:
//   ours:          `lambda-image local` (what `npm run local` runs; npm itself adds ~0.5 s to
//                  any script, ours or SAM's): cached build, one container, every handler
//   invoke:        `sam local invoke <Function> -e events/<handler>.json` once per handler, in turn
//   start-lambda:  `sam local start-lambda` spawned, then one Invoke per handler (AWS SDK Lambda
//                  client, endpoint override), from the spawn to the last answer
// Aim: ours at most a fifth of SAM's for 10 handlers.
//   node bench/sam.ts [runs=5]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execa } from 'execa';
import getPort from 'get-port';
import { ensureBaseImages } from '../test/support/baseimages.ts';
import { startRegistry } from '../test/support/registry.ts';
import { addHandler, generateWithEngine, readCfnYaml, resourcesOfType } from '../test/engines/support.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 5);
const SAM = process.env.SAM_CLI ?? join(homedir(), '.cache', 'sam-cli', 'venv', 'bin', 'sam');
const FIRST = ['ingest', 'report_daily', 'notify'];
const MORE = ['resize', 'archive', 'audit', 'billing', 'cleanup', 'export_csv', 'sync_users'];
// No telemetry, no update check, no AWS account: everything here is local.
const SAM_ENV = { SAM_CLI_TELEMETRY: '0', SAM_CLI_DISABLE_UPDATE_CHECK: '1', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' };

interface Fn {
  logicalId: string;
  handler: string;
}

/** The template's functions, each with the handler its ImageConfig.Command names. */
function functionsOf(project: string): Fn[] {
  return resourcesOfType(readCfnYaml(join(project, 'template.yaml')), 'AWS::Serverless::Function').map(([logicalId, r]) => ({
    logicalId,
    handler: String(r.Properties.ImageConfig.Command[0]).split('.').at(-1)!,
  }));
}

const seconds = (since: number) => (performance.now() - since) / 1000;

function check(what: string, handler: string, payload: string): void {
  const answer = JSON.parse(payload) as { handler?: string };
  if (answer.handler !== handler) throw new Error(`${what}: ${handler} answered ${payload}`);
}

async function ours(project: string, fns: Fn[]): Promise<number> {
  const started = performance.now();
  const run = await execa('node_modules/.bin/lambda-image', ['local'], { cwd: project, reject: false, all: true, env: { NO_COLOR: '1' } });
  const took = seconds(started);
  if (run.exitCode !== 0) throw new Error(`lambda-image local failed (${run.exitCode}):\n${run.all}`);
  for (const fn of fns) if (!run.all?.includes(fn.handler)) throw new Error(`lambda-image local did not report ${fn.handler}:\n${run.all}`);
  return took;
}

function sam(project: string, args: string[]) {
  return execa(SAM, args, { cwd: project, reject: false, all: false, env: SAM_ENV });
}

async function samInvoke(project: string, fns: Fn[]): Promise<number> {
  const started = performance.now();
  for (const fn of fns) {
    const run = await sam(project, ['local', 'invoke', fn.logicalId, '--event', `events/${fn.handler}.json`]);
    if (run.exitCode !== 0) throw new Error(`sam local invoke ${fn.logicalId} failed (${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
    check('sam local invoke', fn.handler, run.stdout.trim().split('\n').at(-1)!);
  }
  return seconds(started);
}

/** Resolves once something accepts connections on 127.0.0.1:port. */
async function listening(port: number, exited: () => boolean): Promise<void> {
  for (;;) {
    if (exited()) throw new Error('sam local start-lambda exited before it listened');
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function samStartLambda(project: string, fns: Fn[]): Promise<number> {
  const port = await getPort();
  const started = performance.now();
  const server = execa(SAM, ['local', 'start-lambda', '--host', '127.0.0.1', '--port', String(port)], { cwd: project, reject: false, env: SAM_ENV });
  try {
    let exited = false;
    void server.finally(() => (exited = true));
    await listening(port, () => exited);
    // Placeholder keys: the local endpoint checks none, but the SDK signs every request.
    const lambda = new LambdaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    for (const fn of fns) {
      const event = await import(join(project, 'events', `${fn.handler}.json`), { with: { type: 'json' } });
      const answer = await lambda.send(new InvokeCommand({ FunctionName: fn.logicalId, Payload: JSON.stringify(event.default) }));
      const payload = new TextDecoder().decode(answer.Payload);
      if (answer.FunctionError) throw new Error(`start-lambda ${fn.logicalId}: ${answer.FunctionError} ${payload}`);
      check('sam local start-lambda', fn.handler, payload);
    }
    const took = seconds(started);
    lambda.destroy();
    return took;
  } finally {
    server.kill('SIGTERM');
    await server;
  }
}

const fmt = (s: number) => `${s.toFixed(2)} s`;
const rows: string[] = [];
const log = (line: string) => console.error(`[bench:sam] ${line}`);

if (!existsSync(SAM)) throw new Error(`the SAM CLI is not at ${SAM}: run \`. .ci/sam.sh\` (it installs aws-sam-cli from PyPI in a venv) or set SAM_CLI`);
await ensureBaseImages(['python']);
const registry = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'lambda-image-bench-sam-'));
const name = 'bench-sam';
let repository: string | undefined;
try {
  const project = await generateWithEngine(work, { name, runtime: 'python', handlers: FIRST.join(','), deploy: 'sam', region: 'us-east-1' });
  await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, env: { npm_config_registry: registry.url } });
  const { stdout: samVersion } = await execa(SAM, ['--version'], { env: SAM_ENV });
  for (const count of [FIRST.length, FIRST.length + MORE.length]) {
    if (count > FIRST.length) for (const handler of MORE) await addHandler(project, handler);
    const fns = functionsOf(project);
    if (fns.length !== count) throw new Error(`template.yaml has ${fns.length} functions, expected ${count}`);
    repository = fns[0]!.logicalId.toLowerCase();
    // Warm both sides (not timed): our image, SAM's build and its rapid-* image.
    log(`${count} handlers: warming up (sam build, one run of each)`);
    const build = await sam(project, ['build']);
    if (build.exitCode !== 0) throw new Error(`sam build failed:\n${build.stdout}\n${build.stderr}`);
    await ours(project, fns);
    await samInvoke(project, fns);
    await samStartLambda(project, fns);
    const samples = { ours: [] as number[], invoke: [] as number[], startLambda: [] as number[] };
    for (let i = 0; i < runs; i++) {
      samples.ours.push(await ours(project, fns));
      samples.invoke.push(await samInvoke(project, fns));
      samples.startLambda.push(await samStartLambda(project, fns));
      log(`${count} handlers, run ${i + 1}: ours ${fmt(samples.ours.at(-1)!)}, invoke ${fmt(samples.invoke.at(-1)!)}, start-lambda ${fmt(samples.startLambda.at(-1)!)}`);
    }
    const [a, b, c] = [median(samples.ours), median(samples.invoke), median(samples.startLambda)];
    const pct = (x: number, y: number) => `${Math.round((x / y) * 100)}%`;
    rows.push(`| ${count} | ${fmt(a)} | ${fmt(b)} | ${fmt(c)} | ${pct(a, b)} | ${pct(a, c)} |`);
    if (count === FIRST.length + MORE.length) console.log(`SAM CLI: ${samVersion}`);
  }
} finally {
  await registry.stop();
  if (repository) {
    const { stdout } = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repository], { reject: false });
    const images = stdout.split('\n').filter(Boolean);
    if (images.length) await execa('docker', ['image', 'rm', '--force', ...images], { reject: false });
  }
  await execa('docker', ['image', 'rm', '--force', `${name}:local`], { reject: false });
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nOne \`--deploy sam\` Python project, real-parts base image, warm; ${runs} runs alternating, medians (${availableParallelism()} cores, shared machine)\n`);
console.log('| handlers | ours: `lambda-image local` | `sam local invoke` per handler | `sam local start-lambda` + one Invoke per handler | ours / invoke | ours / start-lambda |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
console.log('\nAim: ours at most a fifth (20%) of SAM\'s for 10 handlers.');
