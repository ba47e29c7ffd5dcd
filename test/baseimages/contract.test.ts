// What the real Lambda parts do, as the test base images run them (test/support/baseimages.ts):
// the real Runtime Interface Emulator in front of the real runtime interface clients (Ruby's is
// ours). Every expectation here was observed by running them; the tooling's reading of the
// emulator's answers must agree with this file.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../generators/lib/paths.ts';
import { BASE_IMAGE_LABEL, baseImageHash, ensureBaseImages, PARTS_LABEL, resolveSpec, RIE_VERSION } from '../support/baseimages.ts';

const LABEL = `lambda-image.test=base-contract-${process.pid}`;
const INVOKE = '/2015-03-31/functions/function/invocations';
const MiB = 1024 * 1024;
const TIMEOUT_S = 3;
const work = mkdtempSync(join(tmpdir(), 'base-contract-'));

type Runtime = 'python' | 'nodejs' | 'java' | 'custom' | 'ruby';
const RUNTIMES: Runtime[] = ['python', 'nodejs', 'java', 'custom', 'ruby'];

afterAll(async () => {
  const { stdout } = await execa('docker', ['ps', '-aq', '--filter', `label=${LABEL}`]);
  if (stdout.trim()) await execa('docker', ['rm', '-f', ...stdout.trim().split('\n')]);
  await execa('docker', ['image', 'rm', '-f', ...RUNTIMES.map(image)], { reject: false });
  rmSync(work, { recursive: true, force: true });
});

const image = (runtime: Runtime) => `base-contract-${runtime}:${process.pid}`;

/**
 * One function per runtime whose main handler does what the event's "action" says: report its
 * context, raise, end its process in the middle of the invocation, sleep, answer 7 MiB, or
 * count the bytes of the event's "data". Built FROM the base image as a generated Dockerfile does.
 */
