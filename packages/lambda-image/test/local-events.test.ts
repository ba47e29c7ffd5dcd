import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventError, eventsFor, loadHandlerEvent, parseEventOption } from '../src/local/events.ts';

const dir = mkdtempSync(join(tmpdir(), 'local-events-'));
mkdirSync(join(dir, 'events'));
writeFileSync(join(dir, 'events/ingest.json'), '{"records": [1, 2]}');
writeFileSync(join(dir, 'events/broken.json'), '{"records": [1, 2');
writeFileSync(join(dir, 'other.json'), '{"other": true}');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (name: string, event = `events/${name}.json`) => ({ name, handler: `lambda_function.${name}`, event });

describe('events', () => {
  it('reads each handler’s sample event', () => {
    expect(loadHandlerEvent(dir, entry('ingest'))).toEqual({ records: [1, 2] });
    expect(eventsFor(dir, [entry('ingest')], undefined)).toEqual([{ entry: entry('ingest'), event: { records: [1, 2] } }]);
  });

  it('says which event file is missing and how to fix it', () => {
    expect(() => loadHandlerEvent(dir, entry('notify'))).toThrow(EventError);
    expect(() => loadHandlerEvent(dir, entry('notify'))).toThrow(
      /event file of handler "notify", events\/notify\.json, is missing: create it .* or pass --event/,
    );
  });

  it('says which event file is not JSON', () => {
    expect(() => loadHandlerEvent(dir, entry('broken'))).toThrow(/events\/broken\.json is not valid JSON \(.+\): fix it/);
  });

  it('takes --event as a file (relative to where the command was typed) or as inline JSON', () => {
    expect(parseEventOption('other.json', dir)).toEqual({ other: true });
    expect(parseEventOption(join(dir, 'other.json'), '/')).toEqual({ other: true });
    expect(parseEventOption('{"id": 7}', dir)).toEqual({ id: 7 });
    expect(parseEventOption('[1,2]', dir)).toEqual([1, 2]);
    expect(parseEventOption('42', dir)).toBe(42);
    expect(parseEventOption('null', dir)).toBeNull();
  });

  it('gives --event to every handler invoked, and never reads their files then', () => {
    const all = eventsFor(dir, [entry('ingest'), entry('notify')], '{"x": 1}');
    expect(all.map((i) => i.event)).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('refuses an --event that is neither a file nor JSON', () => {
    expect(() => parseEventOption('nothere.json', dir)).toThrow(/--event nothere\.json: no such file, and not inline JSON/);
    expect(() => parseEventOption('{"id": ', dir)).toThrow(/--event is not valid JSON \(.+\): check the quoting/);
    writeFileSync(join(dir, 'bad.json'), 'nope');
    expect(() => parseEventOption('bad.json', dir)).toThrow(/bad\.json is not valid JSON/);
  });
});
