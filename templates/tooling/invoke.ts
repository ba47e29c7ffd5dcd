// Managed by generator-lambda-image: re-running the generator updates this file.
//
// npm run invoke -- <handler> [--event <file or JSON>]: invokes the deployed function and prints
// its response and log tail. See lib/lambda-invoke.ts.
import { main } from './lib/lambda-invoke.ts';

process.exitCode = await main(process.argv.slice(2));
