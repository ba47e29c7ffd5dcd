// Watches a project's files for --watch: one inotify watch (fs.watch) per folder, folders that
// are never source (node_modules, .git, build outputs) left out. Not fs.watch's `recursive`:
// on Linux, Node 22 implements it by walking the whole tree, node_modules included, with one
// watch per file and no way to leave a folder out (thousands of watches and a long blocking
// walk in a Node.js project). Not chokidar: this is all of what it would do here.
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface SourceWatcherOptions {
  /** Whether a project-relative path (forward slashes) is never of interest; its folder is not watched. */
  ignore: (path: string) => boolean;
  /** A file or folder changed, appeared or went (project-relative, forward slashes). */
  onChange: (path: string) => void;
  /** The watching itself failed (e.g. the system's inotify watch limit). */
  onError: (error: Error) => void;
}

export class SourceWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private closed = false;
  private readonly root: string;
  private readonly options: SourceWatcherOptions;

  constructor(root: string, options: SourceWatcherOptions) {
    this.root = root;
    this.options = options;
  }

  /** Watches the root and every folder under it that is not ignored. */
  start(): void {
    this.watchTree(this.root, false);
  }

  /** How many folders are watched. */
  get folders(): number {
    return this.watchers.size;
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private relativePath(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  /** `report`: a folder that appeared while watching: its files are changes too (a copy, an unpacked archive). */
  private watchTree(folder: string, report: boolean): void {
    if (this.closed || this.watchers.has(folder)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(folder, { persistent: true }, (_event, name) => this.event(folder, name?.toString()));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      this.options.onError(error as Error);
      return;
    }
    watcher.on('error', (error) => {
      // A watched folder that is removed ends its watch with an error on some kernels.
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') this.options.onError(error);
      this.unwatch(folder);
    });
    this.watchers.set(folder, watcher);
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const rel = this.relativePath(path);
      if (this.options.ignore(rel)) continue;
      if (entry.isDirectory()) this.watchTree(path, report);
      else if (report) this.options.onChange(rel);
    }
  }

  private unwatch(folder: string): void {
    for (const [path, watcher] of this.watchers) {
      if (path === folder || path.startsWith(`${folder}${sep}`)) {
        watcher.close();
        this.watchers.delete(path);
      }
    }
  }

  private event(folder: string, name: string | undefined): void {
    if (this.closed) return;
    const path = name ? join(folder, name) : folder;
    const rel = this.relativePath(path);
    if (rel === '' || this.options.ignore(rel)) return;
    let isFolder = false;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      // gone: a removal, reported as a change; a folder's watch goes with it
      this.unwatch(path);
    }
    if (isFolder) this.watchTree(path, true);
    this.options.onChange(rel);
  }
}
