// `lambda-image/cdk`: what a project's CDK app (cdk/app.ts) needs to name its stack and
// functions exactly as the sdk and sam engines do, so `lambda-image invoke` finds them and a
// stack made by the sam engine updates in place. aws-cdk-lib stays the project's own
// dependency: nothing here imports it.
export { EXECUTION_ROLE, queueVisibilityTimeout, stackFunctions, stackName, type StackFunction } from './engines/stack.ts';
export { loadManifest, type Manifest } from './shared/manifest.ts';
export { HANDLER_TAG, PROJECT_TAG } from './shared/names.ts';
export { cloudFormationEnvironment } from './shared/env-values.ts';
