// `npm run check:pins`: every version the templates pin, against its registry, asked through
// the registry's ordinary client (mvn, go, pip, npm). Prints one line per pin and exits 1 when
// one is behind. A report for a maintainer, not a test: registries move on without us.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import ejs from 'ejs';
import { TEMPLATES } from '../generators/lib/paths.ts';
import { projectNames } from '../generators/lib/names.ts';
import { CDK_DEPENDENCIES } from '../generators/lib/engines.ts';

interface Pin {
  what: string;
  file: string;
  pinned: string;
  /** The newest release, or why it could not be asked. */
  newest: string | { unchecked: string };
}

const read = (file: string) => readFileSync(join(TEMPLATES, file), 'utf8');
const run = (command: string, args: string[], cwd?: string) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const match = (text: string, pattern: RegExp, what: string) => {
  const found = pattern.exec(text)?.[1];
  if (!found) throw new Error(`check-pins: no ${what} in the template (${pattern})`);
  return found;
};
/** Newest of dotted versions, pre-releases left out. */
const newestOf = (versions: string[]) =>
  versions
    .filter((v) => /^v?\d+(\.\d+)*$/.test(v))
    .sort((a, b) => {
      const pa = a.replace(/^v/, '').split('.').map(Number);
      const pb = b.replace(/^v/, '').split('.').map(Number);
      for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
      return 0;
    })
    .at(-1) ?? '';

function goPins(): Pin[] {
  const goMod = read('go/files/go.mod.ejs');
  const pinned = match(goMod, /require github\.com\/aws\/aws-lambda-go (v\S+)/, 'aws-lambda-go');
  const versions = run('go', ['list', '-m', '-versions', 'github.com/aws/aws-lambda-go'], tmpdir()).trim().split(/\s+/).slice(1);
  const image = match(read('go/files/Dockerfile.ejs'), /ARG BUILDER_IMAGE=\S+:(\d+\.\d+)/, 'BUILDER_IMAGE');
  // The golang image is tagged by Go release; the module proxy lists the releases as toolchains.
  const toolchains = run('go', ['list', '-m', '-versions', 'golang.org/toolchain'], tmpdir())
    .split(/\s+/)
    .map((v) => /^v0\.0\.1-go(\d+\.\d+)(\.\d+)?\.linux-amd64$/.exec(v)?.[1])
    .filter((v): v is string => v !== undefined);
  return [
    { what: 'github.com/aws/aws-lambda-go', file: 'go/files/go.mod.ejs', pinned, newest: newestOf(versions) },
    { what: 'golang builder image (Go release)', file: 'go/files/Dockerfile.ejs', pinned: image, newest: newestOf(toolchains) },
  ];
}

function pythonPins(): Pin[] {
  const pytest = match(read('python/files/requirements-dev.txt'), /^pytest==(\S+)$/m, 'pytest');
  const setuptools = match(read('python/files/pyproject.toml.ejs'), /"setuptools>=(\S+)"/, 'setuptools');
  const newest = (name: string) => match(run('pip', ['index', 'versions', name]), new RegExp(`^${name} \\((\\S+)\\)`, 'm'), name);
  return [
    { what: 'pytest', file: 'python/files/requirements-dev.txt', pinned: pytest, newest: newest('pytest') },
    { what: 'setuptools', file: 'python/files/pyproject.toml.ejs', pinned: setuptools, newest: newest('setuptools') },
  ];
}

function npmPins(): Pin[] {
  return Object.entries(CDK_DEPENDENCIES).map(([name, range]) => ({
    what: name,
    file: 'generators/lib/engines.ts (CDK_DEPENDENCIES)',
    pinned: range.replace(/^\^/, ''),
    newest: run('npm', ['view', name, 'version']).trim(),
  }));
}

/** Maven's own answer: versions-maven-plugin on the rendered pom.xml lists every newer dependency and plugin. */
function mavenPins(): Pin[] {
  const dir = mkdtempSync(join(tmpdir(), 'check-pins-'));
  try {
    const template = join(TEMPLATES, 'java', 'files', 'pom.xml.ejs');
    const pom = ejs.render(readFileSync(template, 'utf8'), { names: projectNames('pins'), runtimeVersion: '25', baseImage: 'java:25' });
    writeFileSync(join(dir, 'pom.xml'), pom);
    const output = run('mvn', ['-B', '-ntp', 'versions:display-dependency-updates', 'versions:display-plugin-updates', '-DprocessDependencyManagement=false'], dir);
    const pins: Pin[] = [];
    const declared = [...pom.matchAll(/<artifactId>([^<]+)<\/artifactId>\s*<version>([^<]+)<\/version>/g)].map(([, a, v]) => {
      const property = /^\$\{(.+)\}$/.exec(v!)?.[1];
      return { artifact: a!, version: property ? match(pom, new RegExp(`<${property.replaceAll('.', '\\.')}>([^<]+)<`), property) : v! };
    });
    // The first artifactId/version pair is the project's own.
    for (const { artifact, version } of declared.slice(1)) {
      const newer = new RegExp(`[\\w.-]+:${artifact} \\.*\\s*${version.replaceAll('.', '\\.')} -> (\\S+)`).exec(output)?.[1];
      pins.push({ what: artifact, file: 'java/files/pom.xml.ejs', pinned: version, newest: newer ?? version });
    }
    return pins;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function dotnetPins(): Pin[] {
  const files = ['dotnet/files/src/__pascal__/__pascal__.csproj.ejs', 'dotnet/files/test/__pascal__.Tests/__pascal__.Tests.csproj.ejs'];
  return files.flatMap((file) =>
    [...read(file).matchAll(/<PackageReference Include="([^"]+)" Version="([^"]+)"/g)].map(([, name, version]) => ({
      what: name!,
      file,
      pinned: version!,
      newest: { unchecked: 'NuGet is out of reach from this machine: check with `dotnet list package --outdated`' },
    })),
  );
}

const sources: Array<[string, () => Pin[]]> = [
  ['Maven Central (mvn)', mavenPins],
  ['Go module proxy (go list -m)', goPins],
  ['PyPI (pip index versions)', pythonPins],
  ['npm (npm view)', npmPins],
  ['NuGet', dotnetPins],
];

let behind = 0;
for (const [registry, check] of sources) {
  console.log(`\n${registry}`);
  let pins: Pin[];
  try {
    pins = check();
  } catch (error) {
    console.log(`  could not ask: ${(error as Error).message.split('\n')[0]}`);
    continue;
  }
  for (const pin of pins) {
    const status =
      typeof pin.newest !== 'string'
        ? `not checked (${pin.newest.unchecked})`
        : pin.newest.replace(/^v/, '') === pin.pinned.replace(/^v/, '')
          ? 'newest'
          : (behind++, `BEHIND: ${pin.newest} is out`);
    console.log(`  ${pin.what.padEnd(44)} ${pin.pinned.padEnd(12)} ${status}   (${pin.file})`);
  }
}
console.log(behind ? `\n${behind} pin(s) behind their registry.` : '\nEvery checked pin is at its newest release.');
process.exitCode = behind ? 1 : 0;
