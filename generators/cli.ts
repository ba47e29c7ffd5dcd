#!/usr/bin/env node
// `npx generator-lambda-image [name] [options]` and `npx generator-lambda-image handler <name>`:
// the same generators as `yo lambda-image`, run through yeoman-environment without yo
// (which refuses to write as root, as CI containers run). The command line is checked here
// first, so --help, --version and a typo answer without loading Yeoman at all.
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`generator-lambda-image needs Node.js >= 22.18 (this is ${process.versions.node}): install Node 22 LTS or newer.`);
  process.exit(1);
}

// Loading yeoman-environment's modules is most of a run's time: Node's on-disk
// compile cache (NODE_COMPILE_CACHE's default folder) roughly halves it after the first run.
module.enableCompileCache?.();

const { UsageError } = await import('./lib/errors.ts');
const verbose = process.argv.includes('--verbose');

/** Bad input and environment problems are messages; anything else is a bug, shown with its stack. */
function fail(error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  if (e.name === 'ExitPromptError' || e.name === 'AbortPromptError') {
    console.error('\ncancelled: nothing was written');
    process.exitCode = 130;
  } else if (e instanceof UsageError || e.name === 'UsageError') {
    console.error(`error: ${verbose ? (e.stack ?? e.message) : e.message}`);
    process.exitCode = e instanceof UsageError ? e.exitCode : 1;
  } else {
    console.error(`error: ${e.stack ?? e.message}`);
    process.exitCode = 1;
  }
}

try {
  const { helpText, parseCommandLine } = await import('./lib/options.ts');
  const commandLine = parseCommandLine(process.argv.slice(2));
  const here = dirname(fileURLToPath(import.meta.url));
  if (commandLine.options.version) {
    const { generatorVersion } = await import('./lib/tooling.ts');
    console.log(generatorVersion());
  } else if (commandLine.options.help) {
    console.log(helpText(commandLine.generator));
  } else {
    await run(commandLine.generator, process.argv.slice(commandLine.generator === 'handler' ? 3 : 2), commandLine.options, here);
  }
} catch (error) {
  fail(error);
}

async function run(generator: 'app' | 'handler', argv: string[], options: Record<string, string | true>, here: string): Promise<void> {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  // EnvironmentBase, not createEnv's full environment: that one adds looking up and installing
  // generators from npm, which a run of ours never does. The generator classes are registered as
  // they are, not by path, so the published bin (one bundled file, see tools/bundle-bin.ts) runs
  // the copies bundled with it instead of loading the separate modules built for yo.
  const [{ EnvironmentBase }, { default: AppGenerator }, { default: HandlerGenerator }] = await Promise.all([
    import('yeoman-environment'),
    import('./app/index.ts'),
    import('./handler/index.ts'),
  ]);
  // The environment, not the generator, decides about installing: it must see --skip-install.
  // The log ("create" lines, notes) on stdout, as create-* tools print it; errors go to stderr, from here.
  const env = new EnvironmentBase({ skipInstall: options['skip-install'] === true, stderr: process.stdout });
  env.register(AppGenerator, { namespace: 'lambda-image:app', resolved: join(here, 'app', `index.${extension}`) });
  env.register(HandlerGenerator, { namespace: 'lambda-image:handler', resolved: join(here, 'handler', `index.${extension}`) });
  if (!process.stdin.isTTY) {
    // No terminal to answer on: what would be asked becomes one line that names the options.
    env.adapter.prompt = async (questions: unknown) => {
      throw new UsageError(noTerminal(questions), 2);
    };
  }
  // What the full environment's run() does once the generator is found.
  await env.runGenerator(await env.create(`lambda-image:${generator}`, { generatorArgs: argv, generatorOptions: {} }));
}

function noTerminal(questions: unknown): string {
  // The base image's two questions (AWS's or another, then which) are the one option --base-image.
  const names = (Array.isArray(questions) ? questions : [questions])
    .map((q: { name?: string; type?: string }) => q.name ?? '')
    .filter((name) => name !== 'baseImageKind');
  if (names.includes('here')) return 'this folder is not empty and no terminal is attached to confirm: pass --force to generate here (no file that is there is changed), or choose an empty folder';
  const options = names.map((name) => (name === 'name' ? '[name]' : `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
  return `no terminal to ask on: pass --yes to take the defaults, or give ${options.join(', ')}`;
}
