import { describe, expect, test, vi } from 'vitest';
import type { FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import { DeployError } from '../src/shared/aws.ts';
import { functionSpecs, groupFailures } from '../src/deploy/deploy.ts';
import { type DeployState, functionTable, partialState, table } from '../src/deploy/deploy-report.ts';
import { repositoryName } from '../src/deploy/ecr.ts';
import { type ExistingFunction, type FunctionSpec, applyFunction, diffFunction, isRoleNotReady } from '../src/deploy/lambda.ts';
import type { Manifest } from '../src/shared/manifest.ts';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-svc@sha256:aaa';
const ROLE = 'arn:aws:iam::123456789012:role/orders-svc-lambda-role';

const manifest: Manifest = {
  version: 1,
  name: 'orders-svc',
  runtime: 'python',
  runtimeVersion: '3.13',
  baseImage: 'public.ecr.aws/lambda/python:3.13',
  architecture: 'x86_64',
  region: 'us-east-1',
  repository: 'orders-svc',
  memory: 512,
  timeout: 30,
  dispatcher: 'lambda_function.lambda_handler',
  handlers: [
    { name: 'ingest', handler: 'lambda_function.ingest', event: 'events/ingest.json' },
    { name: 'report_daily', handler: 'lambda_function.report_daily', event: 'events/report_daily.json' },
  ],
  deploy: { roleArn: null, imageTagMutability: 'MUTABLE', keepImages: 10, environment: { STAGE: 'dev' } },
};

const spec = (): FunctionSpec => functionSpecs(manifest, IMAGE, ROLE)[0]!;

/** The function as deploy left it last time. */
function deployed(overrides: Partial<FunctionConfiguration> = {}, tags: Record<string, string> = { 'lambda-image:project': 'orders-svc' }): ExistingFunction {
  return {
    config: {
      FunctionName: 'orders-svc-ingest',
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-svc-ingest',
      PackageType: 'Image',
      Role: ROLE,
      MemorySize: 512,
      Timeout: 30,
      Description: 'orders-svc: ingest (generator-lambda-image)',
      Architectures: ['x86_64'],
      Environment: { Variables: { STAGE: 'dev' } },
      ImageConfigResponse: { ImageConfig: { Command: ['lambda_function.ingest'] } },
      State: 'Active',
      LastUpdateStatus: 'Successful',
      ...overrides,
    },
    imageUri: IMAGE,
    tags,
  };
}

describe('function specs', () => {
  test('one per handler, each with its own command and the same pinned image', () => {
    const specs = functionSpecs(manifest, IMAGE, ROLE);
    expect(specs.map((s) => [s.name, s.command, s.imageUri])).toEqual([
      ['orders-svc-ingest', 'lambda_function.ingest', IMAGE],
      ['orders-svc-report_daily', 'lambda_function.report_daily', IMAGE],
    ]);
    expect(specs[0]).toMatchObject({ memory: 512, timeout: 30, architecture: 'x86_64', environment: { STAGE: 'dev' }, role: ROLE });
  });

  test('two handlers that would share a function name are refused', () => {
    const clash = { ...manifest, handlers: [...manifest.handlers, { name: 'report.daily', handler: 'x.y', event: 'e.json' }, { name: 'report-daily', handler: 'x.z', event: 'e.json' }] };
    expect(() => functionSpecs(clash, IMAGE, ROLE)).toThrow(/"report.daily" and "report-daily" would both deploy as the function orders-svc-report-daily/);
  });
});

describe('what a deploy does to a function', () => {
  test('missing: create', () => {
    expect(diffFunction(undefined, spec(), 'us-east-1').action).toBe('create');
  });

  test('identical: unchanged, with no environment deployed as none', () => {
    expect(diffFunction(deployed(), spec(), 'us-east-1')).toMatchObject({ action: 'unchanged', code: false, config: false });
    const noEnv = { ...spec(), environment: {} };
    expect(diffFunction(deployed({ Environment: undefined }), noEnv, 'us-east-1').action).toBe('unchanged');
  });

  test('the resolved image URI counts as the same image', () => {
    const fn = { ...deployed(), imageUri: `${IMAGE.split('@')[0]}:ctx-1`, resolvedImageUri: IMAGE };
    expect(diffFunction(fn, spec(), 'us-east-1').action).toBe('unchanged');
  });

  test('a new image: code update only', () => {
    const diff = diffFunction(deployed(), { ...spec(), imageUri: `${IMAGE}bbb` }, 'us-east-1');
    expect(diff).toMatchObject({ action: 'update', code: true, config: false, changes: ['image'] });
  });

  test('configuration changes: configuration update only, each named', () => {
    const diff = diffFunction(
      deployed({ MemorySize: 256, Timeout: 3, Environment: { Variables: {} }, ImageConfigResponse: { ImageConfig: { Command: ['old.handler'] } } }),
      spec(),
      'us-east-1',
    );
    expect(diff.code).toBe(false);
    expect(diff.config).toBe(true);
    expect(diff.changes).toEqual(['command -> lambda_function.ingest', 'memory 256 -> 512', 'timeout 3 -> 30', 'environment']);
  });

  test('a handler’s own settings: only that function’s spec differs, and each change is named', () => {
    const own = { ...manifest, handlers: [{ ...manifest.handlers[0]!, memory: 2048, ephemeralStorage: 1024, reservedConcurrency: 2, environment: { LEVEL: 'debug' } }, manifest.handlers[1]!] };
    const [ingest, report] = functionSpecs(own, IMAGE, ROLE);
    expect(report).toEqual(functionSpecs(manifest, IMAGE, ROLE)[1]);
    expect(ingest).toMatchObject({ memory: 2048, ephemeralStorage: 1024, reservedConcurrency: 2, environment: { STAGE: 'dev', LEVEL: 'debug' } });
    const diff = diffFunction(deployed(), ingest!, 'us-east-1');
    expect(diff).toMatchObject({ action: 'update', code: false, config: true, concurrency: true });
    expect(diff.changes).toEqual(['reserved concurrency none -> 2', 'memory 512 -> 2048', 'environment', 'ephemeral storage 512 -> 1024']);
  });

  test('an architecture change is a code update', () => {
    expect(diffFunction(deployed({ Architectures: ['arm64'] }), spec(), 'us-east-1')).toMatchObject({ code: true, config: false });
  });

  test("another project's function, or an untagged one, is never taken over", () => {
    expect(() => diffFunction(deployed({}, {}), spec(), 'us-east-1')).toThrow(/not this project's \(its lambda-image:project tag is missing\)/);
    expect(() => diffFunction(deployed({}, { 'lambda-image:project': 'other' }), spec(), 'us-east-1')).toThrow(DeployError);
  });

  test('a .zip function of the same project is refused with the way out', () => {
    expect(() => diffFunction(deployed({ PackageType: 'Zip' }), spec(), 'us-east-1')).toThrow(/Zip function.*npm run destroy/);
  });
});

/** A Lambda client that answers from a script: enough for applyFunction and the SDK's waiters. */
function fakeLambda(answer: (command: string, input: Record<string, unknown>) => unknown) {
  const calls: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push(name);
      const result = answer(name, command.input);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as LambdaClient;
  return { client, calls };
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('applying a function', () => {
  test('create retries while a new role is not yet usable by Lambda', async () => {
    let creates = 0;
    const { client, calls } = fakeLambda((name) => {
      if (name === 'CreateFunction') {
        creates++;
        if (creates < 3) return awsError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.');
        return { FunctionArn: 'arn:fn' };
      }
      return { Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } };
    });
    let waited = 0;
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const applying = applyFunction(client, spec(), undefined, diffFunction(undefined, spec(), 'us-east-1'), {
        onRoleWait: () => waited++,
      });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(await applying).toMatchObject({ action: 'create', arn: 'arn:fn' });
    } finally {
      vi.useRealTimers();
    }
    expect(creates).toBe(3);
    expect(waited).toBe(1);
    expect(calls.at(-1)).toBe('GetFunction');
  });

  test('other CreateFunction errors are not retried', async () => {
    const { client, calls } = fakeLambda(() => awsError('InvalidParameterValueException', 'Source image is not valid'));
    await expect(applyFunction(client, spec(), undefined, diffFunction(undefined, spec(), 'us-east-1'))).rejects.toThrow(/Source image/);
    expect(calls).toEqual(['CreateFunction']);
  });

  test('a function that ends in Failed is reported with its StateReason', async () => {
    const { client } = fakeLambda((name) =>
      name === 'CreateFunction'
        ? { FunctionArn: 'arn:fn' }
        : name === 'GetFunction'
          ? { Configuration: { State: 'Failed' } }
          : { State: 'Failed', StateReason: 'Image manifest media type is not supported', StateReasonCode: 'ImageAccessDenied' },
    );
    await expect(applyFunction(client, spec(), undefined, diffFunction(undefined, spec(), 'us-east-1'))).rejects.toThrow(
      'the function orders-svc-ingest is in state Failed: Image manifest media type is not supported (ImageAccessDenied)',
    );
  });

  test('an update that fails is reported with LastUpdateStatusReason', async () => {
    const { client } = fakeLambda((name) =>
      name === 'GetFunction'
        ? { Configuration: { State: 'Active', LastUpdateStatus: 'Failed' } }
        : name === 'GetFunctionConfiguration'
          ? { State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReason: 'boom' }
          : {},
    );
    const fn = deployed();
    await expect(applyFunction(client, { ...spec(), imageUri: `${IMAGE}b` }, fn, diffFunction(fn, { ...spec(), imageUri: `${IMAGE}b` }, 'us-east-1'))).rejects.toThrow(
      'the update of orders-svc-ingest failed: boom',
    );
  });

  test('update: code then configuration, each waited for; unchanged: no call at all', async () => {
    const { client, calls } = fakeLambda(() => ({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } }));
    const fn = deployed({ MemorySize: 128 });
    const next = { ...spec(), imageUri: `${IMAGE}b` };
    const applied = await applyFunction(client, next, fn, diffFunction(fn, next, 'us-east-1'));
    expect(applied.action).toBe('update');
    expect(calls).toEqual(['UpdateFunctionCode', 'GetFunction', 'UpdateFunctionConfiguration', 'GetFunction']);

    const quiet = fakeLambda(() => ({}));
    expect((await applyFunction(quiet.client, spec(), deployed(), diffFunction(deployed(), spec(), 'us-east-1'))).action).toBe('unchanged');
    expect(quiet.calls).toEqual([]);
  });

  test('role propagation error recognition', () => {
    expect(isRoleNotReady(awsError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.'))).toBe(true);
    expect(isRoleNotReady(awsError('InvalidParameterValueException', 'Memory size is invalid'))).toBe(false);
    expect(isRoleNotReady(awsError('AccessDeniedException', 'cannot be assumed by Lambda'))).toBe(false);
  });
});

describe('ECR', () => {
  test('a repository in another region is refused before anything is built', () => {
    expect(repositoryName({ repository: 'orders-svc' }, 'us-east-1', '123456789012')).toBe('orders-svc');
    expect(repositoryName({ repository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders' }, 'us-east-1', '123456789012')).toBe('orders');
    expect(() => repositoryName({ repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders' }, 'us-east-1', '123456789012')).toThrow(
      /is in eu-west-1, but the functions deploy to us-east-1/,
    );
    expect(() => repositoryName({ repository: '210987654321.dkr.ecr.us-east-1.amazonaws.com/orders' }, 'us-east-1', '123456789012')).toThrow(
      /belongs to account 210987654321/,
    );
  });
});

describe('reports', () => {
  test('tables pad every column but the last', () => {
    expect(table(['A', 'BB'], [['xxx', 'y'], ['z', '']])).toEqual(['A    BB', '---  --', 'xxx  y', 'z']);
  });

  test('the final table has function, handler, result, time and ARN', () => {
    const lines = functionTable([{ name: 'f', handler: 'h.x', result: 'created', seconds: 1.25, arn: 'arn:f' }], true);
    expect(lines[0]).toMatch(/FUNCTION\s+HANDLER\s+RESULT\s+TIME\s+ARN/);
    expect(lines[2]).toMatch(/^f\s+h\.x\s+created\s+1\.3 s\s+arn:f$/);
  });

  test('several failures for one reason are said once', () => {
    const message = groupFailures([
      { name: 'a', handler: 'x', result: 'failed', detail: 'access denied' },
      { name: 'b', handler: 'x', result: 'failed', detail: 'access denied' },
      { name: 'c', handler: 'x', result: 'created' },
      { name: 'd', handler: 'x', result: 'failed', detail: 'Failed: bad image' },
    ]);
    expect(message).toBe('3 functions failed:\n  - a, b: access denied\n  - d: Failed: bad image');
  });

  test('the partial state lists what was done and what was not', () => {
    const state: DeployState = {
      project: 'p',
      repository: { name: 'p', created: true },
      image: { uri: 'r:t', digest: 'sha256:1', built: true, pushed: true },
      role: { arn: 'arn:role', created: false },
      functions: [
        { name: 'p-a', handler: 'h.a', result: 'created' },
        { name: 'p-b', handler: 'h.b', result: 'failed' },
        { name: 'p-c', handler: 'h.c', result: 'not reached' },
      ],
      orphans: [],
      steps: [],
    };
    expect(partialState(state)).toEqual([
      'Done before it stopped:',
      '  - created the ECR repository p',
      '  - pushed r:t (sha256:1)',
      '  - created the function p-a',
      'Not deployed:',
      '  - p-b (failed)',
      '  - p-c (not reached)',
      'Fix the problem and run `npm run deploy` again: it picks up where this one stopped.',
    ]);
    expect(partialState({ project: 'p', functions: [], orphans: [], steps: [] })[0]).toBe('Nothing was changed in AWS.');
  });
});
