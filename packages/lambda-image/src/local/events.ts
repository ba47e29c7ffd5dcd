// The events handlers are invoked with: events/<handler>.json by default, or what
// --event names (a file, or inline JSON).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { HandlerEntry } from '../shared/manifest.ts';

export class EventError extends Error {
  override name = 'EventError';
}

function readJsonFile(path: string, label: string, fix: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EventError(`cannot read ${label}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EventError(`${label} is not valid JSON (${(error as Error).message}): ${fix}`);
  }
}

/** The sample event of one handler, from the file the manifest names. */
export function loadHandlerEvent(projectDir: string, entry: HandlerEntry): unknown {
  const path = isAbsolute(entry.event) ? entry.event : join(projectDir, entry.event);
  if (!existsSync(path)) {
    throw new EventError(
      `the event file of handler "${entry.name}", ${entry.event}, is missing: create it (e.g. containing {}) or pass --event <file|json>`,
    );
  }
  return readJsonFile(path, entry.event, 'fix it, or pass another event with --event');
}

/**
 * The value of --event: an existing file is read as JSON; anything else must be
 * inline JSON. `cwd` is where the user typed the command (npm runs scripts in the
 * project root but keeps the original directory in INIT_CWD).
 */
export function parseEventOption(value: string, cwd: string): unknown {
  const path = resolve(cwd, value);
  if (existsSync(path) && statSync(path).isFile()) {
    const shown = relative(cwd, path) || path;
    return readJsonFile(path, shown, 'fix it, or pass inline JSON with --event');
  }
  const trimmed = value.trim();
  const looksLikeJson = /^[[{"]/.test(trimmed) || /^(-?\d|true$|false$|null$)/.test(trimmed);
  if (!looksLikeJson) {
    throw new EventError(`--event ${value}: no such file, and not inline JSON: give an existing file or JSON such as '{"id": 1}'`);
  }
  try {
    return JSON.parse(trimmed);
  } catch (error) {
    throw new EventError(`--event is not valid JSON (${(error as Error).message}): check the quoting, e.g. --event '{"id": 1}'`);
  }
}

/** The event for each handler to invoke, in order; every problem is found before anything runs. */
export function eventsFor(
  projectDir: string,
  entries: HandlerEntry[],
  eventOption: string | undefined,
  cwd: string = projectDir,
): { entry: HandlerEntry; event: unknown }[] {
  if (eventOption !== undefined) {
    const event = parseEventOption(eventOption, cwd);
    return entries.map((entry) => ({ entry, event }));
  }
  return entries.map((entry) => ({ entry, event: loadHandlerEvent(projectDir, entry) }));
}
