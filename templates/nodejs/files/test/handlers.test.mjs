// Every handler, called through the dispatcher as the local container calls it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { handler, handlerNames, UnknownHandlerError } from '../lambda_function.mjs';

const root = new URL('../', import.meta.url);
const sampleEvent = (name) => JSON.parse(readFileSync(new URL(`events/${name}.json`, root), 'utf8'));
const manifest = JSON.parse(readFileSync(new URL('lambda-image.json', root), 'utf8'));
const context = {
  awsRequestId: 'test-request',
  functionName: 'test',
  memoryLimitInMB: '128',
  getRemainingTimeInMillis: () => 30_000,
};

// lambda-image:tests (one test per handler; new ones are added above this line)

test('the dispatcher routes every handler in the manifest', () => {
  assert.deepEqual(handlerNames(), manifest.handlers.map((h) => h.name));
});

test('an unknown handler is refused with the valid ones named', async () => {
  await assert.rejects(handler({ handler: 'no_such_handler', event: {} }, context), (error) => {
    assert.ok(error instanceof UnknownHandlerError);
    for (const name of handlerNames()) assert.match(error.message, new RegExp(name));
    return true;
  });
});

test('a missing handler is refused', async () => {
  await assert.rejects(handler({ event: {} }, context), /missing "handler"/);
});
