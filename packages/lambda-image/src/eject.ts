// `lambda-image eject`: the project takes over the tooling. The package's own sources (it
// ships src/ and schema/ for this) are copied to scripts/lambda-image, laid out as in the
// package so that every lookup relative to a module (the --native runners, package.json for
// --version) holds; package.json's scripts run that copy with Node's type stripping, the
// package's dependencies become the project's devDependencies, and the CDK app imports the
// copy. Afterwards nothing needs the lambda-image package, so `npm install` removes it.
//
// All or nothing: the copy is staged beside its destination and renamed into place, every
// file is replaced by a rename, and a failure puts back what was already changed.
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs, UsageError } from './shared/args.ts';
import { MANIFEST_FILE, MANIFEST_SCHEMA_REF } from './shared/manifest.ts';
import { VERSION } from './version.ts';

/** Where the tooling goes, relative to the project root. */
export const EJECT_DIR = 'scripts/lambda-image';
/** What package.json's scripts run after eject (npm runs scripts from the project root). */
export const EJECTED_CLI = `node ${EJECT_DIR}/src/cli.ts`;
/** Node.js runs TypeScript without flags (type stripping) from this version on. */
export const TYPE_STRIPPING_NODE = '22.18.0';

export const EJECT_OPTIONS = {
  'dry-run': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const EJECT_USAGE = `Usage: lambda-image eject [options]        (in a project: npx lambda-image eject)

Copies lambda-image's source (TypeScript) into ${EJECT_DIR}/ and makes the project run it:
package.json's scripts call \`${EJECTED_CLI} <command>\`, lambda-image's dependencies
become devDependencies, the lambda-image dependency is removed, and the CDK app (cdk/) and
lambda-image.json's $schema point at the copy. Then \`npm install\` removes the package.

The copy is TypeScript that Node.js runs directly: it needs Node.js ${TYPE_STRIPPING_NODE} or
later (package.json's engines say so). There is no way back but your version control.

Options:
  --dry-run   list what would change; change nothing
  -h, --help  show this help`;

/** The package's root: this module is src/eject.ts, or dist/eject.js once built. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What the package ships that the copy needs: its sources and the manifest's schema. */
const COPIED = ['src', 'schema'] as const;

class EjectError extends Error {}

interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: Record<string, string>;
  [key: string]: unknown;
}

interface FileChange {
  path: string;
  before: string;
  after: string;
  why: string;
}

export interface EjectPlan {
  projectDir: string;
  /** Files rewritten in place, relative to the project. */
  changes: FileChange[];
  /** Things the user must know or do afterwards. */
  notes: string[];
}

