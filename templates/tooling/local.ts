// `npm run local`: builds the image once and tests every handler in one local
// container (or, with --native, in this machine's own runtime). `npm run local -- --help`
// lists the options. Managed by generator-lambda-image; configured by lambda-image.json.
import { fileURLToPath } from 'node:url';
import { runLocal } from './lib/local-run.ts';

// A reader that goes away (`npm run local | head`) must not stop the run before its
// cleanup: the container is removed whatever happens to the output.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const code = await runLocal(process.argv.slice(2), {
  // This file is <project>/scripts/local.ts.
  projectDir: fileURLToPath(new URL('..', import.meta.url)),
  // npm runs scripts from the project root; INIT_CWD is where the user typed the command.
  userDir: process.env.INIT_CWD ?? process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = code;
// Everything is done and printed; an idle keep-alive socket must not hold the exit up.
setTimeout(() => process.exit(code), 1000).unref();
