// Managed by generator-lambda-image: re-running the generator updates this file.
//
// npm run deploy [-- --dry-run | --prune | --rebuild]: one image, built and pushed once, run by
// one Lambda function per handler in lambda-image.json. See lib/deploy.ts.
import { main } from './lib/deploy.ts';

process.exitCode = await main(process.argv.slice(2));
