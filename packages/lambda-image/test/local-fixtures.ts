// Small hand-written projects for the local tooling's tests: a manifest, a dispatcher
// like the generated ones, and events; just enough to drive the tooling.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../src/shared/manifest.ts';

export function manifestFor(runtime: string, dispatcher: string, handlers: string[], handlerString: (h: string) => string): Manifest {
  return {
    version: 1,
    name: `fixture-${runtime}`,
    runtime,
    runtimeVersion: runtime === 'python' ? '3.13' : runtime === 'nodejs' ? '22' : '3.4',
    baseImage: `public.ecr.aws/lambda/${runtime}:x`,
    architecture: 'x86_64',
    region: 'eu-west-1',
    repository: `fixture-${runtime}`,
    memory: 256,
    timeout: 3,
    dispatcher,
    handlers: handlers.map((name) => ({ name, handler: handlerString(name), event: `events/${name}.json` })),
    deploy: { roleArn: null, imageTagMutability: 'MUTABLE', keepImages: 10, environment: { STAGE: 'local-test' } },
  };
}

function write(dir: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const HANDLERS = ['ok', 'context', 'raises', 'sleeps', 'exits'];

function events(): Record<string, string> {
  return Object.fromEntries(HANDLERS.map((h) => [`events/${h}.json`, JSON.stringify({ name: h, n: 2 })]));
}

export function pythonProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-py-'));
  return write(dir, {
    'lambda-image.json': JSON.stringify(manifestFor('python', 'lambda_function.lambda_handler', HANDLERS, (h) => `lambda_function.${h}`)),
    ...events(),
    'app/core.py': 'def double(event):\n    return {"doubled": event["n"] * 2}\n\ndef fail(event):\n    raise ValueError("cannot handle " + event["name"])\n',
    'lambda_function.py': `import os, sys, time
from app import core

# Read at import, as code that makes a client from its configuration does.
WHO_AT_IMPORT = os.environ.get("WHO")

def ok(event, context):
    print("log line from ok")
    return core.double(event)

def context(event, context):
    return {"request_id": context.aws_request_id, "function_name": context.function_name,
            "memory": context.memory_limit_in_mb, "remaining": context.get_remaining_time_in_millis(),
            "region": os.environ["AWS_REGION"], "stage": os.environ.get("STAGE"), "cwd": os.getcwd()}

def raises(event, context):
    return core.fail(event)

def sleeps(event, context):
    time.sleep(30)

def exits(event, context):
    sys.exit(3)

def env(event, context):
    return {"who": os.environ.get("WHO"), "who_at_import": WHO_AT_IMPORT, "stage": os.environ.get("STAGE"),
            "token": os.environ.get("API_TOKEN"), "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
            "memory": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "timeout": os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT"),
            "remaining": context.get_remaining_time_in_millis()}

# env_one and env_two: two handlers of a test's manifest, each with settings of its own.
HANDLERS = {"ok": ok, "context": context, "raises": raises, "sleeps": sleeps, "exits": exits, "env_one": env, "env_two": env}

class UnknownHandlerError(Exception):
    pass

def lambda_handler(event, context):
    handler = HANDLERS.get(event.get("handler"))
    if handler is None:
        raise UnknownHandlerError("unknown handler %r: valid handlers are %s" % (event.get("handler"), ", ".join(HANDLERS)))
    return handler(event.get("event", {}), context)
`,
  });
}

export function nodeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-node-'));
  return write(dir, {
    'lambda-image.json': JSON.stringify(manifestFor('nodejs', 'lambda_function.handler', HANDLERS, (h) => `lambda_function.${h}`)),
    ...events(),
    'package.json': '{"private": true, "type": "module"}',
    'src/core.mjs': 'export const double = (event) => ({ doubled: event.n * 2 });\nexport function fail(event) { throw new TypeError(`cannot handle ${event.name}`); }\n',
    'lambda_function.mjs': `import { double, fail } from './src/core.mjs';
export const ok = async (event) => {
  console.log('log line from ok');
  return double(event);
};
export const context = async (event, context) => ({ request_id: context.awsRequestId, function_name: context.functionName,
  memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis(), region: process.env.AWS_REGION,
  stage: process.env.STAGE, cwd: process.cwd() });
export const raises = async (event) => fail(event);
export const sleeps = () => new Promise((r) => setTimeout(r, 30_000));
export const exits = () => process.exit(3);
// Read at import, as code that makes a client from its configuration does.
const WHO_AT_IMPORT = process.env.WHO ?? null;
export const env = async (event, context) => ({ who: process.env.WHO ?? null, who_at_import: WHO_AT_IMPORT, stage: process.env.STAGE ?? null,
  token: process.env.API_TOKEN ?? null, function_name: process.env.AWS_LAMBDA_FUNCTION_NAME, memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  timeout: process.env.AWS_LAMBDA_FUNCTION_TIMEOUT, remaining: context.getRemainingTimeInMillis() });
// env_one and env_two: two handlers of a test's manifest, each with settings of its own.
const HANDLERS = { ok, context, raises, sleeps, exits, env_one: env, env_two: env };
export async function handler(event, context) {
  const fn = HANDLERS[event.handler];
  if (!fn) throw new Error(\`unknown handler "\${event.handler}"\`);
  return fn(event.event ?? {}, context);
}
`,
  });
}

export function rubyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-ruby-'));
  return write(dir, {
    'lambda-image.json': JSON.stringify(manifestFor('ruby', 'lambda_function.handler', HANDLERS, (h) => `lambda_function.${h}`)),
    ...events(),
    'lambda_function.rb': `def ok(event:, context:)
  puts 'log line from ok'
  { doubled: event['n'] * 2 }
end

def context(event:, context:)
  { request_id: context.aws_request_id, function_name: context.function_name, memory: context.memory_limit_in_mb,
    remaining: context.get_remaining_time_in_millis, region: ENV['AWS_REGION'], stage: ENV['STAGE'], cwd: Dir.pwd }
end

def raises(event:, context:)
  raise ArgumentError, "cannot handle #{event['name']}"
end

def sleeps(event:, context:)
  sleep 30
end

def exits(event:, context:)
  exit 3
end

# Read at load, as code that makes a client from its configuration does.
WHO_AT_IMPORT = ENV['WHO']

def env(event:, context:)
  { who: ENV['WHO'], who_at_import: WHO_AT_IMPORT, stage: ENV['STAGE'], token: ENV['API_TOKEN'],
    function_name: ENV['AWS_LAMBDA_FUNCTION_NAME'], memory: ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'],
    timeout: ENV['AWS_LAMBDA_FUNCTION_TIMEOUT'], remaining: context.get_remaining_time_in_millis }
end

def handler(event:, context:)
  name = event['handler']
  # env_one and env_two: two handlers of a test's manifest, each with settings of its own.
  name = 'env' if %w[env_one env_two].include?(name)
  raise ArgumentError, "unknown handler #{name}" unless %w[ok context raises sleeps exits env].include?(name)
  send(name, event: event['event'] || {}, context: context)
end
`,
  });
}
