// What every way of running the handlers (Docker, --native) is given, shared so that the
// modes depend on it and not on each other.
import type { Writable } from 'node:stream';
import type { HandlerEntry, Manifest } from '../shared/manifest.ts';
import type { SignalSource } from '../shared/cleanup.ts';
import type { Painter, Reporter } from '../shared/output.ts';
import type { LocalOptions } from './local-args.ts';
import type { NativeRuntime } from './native.ts';

export interface LocalContext {
  /** The project root (where lambda-image.json is). */
  projectDir: string;
  /** Where the user typed the command; relative --event paths start there. */
  userDir?: string;
  stdout: Writable;
  stderr: Writable;
  /** Where SIGINT/SIGTERM come from, and how to exit after cleaning up; `process` by default. */
  signals?: SignalSource;
  exit?: (code: number) => void;
  /** Overrides colour detection. */
  color?: boolean;
  /** Overrides the host runtimes --native may use. */
  nativeRuntimes?: readonly NativeRuntime[];
}

export interface Invocation {
  entry: HandlerEntry;
  event: unknown;
}

/** Everything one mode needs to run and report. */
export interface ModeInput {
  manifest: Manifest;
  invocations: Invocation[];
  options: LocalOptions;
  context: LocalContext;
  reporter: Reporter;
  /** Colours for stderr. */
  paint: Painter;
  /** --env-file's variables and, with --aws-credentials, the host's credentials: over the manifest's. */
  environment: Record<string, string>;
  /** Prints "error: <message>" on stderr; returns `code`. */
  fail: (message: string, code?: number) => number;
}

/** The header line: what is about to run. */
export function headline(manifest: Manifest, count: number, where: string, paint: Painter): string {
  return `${paint('bold', manifest.name)}: ${count} handler${count === 1 ? '' : 's'}, ${where}\n`;
}
