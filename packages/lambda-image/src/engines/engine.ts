// The deploy engines behind one interface: lambda-image.json's deploy.engine
// (`yo lambda-image --deploy sdk|sam|cdk`) picks the one that runs `lambda-image deploy`
// and `lambda-image destroy`. Adding an engine is one entry here: the Record makes the
// compiler ask for it when DEPLOY_ENGINES grows.
import { main as sdkDeployMain } from '../deploy/deploy.ts';
import { main as sdkDestroyMain } from '../deploy/destroy.ts';
import { type DeployEngine, loadManifest } from '../shared/manifest.ts';
import { cdkDeployMain, cdkDestroyMain } from './engine-cdk.ts';
import { samDeployMain, samDestroyMain } from './engine-sam.ts';

export interface Engine {
  /** `lambda-image deploy <argv>` in the project at `dir`; resolves to the exit code. */
  deploy(argv: string[], dir: string): Promise<number>;
  /** `lambda-image destroy <argv>`. */
  destroy(argv: string[], dir: string): Promise<number>;
}

export const ENGINES: Record<DeployEngine, Engine> = {
  sdk: { deploy: sdkDeployMain, destroy: sdkDestroyMain },
  sam: { deploy: samDeployMain, destroy: samDestroyMain },
  cdk: { deploy: cdkDeployMain, destroy: cdkDestroyMain },
};

/**
 * The manifest's engine. A manifest that cannot be read goes to the sdk engine, whose
 * commands report exactly what is wrong with it (and still answer --help).
 */
export function engineFor(dir: string): Engine {
  try {
    return ENGINES[loadManifest(dir).deploy.engine ?? 'sdk'];
  } catch {
    return ENGINES.sdk;
  }
}
