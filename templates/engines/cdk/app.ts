// Managed by generator-lambda-image: re-running the generator rewrites this file (and
// cdk.json, which cannot hold this comment) unless you changed it. It needs no regeneration
// when handlers change: it reads lambda-image.json each time `cdk synth` or `cdk deploy` runs
// (`npm run deploy` runs `cdk deploy`).
//
// One image, one function per handler. Every function gets the same image asset (the project
// folder, the same platform), so the CDK builds and pushes it once; each function overrides
// the image's CMD with its handler string (ImageConfig.Command). Function names, tags and
// logical IDs are those of the sdk and sam engines (from the lambda-image package), so
// `npm run invoke` finds the functions and a stack made by the sam engine updates in place.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, CfnOutput, Duration, Stack, Tags, aws_ecr_assets, aws_iam, aws_lambda } from 'aws-cdk-lib';
import { EXECUTION_ROLE, HANDLER_TAG, PROJECT_TAG, loadManifest, stackFunctions, stackName } from 'lambda-image/cdk';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = loadManifest(projectDir);

const app = new App();
const stack = new Stack(app, stackName(manifest), {
  description: `${manifest.name}: AWS Lambda functions shipped as one container image (generator-lambda-image)`,
  // The CDK CLI sets these from the AWS profile and AWS_REGION; the manifest's region is the fallback.
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? manifest.region,
  },
});
Tags.of(stack).add(PROJECT_TAG, manifest.name);

const arm = manifest.architecture === 'arm64';
// Lambda only runs single-platform images: build for the functions' architecture.
const platform = arm ? aws_ecr_assets.Platform.LINUX_ARM64 : aws_ecr_assets.Platform.LINUX_AMD64;

const role = manifest.deploy.roleArn
  ? aws_iam.Role.fromRoleArn(stack, EXECUTION_ROLE, manifest.deploy.roleArn, { mutable: false })
  : new aws_iam.Role(stack, EXECUTION_ROLE, {
      assumedBy: new aws_iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [aws_iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
if (role instanceof aws_iam.Role) (role.node.defaultChild as aws_iam.CfnRole).overrideLogicalId(EXECUTION_ROLE);

for (const fn of stackFunctions(manifest)) {
  const lambda = new aws_lambda.DockerImageFunction(stack, fn.logicalId, {
    functionName: fn.functionName,
    code: aws_lambda.DockerImageCode.fromImageAsset(projectDir, { cmd: [fn.command], platform }),
    architecture: arm ? aws_lambda.Architecture.ARM_64 : aws_lambda.Architecture.X86_64,
    memorySize: manifest.memory,
    timeout: Duration.seconds(manifest.timeout),
    environment: manifest.deploy.environment,
    role,
  });
  (lambda.node.defaultChild as aws_lambda.CfnFunction).overrideLogicalId(fn.logicalId);
  Tags.of(lambda).add(HANDLER_TAG, fn.handlerName);
  new CfnOutput(stack, fn.outputKey, { value: lambda.functionArn, description: `${fn.handlerName} (${fn.command})` });
}
