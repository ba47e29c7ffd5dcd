// What a generated project's package.json needs for its tooling: the lambda-image package,
// pinned at this generator's own version (the two are released in lockstep, so the pair our
// tests ran together is the pair a project gets), and one npm script per command of its bin.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.ts';

export const TOOLING_PACKAGE = 'lambda-image';

/** The npm scripts that run lambda-image's commands, with what each does for the generated README. */
const COMMANDS: Record<string, string> = {
  local: 'Builds the image, runs ONE container and invokes every handler through the dispatcher (`npm run local -- --help`)',
  deploy: 'Pushes the image to ECR once and deploys one function per handler (`npm run deploy -- --help`)',
  invoke: 'Invokes a deployed function and prints its response and log tail (`npm run invoke -- --help`)',
  destroy: "Deletes the project's functions (`npm run destroy -- --help`)",
};

export function toolingScripts(): Record<string, string> {
  return Object.fromEntries(Object.keys(COMMANDS).map((command) => [command, `${TOOLING_PACKAGE} ${command}`]));
}

/** generator-lambda-image's version: lambda-image's too. */
export function generatorVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function toolingDependencies(): Record<string, string> {
  return { [TOOLING_PACKAGE]: generatorVersion() };
}

export function toolingCommands(): Array<[string, string]> {
  return Object.entries(COMMANDS);
}
