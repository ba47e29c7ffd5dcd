// Runs the dispatcher in this machine's Node.js for npm run local -- --native.
//
// Part of the lambda-image package. Resolves the handler string as the Lambda runtime
// does (directory, then file and export path split at the first dot; .js, .mjs, .cjs
// tried in that order), gives each call a Lambda-like context, and writes one JSON line
// per invocation to file descriptor 3: {"ok", "body", "ms"}, where body is what Lambda
// would answer (the result, or the error document {"errorType", "errorMessage", "trace"}).
// Handler output goes to stdout/stderr untouched.
import { existsSync, readFileSync, writeSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function errorDocument(error) {
  if (error instanceof Error || (error && typeof error.stack === 'string')) {
    // Frames of this runner (node -e calls it [eval1]) say nothing about the handler.
    const trace = String(error.stack).split('\n').filter((line) => !line.includes('[eval'));
    return { errorType: error.name, errorMessage: error.message, trace };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

async function loadHandler(fullHandler, root) {
  const moduleAndHandler = basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(moduleAndHandler));
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (!match) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, module, handlerPath] = match;
  const base = resolve(root, moduleRoot, module);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new RuntimeError('Runtime.ImportModuleError', "Error: Cannot find module '" + module + "'");
  let loaded;
  try {
    loaded = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', error.name + ': ' + error.message);
    if (error?.code === 'ERR_MODULE_NOT_FOUND') throw new RuntimeError('Runtime.ImportModuleError', 'Error: ' + error.message);
    throw error;
  }
  const fn = handlerPath.split('.').reduce((obj, key) => (obj == null ? undefined : obj[key]), loaded);
  if (typeof fn !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', fullHandler + ' is undefined or not exported');
  return fn;
}

function makeContext(timeoutMs) {
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: randomUUID(),
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:' + (process.env.AWS_REGION ?? 'us-east-1') + ':000000000000:function:' + name,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    logGroupName: '/aws/lambda/' + name,
    logStreamName: 'local/[$LATEST]' + randomUUID().replaceAll('-', ''),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// The Node.js 24 runtime's client (aws-lambda-ric 4.x) refuses handlers with a callback
// parameter at init; --native says the same, so that it does not pass what the image fails.
function refuseCallbackStyle(fn) {
  const major = Number(/^AWS_Lambda_nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV ?? '')?.[1]);
  if (major >= 24 && fn.length >= 3) {
    throw new RuntimeError(
      'Runtime.CallbackHandlerDeprecated',
      'the Node.js ' + major + ' runtime no longer runs callback-style handlers (event, context, callback): make the handler async and return its result',
    );
  }
  return fn;
}

function call(fn, event, context) {
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

// Run with node -e: the arguments follow the executable directly.
const [dispatcher, root] = process.argv.slice(2);
writeSync(3, JSON.stringify({ version: process.versions.node }) + '\n');
const job = JSON.parse(readFileSync(0, 'utf8'));
process.chdir(root);
let handler;
for (const invocation of job.invocations) {
  const started = performance.now();
  let ok = false;
  let body;
  try {
    handler ??= refuseCallbackStyle(await loadHandler(dispatcher, root));
    // The function's timeout runs from here: loading the code is the init phase.
    writeSync(3, JSON.stringify({ start: true }) + '\n');
    const result = await call(handler, invocation.payload, makeContext(invocation.timeoutMs ?? job.timeoutMs));
    body = JSON.stringify(result === undefined ? null : result);
    ok = true;
  } catch (error) {
    body = JSON.stringify(errorDocument(error));
  }
  writeSync(3, JSON.stringify({ ok, body, ms: performance.now() - started }) + '\n');
}

// Lambda freezes the process after the response; open handles must not keep the run waiting.
process.exit(0);
