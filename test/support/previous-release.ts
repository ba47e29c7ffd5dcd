// A released generator-lambda-image, rebuilt from git history, to make projects as a user of
// that release has them (the upgrade tests re-run the current generator in them). The release
// commits are the ones the migration's record names (generators/lib/shipped-tooling.json).
// Its sources are taken with `git archive` and its dependencies installed once per machine
// (~/.cache); the release's own CLI runs from its TypeScript sources.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../../generators/lib/paths.ts';
import SHIPPED from '../../generators/lib/shipped-tooling.json' with { type: 'json' };

const CACHE = join(homedir(), '.cache', 'generator-lambda-image');

export interface PreviousRelease {
  version: string;
  commit: string;
  /** Runs that release's `npx generator-lambda-image <args>` in `cwd`. */
  generate(cwd: string, args: string[]): Promise<{ exitCode: number | undefined; all: string }>;
}

export async function previousRelease(version: string): Promise<PreviousRelease> {
  const release = SHIPPED.releases.find((r) => r.version === version);
  if (!release) throw new Error(`generators/lib/shipped-tooling.json records no release ${version}`);
  const { commit } = release;
  const repo = packageRoot();
  const present = await execa('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: repo, reject: false });
  if (present.exitCode !== 0) {
    throw new Error(
      `the upgrade tests rebuild generator-lambda-image ${version} from its release commit ${commit.slice(0, 7)}, which this clone lacks (a shallow clone?): run \`git fetch --unshallow\` (or clone with full history) and run the tests again`,
    );
  }
  const dir = join(CACHE, `release-${version}-${commit.slice(0, 12)}`);
  if (!existsSync(join(dir, 'node_modules', 'yeoman-environment'))) {
    mkdirSync(CACHE, { recursive: true });
    // Built aside and renamed into place: a run interrupted half-way leaves no half-built copy.
    const building = mkdtempSync(join(CACHE, `release-${version}-building-`));
    try {
      await execa('git', ['archive', commit], { cwd: repo }).pipe('tar', ['-x', '-C', building]);
      await execa('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: building });
      rmSync(dir, { recursive: true, force: true });
      renameSync(building, dir);
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
  }
  return {
    version,
    commit,
    async generate(cwd, args) {
      const { exitCode, all } = await execa(process.execPath, [join(dir, 'generators', 'cli.ts'), ...args], { cwd, reject: false, all: true, env: { NO_COLOR: '1' } });
      return { exitCode, all };
    },
  };
}
