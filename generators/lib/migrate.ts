// Upgrading a project whose tooling was copied into it (generator-lambda-image 0.1.0 wrote
// scripts/*.ts, an engine-strict .npmrc, `node scripts/<x>.ts` npm scripts and the tooling's
// own dependencies) to the lambda-image package. Whether the user changed a copied file is
// decided against a record of what each such release wrote (shipped-tooling.json, made from
// git history by tools/record-shipped-tooling.ts):
// - a file identical to a shipped version is removed;
// - a file the user changed is kept, and listed with what to do about it;
// - package.json's scripts run `lambda-image <x>` (keeping whatever the user added around
//   `node scripts/<x>.ts`), and the dependencies the copy needed, at the versions the release
//   wrote, are removed (a version the user changed is kept and listed).
// An ejected project (`lambda-image eject`) stays ejected: the app generator's package.json
// merge keeps its scripts (the user's), and the lambda-image dependency it adds is taken out.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Generator from 'yeoman-generator';
import SHIPPED from './shipped-tooling.json' with { type: 'json' };
import { TOOLING_PACKAGE } from './tooling.ts';

interface ShippedRelease {
  version: string;
  files: Record<string, string>;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: { node: string };
}

const RELEASES: readonly ShippedRelease[] = SHIPPED.releases;
const SUCCESSORS: Readonly<Record<string, string>> = SHIPPED.successors;
const COPY_DIR = SHIPPED.destination;
/** Where `lambda-image eject` puts the tooling, and what an ejected project's scripts run. */
const EJECTED_CLI = 'scripts/lambda-image/src/cli.ts';

