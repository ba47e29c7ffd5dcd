// Secret references in lambda-image.json: accepted by the manifest's checks and its schema, turned
// into CloudFormation dynamic references for the stack (no value in any template), and resolved
// in memory for the sdk engine.
import { describe, expect, test } from 'vitest';
import { manifestProblems } from '../src/shared/manifest.ts';
import { cloudFormationEnvironment, environmentValueProblem, plainEnvironment } from '../src/shared/env-values.ts';
import { resolveEnvironment, secretRefs } from '../src/deploy/secrets.ts';
import { stackTemplate } from '../src/engines/stack.ts';
import type { Manifest } from '../src/shared/manifest.ts';

const manifest = (environment: Record<string, unknown>, handlerEnvironment?: Record<string, unknown>) =>
  ({
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
    dispatcher: 'lambda_function.dispatch',
    handlers: [{ name: 'ingest', handler: 'lambda_function.ingest', event: 'events/ingest.json', ...(handlerEnvironment ? { environment: handlerEnvironment } : {}) }],
    deploy: { roleArn: null, imageTagMutability: 'MUTABLE', keepImages: 10, environment },
  }) as unknown as Manifest;

describe('secret references', () => {
  test('the manifest takes strings, {"ssm"} and {"secret"}, and names anything else', () => {
    expect(manifestProblems(manifest({ A: 'x', B: { ssm: '/orders/db' }, C: { secret: 'orders/api' } }, { DD: { ssm: 'p' } }))).toEqual([]);
    const problems = manifestProblems(manifest({ A: 1, B: { ssm: '' }, C: { ssm: '/a', secret: 'b' }, E: { vault: 'x' } }, { DD: ['x'] }));
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining('"deploy.environment.A" must be a string, {"ssm": "<parameter name>"} or {"secret"'),
      expect.stringContaining('"deploy.environment.B" must be'),
      expect.stringContaining('"deploy.environment.C" must be'),
      expect.stringContaining('"deploy.environment.E" must be'),
      expect.stringContaining('.environment.DD must be a string, {"ssm"'),
    ]));
    expect(environmentValueProblem({ secret: 'x' }, 'X')).toBeUndefined();
  });

  test('the stack holds CloudFormation dynamic references, never a value; local runs get the plain values only', () => {
    const m = manifest({ PLAIN: 'x', DB: { ssm: '/orders/db' } }, { KEY: { secret: 'orders/api' } });
    const fn = (stackTemplate(m).Resources as Record<string, { Properties: { Environment?: { Variables: Record<string, string> } } }>).IngestFunction!;
    expect(fn.Properties.Environment!.Variables).toEqual({ PLAIN: 'x', DB: '{{resolve:ssm:/orders/db}}', KEY: '{{resolve:secretsmanager:orders/api}}' });
    expect(cloudFormationEnvironment({ A: { secret: 'arn:aws:secretsmanager:us-east-1:1:secret:x' } })).toEqual({ A: '{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:1:secret:x}}' });
    expect(plainEnvironment({ PLAIN: 'x', DB: { ssm: '/orders/db' } })).toEqual({ PLAIN: 'x' });
  });

  test('the sdk engine reads each reference once and puts the values in the functions\' environment', () => {
    const m = manifest({ DB: { ssm: '/orders/db' }, PLAIN: 'x' }, { DB2: { ssm: '/orders/db' }, KEY: { secret: 'api' } });
    expect(secretRefs(m)).toEqual([{ ssm: '/orders/db' }, { secret: 'api' }]);
    const values = new Map([['ssm:/orders/db', 's3cret'], ['secret:api', 'k3y']]);
    expect(resolveEnvironment({ DB: { ssm: '/orders/db' }, KEY: { secret: 'api' }, PLAIN: 'x' }, values)).toEqual({ DB: 's3cret', KEY: 'k3y', PLAIN: 'x' });
    expect(() => resolveEnvironment({ X: { ssm: '/missing' } }, values)).toThrow(/the SSM parameter \/missing/);
  });
});
