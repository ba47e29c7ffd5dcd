// What moto cannot show about the triggers, checked at the request level: the requests the SDK
// sends (through a recording request handler, the SDK's own seam) and the event a schedule
// delivers.
import { describe, expect, test } from 'vitest';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Readable } from 'node:stream';
import { publicUrlPermissions, scheduleGroupName, scheduleInput, schedulerRoleName, visibilityTimeout } from '../src/deploy/triggers.ts';

function recordingLambda() {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const client = new LambdaClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    requestHandler: {
      handle: async (request: { method: string; path: string; body?: unknown }) => {
        requests.push(request);
        const body = JSON.stringify({ Statement: '{}' });
        return { response: { statusCode: 201, headers: { 'content-type': 'application/json' }, body: Readable.from([Buffer.from(body)]) } };
      },
    },
  });
  return { client, requests };
}

describe('a public function URL (auth NONE)', () => {
  test('adds lambda:InvokeFunctionUrl for anyone, and lambda:InvokeFunction only through the URL (InvokedViaFunctionUrl), which moto drops', async () => {
    const { client, requests } = recordingLambda();
    for (const command of publicUrlPermissions('orders-svc-api')) await client.send(command);
    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/2015-03-31/functions/orders-svc-api/policy'],
      ['POST', '/2015-03-31/functions/orders-svc-api/policy'],
    ]);
    expect(requests.map((r) => JSON.parse(typeof r.body === "string" ? r.body : Buffer.from(r.body as Uint8Array).toString()))).toEqual([
      { StatementId: 'lambda-image-url-public', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' },
      { StatementId: 'lambda-image-url-invoke', Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true },
    ]);
  });
});

describe('schedules', () => {
  test('a scheduled function receives an EventBridge scheduled event filled in by Scheduler’s context attributes', () => {
    expect(JSON.parse(scheduleInput('123456789012', 'eu-west-1'))).toEqual({
      version: '0',
      id: '<aws.scheduler.execution-id>',
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '123456789012',
      time: '<aws.scheduler.scheduled-time>',
      region: 'eu-west-1',
      resources: ['<aws.scheduler.schedule-arn>'],
      detail: {},
    });
  });

  test('names: the group is the project, the role <project>-scheduler-role, both within 64 characters', () => {
    expect(scheduleGroupName('orders-svc')).toBe('orders-svc');
    expect(schedulerRoleName('orders-svc')).toBe('orders-svc-scheduler-role');
    expect(schedulerRoleName('x'.repeat(80))).toHaveLength(64);
  });
});

test('a created queue hides a message for six times the function’s timeout, within SQS’s 30 s to 12 h', () => {
  expect([visibilityTimeout(1), visibilityTimeout(30), visibilityTimeout(900)]).toEqual([30, 180, 5400]);
});
