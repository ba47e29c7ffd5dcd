// lambda-image.json's public contract: the JSON Schema the package ships and the checks the
// commands run (manifestProblems) must say the same about every manifest, good or bad.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { MANIFEST_VERSION, ManifestError, loadManifest, manifestProblems } from '../src/shared/manifest.ts';
import { VERSION } from '../src/version.ts';
import { manifestFor } from './local-fixtures.ts';

const schemaPath = fileURLToPath(import.meta.resolve('lambda-image/schema.json'));
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

type Json = Record<string, unknown>;
const base = (): Json => JSON.parse(JSON.stringify(manifestFor('python', 'lambda_function.lambda_handler', ['ingest', 'report'], (h) => `lambda_function.${h}`)));
const deploy = (m: Json) => m.deploy as Json;
const handler = (m: Json, i = 0) => (m.handlers as Json[])[i]!;

const GOOD: Record<string, (m: Json) => void> = {
  'as generated, sdk engine': (m) => {
    m.$schema = './node_modules/lambda-image/schema/lambda-image.schema.json';
    deploy(m).engine = 'sdk';
  },
  'written before deploy engines existed (no deploy.engine)': () => {},
  'the sam engine, a role and environment variables': (m) => {
    Object.assign(deploy(m), { engine: 'sam', roleArn: 'arn:aws:iam::123456789012:role/r', environment: { STAGE: 'prod', EMPTY: '' } });
  },
  'the cdk engine, arm64, the limits of memory and timeout': (m) => {
    Object.assign(m, { architecture: 'arm64', memory: 10240, timeout: 900 });
    deploy(m).engine = 'cdk';
  },
  'the lowest memory and timeout, immutable tags, one image kept': (m) => {
    Object.assign(m, { memory: 128, timeout: 1 });
    Object.assign(deploy(m), { imageTagMutability: 'IMMUTABLE', keepImages: 1 });
  },
  'another base image with the runtime interface client (--base-image)': (m) => {
    Object.assign(m, { baseImage: 'python:3.14-slim', awsBaseImage: false });
  },
  'each handler its own settings and trigger, at the limits': (m) => {
    Object.assign(handler(m, 0), {
      memory: 10240, timeout: 900, ephemeralStorage: 10240, reservedConcurrency: 0, description: 'drains the queue', environment: { LEVEL: 'debug' },
      trigger: { type: 'sqs', batchSize: 10000, batchWindow: 300, maxReceiveCount: 1 },
    });
    Object.assign(handler(m, 1), { memory: 128, timeout: 1, ephemeralStorage: 512, trigger: { type: 'schedule', expression: 'cron(0 6 ? * MON-FRI *)', timezone: 'Europe/Paris' } });
  },
  'a public function URL with CORS; an existing FIFO queue': (m) => {
    handler(m, 0).trigger = { type: 'url', auth: 'NONE', cors: { allowOrigins: ['https://example.com'], allowMethods: ['GET', 'POST'], allowCredentials: true, maxAge: 86400 } };
    handler(m, 1).trigger = { type: 'sqs', queueArn: 'arn:aws:sqs:eu-west-1:123456789012:orders.fifo', batchSize: 10 };
  },
  'keys of the user’s own are kept and ignored': (m) => {
    m.owner = 'team-a';
    deploy(m).notes = ['x'];
  },
};

