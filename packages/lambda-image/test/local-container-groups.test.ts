// Which handlers share a container in Docker mode: those whose effective timeout, memory and
// environment are equal; a handler with settings of its own gets its own container and the
// deployed function's name.
import { describe, expect, it } from 'vitest';
import { containerGroups } from '../src/local/container-groups.ts';
import { manifestFor } from './local-fixtures.ts';

const manifest = (settings: Record<string, object> = {}) => {
  const m = manifestFor('python', 'lambda_function.dispatch', ['ingest', 'report', 'notify'], (h) => `lambda_function.${h}`);
  m.handlers = m.handlers.map((h) => ({ ...h, ...settings[h.name] }));
  return m;
};

describe('containerGroups', () => {
  it('puts every handler in one group when none has settings of its own, named after the project', () => {
    const m = manifest();
    const groups = containerGroups(m, m.handlers, '/var/task', { API_TOKEN: 't' });
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ handlers: ['ingest', 'report', 'notify'], timeout: 3, memory: 256, functionName: 'fixture-python', ownTimeout: false });
    expect(groups[0]!.environment).toMatchObject({
      STAGE: 'local-test',
      API_TOKEN: 't',
      AWS_LAMBDA_FUNCTION_TIMEOUT: '3',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_NAME: 'fixture-python',
    });
  });

  it('gives a handler with its own timeout, memory or environment its own group, under its deployed name', () => {
    const m = manifest({ report: { timeout: 1 }, notify: { memory: 1024, environment: { STAGE: 'notify-stage', TOPIC: 'x' } } });
    const groups = containerGroups(m, m.handlers, '/var/task');
    expect(groups.map((g) => g.handlers)).toEqual([['ingest'], ['report'], ['notify']]);
    expect(groups.map((g) => g.functionName)).toEqual(['fixture-python-ingest', 'fixture-python-report', 'fixture-python-notify']);
    expect(groups[1]).toMatchObject({ timeout: 1, memory: 256, ownTimeout: true });
    expect(groups[1]!.environment.AWS_LAMBDA_FUNCTION_TIMEOUT).toBe('1');
    expect(groups[2]!.environment).toMatchObject({ STAGE: 'notify-stage', TOPIC: 'x', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024', AWS_LAMBDA_FUNCTION_TIMEOUT: '3' });
    expect(groups[0]!.environment.TOPIC).toBeUndefined();
  });

  it('groups handlers whose settings end up equal, whether given or inherited', () => {
    const m = manifest({ ingest: { timeout: 3, environment: { STAGE: 'local-test' } }, report: { timeout: 9 }, notify: { timeout: 9 } });
    const groups = containerGroups(m, m.handlers, '/var/task');
    expect(groups.map((g) => [g.handlers, g.functionName])).toEqual([
      [['ingest'], 'fixture-python-ingest'],
      [['report', 'notify'], 'fixture-python'],
    ]);
  });

  it('leaves secret references out (they are resolved in AWS), and --env-file values go over every group', () => {
    const m = manifest({ report: { environment: { DB: { ssm: '/db' }, STAGE: 'r' } } });
    const groups = containerGroups(m, m.handlers, '/var/task', { STAGE: 'from-env-file' });
    expect(groups).toHaveLength(2);
    expect(groups[1]!.environment.DB).toBeUndefined();
    expect(groups.map((g) => g.environment.STAGE)).toEqual(['from-env-file', 'from-env-file']);
  });

  it('groups only the handlers being run: one selected handler is its deployed function', () => {
    const m = manifest();
    expect(containerGroups(m, [m.handlers[1]!], '/var/task')[0]!.functionName).toBe('fixture-python-report');
  });
});
