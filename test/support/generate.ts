// Runs the real generators through yeoman-test (the real yeoman-environment, the
// real mem-fs commit to disk), the way `yo lambda-image` runs them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import helpers, { type RunResult } from 'yeoman-test';
import { packageRoot } from '../../generators/lib/paths.ts';

export const APP = join(packageRoot(), 'generators', 'app', 'index.ts');
export const HANDLER = join(packageRoot(), 'generators', 'handler', 'index.ts');

export interface GenerateOptions {
  name?: string;
  runtime?: string;
  runtimeVersion?: string;
  handlers?: string;
  arch?: string;
  region?: string;
  repository?: string;
  memory?: string;
  timeout?: string;
  deploy?: string;
  javaPackage?: string;
  goModule?: string;
  baseImage?: string;
}

/**
 * Generates a project in `dir` (which becomes the project folder; its basename is
 * the default name) non-interactively, without installing, and returns `dir`.
 */
export async function generateProject(dir: string, options: GenerateOptions = {}): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const { name, ...rest } = options;
  await helpers
    .run(APP, { cwd: dir, autoCleanup: false, tmpdir: false })
    .withArguments(name ? [name] : [])
    .withOptions(appOptions({ yes: true, skipInstall: true, ...rest }));
  return name ? join(dir, name) : dir;
}

/** Our generators' own options (yeoman-test types only Yeoman's base options). */
export function appOptions(options: Record<string, unknown>): Record<string, never> {
  return options as Record<string, never>;
}

export function runApp(): ReturnType<typeof helpers.run> {
  return helpers.run(APP);
}

export function runHandler(): ReturnType<typeof helpers.run> {
  return helpers.run(HANDLER);
}

export type { RunResult };
