// The public API of lambda-image for programs (the generator among them): the manifest's
// types and checks, and the names every engine gives to what it deploys. The command
// line is cli.ts; the CDK app's helpers are cdk.ts (`lambda-image/cdk`).
export {
  DEPLOY_ENGINES,
  MANIFEST_FILE,
  MANIFEST_SCHEMA_REF,
  MANIFEST_VERSION,
  ManifestError,
  findHandler,
  loadManifest,
  manifestProblems,
  type Architecture,
  type DeployEngine,
  type DeploySettings,
  type HandlerEntry,
  type Manifest,
} from './shared/manifest.ts';
export {
  LIMITS,
  TRIGGER_TYPES,
  describeTrigger,
  effectiveSettings,
  handlerSettingsProblems,
  scheduleExpressionProblem,
  timezoneProblem,
  type EffectiveSettings,
  type HandlerSettings,
  type ScheduleTrigger,
  type SqsTrigger,
  type Trigger,
  type TriggerType,
  type UrlTrigger,
} from './shared/handler-settings.ts';
export { HANDLER_TAG, PROJECT_TAG, functionName, roleName } from './shared/names.ts';
export { cloudFormationValue, isSecretRef, type EnvironmentValue, type SecretRef } from './shared/env-values.ts';
export {
  BASIC_EXECUTION_POLICY,
  EXECUTION_ROLE,
  IMAGE_PARAMETER,
  SCHEDULE_INPUT_SUB,
  SCHEDULER_ROLE,
  SQS_CONSUMER_ACTIONS,
  queueVisibilityTimeout,
  stackFunctions,
  stackName,
  stackTemplate,
  type StackFunction,
} from './engines/stack.ts';
export { VERSION } from './version.ts';
export { closest } from './shared/suggest.ts';
