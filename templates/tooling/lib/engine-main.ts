// Managed by generator-lambda-image: re-running the generator updates this file.
//
// Which engine runs `npm run deploy` and `npm run destroy`: lambda-image.json's deploy.engine
// (`yo lambda-image --deploy sdk|sam|cdk`). These return undefined for the sdk engine (and for a
// manifest that cannot be read, so that the sdk script reports the problem as it always has),
// and the exit code of the engine's command otherwise.
import { cdkDeployMain, cdkDestroyMain } from './engine-cdk.ts';
import { samDeployMain, samDestroyMain } from './engine-sam.ts';
import { type DeployEngine, loadManifest } from './manifest.ts';

export function configuredEngine(dir: string): DeployEngine | undefined {
  try {
    return loadManifest(dir).deploy.engine ?? 'sdk';
  } catch {
    return undefined;
  }
}

export async function engineDeploy(argv: string[], dir: string = process.cwd()): Promise<number | undefined> {
  const engine = configuredEngine(dir);
  if (engine === 'sam') return samDeployMain(argv, dir);
  if (engine === 'cdk') return cdkDeployMain(argv, dir);
  return undefined;
}

export async function engineDestroy(argv: string[], dir: string = process.cwd()): Promise<number | undefined> {
  const engine = configuredEngine(dir);
  if (engine === 'sam') return samDestroyMain(argv, dir);
  if (engine === 'cdk') return cdkDestroyMain(argv, dir);
  return undefined;
}