/** The `lambda-image` command word in a script, not a path such as scripts/lambda-image/. */
const COMMAND_WORD = /(^|[\s;&|(])lambda-image(?=\s|$)/g;
/** An import of the package from a CDK app: 'lambda-image' or 'lambda-image/cdk'. */
const PACKAGE_IMPORT = /(['"])lambda-image(\/cdk)?\1/g;

const below = (version: string, minimum: string): boolean => {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
};

/** package.json's text with `data`, in the file's own indentation and final newline. */
function jsonLike(before: string, data: unknown): string {
  const indent = /^([ \t]+)"/m.exec(before)?.[1] ?? '  ';
  return JSON.stringify(data, null, indent) + (before.endsWith('\n') ? '\n' : '');
}

function readPackageJson(projectDir: string): { text: string; data: PackageJson } {
  const path = join(projectDir, 'package.json');
  if (!existsSync(path)) throw new EjectError(`no package.json in ${projectDir}: eject rewrites its scripts, so it needs the project's package.json`);
  const text = readFileSync(path, 'utf8');
  try {
    return { text, data: JSON.parse(text) as PackageJson };
  } catch (error) {
    throw new EjectError(`${path} is not valid JSON (${(error as Error).message}): fix it, then eject`);
  }
}

function packageChange(projectDir: string, notes: string[]): FileChange {
  const { text, data } = readPackageJson(projectDir);
  const own = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
  const pinned = data.devDependencies?.['lambda-image'] ?? data.dependencies?.['lambda-image'];
  if (pinned && /^\d+\.\d+\.\d+/.test(pinned) && pinned !== VERSION) {
    throw new EjectError(
      `this project pins lambda-image ${pinned}, but this is lambda-image ${VERSION}: eject with the project's own, so the copy is the version the project runs: npm install, then npx lambda-image eject`,
    );
  }
  const scripts = Object.fromEntries(
    Object.entries(data.scripts ?? {}).map(([name, command]) => [name, command.replace(COMMAND_WORD, `$1${EJECTED_CLI}`)]),
  );
  const devDependencies = { ...data.devDependencies };
  const dependencies = data.dependencies && { ...data.dependencies };
  delete devDependencies['lambda-image'];
  if (dependencies) delete dependencies['lambda-image'];
  for (const [name, range] of Object.entries(own.dependencies ?? {})) {
    const mine = devDependencies[name] ?? dependencies?.[name];
    if (mine === undefined) devDependencies[name] = range;
    else if (mine !== range) notes.push(`${name}: kept your ${mine}; lambda-image ${VERSION} was tested with ${range}`);
  }
  const sorted = Object.fromEntries(Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b)));
  const engines = { ...data.engines };
  const node = engines.node;
  const floor = node === undefined ? '0' : /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(node.trim())?.[1];
  if (floor === undefined) notes.push(`package.json's engines.node is "${node}": make sure it asks for Node.js ${TYPE_STRIPPING_NODE} or later`);
  else if (below(floor, TYPE_STRIPPING_NODE)) engines.node = `>=${TYPE_STRIPPING_NODE}`;
  const after = { ...data, scripts, ...(dependencies && { dependencies }), devDependencies: sorted, engines };
  return { path: 'package.json', before: text, after: jsonLike(text, after), why: `scripts run ${EJECT_DIR}; its dependencies are devDependencies; engines.node ${engines.node}` };
}

/** The CDK app's files that import the package, with the imports pointed at the copy. */
function cdkChanges(projectDir: string): FileChange[] {
  const dir = join(projectDir, 'cdk');
  if (!existsSync(dir)) return [];
  const changes: FileChange[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ts|mts|js|mjs)$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    if (path.split(sep).includes('node_modules')) continue;
    const before = readFileSync(path, 'utf8');
    const to = (file: string) => {
      const rel = relative(dirname(path), join(projectDir, EJECT_DIR, 'src', file)).split(sep).join('/');
      return rel.startsWith('.') ? rel : `./${rel}`;
    };
    const after = before.replace(PACKAGE_IMPORT, (_m, quote: string, cdk?: string) => `${quote}${to(cdk ? 'cdk.ts' : 'index.ts')}${quote}`);
    if (after !== before) changes.push({ path: relative(projectDir, path), before, after, why: `imports ${EJECT_DIR} instead of the package` });
  }
  return changes;
}

function manifestChange(projectDir: string): FileChange[] {
  const before = readFileSync(join(projectDir, MANIFEST_FILE), 'utf8');
  const after = before.replace(JSON.stringify(MANIFEST_SCHEMA_REF), JSON.stringify(`./${EJECT_DIR}/schema/lambda-image.schema.json`));
  return after === before ? [] : [{ path: MANIFEST_FILE, before, after, why: `$schema points at ${EJECT_DIR}/schema` }];
}

/** What eject would do in `projectDir`, or an EjectError saying why it cannot. Changes nothing. */
export function planEject(projectDir: string, nodeVersion: string = process.versions.node): EjectPlan {
  if (!existsSync(join(projectDir, MANIFEST_FILE))) {
    throw new EjectError(`no ${MANIFEST_FILE} in ${projectDir} or a folder above it: run eject in a lambda-image project`);
  }
  const target = join(projectDir, EJECT_DIR);
  if (existsSync(join(target, 'src', 'cli.ts'))) {
    throw new EjectError(`already ejected: the tooling is in ${EJECT_DIR}/ and package.json's scripts run it (\`${EJECTED_CLI} <command>\`); it is your code now`);
  }
  if (existsSync(target)) throw new EjectError(`${EJECT_DIR} already exists and is not an ejected lambda-image: move it away, then eject`);
  if (below(nodeVersion, TYPE_STRIPPING_NODE)) {
    throw new EjectError(
      `the ejected tooling is TypeScript that Node.js runs directly, from Node.js ${TYPE_STRIPPING_NODE} on; this is Node.js ${nodeVersion}: upgrade Node.js, then eject (or keep the package, which runs on Node.js 22 and later)`,
    );
  }
  const notes: string[] = [];
  const changes = [packageChange(projectDir, notes), ...cdkChanges(projectDir), ...manifestChange(projectDir)];
  return { projectDir, changes, notes };
}

