// Stand-in for the Lambda Node.js runtime client and the Runtime Interface Emulator.
//
// Test infrastructure only: public.ecr.aws cannot be reached from CI, so the tests
// build images that behave like the real ones where the tooling can observe it. The
// handler string resolves as aws-lambda-nodejs-runtime-interface-client resolves it
// (directory, then file and export path split at the first dot; .js, .mjs, .cjs
// tried in that order), the module loads on the first invocation (the RIE starts the
// runtime lazily), and a thrown error is answered with status 200 and the body the
// real client sends: {"errorType", "errorMessage", "trace"}.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function errorBody(error) {
  if (error instanceof Error || (error && typeof error.stack === 'string')) {
    return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

async function loadModule(root, moduleRoot, module) {
  const base = resolve(root, moduleRoot, module);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (existsSync(base + ext)) return import(pathToFileURL(base + ext).href);
  }
  // As the real client does, fall back to a package of that name.
  const require = createRequire(resolve(root, moduleRoot, 'index.js'));
  try {
    return import(pathToFileURL(require.resolve(module)).href);
  } catch (error) {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${module}'`);
  }
}

async function loadHandler(fullHandler) {
  const root = process.env.LAMBDA_TASK_ROOT ?? '/var/task';
  const moduleAndHandler = basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(moduleAndHandler));
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (!match) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, module, handlerPath] = match;
  let loaded;
  try {
    loaded = await loadModule(root, moduleRoot, module);
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    if (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', `Error: ${error.message}`);
    }
    throw error;
  }
  const fn = handlerPath.split('.').reduce((obj, key) => (obj == null ? undefined : obj[key]), loaded);
  if (typeof fn !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${fullHandler} is undefined or not exported`);
  }
  return fn;
}

function makeContext(requestId, deadlineMs, arn) {
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'test_function';
  return {
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: requestId,
    functionName: name,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: arn ?? `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:012345678912:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '3008',
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${name}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '$LATEST',
    getRemainingTimeInMillis: () => Math.max(Math.floor(deadlineMs - Date.now()), 0),
  };
}

function callHandler(fn, event, context) {
  return new Promise((resolvePromise, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolvePromise(result));
    try {
      const result = fn(event, context, callback);
      if (result && typeof result.then === 'function') result.then(resolvePromise, reject);
      else if (fn.length < 3) resolvePromise(result);
    } catch (error) {
      reject(error);
    }
  });
}

export function createRuntime(handlerString) {
  let handler;
  return async function invoke(payload, requestId, deadlineMs, arn) {
    try {
      handler ??= await loadHandler(handlerString);
    } catch (error) {
      return { ok: false, body: JSON.stringify(errorBody(error)) };
    }
    let event;
    try {
      event = payload.trim() === '' ? {} : JSON.parse(payload);
    } catch (error) {
      return { ok: false, body: JSON.stringify(errorBody(new RuntimeError('Runtime.UnmarshalError', error.message))) };
    }
    try {
      const result = await callHandler(handler, event, makeContext(requestId, deadlineMs, arn));
      return { ok: true, body: JSON.stringify(result === undefined ? null : result) };
    } catch (error) {
      return { ok: false, body: JSON.stringify(errorBody(error)) };
    }
  };
}

function serve(invoke, port) {
  const timeoutMs = Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? '300') * 1000;
  // One invocation at a time, as the real emulator runs them.
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('Connection', 'close');
      if (req.method !== 'POST' || req.url !== INVOKE_PATH) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
        return;
      }
      queue = queue.then(async () => {
        const requestId = randomUUID();
        const started = Date.now();
        console.log(`START RequestId: ${requestId} Version: $LATEST`);
        const { body } = await invoke(Buffer.concat(chunks).toString('utf8'), requestId, started + timeoutMs);
        console.log(`END RequestId: ${requestId}`);
        console.log(`REPORT RequestId: ${requestId}\tDuration: ${(Date.now() - started).toFixed(2)} ms`);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
      });
    });
  });
  server.listen(port, '0.0.0.0');
}

async function runtimeApiLoop(invoke, api) {
  const base = `http://${api}/2018-06-01/runtime`;
  for (;;) {
    const next = await fetch(`${base}/invocation/next`);
    const requestId = next.headers.get('lambda-runtime-aws-request-id');
    const deadlineMs = Number(next.headers.get('lambda-runtime-deadline-ms') ?? Date.now() + 300_000);
    const arn = next.headers.get('lambda-runtime-invoked-function-arn') ?? undefined;
    const { ok, body } = await invoke(await next.text(), requestId, deadlineMs, arn);
    await fetch(`${base}/invocation/${requestId}/${ok ? 'response' : 'error'}`, { method: 'POST', body });
  }
}

const invoke = createRuntime(process.argv[2] ?? process.env._HANDLER ?? '');
if (process.env.LAMBDA_STANDIN_EMULATOR_PORT) serve(invoke, Number(process.env.LAMBDA_STANDIN_EMULATOR_PORT));
else await runtimeApiLoop(invoke, process.env.AWS_LAMBDA_RUNTIME_API);
