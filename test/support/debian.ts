// Root file systems from Debian packages, for the test base images (test/support/baseimages.ts).
//
// Each suite has its own apt state under the cache, so an image can take its interpreter
// from the suite that carries the tag's version (bookworm's python3.11, trixie's openjdk-21,
// sid's python3.14...) whatever the host runs. Packages are unpacked with dpkg-deb -x: no
// maintainer script runs, which is why callers finish what a postinst would have done.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export type Suite = 'bookworm' | 'trixie' | 'sid';

const MIRROR = 'http://deb.debian.org/debian';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const SOURCES: Record<Suite, string[]> = {
  bookworm: [`${MIRROR} bookworm main`, `${MIRROR} bookworm-updates main`, 'http://deb.debian.org/debian-security bookworm-security main'],
  trixie: [`${MIRROR} trixie main`, `${MIRROR} trixie-updates main`, 'http://deb.debian.org/debian-security trixie-security main'],
  sid: [`${MIRROR} sid main`],
};
/** sid changes daily: its package lists are refreshed once they are older than this. */
const MAX_LIST_AGE_MS: Record<Suite, number> = { bookworm: 7 * 86_400_000, trixie: 7 * 86_400_000, sid: 86_400_000 };

/** Packages whose dependencies a root file system for one interpreter never needs (package management, perl, certificates). */
const PRUNED = /^(dpkg|debconf.*|cdebconf|install-info|perl.*|libperl.*|ca-certificates.*|openssl|tar|lsb-base|sensible-utils|init-system-helpers|usrmerge|usr-is-merged|base-files|debianutils|java-common|adduser|passwd|libpam.*|media-types|netbase|tzdata|readline-common|systemd.*|libsystemd.*|libnss-systemd|login|coreutils|util-linux.*|bsdutils|findutils|mount|libudev.*|dmsetup|libdevmapper.*|libcryptsetup.*|libkmod.*|libapparmor.*|libseccomp.*|libcap2-bin|procps|libproc.*)$/;

export class DebianSuite {
  readonly suite: Suite;
  private readonly dir: string;
  private readonly config: string;

  constructor(suite: Suite, cache: string) {
    this.suite = suite;
    this.dir = join(cache, 'apt', suite);
    this.config = join(this.dir, 'apt.conf');
  }

  /** The suite's own apt configuration; the host's /etc/apt stays out of it. */
  private prepare(): void {
    for (const sub of ['state/lists/partial', 'cache/archives/partial', 'etc/parts']) mkdirSync(join(this.dir, sub), { recursive: true });
    const status = join(this.dir, 'state/status');
    if (!existsSync(status)) writeFileSync(status, '');
    writeFileSync(join(this.dir, 'etc/sources.list'), SOURCES[this.suite].map((s) => `deb [signed-by=${KEYRING}] ${s}\n`).join(''));
    writeFileSync(
      this.config,
      [
        `Dir::State "${join(this.dir, 'state')}";`,
        `Dir::State::status "${status}";`,
        `Dir::Cache "${join(this.dir, 'cache')}";`,
        `Dir::Etc::SourceList "${join(this.dir, 'etc/sources.list')}";`,
        `Dir::Etc::SourceParts "${join(this.dir, 'etc/parts')}";`,
        `Dir::Etc::Parts "${join(this.dir, 'etc/parts')}";`,
        `Dir::Etc::PreferencesParts "${join(this.dir, 'etc/parts')}";`,
        'APT::Architecture "amd64";',
        'Acquire::Languages "none";',
        // The mirror reachable from CI may serve a dated copy of the archive, as the host's apt is set up for.
        'Acquire::Check-Valid-Until "false";',
        'APT::Sandbox::User "root";',
        '',
      ].join('\n'),
    );
  }

  private apt(tool: 'apt-get' | 'apt-cache', args: string[], cwd?: string) {
    return execa(tool, args, { cwd, reject: false, env: { APT_CONFIG: this.config } });
  }

  private listsAge(): number {
    const lists = join(this.dir, 'state/lists');
    const files = existsSync(lists) ? readdirSync(lists).filter((f) => f.endsWith('_Packages')) : [];
    if (files.length === 0) return Infinity;
    return Date.now() - Math.min(...files.map((f) => statSync(join(lists, f)).mtimeMs));
  }

