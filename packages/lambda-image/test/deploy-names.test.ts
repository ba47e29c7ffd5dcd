import { describe, expect, test } from 'vitest';
import {
  MAX_FUNCTION_NAME,
  fitName,
  functionName,
  functionNamePrefix,
  parseRepository,
  roleName,
} from '../src/shared/names.ts';

const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/;

describe('function names', () => {
  test('are <project>-<handler> when that fits', () => {
    expect(functionName('orders-svc', 'report_daily')).toBe('orders-svc-report_daily');
  });

  test('replace characters Lambda refuses', () => {
    expect(functionName('@acme/orders.svc', 'ingest')).toBe('acme-orders-svc-ingest');
    expect(functionName('@acme/orders.svc', 'ingest')).toMatch(LAMBDA_NAME);
  });

  test('longest project and handler names: at most 64 characters, valid, stable, distinct, with the project prefix', () => {
    const project = 'p'.repeat(40);
    const a = functionName(project, `${'h'.repeat(39)}a`);
    const b = functionName(project, `${'h'.repeat(39)}b`);
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(MAX_FUNCTION_NAME);
      expect(name).toMatch(LAMBDA_NAME);
      expect(name.startsWith(functionNamePrefix(project))).toBe(true);
    }
    expect(a).not.toBe(b);
    expect(functionName(project, `${'h'.repeat(39)}a`)).toBe(a);
    expect(a).toMatch(/-[0-9a-f]{8}$/);
  });

  test('a name that fits exactly is left alone; one character more is shortened', () => {
    expect(fitName('x'.repeat(64), 64)).toBe('x'.repeat(64));
    const shortened = fitName('x'.repeat(65), 64);
    expect(shortened).toHaveLength(64);
    expect(shortened).not.toBe('x'.repeat(64));
  });

  test('the prefix of a project is a prefix of every one of its names, short or shortened', () => {
    for (const project of ['orders-svc', 'a'.repeat(40)]) {
      for (const handler of ['x', 'y'.repeat(40)]) {
        expect(functionName(project, handler).startsWith(functionNamePrefix(project))).toBe(true);
      }
    }
  });
});

describe('role names', () => {
  test('<name>-lambda-role, as the manifest documents it', () => {
    expect(roleName('orders-svc')).toBe('orders-svc-lambda-role');
  });

  test('fit IAM limits', () => {
    const name = roleName('@scope/'.concat('r'.repeat(60)));
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[\w+=,.@-]+$/);
  });
});

describe('repository references', () => {
  test('a plain name', () => {
    expect(parseRepository('orders-svc')).toEqual({ name: 'orders-svc' });
  });

  test('a full ECR URI gives account, region and name', () => {
    expect(parseRepository('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/orders')).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
      name: 'team/orders',
    });
  });
});
