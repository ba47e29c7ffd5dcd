// The lambda-image command as a generated project runs it: its built bin, in a child
// process, from the project's folder. (npm test builds the package before the tests run.)
import { join } from 'node:path';
import { execa, type Options } from 'execa';
import { packageRoot } from '../../generators/lib/paths.ts';

export const LAMBDA_IMAGE_BIN = join(packageRoot(), 'packages', 'lambda-image', 'bin', 'lambda-image.js');

export function lambdaImage(cwd: string, args: string[], options: Options = {}) {
  return execa(process.execPath, [LAMBDA_IMAGE_BIN, ...args], {
    cwd,
    reject: false,
    ...options,
    env: { NO_COLOR: '1', ...options.env },
  });
}
