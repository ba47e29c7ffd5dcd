// The image tag is derived from what goes into the image: a hash of the build context as
// docker sees it (the .dockerignore rules applied), the Dockerfile and the target
// architecture. Not the git commit: a tag must change when an uncommitted file changes and
// must not change when only tests, events or docs do. The same sources always give the same
// tag, which lets a re-run find its image already in ECR (no rebuild, no push) and keeps
// IMMUTABLE repositories working.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Architecture } from '../shared/manifest.ts';

interface IgnoreRule {
  pattern: string;
  regexp: RegExp;
  exclusion: boolean;
}

/**
 * A .dockerignore pattern as a regular expression, following docker's own matcher
 * (moby/patternmatcher): `*` and `?` stay within one path segment, `**` spans any number of
 * segments, `[...]` classes and `\` escapes pass through.
 */
function patternToRegExp(pattern: string): RegExp {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        out += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '\\') {
      i++;
      if (i < pattern.length) out += pattern[i]!.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
    } else if (ch === '[' || ch === ']') {
      out += ch;
    } else {
      out += ch.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`${out}$`);
}

/** Docker's path cleaning: no leading "/" or "./", no duplicate or trailing separators, "." and ".." resolved. */
function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exclusion = line.startsWith('!');
    if (exclusion) line = line.slice(1).trim();
    const pattern = cleanPath(line);
    if (pattern === '') continue;
    rules.push({ pattern, regexp: patternToRegExp(pattern), exclusion });
  }
  return rules;
}

/**
 * Whether docker leaves `path` (relative, "/"-separated) out of the build context: the last
 * rule that matches the path or one of its parent directories decides.
 */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const parents: string[] = [];
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (rule.exclusion !== ignored) continue;
    if (rule.regexp.test(path) || parents.some((p) => rule.regexp.test(p))) ignored = !rule.exclusion;
  }
  return ignored;
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** The files docker would send as build context, relative to `dir`, sorted. */
export async function contextFiles(dir: string): Promise<string[]> {
  const ignoreFile = join(dir, '.dockerignore');
  const rules = existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, 'utf8')) : [];
  // An ignored directory can only be skipped whole when no "!" rule could bring something back.
  const canPrune = !rules.some((r) => r.exclusion);
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const ignored = isIgnored(rules, path);
      if (entry.isDirectory()) {
        if (!(ignored && canPrune)) await walk(path);
      } else if (!ignored) {
        files.push(path);
      }
    }
  };
  await walk('');
  return files.sort();
}

/**
 * The content tag for the image built from `dir`: `ctx-` and 16 hex digits of a hash over every
 * context file (path, executable bit, content), the Dockerfile, the architecture and any build
 * arguments.
 */
export async function contentTag(
  dir: string,
  architecture: Architecture,
  buildArgs: Record<string, string> = {},
): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`lambda-image context v1\0${architecture}\0`);
  for (const [name, value] of Object.entries(buildArgs).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`arg\0${name}\0${value}\0`);
  }
  const files = new Set(await contextFiles(dir));
  // docker sends the Dockerfile even when .dockerignore lists it.
  if (existsSync(join(dir, 'Dockerfile'))) files.add('Dockerfile');
  for (const file of [...files].sort()) {
    const full = join(dir, file);
    const stat = await lstat(full);
    if (stat.isSymbolicLink()) {
      hash.update(`link\0${file}\0${await readlink(full)}\0`);
    } else {
      hash.update(`file\0${file}\0${stat.mode & 0o111 ? 'x' : '-'}\0${await hashFile(full)}\0`);
    }
  }
  return `ctx-${hash.digest('hex').slice(0, 16)}`;
}
