// The programs `npm run local -- --native` runs in the host's runtime (python3 -c,
// node -e, ruby -e). They live here as text so that the tooling stays a set of
// TypeScript modules. Each one resolves the handler string as the Lambda runtime does,
// gives each call a Lambda-like context, and writes one JSON line per invocation to
// file descriptor 3: {"ok", "body", "ms"}, where body is what Lambda would answer
// (the result, or the runtime's error document). Handler output goes to
// stdout/stderr untouched.

export const PYTHON_RUNNER = String.raw`"""Runs the dispatcher in this machine's Python for npm run local -- --native.

Managed by generator-lambda-image. Resolves the handler string as the Lambda runtime
does (module and function split at the last dot, module imported from the project
root), gives each call a Lambda-like context, and writes one JSON line per invocation
to file descriptor 3: {"ok", "body", "ms"}, where body is what Lambda would answer
(the result, or the error document {"errorMessage", "errorType", "stackTrace"}).
Handler output goes to stdout/stderr untouched.
"""
import importlib
import json
import os
import platform
import sys
import time
import traceback
import uuid


class Fault(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def load_handler(handler, root):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, e))
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


class LambdaContext:
    def __init__(self, timeout_ms):
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:{}:000000000000:function:{}".format(region, name)
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = "local/[$LATEST]" + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_ms / 1000.0

    def get_remaining_time_in_millis(self):
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def error_document(exc, drop_frames=1):
    frames = traceback.extract_tb(exc.__traceback__)[drop_frames:]
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": traceback.format_list(frames)}


def main():
    dispatcher, root = sys.argv[1], sys.argv[2]
    results = os.fdopen(3, "w")
    results.write(json.dumps({"version": platform.python_version()}) + "\n")
    results.flush()
    job = json.load(sys.stdin)
    os.chdir(root)
    handler = None
    for invocation in job["invocations"]:
        started = time.perf_counter()
        ok = False
        try:
            if handler is None:
                handler = load_handler(dispatcher, root)
            result = handler(invocation["payload"], LambdaContext(job["timeoutMs"]))
            try:
                body = json.dumps(result)
                ok = True
            except (TypeError, ValueError) as e:
                body = json.dumps({"errorMessage": "Unable to marshal response: {}".format(e), "errorType": "Runtime.MarshalError", "stackTrace": []})
        except Fault as fault:
            body = json.dumps({"errorMessage": str(fault), "errorType": fault.error_type, "stackTrace": []})
        except Exception as exc:
            body = json.dumps(error_document(exc))
        ms = (time.perf_counter() - started) * 1000
        sys.stdout.flush()
        sys.stderr.flush()
        results.write(json.dumps({"ok": ok, "body": body, "ms": ms}) + "\n")
        results.flush()


if __name__ == "__main__":
    main()
`;

export const NODE_RUNNER = String.raw`// Runs the dispatcher in this machine's Node.js for npm run local -- --native.
//
// Managed by generator-lambda-image. Resolves the handler string as the Lambda runtime
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
const [dispatcher, root] = process.argv.slice(1);
writeSync(3, JSON.stringify({ version: process.versions.node }) + '\n');
const job = JSON.parse(readFileSync(0, 'utf8'));
process.chdir(root);
let handler;
for (const invocation of job.invocations) {
  const started = performance.now();
  let ok = false;
  let body;
  try {
    handler ??= await loadHandler(dispatcher, root);
    const result = await call(handler, invocation.payload, makeContext(job.timeoutMs));
    body = JSON.stringify(result === undefined ? null : result);
    ok = true;
  } catch (error) {
    body = JSON.stringify(errorDocument(error));
  }
  writeSync(3, JSON.stringify({ ok, body, ms: performance.now() - started }) + '\n');
}

// Lambda freezes the process after the response; open handles must not keep the run waiting.
process.exit(0);
`;

export const RUBY_RUNNER = String.raw`# Runs the dispatcher in this machine's Ruby for npm run local -- --native.
#
# Managed by generator-lambda-image. Resolves the handler string as the Lambda runtime
# does ("file.method", or "file.Module::Class.method"; file.rb under the project root),
# calls it with the keyword arguments event: and context:, and writes one JSON line per
# invocation to file descriptor 3: {"ok", "body", "ms"}, where body is what Lambda would
# answer (the result, or {"errorMessage", "errorType": "Function<Class>", "stackTrace"}).
# Handler output goes to stdout/stderr untouched.
require 'json'
require 'securerandom'

class LambdaContext
  attr_reader :aws_request_id, :function_name, :function_version, :invoked_function_arn,
              :memory_limit_in_mb, :log_group_name, :log_stream_name, :identity, :client_context

  def initialize(timeout_ms)
    name = ENV.fetch('AWS_LAMBDA_FUNCTION_NAME', 'local')
    @aws_request_id = SecureRandom.uuid
    @function_name = name
    @function_version = '$LATEST'
    @invoked_function_arn = "arn:aws:lambda:#{ENV.fetch('AWS_REGION', 'us-east-1')}:000000000000:function:#{name}"
    @memory_limit_in_mb = ENV.fetch('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '128')
    @log_group_name = "/aws/lambda/#{name}"
    @log_stream_name = "local/[$LATEST]#{SecureRandom.hex(16)}"
    @deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout_ms / 1000.0
  end

  def get_remaining_time_in_millis
    [((@deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)) * 1000).to_i, 0].max
  end
end

class InitError < StandardError
  attr_reader :error_type

  def initialize(error_type, message)
    super(message)
    @error_type = error_type
  end
end

def load_handler(handler, root)
  parts = handler.split('.')
  unless [2, 3].include?(parts.size)
    raise InitError.new('Init<ArgumentError>', "Invalid handler #{handler}, must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD")
  end
  begin
    require File.join(root, parts[0])
  rescue ScriptError, StandardError => e
    raise InitError.new("Init<#{e.class}>", e.message)
  end
  receiver = parts.size == 3 ? Object.const_get(parts[1]) : TOPLEVEL_BINDING.receiver
  raise InitError.new('Init<NoMethodError>', "undefined method '#{parts.last}' for #{receiver}") unless receiver.respond_to?(parts.last, true)

  [receiver, parts.last]
end

dispatcher, root = ARGV
results = IO.new(3, 'w')
results.write(JSON.generate(version: RUBY_VERSION) + "\n")
results.flush
job = JSON.parse($stdin.read)
Dir.chdir(root)
$stdout.sync = true
target = nil
job['invocations'].each do |invocation|
  started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  ok = false
  begin
    target ||= load_handler(dispatcher, root)
    receiver, method_name = target
    result = receiver.send(method_name, event: invocation['payload'], context: LambdaContext.new(job['timeoutMs']))
    body = JSON.generate(result, quirks_mode: true)
    ok = true
  rescue InitError => e
    body = JSON.generate(errorMessage: e.message, errorType: e.error_type, stackTrace: [])
  rescue StandardError, ScriptError => e
    # Frames of this runner (ruby -e calls it -e) say nothing about the handler.
    trace = (e.backtrace || []).reject { |line| line.start_with?('-e:') }
    body = JSON.generate(errorMessage: e.message, errorType: "Function<#{e.class}>", stackTrace: trace)
  end
  ms = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) * 1000
  results.write(JSON.generate(ok: ok, body: body, ms: ms) + "\n")
  results.flush
end
`;
