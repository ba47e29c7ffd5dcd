// `npm install` in a generated project, as a user runs it after a release: "lambda-image"
// comes from the local registry the test run published it to (./registry.ts).
import { execa } from 'execa';
import { inject } from 'vitest';

/** The environment that points npm at the test run's registry. */
export function npmEnv(): Record<string, string> {
  return { npm_config_registry: inject('registry') };
}

export async function installProject(dir: string): Promise<void> {
  await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, env: npmEnv() });
}
