// Records, from git history, what each release of generator-lambda-image that copied the
// tooling into projects wrote there, so that re-running a newer generator can tell a file
// the user changed from one they did not (generators/lib/migrate.ts). Run once per such
// release (the list below is complete: 0.2.0 on ships the tooling as the lambda-image
// package) and commit the output:
//
//   node tools/record-shipped-tooling.ts > generators/lib/shipped-tooling.json
//
// Needs the full history (a shallow clone lacks the release commits).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import ejs from 'ejs';

/** The releases whose projects hold a copied scripts/ folder, and their release commits. */
const RELEASES: Record<string, string> = { '0.1.0': '7b79755' };
/** Where those releases copied templates/tooling to, in a project. */
const DESTINATION = 'scripts';

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const show = (commit: string, path: string) => git('show', `${commit}:${path}`);
const exists = (commit: string, path: string) => git('ls-tree', '--name-only', commit, path).trim() !== '';
/** Line endings do not count: a checkout with CRLF holds the same file. */
export const sha256 = (text: string) => createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const packageOf = (spec: string) =>
  spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)
    ? undefined
    : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

function release(version: string, short: string) {
  const commit = git('rev-parse', `${short}^{commit}`).trim();
  const tooling = git('ls-tree', '-r', '--name-only', commit, 'templates/tooling')
    .split('\n')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  const files: Record<string, string> = {};
  const scripts: Record<string, string> = {};
  const used = new Set<string>();
  for (const path of tooling) {
    const rel = path.slice('templates/tooling/'.length);
    const text = show(commit, path);
    files[`${DESTINATION}/${rel}`] = sha256(text);
    if (!rel.includes('/')) scripts[rel.replace(/\.ts$/, '')] = `node ${DESTINATION}/${rel}`;
    for (const m of text.matchAll(IMPORT)) {
      const pkg = packageOf((m[1] ?? m[2])!);
      if (pkg) used.add(pkg);
    }
  }
  if (exists(commit, 'templates/common/_npmrc')) files['.npmrc'] = sha256(show(commit, 'templates/common/_npmrc'));
  if (exists(commit, 'templates/engines/cdk/app.ts.ejs')) {
    files['cdk/app.ts'] = sha256(ejs.render(show(commit, 'templates/engines/cdk/app.ts.ejs'), { tooling: DESTINATION }));
  }
  // The engines.node its package.json patch wrote (generators/lib/project.ts of that release).
  const engine = /engines: \{ node: '([^']+)' \}/.exec(show(commit, 'generators/lib/project.ts'))?.[1];
  if (!engine) throw new Error(`no engines.node found in generators/lib/project.ts at ${commit}`);
  const own = JSON.parse(show(commit, 'package.json')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const versions = { ...own.devDependencies, ...own.dependencies };
  const devDependencies = Object.fromEntries([...used].sort().map((pkg) => [pkg, versions[pkg]!]));
  return { version, commit, files, scripts, devDependencies, engines: { node: engine } };
}

/** Where each copied file's code lives in the lambda-image package now, by git's rename detection. */
function successors(commits: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const commit of commits) {
    const diff = git('diff', '-M30%', '--name-status', commit, 'HEAD', '--', 'templates/tooling', 'packages/lambda-image/src');
    for (const line of diff.split('\n')) {
      const [status, from, to] = line.split('\t');
      if (!status?.startsWith('R') || !from?.startsWith('templates/tooling/') || !to?.startsWith('packages/lambda-image/')) continue;
      // One file held the three --native runners; the package has them as real files in one folder.
      const successor = to.slice('packages/lambda-image/'.length).replace(/\/runners\/[^/]+$/, '/runners/');
      map[`${DESTINATION}/${from.slice('templates/tooling/'.length)}`] = successor;
    }
  }
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

const releases = Object.entries(RELEASES).map(([version, commit]) => release(version, commit));
process.stdout.write(
  `${JSON.stringify(
    {
      comment: 'Written by tools/record-shipped-tooling.ts from git history: what each release that copied the tooling into projects wrote there (sha256 of LF text).',
      destination: DESTINATION,
      releases,
      successors: successors(releases.map((r) => r.commit)),
    },
    null,
    2,
  )}\n`,
);
