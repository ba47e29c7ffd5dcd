// Managed by generator-lambda-image: re-running the generator updates this file.
//
// npm run destroy [-- --repository --role --yes]: deletes the functions deploy made (the
// repository and role only on request). See lib/deploy-destroy.ts.
import { main } from './lib/deploy-destroy.ts';

process.exitCode = await main(process.argv.slice(2));
