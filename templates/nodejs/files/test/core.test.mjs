import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../src/core.mjs';

test('summarize counts and totals', () => {
  assert.deepEqual(summarize([{ amount: 1.5 }, { amount: 2 }]), { count: 2, total: 3.5 });
});

test('summarize of nothing', () => {
  assert.deepEqual(summarize([]), { count: 0, total: 0 });
});
