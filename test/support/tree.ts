import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir` (relative paths, sorted), skipping the folders named in `skip`. */
export function listFiles(dir: string, skip: readonly string[] = ['node_modules']): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((f) => !skip.some((s) => f === s || f.startsWith(`${s}/`)))
    .sort();
}

/** A generated tree as {path: content}, for snapshots. */
export function readTree(dir: string, skip: readonly string[] = ['node_modules']): Record<string, string> {
  return Object.fromEntries(listFiles(dir, skip).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}
