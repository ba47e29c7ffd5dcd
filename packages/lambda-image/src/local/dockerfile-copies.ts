// What the project's Dockerfile copies from the build context into its final image: the
// files --watch binds into a running container instead of rebuilding it, and the paths whose
// change matters to the image at all. Read from the Dockerfile itself, not from a list per
// language, so that a COPY line the user adds is watched (and mounted) like the generated ones.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** LAMBDA_TASK_ROOT of the base images: the one variable the generated COPY lines use. */
export const TASK_ROOT = '/var/task';

export interface DockerfileCopy {
  /** Context-relative sources, as written (a trailing slash kept off), wildcards included. */
  sources: string[];
  /** The absolute destination in the image. */
  destination: string;
  /** Whether the destination names a folder (ends with /, or there are several sources). */
  intoFolder: boolean;
  /** Whether it is in the final stage (what runs), not in a build stage whose output is copied over. */
  finalStage: boolean;
}

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
function instructions(text: string): string[] {
  const result: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole) result.push(whole);
  }
  if (pending.trim()) result.push(pending.trim());
  return result;
}

/** The flags (--from=..., --chown=...) and the paths of a COPY/ADD, in its shell or JSON form. */
function copyArguments(args: string): { flags: string[]; paths: string[] } {
  const flags: string[] = [];
  let rest = args.trim();
  for (let flag = /^(--\S+)\s*/.exec(rest); flag; flag = /^(--\S+)\s*/.exec(rest)) {
    flags.push(flag[1]!);
    rest = rest.slice(flag[0].length);
  }
  if (rest.startsWith('[')) {
    try {
      const parsed = JSON.parse(rest) as unknown;
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) return { flags, paths: parsed as string[] };
    } catch {
      // not the JSON form after all: split on blanks as Docker does
    }
  }
  return { flags, paths: rest.split(/\s+/).filter(Boolean) };
}

/**
 * The COPY and ADD instructions of every stage that take files from the build context (not
 * `--from=<stage>`). `${LAMBDA_TASK_ROOT}` is resolved; a relative destination is taken from
 * the stage's WORKDIR (the base images' is the task root).
 */
export function contextCopies(dockerfile: string): DockerfileCopy[] {
  const copies: (DockerfileCopy & { stage: number })[] = [];
  let stage = -1;
  let workdir = TASK_ROOT;
  for (const instruction of instructions(dockerfile)) {
    const match = /^(\w+)\s+(.*)$/.exec(instruction);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const expand = (text: string) => text.replaceAll(/\$\{LAMBDA_TASK_ROOT\}|\$LAMBDA_TASK_ROOT\b/g, TASK_ROOT);
    if (keyword === 'FROM') {
      stage++;
      workdir = TASK_ROOT;
    } else if (keyword === 'WORKDIR') {
      workdir = posix.resolve(workdir, expand(match[2]!.trim()));
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      const { flags, paths: written } = copyArguments(match[2]!);
      if (flags.some((f) => f.startsWith('--from'))) continue;
      const paths = written.map(expand);
      if (paths.length < 2) continue;
      const target = paths.at(-1)!;
      const sources = paths
        .slice(0, -1)
        .filter((s) => !/^[a-z]+:\/\//i.test(s))
        .map((s) => posix.normalize(s).replace(/^\.\/|\/$/g, '') || '.');
      copies.push({ sources, destination: posix.resolve(workdir, target), intoFolder: target.endsWith('/') || sources.length > 1, finalStage: false, stage });
    }
  }
  return copies.map(({ stage: at, ...copy }) => ({ ...copy, finalStage: at === stage }));
}

/** The project's Dockerfile's copies; none when it cannot be read (then every change counts as code). */
export function projectCopies(projectDir: string): DockerfileCopy[] {
  const path = join(projectDir, 'Dockerfile');
  return existsSync(path) ? contextCopies(readFileSync(path, 'utf8')) : [];
}

/** A one-segment Docker/Go wildcard (`*`, `?`) as a regular expression. */
function wildcard(pattern: string): RegExp {
  const body = pattern.replaceAll(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]');
  return new RegExp(`^${body}$`);
}

/** Whether a context-relative path is (inside) one of the copy's sources. */
export function copiedBy(copy: DockerfileCopy, path: string): boolean {
  return copy.sources.some((source) => {
    if (source === '.') return true;
    const segments = source.split('/');
    const pathSegments = path.split('/');
    if (pathSegments.length < segments.length) return false;
    return segments.every((segment, i) => wildcard(segment).test(pathSegments[i]!));
  });
}