/** `node scripts/<command>.ts`, as the copied tooling's npm scripts ran it. */
const COPIED_COMMAND = new RegExp(`\\bnode ${COPY_DIR}/(local|deploy|invoke|destroy)\\.ts\\b`, 'g');
/** The CDK app's imports of the copy, which lambda-image/cdk replaces. */
const CDK_COPY_IMPORT = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*(['"])\\.\\./${COPY_DIR}/lib/(engine-stack|manifest|names)\\.ts\\2`, 'g');
/** What lambda-image/cdk exports, by the names the copied engine-stack, manifest and names modules gave them. */
const CDK_ENTRY_NAMES = new Set(['EXECUTION_ROLE', 'stackFunctions', 'stackName', 'StackFunction', 'loadManifest', 'Manifest', 'HANDLER_TAG', 'PROJECT_TAG']);
const CDK_APP = 'cdk/app.ts';

/** Line endings do not count: a checkout with CRLF holds the same file. */
const sha256 = (text: string) => createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');

interface PackageJson {
  scripts?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: Record<string, string>;
  [key: string]: unknown;
}

export interface KeptFile {
  path: string;
  /** What the user should do with it. */
  todo: string;
}

export interface MigrationPlan {
  /** The release the copy came from (the one most of its files match). */
  from: string;
  /** Copied files identical to a shipped version: removed. */
  remove: string[];
  /** Copied files the user changed: kept. */
  keep: KeptFile[];
  /** Files rewritten: path and new content. */
  rewrite: Array<{ path: string; content: string; what: string }>;
}

function readJson(path: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

const translate = (command: string) => command.replace(COPIED_COMMAND, `${TOOLING_PACKAGE} $1`);

function todoFor(path: string): string {
  if (path === '.npmrc') {
    return 'kept: you changed it. Its engine-strict=true was for the copied TypeScript tooling; lambda-image runs on Node.js 22 and later, so drop that line unless you want it for yourself';
  }
  const successor = SUCCESSORS[path] ?? (dirname(path) === COPY_DIR ? 'src/commands.ts' : undefined);
  const where = successor
    ? `its code is now node_modules/${TOOLING_PACKAGE}/${successor}`
    : `its code is now in node_modules/${TOOLING_PACKAGE}/src/`;
  return (
    `kept: you changed it, and nothing runs it any more (${where}). To keep your change, run ` +
    `\`npx ${TOOLING_PACKAGE} eject\` and make it again in scripts/lambda-image/${successor ?? 'src/'} (or propose it to lambda-image); then delete ${path}`
  );
}

/** The CDK app with its imports of the copy pointed at lambda-image/cdk, or undefined when one imports something the entry lacks. */
function cdkAppOnPackage(text: string): string | undefined {
  let unknown = false;
  const rewritten = text.replace(CDK_COPY_IMPORT, (_m, names: string, quote: string) => {
    const imported = names.split(',').map((n) => n.trim().replace(/^type\s+/, '').replace(/\s+as\s+\w+$/, '')).filter(Boolean);
    if (!imported.every((n) => CDK_ENTRY_NAMES.has(n))) unknown = true;
    return `import {${names}} from ${quote}${TOOLING_PACKAGE}/cdk${quote}`;
  });
  return unknown || rewritten.includes(`../${COPY_DIR}/`) ? undefined : rewritten;
}

/**
 * What upgrading the project in `root` takes, or undefined when it holds no copied tooling.
 * Reads the disk only.
 */
export function planMigration(root: string): MigrationPlan | undefined {
  const pkg = readJson(join(root, 'package.json'));
  const runsCopy = Object.values(pkg?.scripts ?? {}).some((command) => translate(command) !== command);
  const paths = [...new Set(RELEASES.flatMap((r) => Object.keys(r.files)))].sort();
  const present = paths.filter((p) => existsSync(join(root, p)));
  if (!runsCopy && !present.some((p) => p.startsWith(`${COPY_DIR}/`))) return undefined;

  const plan: MigrationPlan = { from: '', remove: [], keep: [], rewrite: [] };
  const matches = new Map<string, number>();
  for (const path of present) {
    const text = readFileSync(join(root, path), 'utf8');
    const hash = sha256(text);
    const shippedBy = RELEASES.filter((r) => r.files[path] === hash);
    for (const r of shippedBy) matches.set(r.version, (matches.get(r.version) ?? 0) + 1);
    if (shippedBy.length > 0) {
      plan.remove.push(path);
    } else if (path === '.npmrc' && !text.includes('engine-strict')) {
      // Not the one a release wrote: the user's own settings, nothing to say about it.
    } else if (path === CDK_APP) {
      const content = cdkAppOnPackage(text);
      if (content) plan.rewrite.push({ path, content, what: `kept your changes; its imports of ${COPY_DIR}/lib now come from ${TOOLING_PACKAGE}/cdk` });
      else plan.keep.push({ path, todo: `kept: you changed it, and it imports from ${COPY_DIR}/lib what ${TOOLING_PACKAGE}/cdk does not export: import from '${TOOLING_PACKAGE}/cdk' instead (EXECUTION_ROLE, stackFunctions, stackName, loadManifest, HANDLER_TAG, PROJECT_TAG), or delete the file and run the generator again for the new one` });
    } else {
      plan.keep.push({ path, todo: todoFor(path) });
    }
  }
  plan.from = [...matches].sort((a, b) => b[1] - a[1])[0]?.[0] ?? RELEASES[RELEASES.length - 1]!.version;
  return plan;
}

/**
 * package.json switched from the copy to the package, before the app generator merges its own
 * keys in (it adds lambda-image and its engines): the copy's scripts run `lambda-image <x>`
 * (whatever the user wrote around `node scripts/<x>.ts` stays around it), and the copy's
 * dependencies and engines.node go where they are as the release wrote them.
 */
export function migratedPackageJson(original: PackageJson): { result: PackageJson; removed: string[]; kept: string[] } {
  const scripts = Object.fromEntries(Object.entries(original.scripts ?? {}).map(([name, command]) => [name, translate(command)]));
  const devDependencies = { ...original.devDependencies };
  const removed: string[] = [];
  const kept: string[] = [];
  for (const [name, version] of Object.entries(devDependencies)) {
    const shipped = RELEASES.filter((r) => name in r.devDependencies);
    if (shipped.length === 0) continue;
    if (shipped.some((r) => r.devDependencies[name] === version)) {
      delete devDependencies[name];
      removed.push(name);
    } else {
      kept.push(`${name} ${version}`);
    }
  }
  const result: PackageJson = { ...original, scripts, devDependencies };
  if (original.engines && RELEASES.some((r) => r.engines.node === original.engines?.node)) {
    const { node: _shipped, ...engines } = original.engines;
    if (Object.keys(engines).length > 0) result.engines = engines;
    else delete result.engines;
  }
  return { result, removed, kept };
}

function removeEmptyFolders(root: string, files: readonly string[]): void {
  const folders = [...new Set(files.map((f) => dirname(f)).filter((d) => d !== '.'))].sort((a, b) => b.length - a.length);
  for (const folder of folders) {
    for (let dir = folder; dir !== '.'; dir = dirname(dir)) {
      const path = join(root, dir);
      if (!existsSync(path) || readdirSync(path).length > 0) break;
      rmdirSync(path);
    }
  }
}

function report(plan: MigrationPlan, removed: string[], kept: string[], readmeDescribesCopy: boolean): string {
  const copied = plan.remove.filter((p) => p.startsWith(`${COPY_DIR}/`));
  const other = plan.remove.filter((p) => !p.startsWith(`${COPY_DIR}/`));
  const lines = [
    '',
    `Moved this project from the tooling generator-lambda-image ${plan.from} copied into it to the ${TOOLING_PACKAGE} package:`,
    `  removed, as you had not changed them: ${[...(copied.length > 0 ? [`${copied.length} files of ${COPY_DIR}/`] : []), ...other].join(', ') || 'nothing'}`,
    `  package.json: the scripts run \`${TOOLING_PACKAGE} <command>\`${removed.length > 0 ? `; removed the devDependencies the copy needed (${removed.join(', ')}; add one back if your own code uses it)` : ''}`,
    ...plan.rewrite.map((r) => `  ${r.path}: ${r.what}`),
    ...kept.map((k) => `  package.json: kept devDependency ${k} (you changed its version); ${TOOLING_PACKAGE} brings its own, so remove it unless your own code uses it`),
  ];
  if (plan.keep.length > 0) {
    lines.push(`Files you changed (${plan.keep.length}), kept as they are:`, ...plan.keep.map((k) => `  ${k.path}: ${k.todo}`));
  }
  if (readmeDescribesCopy) lines.push(`README.md is yours, so it is unchanged: its rows about ${COPY_DIR}/ describe the copy that is gone.`);
  lines.push(`Next: npm install (it installs ${TOOLING_PACKAGE} and drops what only the copy needed).`);
  return lines.join('\n');
}

/**
 * The app generator's one call, first thing in its writing task: starts the upgrade of a project
 * with copied tooling (or keeps an ejected one ejected). Does nothing in any other project.
 */
export function upgradeCopiedTooling(generator: Generator): void {
  const root = generator.destinationRoot();
  const original = readJson(join(root, 'package.json'));
  const queue = (queueName: 'writing' | 'end', taskName: string, method: () => void) =>
    generator.queueTask({ queueName, taskName, method, cancellable: true });

  if (existsSync(join(root, EJECTED_CLI))) {
    // The app generator's package.json merge adds lambda-image, which an ejected project must not
    // get back (its scripts, which the merge keeps as the user's, run the copy).
    if (original && !original.devDependencies?.[TOOLING_PACKAGE]) {
      queue('writing', 'keepEjected', () => {
        const devDependencies = { ...(generator.packageJson.get('devDependencies') as Record<string, string> | undefined) };
        delete devDependencies[TOOLING_PACKAGE];
        generator.packageJson.set('devDependencies', devDependencies);
        generator.log(`This project is ejected (${EJECTED_CLI}): ${TOOLING_PACKAGE} is not added back to its devDependencies.`);
      });
    }
    return;
  }

  const plan = planMigration(root);
  if (!plan) return;
  const { result, removed, kept } = migratedPackageJson(original ?? {});
  if (original) generator.writeDestinationJSON('package.json', result);
  for (const { path, content } of plan.rewrite) generator.writeDestination(path, content);
  // Gone from the in-memory tree, the engine's current CDK app is written in its place.
  if (plan.remove.includes(CDK_APP)) generator.deleteDestination(CDK_APP);
  // Removals go to disk once the run's files are written (the generators' commit writes, it does
  // not delete), and only while each file is still as a release shipped it.
  queue('end', 'finishUpgrade', () => {
    const gone = plan.remove.filter((path) => {
      const file = join(root, path);
      if (!existsSync(file) || !RELEASES.some((r) => r.files[path] === sha256(readFileSync(file, 'utf8')))) return false;
      unlinkSync(file);
      return true;
    });
    removeEmptyFolders(root, gone);
    const readme = join(root, 'README.md');
    const describesCopy = existsSync(readme) && readFileSync(readme, 'utf8').includes(`| \`${COPY_DIR}/\` |`);
    generator.log(report(plan, removed, kept, describesCopy));
  });
}
