import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the generators run from generators/ (sources, in tests) or dist/generators/ (published). */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'templates'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`generator-lambda-image: no package root above ${from}`);
    dir = parent;
  }
  return dir;
}

export const TEMPLATES = join(packageRoot(), 'templates');
