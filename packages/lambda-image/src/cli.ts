// The bin of the package: `lambda-image <command>` (commands.ts).
import { main } from './commands.ts';

// A reader that goes away (`lambda-image local | head`) must not stop a run before its
// cleanup: containers are removed whatever happens to the output.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Everything is done and printed; an idle keep-alive socket must not hold the exit up.
setTimeout(() => process.exit(code), 1000).unref();