/**
 * Runs `fn` with SIGINT and SIGTERM held back: the commit takes milliseconds, and half of it
 * would be worse than all of it. Resolves to whether one arrived meanwhile.
 */
async function uninterrupted(fn: () => void): Promise<boolean> {
  let interrupted = false;
  const hold = () => {
    interrupted = true;
  };
  process.on('SIGINT', hold).on('SIGTERM', hold);
  try {
    fn();
    // A signal that came during fn is delivered on the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    return interrupted;
  } finally {
    process.off('SIGINT', hold).off('SIGTERM', hold);
  }
}

/** Carries out a plan: the copy, then every file; on any failure, undoes what was done. */
export function applyEject(plan: EjectPlan): void {
  const { projectDir } = plan;
  const target = join(projectDir, EJECT_DIR);
  const stage = join(dirname(target), `.lambda-image-eject-${process.pid}`);
  const undo: Array<() => void> = [];
  if (!existsSync(dirname(target))) undo.push(() => rmdirSync(dirname(target)));
  undo.push(() => rmSync(stage, { recursive: true, force: true }));
  try {
    for (const part of COPIED) cpSync(join(PACKAGE_ROOT, part), join(stage, part), { recursive: true });
    const manifest = {
      name: 'lambda-image',
      version: VERSION,
      private: true,
      description: `lambda-image ${VERSION}, ejected: this project's own copy of its tooling, run from package.json's scripts`,
      type: 'module',
      engines: { node: `>=${TYPE_STRIPPING_NODE}` },
    };
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(stage, target);
    undo.push(() => rmSync(target, { recursive: true, force: true }));
    for (const change of plan.changes) {
      const path = join(projectDir, change.path);
      const temporary = `${path}.lambda-image-eject`;
      undo.push(() => rmSync(temporary, { force: true }));
      writeFileSync(temporary, change.after);
      renameSync(temporary, path);
      undo.push(() => writeFileSync(path, change.before));
    }
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // Best effort: the other steps still run.
      }
    }
    throw new EjectError(`eject failed and was undone: ${(error as Error).message}`);
  }
}

function describe(plan: EjectPlan, done: boolean): string {
  const lines = [
    `${done ? 'Copied' : 'Would copy'} lambda-image ${VERSION}'s source to ${EJECT_DIR}/ (${COPIED.map((p) => `${p}/`).join(', ')}, package.json)`,
    ...plan.changes.map((c) => `${done ? 'Updated' : 'Would update'} ${c.path}: ${c.why}`),
    ...plan.notes.map((n) => `Note: ${n}`),
  ];
  if (done) {
    lines.push(
      '',
      'Next: npm install (it removes the lambda-image package; its dependencies stay, as yours).',
      `The tooling is now yours: TypeScript that Node.js ${TYPE_STRIPPING_NODE} or later runs directly (\`${EJECTED_CLI} --help\`).`,
    );
  }
  return lines.join('\n');
}

/** The `lambda-image eject` command; resolves to the exit code. */
export async function runEject(argv: string[], projectDir: string): Promise<number> {
  let values: { 'dry-run': boolean; help: boolean };
  try {
    values = parseCommandArgs(argv, EJECT_OPTIONS, 'eject').values;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  if (values.help) {
    console.log(EJECT_USAGE);
    return 0;
  }
  try {
    const plan = planEject(projectDir);
    if (values['dry-run']) {
      console.log(describe(plan, false));
      return 0;
    }
    const interrupted = await uninterrupted(() => applyEject(plan));
    console.log(describe(plan, true));
    if (interrupted) console.error('(an interrupt arrived while ejecting; eject had only milliseconds left, so it finished)');
    return 0;
  } catch (error) {
    if (!(error instanceof EjectError)) throw error;
    console.error(`error: ${error.message}`);
    return 1;
  }
}
