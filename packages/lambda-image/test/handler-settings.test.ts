// Each handler's settings: the fallbacks every engine deploys, and the checks that name the
// file's field and Lambda's own rule when a value would be refused at deploy time.
import { describe, expect, test } from 'vitest';
import { effectiveSettings, handlerSettingsProblems, scheduleExpressionProblem } from '../src/shared/handler-settings.ts';
import { manifestProblems } from '../src/shared/manifest.ts';
import { manifestFor } from './local-fixtures.ts';

const project = { name: 'orders-svc', memory: 512, timeout: 30, deploy: { environment: { STAGE: 'prod', LEVEL: 'info' } } };

describe('effective settings', () => {
  test('a handler without settings gets the project’s, Lambda’s defaults and no trigger', () => {
    expect(effectiveSettings(project, { name: 'api' })).toEqual({
      memory: 512, timeout: 30, environment: { STAGE: 'prod', LEVEL: 'info' }, ephemeralStorage: 512,
      reservedConcurrency: undefined, description: 'orders-svc: api (generator-lambda-image)', trigger: undefined,
    });
  });

  test('its own values win; its environment is laid over the project’s', () => {
    const trigger = { type: 'schedule' as const, expression: 'rate(1 day)' };
    expect(
      effectiveSettings(project, { name: 'report_daily', memory: 2048, timeout: 300, environment: { LEVEL: 'debug', OUT: 's3://b' }, ephemeralStorage: 4096, reservedConcurrency: 1, description: 'daily report', trigger }),
    ).toEqual({ memory: 2048, timeout: 300, environment: { STAGE: 'prod', LEVEL: 'debug', OUT: 's3://b' }, ephemeralStorage: 4096, reservedConcurrency: 1, description: 'daily report', trigger });
  });
});

describe('checks', () => {
  test.each([
    ['rate(1 minute)', undefined],
    ['rate(5 minutes)', undefined],
    ['rate(2 days)', undefined],
    ['cron(0 6 * * ? *)', undefined],
    ['cron(15 10 ? * 6L 2026-2030)', undefined],
    ['cron(0/5 8-17 ? * MON-FRI *)', undefined],
    ['rate(1 minutes)', 'write rate(1 minute): a rate of 1 takes the singular'],
    ['rate(5 minute)', 'write rate(5 minutes): a rate above 1 takes the plural'],
    ['rate(0 hours)', 'the rate must be at least 1 hour'],
    ['rate(1 week)', 'a rate is rate(<whole number> <minute(s)|hour(s)|day(s)>), e.g. rate(5 minutes)'],
    ['cron(0 6 * * * *)', 'in a cron expression exactly one of day-of-month and day-of-week must be "?", e.g. cron(0 6 * * ? *)'],
    ['cron(0 6 * * ?)', 'a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got 5: e.g. cron(0 6 * * ? *)'],
    ['cron(0 25h * * ? *)', 'the cron field hours ("25h") is not valid'],
    ['0 6 * * *', 'must be rate(...) or cron(...), e.g. "rate(1 hour)" or "cron(0 6 * * ? *)"'],
  ])('schedule expression %s', (expression, problem) => {
    expect(scheduleExpressionProblem(expression)).toBe(problem);
  });

  test('each problem names the handler and its field, with the fix', () => {
    expect(
      handlerSettingsProblems(
        { name: 'ingest', memory: 64, environment: { AWS_REGION: 'x' }, trigger: { type: 'sqs', batchSize: 100, batchWindow: 0 } },
        'handlers[0] ("ingest")',
      ),
    ).toEqual([
      'handlers[0] ("ingest").memory must be a whole number of MB from 128 to 10240',
      'handlers[0] ("ingest").environment: AWS_REGION is set by Lambda and cannot be given',
      'handlers[0] ("ingest").trigger.batchSize above 10 needs a batchWindow of at least 1 second (Lambda\'s rule for standard queues)',
    ]);
    expect(handlerSettingsProblems({ trigger: { type: 'schedule', expression: 'rate(1 day)', timezone: 'Mars/Olympus' } }, 'h')).toEqual([
      'h.trigger.timezone "Mars/Olympus" is not an IANA time zone such as UTC or Europe/Paris',
    ]);
    expect(handlerSettingsProblems({ trigger: { type: 'sqs', queueArn: 'arn:aws:sqs:eu-west-1:123456789012:q.fifo', batchSize: 11 } }, 'h')).toEqual([
      'h.trigger.batchSize must be a whole number from 1 to 10',
      'h.trigger.batchSize above 10 needs a batchWindow of at least 1 second (Lambda\'s rule for standard queues)',
    ]);
    expect(handlerSettingsProblems({ trigger: { type: 'url', authType: 'NONE' } }, 'h')).toEqual(['h.trigger.authType is not a setting of a url trigger (it takes auth, cors)']);
  });

  test('the manifest reports them among its own problems', () => {
    const m = manifestFor('python', 'lambda_function.lambda_handler', ['ingest', 'api'], (h) => `lambda_function.${h}`);
    Object.assign(m.handlers[1]!, { timeout: 901, trigger: { type: 'url', auth: 'PUBLIC' } });
    expect(manifestProblems(m)).toEqual([
      'handlers[1] ("api").timeout must be a whole number of seconds from 1 to 900',
      'handlers[1] ("api").trigger.auth must be "AWS_IAM" (signed requests only, the default) or "NONE" (public)',
    ]);
  });
});