const BAD: Record<string, (m: Json) => void> = {
  'version missing': (m) => delete m.version,
  'awsBaseImage as a string': (m) => (m.awsBaseImage = 'false'),
  'version as a string': (m) => (m.version = '1'),
  'version 0': (m) => (m.version = 0),
  'a newer version': (m) => (m.version = MANIFEST_VERSION + 1),
  '$schema not a string': (m) => (m.$schema = 5),
  'name empty': (m) => (m.name = ''),
  'region missing': (m) => delete m.region,
  'dispatcher a number': (m) => (m.dispatcher = 1),
  'architecture unknown': (m) => (m.architecture = 'arm'),
  'memory below 128': (m) => (m.memory = 127),
  'memory above 10240': (m) => (m.memory = 10241),
  'memory not whole': (m) => (m.memory = 512.5),
  'memory as a string': (m) => (m.memory = '512'),
  'timeout 0': (m) => (m.timeout = 0),
  'timeout above 900': (m) => (m.timeout = 901),
  'no handlers': (m) => (m.handlers = []),
  'handlers an object': (m) => (m.handlers = { ingest: 'lambda_function.ingest' }),
  'a handler without its event': (m) => delete (m.handlers as Json[])[0]!.event,
  'a handler name that is a number': (m) => ((m.handlers as Json[])[0]!.name = 7),
  'a handler memory above 10240': (m) => (handler(m).memory = 10241),
  'a handler timeout 0': (m) => (handler(m).timeout = 0),
  'a handler ephemeral storage below 512': (m) => (handler(m).ephemeralStorage = 511),
  'a negative reserved concurrency': (m) => (handler(m).reservedConcurrency = -1),
  'a description of 257 characters': (m) => (handler(m).description = 'x'.repeat(257)),
  'a handler environment value that is a number': (m) => (handler(m).environment = { PORT: 8080 }),
  'a handler environment name with a hyphen': (m) => (handler(m).environment = { 'MY-VAR': 'x' }),
  'a trigger of an unknown type': (m) => (handler(m).trigger = { type: 'sns' }),
  'a trigger as a string': (m) => (handler(m).trigger = 'sqs'),
  'a schedule without an expression': (m) => (handler(m).trigger = { type: 'schedule' }),
  'a schedule in crontab form': (m) => (handler(m).trigger = { type: 'schedule', expression: '0 6 * * *' }),
  'a cron of 5 fields': (m) => (handler(m).trigger = { type: 'schedule', expression: 'cron(0 6 * * ?)' }),
  'a rate in weeks': (m) => (handler(m).trigger = { type: 'schedule', expression: 'rate(1 week)' }),
  'a url auth in lower case': (m) => (handler(m).trigger = { type: 'url', auth: 'none' }),
  'a CORS method that is not HTTP': (m) => (handler(m).trigger = { type: 'url', cors: { allowMethods: ['FETCH'] } }),
  'a CORS max age of a week': (m) => (handler(m).trigger = { type: 'url', cors: { maxAge: 604800 } }),
  'a queue given by URL, not ARN': (m) => (handler(m).trigger = { type: 'sqs', queueArn: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q' }),
  'a batch size of 0': (m) => (handler(m).trigger = { type: 'sqs', batchSize: 0 }),
  'a batch window above 300': (m) => (handler(m).trigger = { type: 'sqs', batchWindow: 301 }),
  'a setting of another trigger type': (m) => (handler(m).trigger = { type: 'sqs', expression: 'rate(1 hour)' }),
  'deploy missing': (m) => delete m.deploy,
  'deploy.roleArn a number': (m) => (deploy(m).roleArn = 5),
  'deploy.roleArn missing': (m) => delete deploy(m).roleArn,
  'deploy.imageTagMutability lower case': (m) => (deploy(m).imageTagMutability = 'mutable'),
  'deploy.keepImages 0': (m) => (deploy(m).keepImages = 0),
  'deploy.environment with a number': (m) => (deploy(m).environment = { PORT: 8080 }),
  'deploy.environment an array': (m) => (deploy(m).environment = ['A=1']),
  'deploy.engine unknown': (m) => (deploy(m).engine = 'terraform'),
};

describe('the shipped JSON Schema and manifestProblems agree', () => {
  test('the schema is exported as lambda-image/schema.json and documents this format version', () => {
    expect(schemaPath.endsWith(join('schema', 'lambda-image.schema.json'))).toBe(true);
    expect(schema.properties.version).toEqual(expect.objectContaining({ const: MANIFEST_VERSION }));
  });

  test.each(Object.entries(GOOD))('valid for both: %s', (_name, change) => {
    const m = base();
    change(m);
    expect(manifestProblems(m)).toEqual([]);
    expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
  });

  test.each(Object.entries(BAD))('invalid for both: %s', (_name, change) => {
    const m = base();
    change(m);
    expect(manifestProblems(m)).not.toEqual([]);
    expect(validate(m)).toBe(false);
  });

  test.each([[[]], [null], ['lambda-image'], [42]])('invalid for both: %j is not a manifest', (data) => {
    expect(manifestProblems(data)).toEqual(['the manifest must be a JSON object']);
    expect(validate(data)).toBe(false);
  });

  test('what JSON Schema cannot say: handler names are unique (the commands refuse a repeated one)', () => {
    const m = base();
    (m.handlers as Json[]).push({ name: 'ingest', handler: 'lambda_function.other', event: 'events/other.json' });
    expect(manifestProblems(m)).toEqual(['handler "ingest" is listed twice']);
    expect(validate(m)).toBe(true);
    expect(schema.properties.handlers.description).toMatch(/unique/);
  });
});

describe('format versions', () => {
  const write = (m: Json) => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-version-'));
    writeFileSync(join(dir, 'lambda-image.json'), JSON.stringify(m));
    return dir;
  };

  test('a manifest of a newer format is refused with the versions involved and the upgrade command, and nothing else', () => {
    const m = base();
    m.version = MANIFEST_VERSION + 1;
    delete m.region; // a newer format may have moved it: no complaint about it
    const dir = write(m);
    expect(() => loadManifest(dir)).toThrow(ManifestError);
    expect(() => loadManifest(dir)).toThrow(
      `${join(dir, 'lambda-image.json')}: "version" is ${MANIFEST_VERSION + 1}: this file was written for a newer lambda-image than this one (${VERSION}, which reads format ${MANIFEST_VERSION} and earlier); upgrade it: npm install --save-dev lambda-image@latest`,
    );
  });

  test('a manifest without a version is told the exact line to add', () => {
    const m = base();
    delete m.version;
    expect(() => loadManifest(write(m))).toThrow(`"version" is missing: add "version": ${MANIFEST_VERSION}`);
  });

  test('format 1 as every earlier release wrote it is read: no $schema, no deploy.engine (the sdk engine)', () => {
    const m = base();
    expect(loadManifest(write(m))).toMatchObject({ version: 1, name: 'fixture-python' });
    expect(loadManifest(write(m)).deploy.engine).toBeUndefined();
  });
});
