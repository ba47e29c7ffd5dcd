// What a changed file means to `npm run local -- --watch`, and what one batch of changes
// costs: re-invoke only, restart the runtime over the bound code, rebuild the image, or reload
// lambda-image.json. Pure functions: the watcher (source-watcher.ts) feeds them paths, the
// loop (watch.ts) acts on the answer.
import { posix } from 'node:path';
import { MANIFEST_FILE } from '../shared/manifest.ts';
import { copiedBy, type DockerfileCopy } from './dockerfile-copies.ts';

export type ChangeKind =
  /** Nothing the container sees: tests, docs, tooling, build outputs, editor temp files. */
  | 'ignored'
  /** A handler's sample event: re-invoke with it. */
  | 'event'
  /** lambda-image.json: handlers, settings or environment may differ. */
  | 'manifest'
  /** The Dockerfile or .dockerignore: the image recipe itself. */
  | 'recipe'
  /** A dependency list the image installs from (requirements.txt, package.json, pom.xml, ...). */
  | 'dependencies'
  /** Code the Dockerfile copies into the image. */
  | 'code';

/** Folders whose content is generated, installed or the editor's: never the project's source. */
const IGNORED_FOLDERS = new Set([
  'node_modules', '.git', '.hg', '.svn', '__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.venv', 'venv',
  '.tox', 'target', 'bin', 'obj', 'dist', 'build', 'out', 'cdk.out', '.aws-sam', 'vendor', '.bundle', '.gradle',
  '.idea', '.vscode', 'coverage', '.nyc_output',
]);

/**
 * Editors' scratch files: vim's swap files and its write test (4913), backups (name~), Emacs'
 * lock and auto-save files (.#name, #name#), JetBrains' safe-write files, Kate's swap files,
 * and `sed -i`'s (sedXXXXXX, renamed over the file it edits).
 */
const EDITOR_TEMP = [/\.sw[a-p]$/, /\.swx$/, /~$/, /^\.#/, /^#.*#$/, /^4913$/, /___jb_(tmp|old)___$/, /\.kate-swp$/, /^sed[A-Za-z0-9]{6}$/, /\.tmp$/, /^\.DS_Store$/, /\.pyc$/];

/** Files an image installs dependencies from; matched by name wherever the Dockerfile copies them. */
const DEPENDENCY_FILES = [
  /^requirements.*\.txt$/, /^Pipfile(\.lock)?$/, /^pyproject\.toml$/, /^poetry\.lock$/, /^uv\.lock$/,
  /^package(-lock)?\.json$/, /^npm-shrinkwrap\.json$/, /^yarn\.lock$/, /^pnpm-lock\.yaml$/,
  /^Gemfile(\.lock)?$/, /^pom\.xml$/, /^build\.gradle(\.kts)?$/, /^go\.(mod|sum)$/,
  /\.(cs|fs|vb)proj$/, /^Directory\.(Build|Packages)\.props$/, /^(NuGet|nuget)\.config$/,
];

export interface ProjectFiles {
  /** The Dockerfile's copies from the build context (dockerfile-copies.ts); none: every file counts. */
  copies: readonly DockerfileCopy[];
  /** The handlers' event files, project-relative (lambda-image.json's "event" values). */
  events: readonly string[];
}

/** Whether a file name is one an image installs dependencies from. */
export function isDependencyFile(name: string): boolean {
  return DEPENDENCY_FILES.some((p) => p.test(name));
}

/** Whether a project-relative path is an editor's, an installer's or a build's and never source. */
export function isNoise(path: string): boolean {
  const segments = path.split('/');
  const name = segments.at(-1) ?? '';
  return segments.slice(0, -1).some((s) => IGNORED_FOLDERS.has(s)) || IGNORED_FOLDERS.has(name) || EDITOR_TEMP.some((p) => p.test(name));
}

/** What the change of one project-relative path (forward slashes) means. */
export function changeKind(path: string, files: ProjectFiles): ChangeKind {
  const normal = posix.normalize(path.replaceAll('\\', '/'));
  if (isNoise(normal)) return 'ignored';
  if (normal === MANIFEST_FILE) return 'manifest';
  if (normal === 'Dockerfile' || normal === '.dockerignore') return 'recipe';
  if (files.events.some((e) => posix.normalize(e) === normal) || /^events\/[^/]+\.json$/.test(normal)) return 'event';
  const copied = files.copies.length === 0 || files.copies.some((c) => copiedBy(c, normal));
  if (!copied) return 'ignored';
  const name = posix.basename(normal);
  return isDependencyFile(name) ? 'dependencies' : 'code';
}

/** One cycle's work, cheapest last: each includes what the cheaper ones do. */
export type WatchAction =
  /** Reload lambda-image.json, rebuild, start a new container: the handlers or settings may differ. */
  | 'reload'
  /** Rebuild the image (the layer cache keeps what did not change) and replace the container. */
  | 'rebuild'
  /** Kill the runtime over the bound code; the emulator starts it again on the next invocation. */
  | 'restart'
  /** Only invoke again. */
  | 'invoke';

const ORDER: WatchAction[] = ['reload', 'rebuild', 'restart', 'invoke'];

/**
 * The action for a batch of kinds, or undefined when nothing in it matters. `restartable`:
 * the code is bound into the container (an interpreted runtime), so a code change needs no
 * build; otherwise (Java, Go, .NET, custom) code is compiled or copied by the build.
 */
export function actionFor(kinds: Iterable<ChangeKind>, restartable: boolean): WatchAction | undefined {
  let best: WatchAction | undefined;
  for (const kind of kinds) {
    const action: WatchAction | undefined =
      kind === 'manifest'
        ? 'reload'
        : kind === 'recipe' || kind === 'dependencies'
          ? 'rebuild'
          : kind === 'code'
            ? restartable
              ? 'restart'
              : 'rebuild'
            : kind === 'event'
              ? 'invoke'
              : undefined;
    if (action && (best === undefined || ORDER.indexOf(action) < ORDER.indexOf(best))) best = action;
  }
  return best;
}

/** Runtimes whose code is read from the task root when the runtime starts: bind and restart. */
export const RESTARTABLE_RUNTIMES: ReadonlySet<string> = new Set(['python', 'nodejs', 'ruby']);
