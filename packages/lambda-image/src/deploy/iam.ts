// The functions' execution role: the manifest's deploy.roleArn when set, otherwise
// `<name>-lambda-role`, trusted by Lambda only and holding only AWSLambdaBasicExecutionRole
// (CloudWatch Logs), so that nothing deploy creates can do more than write its own logs.
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type IAMClient,
  type Role,
} from '@aws-sdk/client-iam';
import { PROJECT_TAG } from '../shared/names.ts';

export const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export const basicExecutionPolicyArn = (partition: string) =>
  `arn:${partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`;

export async function findRole(iam: IAMClient, name: string): Promise<Role | undefined> {
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch (error) {
    if ((error as Error).name === 'NoSuchEntityException' || (error as Error).name === 'NoSuchEntity') return undefined;
    throw error;
  }
}

export interface RoleResult {
  arn: string;
  created: boolean;
}

/** The project's role, created when missing; a role left half-made by an interrupted deploy gets its policy. */
export async function ensureRole(iam: IAMClient, name: string, project: string, partition: string): Promise<RoleResult> {
  let role = await findRole(iam, name);
  let created = false;
  if (!role) {
    try {
      role = (
        await iam.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: TRUST_POLICY,
            Description: `Execution role of the ${project} Lambda functions (generator-lambda-image)`,
            Tags: [{ Key: PROJECT_TAG, Value: project }],
          }),
        )
      ).Role;
      created = true;
    } catch (error) {
      if ((error as Error).name !== 'EntityAlreadyExistsException') throw error;
      role = await findRole(iam, name);
    }
  }
  if (!role?.Arn) throw new Error(`IAM returned no ARN for role ${name}`);
  const policy = basicExecutionPolicyArn(partition);
  // A role someone else made under this name is used as is; ours is completed if a deploy stopped half-way.
  if (created || isProjectRole(role, project)) {
    const attached = created
      ? []
      : ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? []);
    if (!attached.some((p) => p.PolicyArn === policy)) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy }));
    }
  }
  return { arn: role.Arn, created };
}

export const isProjectRole = (role: Role, project: string) =>
  (role.Tags ?? []).some((t) => t.Key === PROJECT_TAG && t.Value === project);

/** Deletes a role with its attached and inline policies (IAM refuses to delete a role that has any). */
export async function deleteRole(iam: IAMClient, name: string): Promise<void> {
  const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? [];
  for (const policy of attached) {
    await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: policy.PolicyArn }));
  }
  const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
  for (const policyName of inline) {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: name }));
}