  async update(force = false): Promise<void> {
    this.prepare();
    if (!force && this.listsAge() < MAX_LIST_AGE_MS[this.suite]) return;
    const result = await this.apt('apt-get', ['update', '-qq']);
    if (result.exitCode !== 0) throw new Error(`apt-get update of ${this.suite} failed: ${result.stderr}`);
  }

  /** The version apt would install, e.g. to label an image with its interpreter's version. */
  async candidate(pkg: string): Promise<string> {
    const { stdout } = await this.apt('apt-cache', ['policy', pkg]);
    const version = /Candidate: (\S+)/.exec(stdout)?.[1];
    if (!version || version === '(none)') throw new Error(`Debian ${this.suite} has no package ${pkg}`);
    return version;
  }

  /** The dependency closure of `roots`, first alternative of each choice, without PRUNED packages. */
  async closure(roots: string[]): Promise<string[]> {
    const seen = new Set<string>();
    let frontier = [...new Set(roots)];
    while (frontier.length > 0) {
      for (const p of frontier) seen.add(p);
      const { stdout, exitCode, stderr } = await this.apt('apt-cache', [
        'depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...frontier,
      ]);
      if (exitCode !== 0) throw new Error(`apt-cache depends (${this.suite}) failed: ${stderr}`);
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
        const chosen = !inAlternatives;
        inAlternatives = dep[1] === '|';
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

  /** Downloads the packages' current versions into `into` (a cache shared by the suites). */
  async download(packages: string[], into: string): Promise<string[]> {
    mkdirSync(into, { recursive: true });
    const names = async () => {
      const { stdout } = await this.apt('apt-get', ['download', '--print-uris', ...packages]);
      const byPackage = new Map<string, string>();
      for (const line of stdout.split('\n')) {
        const file = /^'\S+' (\S+\.deb) /.exec(line)?.[1];
        if (file) byPackage.set(file.split('_')[0]!, file);
      }
      return packages.map((p) => byPackage.get(p));
    };
    let files = await names();
    if (files.includes(undefined)) {
      // A package moved on since the lists were fetched (sid does daily).
      await this.update(true);
      files = await names();
    }
    const absent = packages.filter((_, i) => !files[i]);
    if (absent.length > 0) throw new Error(`Debian ${this.suite} has no ${absent.join(', ')}`);
    const missing = packages.filter((_, i) => !existsSync(join(into, files[i]!)));
    if (missing.length > 0) {
      const result = await this.apt('apt-get', ['download', '-qq', ...missing], into);
      if (result.exitCode !== 0) throw new Error(`apt-get download (${this.suite}) failed: ${result.stderr}`);
    }
    return files.map((f) => join(into, f!));
  }
}

/**
 * A root file system with merged /usr, the packages unpacked into it, and busybox's applets for
 * the shell and the commands the packages do not bring (no coreutils: busybox stands in).
 */
export async function debianRootfs(root: string, suite: DebianSuite, packages: string[], debCache: string): Promise<void> {
  rmSync(root, { recursive: true, force: true });
  for (const dir of ['usr/bin', 'usr/lib', 'usr/lib64', 'usr/sbin', 'usr/local/bin', 'usr/local/lib', 'etc', 'var/task', 'var/runtime', 'opt', 'root', 'tmp']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${link}`, join(root, link));
  chmodSync(join(root, 'tmp'), 0o1777);

  await suite.update();
  const closure = await suite.closure([...packages, 'busybox-static']);
  for (const deb of await suite.download(closure, debCache)) {
    // --keep-directory-symlink: /lib in a package must land in the /lib -> usr/lib made above.
    await execa('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x --keep-directory-symlink -C "$2"', 'sh', deb, root]);
  }
  const busybox = join(root, 'usr/bin/busybox');
  const { stdout: applets } = await execa(busybox, ['--list']);
  for (const applet of applets.split('\n').filter(Boolean)) {
    const target = join(root, 'usr/bin', applet);
    if (!existsSync(target) && !existsSync(join(root, 'usr/sbin', applet))) symlinkSync('busybox', target);
  }
  // The bundle update-ca-certificates (a postinst) would write, when the certificates are in.
  const certificates = join(root, 'usr/share/ca-certificates/mozilla');
  if (existsSync(certificates)) {
    const bundle = readdirSync(certificates).sort().map((f) => readFileSync(join(certificates, f), 'utf8'));
    mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
    writeFileSync(join(root, 'etc/ssl/certs/ca-certificates.crt'), bundle.join(''));
  }
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}
