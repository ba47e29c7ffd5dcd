// `npm run local -- --serve` under load, beside `sam local start-lambda`, on ONE generated
// `--deploy sam` Python project (real-parts base image) whose handler `work` sleeps 50 ms (an
// I/O-bound handler). Each side is started and warmed (untimed), then `clients` concurrent
// AWS SDK LambdaClients (endpoint override) send `requests` Invokes in all; timed: from the
// first request to the last answer. Figures: requests per second, and each request's latency
// as its client sees it (p50, p95), medians over the runs.
//   ours, 1 container:   `lambda-image local --serve` (every invocation through one emulator, queued)
//   ours, 2 containers:  `lambda-image local --serve --concurrency 2`
//   sam:                 `sam local start-lambda --warm-containers EAGER` (SAM's fastest mode: one
//                        container per function kept up; SAM serialises its invocations too)
//   node bench/serve.ts [runs=5] [requests=60] [clients=4]
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execa, type ResultPromise } from 'execa';
import getPort from 'get-port';
import { ensureBaseImages } from '../test/support/baseimages.ts';
import { startRegistry } from '../test/support/registry.ts';
import { generateWithEngine, readCfnYaml, resourcesOfType } from '../test/engines/support.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 5);
const requests = Number(process.argv[3] ?? 60);
const clients = Number(process.argv[4] ?? 4);
const SAM = process.env.SAM_CLI ?? join(homedir(), '.cache', 'sam-cli', 'venv', 'bin', 'sam');
const SAM_ENV = { SAM_CLI_TELEMETRY: '0', SAM_CLI_DISABLE_UPDATE_CHECK: '1', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' };
const log = (line: string) => console.error(`[bench:serve] ${line}`);

interface Server {
  endpoint: string;
  /** What the Invoke path names. */
  functionName: string;
  stop: () => Promise<void>;
}

interface Sample {
  perSecond: number;
  p50: number;
  p95: number;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function load(server: Server, count: number): Promise<Sample> {
  const lambdas = Array.from({ length: clients }, () => new LambdaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    lambdas.map(async (lambda) => {
      while (next < count) {
        const n = next++;
        const sent = performance.now();
        const answer = await lambda.send(new InvokeCommand({ FunctionName: server.functionName, Payload: JSON.stringify({ n }) }));
        const payload = new TextDecoder().decode(answer.Payload);
        if (answer.FunctionError || (JSON.parse(payload) as { n?: number }).n !== n) throw new Error(`request ${n}: ${answer.FunctionError ?? ''} ${payload}`);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const took = (performance.now() - started) / 1000;
  for (const lambda of lambdas) lambda.destroy();
  return { perSecond: count / took, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function listening(port: number, exited: () => boolean): Promise<void> {
  for (;;) {
    if (exited()) throw new Error('the server exited before it listened');
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopProcess(run: ResultPromise, signal: NodeJS.Signals): Promise<void> {
  run.kill(signal);
  await run;
}

async function ours(project: string, name: string, concurrency: number): Promise<Server> {
  const run = execa('node_modules/.bin/lambda-image', ['local', '--serve', '--port', '0', '--no-build', '--quiet', '--concurrency', String(concurrency)], {
    cwd: project,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  let err = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    run.stderr!.on('data', (chunk: Buffer) => {
      err += chunk;
      const served = /^Serving on (http:\/\/127\.0\.0\.1:\d+)/m.exec(err);
      if (served) resolve(served[1]!);
    });
    void run.then(() => reject(new Error(`lambda-image local --serve exited:\n${err}`)));
  });
  run.stdout!.resume();
  return { endpoint, functionName: `${name}-work`, stop: () => stopProcess(run, 'SIGINT') };
}

async function sam(project: string, logicalId: string): Promise<Server> {
  const port = await getPort();
  const run = execa(SAM, ['local', 'start-lambda', '--host', '127.0.0.1', '--port', String(port), '--warm-containers', 'EAGER'], { cwd: project, reject: false, env: SAM_ENV });
  let exited = false;
  void run.finally(() => (exited = true));
  await listening(port, () => exited);
  return { endpoint: `http://127.0.0.1:${port}`, functionName: logicalId, stop: () => stopProcess(run, 'SIGTERM') };
}

if (!existsSync(SAM)) log(`no SAM CLI at ${SAM} (\`. .ci/sam.sh\` installs it): measuring ours only`);
await ensureBaseImages(['python']);
const registry = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'lambda-image-bench-serve-'));
const name = 'bench-serve';
const sides: Record<string, Sample[]> = { 'ours, 1 container': [], 'ours, --concurrency 2': [], 'sam local start-lambda (warm containers)': [] };
let samRepository: string | undefined;
try {
  const project = await generateWithEngine(work, { name, runtime: 'python', handlers: 'ingest,work', deploy: 'sam', region: 'us-east-1' });
  await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, env: { npm_config_registry: registry.url } });
  const core = join(project, 'bench_serve', 'core.py');
  writeFileSync(core, `${readFileSync(core, 'utf8')}\n\ndef work(event):\n    import time\n    time.sleep(0.05)\n    return {"n": event.get("n")}\n`);
  const build = await execa('node_modules/.bin/lambda-image', ['local', 'ingest'], { cwd: project, reject: false, all: true, env: { NO_COLOR: '1' } });
  if (build.exitCode !== 0) throw new Error(`lambda-image local failed:\n${build.all}`);
  const fns = resourcesOfType(readCfnYaml(join(project, 'template.yaml')), 'AWS::Serverless::Function').map(([logicalId, r]) => ({
    logicalId,
    handler: String(r.Properties.ImageConfig.Command[0]).split('.').at(-1)!,
  }));
  const workFn = fns.find((f) => f.handler === 'work')!;
  const withSam = existsSync(SAM);
  if (withSam) {
    samRepository = workFn.logicalId.toLowerCase();
    const built = await execa(SAM, ['build'], { cwd: project, reject: false, env: SAM_ENV });
    if (built.exitCode !== 0) throw new Error(`sam build failed:\n${built.stdout}\n${built.stderr}`);
  }
  const starters: [string, () => Promise<Server>][] = [
    ['ours, 1 container', () => ours(project, name, 1)],
    ['ours, --concurrency 2', () => ours(project, name, 2)],
    ...(withSam ? ([['sam local start-lambda (warm containers)', () => sam(project, workFn.logicalId)]] as [string, () => Promise<Server>][]) : []),
  ];
  for (let i = 0; i < runs; i++) {
    for (const [side, start] of starters) {
      const server = await start();
      try {
        await load(server, clients * 2); // warm: every container up and its runtime initialised
        const sample = await load(server, requests);
        sides[side]!.push(sample);
        log(`run ${i + 1}, ${side}: ${sample.perSecond.toFixed(1)} req/s, p50 ${sample.p50.toFixed(0)} ms, p95 ${sample.p95.toFixed(0)} ms (load ${loadavg()[0]!.toFixed(1)})`);
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  await registry.stop();
  if (samRepository) {
    const { stdout } = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', samRepository], { reject: false });
    const images = stdout.split('\n').filter(Boolean);
    if (images.length) await execa('docker', ['image', 'rm', '--force', ...images], { reject: false });
  }
  await execa('docker', ['image', 'rm', '--force', `${name}:local`], { reject: false });
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nA handler that sleeps 50 ms; ${clients} concurrent AWS SDK clients, ${requests} Invokes per run after a warm-up; ${runs} runs alternating, medians (${availableParallelism()} cores, shared machine)\n`);
console.log('| server | requests/s | p50 latency | p95 latency |');
console.log('| --- | ---: | ---: | ---: |');
for (const [side, samples] of Object.entries(sides)) {
  if (samples.length === 0) continue;
  console.log(`| ${side} | ${median(samples.map((s) => s.perSecond)).toFixed(1)} | ${median(samples.map((s) => s.p50)).toFixed(0)} ms | ${median(samples.map((s) => s.p95)).toFixed(0)} ms |`);
}
