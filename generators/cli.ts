#!/usr/bin/env node
// `npx generator-lambda-image [name] [options]` and `npx generator-lambda-image handler <name>`:
// the same generators as `yo lambda-image`, run through yeoman-environment without yo
// (which refuses to write as root, as CI containers run).
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

const here = dirname(fileURLToPath(import.meta.url));
const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const generators = {
  app: join(here, 'app', `index.${extension}`),
  handler: join(here, 'handler', `index.${extension}`),
};

const argv = process.argv.slice(2);
const sub = argv[0] === 'handler' ? 'handler' : 'app';
if (sub === 'handler') argv.shift();

const { createEnv } = await import('yeoman-environment');
// The environment, not the generator, runs the package-manager install: it must see --skip-install.
const env = createEnv({ skipInstall: argv.includes('--skip-install') });
env.register(generators.app, { namespace: 'lambda-image:app' });
env.register(generators.handler, { namespace: 'lambda-image:handler' });
const namespace = `lambda-image:${sub}`;

if (argv.includes('--help') || argv.includes('-h')) {
  console.log(
    sub === 'app'
      ? 'npx generator-lambda-image [name] [options]     (the same as: yo lambda-image [name] [options])\n' +
          'npx generator-lambda-image handler <name>       adds a handler to the project here (so no project can be named "handler")\n'
      : 'npx generator-lambda-image handler <name>       (the same as: yo lambda-image:handler <name>)\n',
  );
  const generator = await env.create(namespace, { generatorArgs: [], generatorOptions: { help: true } as never });
  console.log((generator as unknown as { help(): string }).help());
} else {
  try {
    await env.run([namespace, ...argv]);
  } catch (error) {
    const e = error as Error;
    if (e.name === 'ExitPromptError') {
      console.error('\ncancelled: nothing more was written');
      process.exitCode = 130;
    } else {
      // Bad input is a UsageError whose message says what to fix: no stack for those.
      console.error(`\nerror: ${e.name === 'UsageError' ? e.message : (e.stack ?? e.message)}`);
      process.exitCode = 1;
    }
  }
}