const FUNCTIONS: Record<Runtime, { handler: string; missing: string; files: Record<string, string>; build?: (dir: string, base: string) => Promise<void>; copy: string }> = {
  python: {
    handler: 'app.main',
    missing: 'absent.main',
    copy: 'COPY app.py ${LAMBDA_TASK_ROOT}/',
    files: {
      'app.py': `import os, time
def main(event, context):
    action = event.get("action")
    if action == "raise":
        raise KeyError("nope")
    if action == "exit":
        os._exit(3)
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "big":
        return "x" * (7 * 1024 * 1024)
    if action == "size":
        return len(event["data"])
    return {"event": event, "request_id": context.aws_request_id, "function_name": context.function_name,
            "memory": str(context.memory_limit_in_mb), "remaining": context.get_remaining_time_in_millis(),
            "cwd": os.getcwd(), "execution_env": os.environ.get("AWS_EXECUTION_ENV")}
`,
    },
  },
  nodejs: {
    handler: 'app.main',
    missing: 'absent.main',
    copy: 'COPY app.mjs ${LAMBDA_TASK_ROOT}/',
    files: {
      'app.mjs': `export const main = async (event, context) => {
  switch (event.action) {
    case 'raise': throw new RangeError('nope');
    case 'exit': process.exit(3);
    case 'sleep': await new Promise((r) => setTimeout(r, event.seconds * 1000)); return null;
    case 'big': return 'x'.repeat(7 * 1024 * 1024);
    case 'size': return event.data.length;
  }
  return { event, request_id: context.awsRequestId, function_name: context.functionName, memory: String(context.memoryLimitInMB),
    remaining: context.getRemainingTimeInMillis(), cwd: process.cwd(), execution_env: process.env.AWS_EXECUTION_ENV };
};
export function callback(event, context, done) { done(null, 'called back'); }
`,
    },
  },
  java: {
    handler: 'contract.Fn::main',
    missing: 'contract.Absent::main',
    copy: 'COPY classes/ ${LAMBDA_TASK_ROOT}/',
    files: {
      'src/contract/Fn.java': `package contract;
import com.amazonaws.services.lambda.runtime.Context;
import java.util.LinkedHashMap;
import java.util.Map;
public class Fn {
  public Object main(Map<String, Object> event, Context context) throws Exception {
    Object action = event.get("action");
    if ("raise".equals(action)) throw new IllegalStateException("nope");
    if ("exit".equals(action)) Runtime.getRuntime().halt(3);
    if ("sleep".equals(action)) { Thread.sleep(((Number) event.get("seconds")).longValue() * 1000); return null; }
    if ("big".equals(action)) return "x".repeat(7 * 1024 * 1024);
    if ("size".equals(action)) return ((String) event.get("data")).length();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("event", event);
    out.put("request_id", context.getAwsRequestId());
    out.put("function_name", context.getFunctionName());
    out.put("memory", String.valueOf(context.getMemoryLimitInMB()));
    out.put("remaining", context.getRemainingTimeInMillis());
    out.put("cwd", System.getProperty("user.dir"));
    out.put("execution_env", System.getenv("AWS_EXECUTION_ENV"));
    return out;
  }
}
`,
    },
    async build(dir, base) {
      // Against the jars the image runs (aws-lambda-java-core comes with its runtime client).
      const { stdout: id } = await execa('docker', ['create', base]);
      try {
        await execa('docker', ['cp', `${id}:/var/runtime/lib`, join(dir, 'runtime-lib')]);
      } finally {
        await execa('docker', ['rm', id]);
      }
      await execa('javac', ['--release', '17', '-cp', join(dir, 'runtime-lib/*'), '-d', join(dir, 'classes'), join(dir, 'src/contract/Fn.java')]);
    },
  },
  custom: {
    // The project's own bootstrap (templates/custom), the runtime of a custom-runtime project.
    handler: 'app.main',
    missing: 'absent.main',
    copy: 'COPY bootstrap /var/runtime/bootstrap\nCOPY app.sh ${LAMBDA_TASK_ROOT}/',
    files: {
      'app.sh': `main() {
  event=$(mktemp)
  cat >"$event"
  action=$(jq -r '.action // ""' "$event") || return 1
  case $action in
    raise) echo "KeyError: nope" >&2; return 1 ;;
    exit) kill -KILL $$ ;;
    sleep) sleep "$(jq -r .seconds "$event")"; echo null ;;
    big) head -c $((7 * 1024 * 1024)) /dev/zero | tr '\\0' x | jq -Rs . ;;
    size) jq '.data | length' "$event" ;;
    *) jq '{event: ., request_id: env.LAMBDA_REQUEST_ID, function_name: env.AWS_LAMBDA_FUNCTION_NAME,
         memory: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, remaining: ((env.LAMBDA_DEADLINE_MS | tonumber) - (now * 1000 | floor)),
         cwd: env.PWD, execution_env: env.AWS_EXECUTION_ENV}' "$event" ;;
  esac
}
`,
    },
    async build(dir) {
      cpSync(join(packageRoot(), 'templates/custom/files/bootstrap'), join(dir, 'bootstrap'));
    },
  },
  ruby: {
    handler: 'app.main',
    missing: 'absent.main',
    copy: 'COPY app.rb ${LAMBDA_TASK_ROOT}/',
    files: {
      'app.rb': `def main(event:, context:)
  case event['action']
  when 'raise' then raise IndexError, 'nope'
  when 'exit' then exit!(3)
  when 'sleep' then sleep(event['seconds']); nil
  when 'big' then 'x' * (7 * 1024 * 1024)
  when 'size' then event['data'].bytesize
  else
    { event: event, request_id: context.aws_request_id, function_name: context.function_name,
      memory: context.memory_limit_in_mb.to_s, remaining: context.get_remaining_time_in_millis,
      cwd: Dir.pwd, execution_env: ENV['AWS_EXECUTION_ENV'] }
  end
end
`,
    },
  },
};

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function invoke(port: number, body: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${INVOKE}`, { method: 'POST', body });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}
const json = (answer: Answer) => JSON.parse(answer.text) as Record<string, unknown>;

async function isRunning(id: string): Promise<boolean> {
  const { stdout } = await execa('docker', ['inspect', '--format', '{{.State.Running}}', id], { reject: false });
  return stdout.trim() === 'true';
}

async function withContainer<T>(runtime: Runtime, handler: string, fn: (port: number, id: string) => Promise<T>): Promise<T> {
  const { stdout: id } = await execa('docker', [
    'run', '-d', '--label', LABEL, '-p', '127.0.0.1::8080',
    '-e', 'AWS_LAMBDA_FUNCTION_NAME=contract-fn', '-e', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256', '-e', `AWS_LAMBDA_FUNCTION_TIMEOUT=${TIMEOUT_S}`,
    image(runtime), handler,
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
    return await fn(port, id);
  } finally {
    await execa('docker', ['rm', '-f', id]);
  }
}

/** What each runtime's client answers for a raised error (HTTP 200: the invocation ran). */
const RAISED: Record<Runtime, object> = {
  python: { errorType: 'KeyError', errorMessage: "'nope'" },
  nodejs: { errorType: 'RangeError', errorMessage: 'nope' },
  java: { errorType: 'java.lang.IllegalStateException', errorMessage: 'nope' },
  custom: { errorType: 'KeyError', errorMessage: 'nope' },
  ruby: { errorType: 'Function<IndexError>', errorMessage: 'nope' },
};

/**
 * What each runtime's client reports when the handler cannot be loaded: an init error, which
 * the emulator answers with 502. The Java client reports it as the invocation's error instead
 * (200), on every invocation.
 */
const INIT_ERROR: Record<Runtime, { status: number; body: object }> = {
  python: { status: 502, body: { errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'absent': No module named 'absent'" } },
  nodejs: { status: 502, body: { errorType: 'Runtime.ImportModuleError' } },
  java: { status: 200, body: { errorType: 'java.lang.ClassNotFoundException', errorMessage: 'Class not found: contract.Absent' } },
  custom: { status: 502, body: { errorType: 'Runtime.ImportModuleError', errorMessage: 'no file absent.sh in /var/task' } },
  ruby: { status: 502, body: { errorType: 'Init<LoadError>' } },
};

/**
 * The emulator refuses a response over 6 MiB (413 to the runtime) and answers the invocation
 * with Function.ResponseSizeTooLarge: 502 when the client then reports the failure as an error
 * (Python, Java), 200 when it only logs it (Node.js's native client, curl in the custom runtime's
 * bootstrap, our Ruby client).
 */
const OVERSIZED_RESPONSE_STATUS: Record<Runtime, number> = { python: 502, nodejs: 200, java: 502, custom: 200, ruby: 200 };

/** How the runtime process ends when the handler ends it mid-invocation. */
const EXIT_STATUS: Record<Runtime, string> = {
  python: 'exit status 3',
  nodejs: 'exit status 3',
  java: 'exit status 3',
  custom: 'signal: killed',
  ruby: 'exit status 3',
};

describe.each(RUNTIMES)('the %s base image', (runtime) => {
  const { repository, image: base } = resolveSpec(runtime);
  beforeAll(async () => {
    await ensureBaseImages([runtime]);
    const fn = FUNCTIONS[runtime];
    const dir = join(work, runtime);
    for (const [path, text] of Object.entries(fn.files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    await fn.build?.(dir, base);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${base}\n${fn.copy}\nCMD ["${fn.handler}"]\n`);
    await execa('docker', ['build', '-q', '-t', image(runtime), dir]);
  }, 1_200_000);

  it('has the entrypoint, working directory and variables of the real image, and says what runs in it', async () => {
    const { stdout } = await execa('docker', ['image', 'inspect', '--format', '{{json .Config}}', base]);
    const config = JSON.parse(stdout) as { Entrypoint: string[]; WorkingDir: string; Env: string[]; Labels: Record<string, string> };
    expect(config.Entrypoint).toEqual(['/lambda-entrypoint.sh']);
    expect(config.WorkingDir).toBe('/var/task');
    expect(config.Env).toEqual(
      expect.arrayContaining([
        'LAMBDA_TASK_ROOT=/var/task',
        'LAMBDA_RUNTIME_DIR=/var/runtime',
        'TZ=:/etc/localtime',
        'PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
        expect.stringMatching(/^LD_LIBRARY_PATH=\/var\/lang\/lib:/),
        expect.stringMatching(/^LANG=/),
      ]),
    );
    expect(config.Labels[BASE_IMAGE_LABEL]).toBe(baseImageHash(repository, base.split(':').at(-1)!));
    expect(config.Labels[PARTS_LABEL]).toContain(`aws-lambda-rie ${RIE_VERSION}`);
  });

  it('exits 142 unless the handler is its one argument', async () => {
    for (const args of [[], ['app.main', 'extra']]) {
      const result = await execa('docker', ['run', '--rm', '--label', LABEL, base, ...args], { reject: false });
      expect(result.exitCode, args.join(' ')).toBe(142);
      expect(result.stderr).toContain('entrypoint requires the handler name to be the first argument');
    }
  });

  it('invokes the handler with the Lambda context, on the invoke API of port 8080', async () => {
    await withContainer(runtime, FUNCTIONS[runtime].handler, async (port) => {
      // The first invocation starts the runtime (the emulator initialises on demand) within its
      // deadline: a JVM's start-up leaves the handler less of it. The second shows the timeout whole.
      expect((await invoke(port, JSON.stringify({ n: 0 }))).status).toBe(200);
      const answer = await invoke(port, JSON.stringify({ n: 1 }));
      expect(answer.status).toBe(200);
      const body = json(answer);
      expect(body).toMatchObject({ event: { n: 1 }, function_name: 'contract-fn', memory: '256', cwd: '/var/task' });
      expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.remaining).toBeGreaterThan(TIMEOUT_S * 1000 - 1500);
      expect(body.remaining).toBeLessThanOrEqual(TIMEOUT_S * 1000);
      expect(body.execution_env).toBe(repository === 'provided' ? null : `AWS_Lambda_${repository}${base.split(':').at(-1)}${repository === 'nodejs' ? '.x' : ''}`);
    });
  });

  it('answers a raised error with 200 and the error document', async () => {
    await withContainer(runtime, FUNCTIONS[runtime].handler, async (port) => {
      const answer = await invoke(port, JSON.stringify({ action: 'raise' }));
      expect(answer.status).toBe(200);
      expect(json(answer)).toMatchObject(RAISED[runtime]);
    });
  });

  it('answers the error document when the handler cannot be loaded', async () => {
    await withContainer(runtime, FUNCTIONS[runtime].missing, async (port) => {
      const answer = await invoke(port, '{}');
      expect({ status: answer.status, body: json(answer) }).toMatchObject(INIT_ERROR[runtime]);
    });
  });

  it('answers 502 Runtime.ExitError when the process ends mid-invocation, stays up, and starts the runtime again', async () => {
    await withContainer(runtime, FUNCTIONS[runtime].handler, async (port, id) => {
      const answer = await invoke(port, JSON.stringify({ action: 'exit' }));
      expect(answer.status).toBe(502);
      expect(json(answer)).toEqual({
        errorType: 'Runtime.ExitError',
        errorMessage: expect.stringMatching(new RegExp(`^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: ${EXIT_STATUS[runtime]}$`)),
      });
      expect(await isRunning(id)).toBe(true);
      const next = await invoke(port, JSON.stringify({ n: 2 }));
      expect(next.status).toBe(200);
      expect(json(next)).toMatchObject({ event: { n: 2 } });
    });
  });

  it(`answers a handler past AWS_LAMBDA_FUNCTION_TIMEOUT with 200 and a plain-text "Task timed out", then runs the next one`, async () => {
    await withContainer(runtime, FUNCTIONS[runtime].handler, async (port, id) => {
      const started = Date.now();
      const answer = await invoke(port, JSON.stringify({ action: 'sleep', seconds: TIMEOUT_S + 3 }));
      expect(answer).toEqual({ status: 200, type: 'text/plain; charset=utf-8', text: `Task timed out after ${TIMEOUT_S}.00 seconds` });
      expect(Date.now() - started).toBeLessThan((TIMEOUT_S + 2) * 1000);
      expect(await isRunning(id)).toBe(true);
      const next = await invoke(port, JSON.stringify({ n: 3 }));
      expect(next.status).toBe(200);
      expect(json(next)).toMatchObject({ event: { n: 3 } });
    });
  });

  it('answers a response over 6 MiB with Function.ResponseSizeTooLarge', async () => {
    await withContainer(runtime, FUNCTIONS[runtime].handler, async (port) => {
      const answer = await invoke(port, JSON.stringify({ action: 'big' }));
      expect(answer.status).toBe(OVERSIZED_RESPONSE_STATUS[runtime]);
      expect(json(answer)).toEqual({
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      });
    });
  });

  it('cuts an event over 6 MiB: the handler never sees it whole', async () => {
    await withContainer(runtime, FUNCTIONS[runtime].handler, async (port) => {
      const small = await invoke(port, JSON.stringify({ action: 'size', data: 'y'.repeat(5 * MiB) }));
      expect(small.status).toBe(200);
      expect(JSON.parse(small.text)).toBe(5 * MiB);
      const answer = await invoke(port, JSON.stringify({ action: 'size', data: 'y'.repeat(7 * MiB) }));
      expect({ status: answer.status, body: json(answer) }).toMatchObject(OVERSIZED_EVENT[runtime]);
    });
  });

  it('runs the runtime alone, on the Runtime API, when AWS_LAMBDA_RUNTIME_API is set', async () => {
    const posted: { path: string; body: string }[] = [];
    let served = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const api = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/2018-06-01/runtime/invocation/next') {
          if (served > 0) return; // no more work: leave the runtime waiting
          served++;
          res.writeHead(200, {
            'Lambda-Runtime-Aws-Request-Id': 'req-0',
            'Lambda-Runtime-Deadline-Ms': String(Date.now() + 60_000),
            'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:000000000000:function:contract-fn',
            'Content-Type': 'application/json',
          });
          res.end(JSON.stringify({ n: 1 }));
          return;
        }
        posted.push({ path: req.url ?? '', body });
        res.writeHead(202).end('{}');
        done();
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const port = (api.address() as AddressInfo).port;
    const { stdout: id } = await execa('docker', [
      'run', '-d', '--label', LABEL, '--network', 'host', '-e', `AWS_LAMBDA_RUNTIME_API=127.0.0.1:${port}`,
      // What Lambda sets: Node.js's 4.x client refuses to start without any of them.
      ...['AWS_LAMBDA_FUNCTION_NAME=contract-fn', 'AWS_LAMBDA_FUNCTION_VERSION=$LATEST', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256',
        'AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/contract-fn', 'AWS_LAMBDA_LOG_STREAM_NAME=2026/01/01/[$LATEST]0'].flatMap((e) => ['-e', e]),
      image(runtime), FUNCTIONS[runtime].handler,
    ]);
    try {
      await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('no answer from the runtime')), 30_000))]);
      expect(posted[0]!.path).toBe('/2018-06-01/runtime/invocation/req-0/response');
      expect(JSON.parse(posted[0]!.body)).toMatchObject({ event: { n: 1 }, request_id: 'req-0' });
      // No emulator in front: the runtime is the container's process.
      const { stdout: top } = await execa('docker', ['top', id, '-o', 'pid,args']);
      expect(top).not.toContain('aws-lambda-rie');
    } finally {
      await execa('docker', ['rm', '-f', id]);
      api.closeAllConnections();
      await new Promise((r) => api.close(r));
    }
  });
});

