// The `lambda-image` commands: what a generated project's package.json scripts call
// (`"local": "lambda-image local"`…). Each command module is loaded only when it runs, so
// `lambda-image local --native` and `--version` start without the AWS SDK.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MANIFEST_FILE } from './shared/manifest.ts';
import { closest } from './shared/suggest.ts';
import { VERSION } from './version.ts';

interface Command {
  summary: string;
  run(argv: string[], projectDir: string): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  local: {
    summary: 'build the image, run ONE container and invoke every handler through the dispatcher (or --native)',
    async run(argv, projectDir) {
      const { runLocal } = await import('./local/local.ts');
      return runLocal(argv, {
        projectDir,
        // npm runs scripts from the project root; INIT_CWD is where the user typed the command.
        userDir: process.env.INIT_CWD ?? process.cwd(),
        stdout: process.stdout,
        stderr: process.stderr,
      });
    },
  },
  deploy: {
    summary: 'push the image to ECR once and deploy one Lambda function per handler',
    async run(argv, projectDir) {
      const { engineFor } = await import('./engines/engine.ts');
      return engineFor(projectDir).deploy(argv, projectDir);
    },
  },
  invoke: {
    summary: "invoke a deployed handler's function and print its response and log tail",
    async run(argv, projectDir) {
      const { main } = await import('./deploy/invoke.ts');
      return main(argv, projectDir);
    },
  },
  destroy: {
    summary: "delete the project's functions (the repository and role only on request)",
    async run(argv, projectDir) {
      const { engineFor } = await import('./engines/engine.ts');
      return engineFor(projectDir).destroy(argv, projectDir);
    },
  },
};

const USAGE = `Usage: lambda-image <command> [options]      (in a project: npm run <command> -- [options])

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`)
  .join('\n')}
  help     show this help, or a command's: lambda-image help <command>

Options:
  -h, --help     show this help (after a command: that command's help)
  -v, --version  print lambda-image's version

The commands read lambda-image.json in the current folder or the nearest one above it.`;

/** The project root: the nearest folder from `start` upwards that holds lambda-image.json, else `start`. */
export function findProjectDir(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, MANIFEST_FILE))) return dir;
    if (dirname(dir) === dir) return resolve(start);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    console.log(VERSION);
    return 0;
  }
  if (name === 'help') {
    const [topic] = rest;
    if (topic === undefined) {
      console.log(USAGE);
      return 0;
    }
    return main([topic, '--help']);
  }
  const command = COMMANDS[name];
  if (!command) {
    const suggestion = closest(name, [...Object.keys(COMMANDS), 'help']);
    console.error(
      `error: unknown command "${name}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}\nRun \`lambda-image --help\` for the commands.`,
    );
    return 2;
  }
  return command.run(rest, findProjectDir(process.cwd()));
}
