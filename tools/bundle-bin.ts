// Builds the package bin (run by `npm run build` after tsc): the command line, generators/cli.ts,
// with the generators and the parts of Yeoman a run reaches, as one file, dist/generators/cli.bundle.js,
// and dist/generators/cli.js, which starts it (in place of tsc's cli.js; the rest of
// dist/generators stays as tsc wrote it, for yo). Why: a run through the unbundled modules
// spends most of its time loading about 2,000 of them (bench/README.md).
//
// Bundled packages are still themselves at run time in two ways that a plain bundle breaks:
// - they find files beside their own modules through import.meta.url (yeoman-environment and
//   yeoman-generator read their own package.json for the version checks between them), so each
//   bundled module gets the URL of its original path under bundled/, where the name, version and
//   type of the package.json files on that path are written;
// - CommonJS modules read __dirname/__filename and require() Node's built-in modules, which an
//   ES module does not have: each gets its own __dirname/__filename, and the bundle a require().
//
//   node tools/bundle-bin.ts
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { packageRoot } from '../generators/lib/paths.ts';

const root = packageRoot();
const outdir = join(root, 'dist', 'generators');
const BUNDLED = 'bundled';
const BUNDLE = 'cli.bundle.js';

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
      // string-width (under ora, under Yeoman's adapter) builds an Intl.Segmenter as it loads, which
      // loads ICU's break-iterator data: 15 ms on an idle machine, several times that on a busy one,
      // for a spinner a run with --yes never shows. Built on first use instead.
      if (contents.includes('new Intl.Segmenter(')) contents = contents.replace(/new Intl\.Segmenter\(([^()]*)\)/g, '__bundledLazy(() => new Intl.Segmenter($1))');
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
 * JSON data as JSON.parse of a string, not as the object literal esbuild writes: V8 parses JSON
 * several times faster than it compiles a literal (cli-spinners' 50 kB of spinners, under ora,
 * under Yeoman's adapter, is read on every run).
 */
const jsonAsData: Plugin = {
  name: 'json-as-data',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.json$/ }, (args) => ({
      contents: `module.exports = JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8'))))});\n`,
      loader: 'js',
    }));
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

/**
 * Packages a run loads but does not call, whose own module code is costly: evaluated on their
 * first call instead of at load. latest-version (package-json, ky) builds a fetch Request as it
 * loads, which makes Node load undici and http2, about a tenth of a second; yeoman-generator calls
 * it only to look up the version of a dependency added without one, which ours never do.
 */
const DEFERRED = ['latest-version'];

const defer: Plugin = {
  name: 'defer',
  setup(build) {
    const filter = new RegExp(`^(${DEFERRED.join('|')})$`);
    build.onResolve({ filter }, (args) =>
      args.namespace === 'deferred' ? undefined : { path: args.path, namespace: 'deferred', pluginData: args.resolveDir },
    );
    build.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
      contents: `export default async function deferred(...args) {
  const { default: loaded } = await import(${JSON.stringify(args.path)});
  return loaded(...args);
}
`,
      loader: 'js',
      resolveDir: args.pluginData as string,
    }));
  },
};

rmSync(join(outdir, BUNDLED), { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'generators', 'cli.ts')],
  outfile: join(outdir, BUNDLE),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // Node 22 has every regular expression feature; esbuild's table does not know it has the v flag, and
  // a literal, unlike the new RegExp() it would write instead, is compiled only when first used.
  supported: { 'regexp-set-notation': true },
  // The tooling package is a dependency of ours pinned at our version, installed beside us anyway.
  external: ['lambda-image', 'lambda-image/*'],
  banner: {
    js: [
      "import { createRequire as __bundledRequire } from 'node:module';",
      "import { fileURLToPath as __bundledFileURLToPath } from 'node:url';",
      'const require = __bundledRequire(import.meta.url);',
      'const __bundledUrl = (path) => new URL(path, import.meta.url).href;',
      'const __bundledPath = (path) => __bundledFileURLToPath(__bundledUrl(path));',
      'const __bundledLazy = (make) => { let made; const real = () => (made ??= make()); return new Proxy({}, { get: (_, key) => { const value = real()[key]; return typeof value === "function" ? value.bind(real()) : value; } }); };',
    ].join('\n'),
  },
  plugins: [leaveOut, defer, jsonAsData, ownLocation],
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
// The bin itself, small enough for any Node to read: the Node version is checked here, before a
// Node too old for the bundle's syntax would stop on it with a SyntaxError, and Node's compile
// cache is turned on before the bundle is compiled, so that from the second run on it is read
// from the cache.
const bin = join(outdir, 'cli.js');
writeFileSync(
  bin,
  `#!/usr/bin/env node
// generator-lambda-image's bin, written by tools/bundle-bin.ts: the command line itself, from
// generators/cli.ts, is ${BUNDLE}.
import module from 'node:module';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(\`generator-lambda-image needs Node.js >= 22.18 (this is \${process.versions.node}): install Node 22 LTS or newer.\`);
  process.exit(1);
}
module.enableCompileCache?.();
await import('./${BUNDLE}');
`,
);
chmodSync(bin, 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`${relative(root, join(outdir, BUNDLE))}: ${Object.keys(result.metafile.inputs).length} modules, ${(bytes / 1e6).toFixed(2)} MB`);