/**
 * What an event over 6 MiB does: the emulator passes only its first 6 MiB on, which is not
 * JSON. Python and Java answer a parse error, and so does the custom runtime's handler (jq);
 * Node.js's client and our Ruby client die on it.
 */
const OVERSIZED_EVENT: Record<Runtime, { status: number; body: object }> = {
  python: { status: 200, body: { errorType: 'Runtime.UnmarshalError', errorMessage: expect.stringMatching(/^Unable to unmarshal input: Unterminated string/) } },
  nodejs: { status: 502, body: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/Runtime exited with error: exit status 1$/) } },
  java: { status: 200, body: { errorType: 'java.lang.RuntimeException', errorMessage: 'An error occurred during JSON parsing' } },
  // The bootstrap hands the handler the first 6291556 bytes.
  custom: { status: 200, body: { errorType: 'HandlerError', errorMessage: 'parse error: Unfinished string at EOF at line 1, column 6291556' } },
  ruby: { status: 502, body: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/Runtime exited with error: exit status 1$/) } },
};

describe('the Node.js 4.x runtime interface client', () => {
  beforeAll(async () => {
    await ensureBaseImages(['nodejs']);
  }, 1_200_000);

  it('refuses a callback-style (three-parameter) handler at init: 502 Runtime.CallbackHandlerDeprecated', async () => {
    await withContainer('nodejs', 'app.callback', async (port) => {
      const answer = await invoke(port, '{}');
      expect(answer.status).toBe(502);
      expect(json(answer)).toMatchObject({ errorType: 'Runtime.CallbackHandlerDeprecated' });
    });
  });

  it('dies on an empty or non-JSON event: 502 Runtime.ExitError, then starts again', async () => {
    await withContainer('nodejs', FUNCTIONS.nodejs.handler, async (port) => {
      for (const body of ['', 'not json']) {
        const answer = await invoke(port, body);
        expect(answer.status, JSON.stringify(body)).toBe(502);
        expect(json(answer)).toMatchObject({ errorType: 'Runtime.ExitError' });
      }
      expect(json(await invoke(port, '{"n": 4}'))).toMatchObject({ event: { n: 4 } });
    });
  });
});
