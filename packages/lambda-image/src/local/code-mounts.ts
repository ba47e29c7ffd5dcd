// The code of an interpreted project bound read-only into its container over what the image
// copied, so that --watch needs no build for a code change: exactly the sources the
// Dockerfile's final stage copies from the project, never a whole folder the image also
// installs into (the task root holds node_modules, pip's packages or vendor/bundle, which the
// mounts must leave visible).
import { readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { isDependencyFile, isNoise } from './change-kind.ts';
import type { DockerfileCopy } from './dockerfile-copies.ts';

export interface CodeMount {
  /** Project-relative path of the file or folder bound. */
  path: string;
  /** Absolute host path. */
  source: string;
  /** Where in the container. */
  target: string;
  folder: boolean;
  /** The inode bound: a file bind follows the inode, so an editor that saves by renaming a new file over the old one leaves the container the old one. */
  inode: number;
}

/** The entries of the project a source names, wildcards expanded; [] when none exists. */
function expand(projectDir: string, source: string): string[] {
  if (!/[*?]/.test(source)) return [source];
  const segments = source.split('/');
  let found = [''];
  for (const segment of segments) {
    const pattern = new RegExp(`^${segment.replaceAll(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]')}$`);
    found = found.flatMap((parent) => {
      try {
        return readdirSync(join(projectDir, parent)).filter((name) => pattern.test(name)).map((name) => (parent ? `${parent}/${name}` : name));
      } catch {
        return [];
      }
    });
  }
  return found;
}

function statOf(path: string): { folder: boolean; inode: number } | undefined {
  try {
    const stat = statSync(path);
    return { folder: stat.isDirectory(), inode: stat.ino };
  } catch {
    return undefined;
  }
}

/**
 * The mounts that stand for the final stage's copies, or undefined when some copy cannot be
 * bound as it was copied (the whole context, a folder's contents spread over the task root, a
 * missing source): then only a build brings the code in.
 */
export function codeMounts(projectDir: string, copies: readonly DockerfileCopy[]): CodeMount[] | undefined {
  const mounts: CodeMount[] = [];
  for (const copy of copies.filter((c) => c.finalStage)) {
    for (const source of copy.sources) {
      if (source === '.' || source.startsWith('../')) return undefined;
      const paths = expand(projectDir, source);
      // A wildcard may match nothing (Gemfile.lock* before the first bundle lock); a plain name must exist.
      if (paths.length === 0 && !/[*?]/.test(source)) return undefined;
      for (const path of paths) {
        const name = posix.basename(path);
        if (isDependencyFile(name) || isNoise(path)) continue;
        const stat = statOf(join(projectDir, path));
        if (!stat) return undefined;
        // COPY dir/ dest/ copies the folder's contents: binding it over dest is the same only when
        // dest is that folder's own place, not a shared one such as the task root itself.
        if (stat.folder && posix.basename(copy.destination) !== name) return undefined;
        const target = stat.folder || !copy.intoFolder ? copy.destination : posix.join(copy.destination, name);
        mounts.push({ path, source: join(projectDir, path), target, folder: stat.folder, inode: stat.inode });
      }
    }
  }
  return mounts;
}

/**
 * Whether the mounts show the container what the changed paths now hold: each path lies in a
 * bound folder or is a bound file whose inode is still the one bound. Otherwise the container
 * must be made again (a new file outside the bound ones, a file replaced by rename).
 */
export function mountsCover(projectDir: string, mounts: readonly CodeMount[], paths: readonly string[]): boolean {
  return paths.every((path) =>
    mounts.some((m) => {
      if (m.folder) return path === m.path || path.startsWith(`${m.path}/`);
      return path === m.path && statOf(m.source)?.inode === m.inode;
    }),
  );
}
