// The stand-in base images honour the public.ecr.aws/lambda contract that the
// generated Dockerfiles and the local tooling rely on (see test/support/standin.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStandinImages, STANDIN_LABEL, standinHash, standinTags } from '../support/standin.ts';
import type { StandinRuntime } from '../support/standin.ts';

const LABEL = `lambda-image.test=standin-contract-${process.pid}`;
const INVOKE = '/2015-03-31/functions/function/invocations';
const work = mkdtempSync(join(tmpdir(), 'standin-contract-'));

afterAll(async () => {
  const { stdout } = await execa('docker', ['ps', '-aq', '--filter', `label=${LABEL}`]);
  if (stdout.trim()) await execa('docker', ['rm', '-f', ...stdout.trim().split('\n')]);
  await execa('docker', ['image', 'rm', '-f', ...RUNTIMES.map((r) => `standin-contract-${r}:${process.pid}`)], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

const RUNTIMES: StandinRuntime[] = ['python', 'nodejs', 'ruby'];

/** A function image on the stand-in, built the way the generated Dockerfiles build theirs. */
const PROJECTS: Record<StandinRuntime, { dockerfile: string; files: Record<string, string> }> = {
  python: {
    dockerfile: `FROM ${standinTags('python')[0]}
COPY requirements.txt \${LAMBDA_TASK_ROOT}/
RUN pip install --no-cache-dir -r requirements.txt --target "\${LAMBDA_TASK_ROOT}"
COPY . \${LAMBDA_TASK_ROOT}/
CMD ["lambda_function.handler"]`,
    files: {
      'requirements.txt': '# no third-party packages\n',
      'lambda_function.py': `import os
def handler(event, context):
    return {"event": event, "request_id": context.aws_request_id, "function_name": context.function_name,
            "memory": context.memory_limit_in_mb, "remaining": context.get_remaining_time_in_millis(),
            "cwd": os.getcwd(), "task_root": os.environ["LAMBDA_TASK_ROOT"], "runtime_dir": os.environ["LAMBDA_RUNTIME_DIR"]}
def boom(event, context):
    raise KeyError("nope")
`,
      'app/__init__.py': '',
      'app/handlers.py': 'def echo(event, context):\n    return ["app.handlers", event]\n',
    },
  },
  nodejs: {
    dockerfile: `FROM ${standinTags('nodejs')[0]}
COPY package.json package-lock.json \${LAMBDA_TASK_ROOT}/
RUN npm ci --omit=dev --ignore-scripts
COPY . \${LAMBDA_TASK_ROOT}/
CMD ["lambda_function.handler"]`,
    files: {
      'package.json': '{"name": "contract", "version": "1.0.0", "private": true}\n',
      'package-lock.json': '{"name": "contract", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "contract", "version": "1.0.0"}}}\n',
      'lambda_function.mjs': `export const handler = async (event, context) => ({ event, request_id: context.awsRequestId,
  function_name: context.functionName, memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis(),
  cwd: process.cwd(), task_root: process.env.LAMBDA_TASK_ROOT, runtime_dir: process.env.LAMBDA_RUNTIME_DIR });
export const nested = { deeper: { fn: async (event) => ['nested', event] } };
export async function boom() { throw new RangeError('nope'); }
export function callback(event, context, cb) { setTimeout(() => cb(null, ['callback', event]), 10); }
`,
      'src/app.js': "exports.handler = async (event) => ['src/app.js', event];\n",
      'common.cjs': "module.exports.handler = async (event) => ['common.cjs', event];\n",
    },
  },
  ruby: {
    dockerfile: `FROM ${standinTags('ruby')[0]}
COPY . \${LAMBDA_TASK_ROOT}/
CMD ["lambda_function.handler"]`,
    files: {
      'lambda_function.rb': `def handler(event:, context:)
  { event: event, request_id: context.aws_request_id, function_name: context.function_name,
    memory: context.memory_limit_in_mb, remaining: context.get_remaining_time_in_millis,
    cwd: Dir.pwd, task_root: ENV['LAMBDA_TASK_ROOT'], runtime_dir: ENV['LAMBDA_RUNTIME_DIR'] }
end

def boom(event:, context:)
  raise IndexError, 'nope'
end

module Outer
  class Inner
    def self.run(event:, context:)
      ['Outer::Inner.run', event]
    end
  end
end
`,
    },
  },
};

const image = (runtime: StandinRuntime) => `standin-contract-${runtime}:${process.pid}`;

async function withContainer<T>(
  runtime: StandinRuntime,
  args: string[],
  fn: (port: number) => Promise<T>,
): Promise<T> {
  const { stdout: id } = await execa('docker', [
    'run', '-d', '--label', LABEL, '-p', '127.0.0.1::8080',
    '-e', 'AWS_LAMBDA_FUNCTION_NAME=contract-fn', '-e', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256', '-e', 'AWS_LAMBDA_FUNCTION_TIMEOUT=20',
    image(runtime), ...args,
  ]);
  try {
    const { stdout } = await execa('docker', ['port', id, '8080/tcp']);
    const port = Number(/:(\d+)$/m.exec(stdout)![1]);
    for (let i = 0; ; i++) {
      try {
        await (await fetch(`http://127.0.0.1:${port}/`)).text();
        break;
      } catch (error) {
        if (i > 200) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return await fn(port);
  } finally {
    await execa('docker', ['rm', '-f', id]);
  }
}

async function invoke(port: number, event: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${INVOKE}`, { method: 'POST', body: JSON.stringify(event) });
  return { status: response.status, body: JSON.parse(await response.text()) };
}

/** Each runtime's handler strings, as its real runtime client resolves them, and what they answer. */
const RESOLUTION: Record<StandinRuntime, [string, unknown][]> = {
  python: [['app.handlers.echo', ['app.handlers', { n: 1 }]]],
  nodejs: [
    ['src/app.handler', ['src/app.js', { n: 1 }]],
    ['common.handler', ['common.cjs', { n: 1 }]],
    ['lambda_function.nested.deeper.fn', ['nested', { n: 1 }]],
    ['lambda_function.callback', ['callback', { n: 1 }]],
  ],
  ruby: [['lambda_function.Outer::Inner.run', ['Outer::Inner.run', { n: 1 }]]],
};

const ERRORS: Record<StandinRuntime, { raised: object; missingFunction: [string, object]; missingModule: [string, object] }> = {
  python: {
    raised: { errorType: 'KeyError', errorMessage: "'nope'", stackTrace: [expect.stringContaining('/var/task/lambda_function.py", line 7, in boom')] },
    missingFunction: ['lambda_function.absent', { errorType: 'Runtime.HandlerNotFound', errorMessage: "Handler 'absent' missing on module 'lambda_function'" }],
    missingModule: ['absent.handler', { errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'absent': No module named 'absent'" }],
  },
  nodejs: {
    raised: { errorType: 'RangeError', errorMessage: 'nope', trace: expect.arrayContaining(['RangeError: nope', expect.stringContaining('/var/task/lambda_function.mjs')]) },
    missingFunction: ['lambda_function.absent', { errorType: 'Runtime.HandlerNotFound', errorMessage: 'lambda_function.absent is undefined or not exported' }],
    missingModule: ['absent.handler', { errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'absent'" }],
  },
  ruby: {
    raised: { errorType: 'Function<IndexError>', errorMessage: 'nope', stackTrace: expect.arrayContaining([expect.stringContaining('/var/task/lambda_function.rb:8')]) },
    missingFunction: ['lambda_function.absent', { errorType: 'Init<NoMethodError>' }],
    missingModule: ['absent.handler', { errorType: 'Init<LoadError>' }],
  },
};

describe.each(RUNTIMES)('stand-in %s base image', (runtime) => {
  beforeAll(async () => {
    await ensureStandinImages([runtime]);
    const dir = join(work, runtime);
    for (const [path, text] of Object.entries(PROJECTS[runtime].files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(join(dir, 'Dockerfile'), PROJECTS[runtime].dockerfile);
    await execa('docker', ['build', '-q', '-t', image(runtime), dir]);
  });

  it('is tagged under every public.ecr.aws name the catalogue lists, with the entrypoint, workdir and variables of the real one', async () => {
    const tags = standinTags(runtime);
    expect(tags.length).toBeGreaterThan(1);
    for (const tag of tags) {
      const { stdout } = await execa('docker', ['image', 'inspect', '--format', '{{json .Config}}', tag]);
      const config = JSON.parse(stdout) as { Entrypoint: string[]; WorkingDir: string; Env: string[]; Labels: Record<string, string> };
      expect(config.Entrypoint).toEqual(['/lambda-entrypoint.sh']);
      expect(config.WorkingDir).toBe('/var/task');
      expect(config.Env).toEqual(expect.arrayContaining(['LAMBDA_TASK_ROOT=/var/task', 'LAMBDA_RUNTIME_DIR=/var/runtime']));
      expect(config.Labels[STANDIN_LABEL]).toBe(standinHash(runtime));
    }
  });

  it('exits 142 without a handler', async () => {
    const result = await execa('docker', ['run', '--rm', '--label', LABEL, standinTags(runtime)[0]!], { reject: false });
    expect(result.exitCode).toBe(142);
    expect(result.stderr).toContain('entrypoint requires the handler name to be the first argument');
  });

  it('serves the invoke API on 8080 with a Lambda context, and 404 elsewhere', async () => {
    await withContainer(runtime, [], async (port) => {
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      const { status, body } = await invoke(port, { n: 1 });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        event: { n: 1 },
        function_name: 'contract-fn',
        memory: '256',
        cwd: '/var/task',
        task_root: '/var/task',
        runtime_dir: '/var/runtime',
      });
      const { request_id, remaining } = body as { request_id: string; remaining: number };
      expect(request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(remaining).toBeGreaterThan(15_000);
      expect(remaining).toBeLessThanOrEqual(20_000);
    });
  });

  it('resolves handler strings as the real runtime client does', async () => {
    for (const [handler, expected] of RESOLUTION[runtime]) {
      await withContainer(runtime, [handler], async (port) => {
        expect(await invoke(port, { n: 1 }), handler).toEqual({ status: 200, body: expected });
      });
    }
  });

  it('answers a raised error, a missing function and a missing module with 200 and the error document', async () => {
    const { raised, missingFunction, missingModule } = ERRORS[runtime];
    await withContainer(runtime, ['lambda_function.boom'], async (port) => {
      expect(await invoke(port, {})).toEqual({ status: 200, body: expect.objectContaining(raised) });
    });
    for (const [handler, doc] of [missingFunction, missingModule]) {
      await withContainer(runtime, [handler], async (port) => {
        expect(await invoke(port, {}), handler).toEqual({ status: 200, body: expect.objectContaining(doc) });
      });
    }
  });

  it('talks to the Runtime API when AWS_LAMBDA_RUNTIME_API is set', async () => {
    const posted: { path: string; body: string }[] = [];
    let served = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const events = [{ n: 1 }, 'boom'];
    const api = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/2018-06-01/runtime/invocation/next') {
          if (served >= events.length) return; // no more work: leave the runtime waiting
          const id = `req-${served}`;
          const event = events[served++];
          res.writeHead(200, { 'Lambda-Runtime-Aws-Request-Id': id, 'Lambda-Runtime-Deadline-Ms': String(Date.now() + 60_000) });
          res.end(JSON.stringify(event === 'boom' ? { n: 2 } : event));
          return;
        }
        posted.push({ path: req.url ?? '', body });
        res.writeHead(202).end('{}');
        if (posted.length === events.length) done();
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const port = (api.address() as AddressInfo).port;
    const { stdout: id } = await execa('docker', [
      'run', '-d', '--label', LABEL, '--network', 'host', '-e', `AWS_LAMBDA_RUNTIME_API=127.0.0.1:${port}`,
      image(runtime), 'lambda_function.handler',
    ]);
    try {
      await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('no answer from the runtime')), 20_000))]);
      expect(posted[0]!.path).toBe('/2018-06-01/runtime/invocation/req-0/response');
      expect(JSON.parse(posted[0]!.body)).toMatchObject({ event: { n: 1 }, request_id: 'req-0' });
      expect(posted[1]!.path).toBe('/2018-06-01/runtime/invocation/req-1/response');
    } finally {
      await execa('docker', ['rm', '-f', id]);
      api.closeAllConnections();
      await new Promise((r) => api.close(r));
    }
  });
});
