// Builds the package bin, dist/generators/cli.js, as one bundled file (run by `npm run build`
// after tsc, whose output it replaces; the rest of dist/generators stays as tsc wrote it for yo).
// Why: a run through the unbundled bin spends most of its time loading about 2,000 modules
// (bench/README.md); one file with only what a run reaches loads in a fraction of that.
//
// Bundled packages are still themselves at run time in two ways that a plain bundle breaks:
// - they find files beside their own modules through import.meta.url (yeoman-environment and
//   yeoman-generator read their own package.json for the version checks between them), so each
//   bundled module gets the URL of its original path under bundled/, and the package.json files
//   on that path are copied there;
// - CommonJS modules read __dirname/__filename and require() Node's built-in modules, which an
//   ES module does not have: each gets its own __dirname/__filename, and the bundle a require().
//
//   node tools/bundle-bin.ts
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { packageRoot } from '../generators/lib/paths.ts';

const root = packageRoot();
const outdir = join(root, 'dist', 'generators');
const BUNDLED = 'bundled';

const NODE_MODULES = `${sep}node_modules${sep}`;

/**
 * Where a module of node_modules stands under bundled/: its path below the first node_modules, a
 * nested node_modules written "_" (npm leaves folders named node_modules out of a package).
 */
function bundledPath(path: string): string {
  const below = path.slice(path.indexOf(NODE_MODULES) + NODE_MODULES.length);
  return below.split(sep).map((part) => (part === 'node_modules' ? '_' : part)).join('/');
}

/** The package.json files from a module's folder up to its package's root. */
function packageJsonsOf(path: string): string[] {
  const found: string[] = [];
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) found.push(join(dir, 'package.json'));
    const parent = dirname(dir);
    const isPackageRoot = basename(parent) === 'node_modules' || (basename(parent).startsWith('@') && basename(dirname(parent)) === 'node_modules');
    if (isPackageRoot) break;
  }
  return found;
}

const locatedModules = new Set<string>();

const ownLocation: Plugin = {
  name: 'own-location',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.(c|m)?js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      const file = `./${BUNDLED}/${bundledPath(args.path)}`;
      const url = `__bundledUrl(${JSON.stringify(file)})`;
      if (contents.includes('import.meta.url')) {
        contents = contents.replaceAll('import.meta.url', url);
        locatedModules.add(args.path);
      }
      const usesLocation = /\b__(dirname|filename)\b/.test(contents);
      const declaresLocation = /\b(var|let|const|function)\s+__(dirname|filename)\b/.test(contents);
      if (usesLocation && !declaresLocation) {
        const dir = JSON.stringify(file.slice(0, file.lastIndexOf('/')));
        contents = `var __filename = __bundledPath(${JSON.stringify(file)}), __dirname = __bundledPath(${dir});\n${contents}`;
        locatedModules.add(args.path);
      }
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * What yeoman-environment brings that a run of ours never reaches, left out of the bundle:
 * - fly-import (npm's arborist, pacote, sigstore: about 800 modules) installs generators from npm
 *   on the fly; EnvironmentBase constructs its FlyRepository but only the full environment, which
 *   the bin does not use, calls it. The stand-in says so if anything ever does.
 * - the package's index re-exports the full environment, its commands and lookups: marked free of
 *   side effects, so that only the EnvironmentBase the bin imports is kept.
 */
const leaveOut: Plugin = {
  name: 'leave-out',
  setup(build) {
    build.onResolve({ filter: /^fly-import$/ }, () => ({ path: 'fly-import', namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({
      contents: `const leftOut = () => new Error('generator-lambda-image does not install Yeoman generators (fly-import is left out of its bundled bin): use yo for that');
export function flyImport() {
  throw leftOut();
}
export class FlyRepository {
  constructor(options) {
    this.repositoryPath = options?.repositoryPath;
    return new Proxy(this, {
      get(target, key) {
        if (key in target || typeof key === 'symbol' || key === 'then') return target[key];
        throw leftOut();
      },
    });
  }
}
`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^yeoman-environment$/ }, async (args) => {
      if (args.pluginData === 'leave-out') return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'leave-out' });
      return { ...resolved, sideEffects: false };
    });
  },
};

rmSync(join(outdir, BUNDLED), { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'generators', 'cli.ts')],
  outfile: join(outdir, 'cli.js'),
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // The tooling package is a dependency of ours pinned at our version, installed beside us anyway.
  external: ['lambda-image', 'lambda-image/*'],
  banner: {
    js: [
      "import { createRequire as __bundledRequire } from 'node:module';",
      "import { fileURLToPath as __bundledFileURLToPath } from 'node:url';",
      'const require = __bundledRequire(import.meta.url);',
      'const __bundledUrl = (path) => new URL(path, import.meta.url).href;',
      'const __bundledPath = (path) => __bundledFileURLToPath(__bundledUrl(path));',
    ].join('\n'),
  },
  plugins: [leaveOut, ownLocation],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

for (const path of locatedModules) {
  for (const packageJson of packageJsonsOf(path)) {
    const target = join(outdir, BUNDLED, bundledPath(packageJson));
    mkdirSync(dirname(target), { recursive: true });
    // What a package reads of its own package.json (its name and version), nothing that npm
    // would act on when it packs ours (files, bundled dependencies, scripts).
    const { name, version, type } = JSON.parse(readFileSync(packageJson, 'utf8')) as Record<string, unknown>;
    writeFileSync(target, `${JSON.stringify({ name, version, type }, null, 2)}\n`);
  }
}
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`${relative(root, join(outdir, 'cli.js'))}: ${Object.keys(result.metafile.inputs).length} modules, ${(bytes / 1e6).toFixed(2)} MB`);
