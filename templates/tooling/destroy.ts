// Managed by generator-lambda-image: re-running the generator updates this file.
//
// npm run destroy [-- --repository --role --yes]: deletes the functions deploy made (the
// repository and role only on request). See lib/deploy-destroy.ts.
import { main } from './lib/deploy-destroy.ts';
import { engineDestroy } from './lib/engine-main.ts';

// The sam and cdk engines (lambda-image.json's deploy.engine) answer first; the sdk engine is lib/deploy-destroy.ts.
process.exitCode = (await engineDestroy(process.argv.slice(2))) ?? (await main(process.argv.slice(2)));
