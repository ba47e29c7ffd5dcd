// Managed by generator-lambda-image: re-running the generator updates this file.
//
// npm run deploy [-- --dry-run | --prune | --rebuild]: one image, built and pushed once, run by
// one Lambda function per handler in lambda-image.json. See lib/deploy.ts.
import { main } from './lib/deploy.ts';
import { engineDeploy } from './lib/engine-main.ts';

// The sam and cdk engines (lambda-image.json's deploy.engine) answer first; the sdk engine is lib/deploy.ts.
process.exitCode = (await engineDeploy(process.argv.slice(2))) ?? (await main(process.argv.slice(2)));
