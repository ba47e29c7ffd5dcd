// Writing a run's files to disk, all or nothing: the generators' own commit (Yeoman's
// customCommitTask), instead of the environment's per-file conflicter. Every pending file is
// checked first (a file or folder in the way, a name too long, a folder we may not write to);
// then they are written, the manifest first, so that a run stopped half-way leaves a project
// the next run completes; and when a write fails all the same, what this run wrote is undone.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { MANIFEST_FILE } from 'lambda-image';
import { UsageError } from './errors.ts';

/** A file of mem-fs (Yeoman's in-memory file system), as far as committing it goes. */
export interface MemFile {
  path: string;
  contents: Buffer | null;
  stat?: { mode?: number } | null;
  state?: string;
  committed?: boolean;
}

export interface MemStore {
  all(): Iterable<MemFile>;
}

export interface CommitOptions {
  /** The project's root: paths are shown relative to it. */
  root: string;
  /** True when the folder was not a lambda-image project: no file that is there may be written. */
  foreign: boolean;
  /** One line per created file. */
  created(path: string): void;
}

const FIRST = ['.yo-rc.json', MANIFEST_FILE];
const order = (root: string, path: string) => {
  const i = FIRST.indexOf(relative(root, path));
  return i < 0 ? FIRST.length : i;
};

/**
 * In a folder that was not a lambda-image project, a file the run would write that is already
 * there is not ours: it is never appended to or overwritten. Each is shown; the run stops.
 */
export function refuseConflicts(root: string, paths: readonly string[]): void {
  const conflicts = [...new Set(paths.filter((path) => existsSync(path)).map((path) => relative(root, path)))];
  if (conflicts.length === 0) return;
  throw new UsageError(
    `${conflicts.map((c) => `conflict ${c}`).join('\n')}\n` +
      `these files are already in ${root} and did not come from lambda-image: they are left as they are, and nothing was written. ` +
      'Move them out of the way (or generate into an empty folder) and run again.',
  );
}

/** Why `path` cannot be written, found without writing anything; undefined when it can. */
export function writeProblem(path: string, root: string): string | undefined {
  const shown = relative(root, path) || path;
  const tooLong = path.split(sep).find((segment) => Buffer.byteLength(segment) > 255);
  if (tooLong) return `cannot write ${shown}: the name "${tooLong.slice(0, 40)}..." is ${Buffer.byteLength(tooLong)} bytes long, and file systems allow 255`;
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) return `cannot write ${shown}: a folder of that name is in the way`;
    try {
      accessSync(path, constants.W_OK);
    } catch {
      return `cannot write ${shown}: it is read-only for this user`;
    }
    return undefined;
  }
  let dir = dirname(path);
  while (!existsSync(dir)) dir = dirname(dir);
  const shownDir = relative(root, dir) || dir;
  if (!statSync(dir).isDirectory()) return `cannot write ${shown}: ${shownDir} is a file, where a folder is needed`;
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return `cannot write ${shown}: this user may not create files in ${dir}`;
  }
  return undefined;
}

/** Every folder `mkdir -p` would create for `dir`, outermost first. */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  while (!existsSync(dir)) {
    missing.unshift(dir);
    dir = dirname(dir);
  }
  return missing;
}

export function commitFiles(store: MemStore, options: CommitOptions): void {
  const pending = [...store.all()]
    .filter((file) => file.state === 'modified' && file.contents !== null)
    .sort((a, b) => order(options.root, a.path) - order(options.root, b.path));

  if (options.foreign) refuseConflicts(options.root, pending.map((file) => file.path));
  const problems = pending.map((file) => writeProblem(file.path, options.root)).filter((p) => p !== undefined);
  if (problems.length > 0) throw new UsageError(`${problems.join('\n')}\nNothing was written.`);

  const createdFiles: string[] = [];
  const createdFolders: string[] = [];
  const previous = new Map<string, Buffer>();
  let current = '';
  try {
    for (const file of pending) {
      current = file.path;
      const folders = missingFolders(dirname(file.path));
      if (folders.length > 0) {
        mkdirSync(dirname(file.path), { recursive: true });
        createdFolders.push(...folders);
      }
      const existed = existsSync(file.path);
      if (existed) previous.set(file.path, readFileSync(file.path));
      writeFileSync(file.path, file.contents!, file.stat?.mode ? { mode: file.stat.mode } : {});
      if (!existed) {
        createdFiles.push(file.path);
        options.created(relative(options.root, file.path));
      }
    }
  } catch (error) {
    for (const [path, contents] of previous) writeFileSync(path, contents);
    for (const path of createdFiles) unlinkSync(path);
    for (const folder of createdFolders.reverse()) rmdirSync(folder);
    const e = error as NodeJS.ErrnoException;
    throw new UsageError(
      `cannot write ${relative(options.root, current)}: ${e.code ?? ''} ${e.message}\n` +
        `Everything this run had written was removed again${previous.size > 0 ? ' (and the files it changed restored)' : ''}: fix the cause and run again.`,
    );
  }
  for (const file of pending) {
    delete file.state;
    file.committed = true;
  }
}
