// The project as one CloudFormation stack: the same layout as the sdk engine (one image, one
// function per handler, each overriding the image's CMD with its handler string), with the
// same function names and tags, so `npm run invoke` finds the functions whichever engine made
// them.
//
// Two renderings of lambda-image.json share the names and logical IDs defined here:
// - template.yaml (written by the generator for the sam engine): AWS::Serverless::Function
//   resources, for the SAM CLI (`sam build` builds the image once from their shared Metadata);
// - stackTemplate() below: plain AWS::Lambda::Function resources, which `npm run deploy`
//   sends to CloudFormation. It needs no SAM transform, so the SAM CLI is not required, and
//   CloudFormation stand-ins without the transform (moto) can run it too.
//
// No third-party imports: the generator imports this file to render template.yaml.
import type { Manifest } from '../shared/manifest.ts';
import { HANDLER_TAG, PROJECT_TAG, functionName } from '../shared/names.ts';

/** The template parameter that receives the digest-pinned image (`repository@sha256:…`). */
export const IMAGE_PARAMETER = 'ImageUri';
/** Logical ID of the execution role the stack creates when lambda-image.json names none. */
export const EXECUTION_ROLE = 'ExecutionRole';

export interface StackFunction {
  /** The manifest handler's name. */
  handlerName: string;
  /** The handler string: ImageConfig.Command. */
  command: string;
  /** The template's logical ID (letters and digits): `report_daily` -> `ReportDailyFunction`. */
  logicalId: string;
  /** The deployed function's name, as the sdk engine names it. */
  functionName: string;
  /** Key of the output that holds the function's ARN. */
  outputKey: string;
}

/** CloudFormation stack names allow letters, digits and hyphens, starting with a letter; project names qualify. */
export function stackName(manifest: Pick<Manifest, 'name'>): string {
  return manifest.name;
}

const pascal = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join('');

/** One entry per handler, in manifest order; logical IDs made unique should two handler names differ only in punctuation or case. */
export function stackFunctions(manifest: Pick<Manifest, 'name' | 'handlers'>): StackFunction[] {
  const used = new Set<string>([EXECUTION_ROLE]);
  return manifest.handlers.map((h) => {
    const base = `${pascal(h.name) || 'Handler'}Function`;
    let logicalId = base;
    for (let i = 2; used.has(logicalId); i++) logicalId = `${base}${i}`;
    used.add(logicalId);
    return {
      handlerName: h.name,
      command: h.handler,
      logicalId,
      functionName: functionName(manifest.name, h.name),
      outputKey: `${logicalId}Arn`,
    };
  });
}

export const TRUST_POLICY_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

export const BASIC_EXECUTION_POLICY = 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The stack's template as plain CloudFormation (JSON), rendered from the manifest. */
export function stackTemplate(manifest: Manifest): { [key: string]: Json } {
  const role: Json = manifest.deploy.roleArn ?? { 'Fn::GetAtt': [EXECUTION_ROLE, 'Arn'] };
  const environment = manifest.deploy.environment;
  const resources: { [key: string]: Json } = {};
  const outputs: { [key: string]: Json } = {};
  if (!manifest.deploy.roleArn) {
    resources[EXECUTION_ROLE] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: TRUST_POLICY_DOCUMENT,
        ManagedPolicyArns: [{ 'Fn::Sub': BASIC_EXECUTION_POLICY }],
        Tags: [{ Key: PROJECT_TAG, Value: manifest.name }],
      },
    };
  }
  for (const fn of stackFunctions(manifest)) {
    resources[fn.logicalId] = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: fn.functionName,
        PackageType: 'Image',
        Code: { ImageUri: { Ref: IMAGE_PARAMETER } },
        ImageConfig: { Command: [fn.command] },
        Architectures: [manifest.architecture],
        MemorySize: manifest.memory,
        Timeout: manifest.timeout,
        Role: role,
        ...(Object.keys(environment).length > 0 ? { Environment: { Variables: { ...environment } } } : {}),
        Tags: [
          { Key: PROJECT_TAG, Value: manifest.name },
          { Key: HANDLER_TAG, Value: fn.handlerName },
        ],
      },
    };
    outputs[fn.outputKey] = {
      Description: `${fn.handlerName} (${fn.command})`,
      Value: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] },
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${manifest.name}: AWS Lambda functions shipped as one container image (generator-lambda-image)`,
    Parameters: {
      [IMAGE_PARAMETER]: {
        Type: 'String',
        Description: 'The image every function runs, pinned by digest (repository@sha256:...)',
      },
    },
    Resources: resources,
    Outputs: outputs,
  };
}
