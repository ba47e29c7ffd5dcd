// How the engines drive CloudFormation where moto cannot show it: a stack that rolls back, a
// first deploy that left a ROLLBACK_COMPLETE shell, a stack busy with another operation, an
// empty change set as real CloudFormation reports it. CloudFormation's side is scripted
// here with the responses the API documents; and the cdk engine's command lines.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describe, expect, test } from 'vitest';
import { cdkDeployArguments } from '../src/engines/engine-cdk.ts';
import { deployStack, deleteStack } from '../src/engines/cloudformation.ts';
import { Interrupted, StopRequest } from '../src/deploy/interruption.ts';

type Reply = unknown | ((input: Record<string, unknown>) => unknown);

/** A CloudFormation client whose every answer is scripted, per command, in order; it records the calls. */
function scripted(script: Record<string, Reply[]>) {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push({ command: name, input: command.input });
      const queue = script[name];
      if (!queue || queue.length === 0) throw new Error(`unscripted call ${name}`);
      const reply = queue.length > 1 ? queue.shift() : queue[0];
      const value = typeof reply === 'function' ? (reply as (i: Record<string, unknown>) => unknown)(command.input) : reply;
      if (value instanceof Error) throw value;
      return value;
    },
  };
  return { client: client as unknown as CloudFormationClient, calls, names: () => calls.map((c) => c.command) };
}

const missing = () => Object.assign(new Error('Stack with id orders-svc does not exist'), { name: 'ValidationError' });
const stack = (StackStatus: string, extra: Record<string, unknown> = {}) => ({ Stacks: [{ StackName: 'orders-svc', StackStatus, ...extra }] });
const event = (id: string, status: string, logical: string, reason?: string, at = new Date('2030-01-01T00:00:10Z')) => ({
  EventId: id,
  Timestamp: at,
  ResourceStatus: status,
  ResourceType: logical === 'orders-svc' ? 'AWS::CloudFormation::Stack' : 'AWS::Lambda::Function',
  LogicalResourceId: logical,
  ResourceStatusReason: reason,
});
const deployment = (lines: string[]) => ({
  stackName: 'orders-svc',
  template: { Resources: {} },
  parameters: { ImageUri: 'repo@sha256:abc' },
  tags: { 'lambda-image:project': 'orders-svc' },
  out: (line: string) => lines.push(line),
});

describe('deployStack', () => {
  test('Ctrl-C before the change set runs: it is deleted, never executed, and the deploy stops (Interrupted, exit 130)', async () => {
    const lines: string[] = [];
    const cfn = scripted({
      DescribeStacks: [stack('UPDATE_COMPLETE')],
      CreateChangeSet: [{}],
      DescribeChangeSet: [{ Status: 'CREATE_COMPLETE', Changes: [{ ResourceChange: { Action: 'Modify', LogicalResourceId: 'IngestFunction', ResourceType: 'AWS::Lambda::Function' } }] }],
      DeleteChangeSet: [{}],
    });
    const stop = new StopRequest();
    // The signal arrives while the user reads the listed changes.
    const run = deployStack(cfn.client, { ...deployment(lines), stop, onChanges: () => stop.request('SIGINT') });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Interrupted);
    expect((error as Interrupted).exitCode).toBe(130);
    expect(cfn.names()).toContain('DeleteChangeSet');
    expect(cfn.names()).not.toContain('ExecuteChangeSet');
  });

  test('a new stack: a CREATE change set, executed, watched to CREATE_COMPLETE; the outputs come back', async () => {
    const lines: string[] = [];
    const cfn = scripted({
      DescribeStacks: [missing(), stack('CREATE_IN_PROGRESS'), stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'IngestFunctionArn', OutputValue: 'arn:fn' }] })],
      CreateChangeSet: [{}],
      DescribeChangeSet: [
        { Status: 'CREATE_PENDING' },
        { Status: 'CREATE_COMPLETE', Changes: [{ ResourceChange: { Action: 'Add', LogicalResourceId: 'IngestFunction', ResourceType: 'AWS::Lambda::Function' } }] },
      ],
      DescribeStackEvents: [
        { StackEvents: [event('0', 'REVIEW_IN_PROGRESS', 'orders-svc', undefined, new Date('2030-01-01T00:00:00Z'))] },
        { StackEvents: [event('1', 'CREATE_COMPLETE', 'IngestFunction'), event('0', 'REVIEW_IN_PROGRESS', 'orders-svc', undefined, new Date('2030-01-01T00:00:00Z'))] },
      ],
      ExecuteChangeSet: [{}],
    });
    const result = await deployStack(cfn.client, deployment(lines));
    expect(result).toMatchObject({ action: 'create', outputs: { IngestFunctionArn: 'arn:fn' }, status: 'CREATE_COMPLETE' });
    expect(result.changes).toEqual([{ action: 'Add', logicalId: 'IngestFunction', type: 'AWS::Lambda::Function', physicalId: undefined, replacement: undefined }]);
    const create = cfn.calls.find((c) => c.command === 'CreateChangeSet')!.input;
    expect(create).toMatchObject({
      StackName: 'orders-svc',
      ChangeSetType: 'CREATE',
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'ImageUri', ParameterValue: 'repo@sha256:abc' }],
      Tags: [{ Key: 'lambda-image:project', Value: 'orders-svc' }],
    });
    expect(JSON.parse(create.TemplateBody as string)).toEqual({ Resources: {} });
    // Only the events of this deploy are shown.
    expect(lines.join('\n')).toMatch(/CREATE_COMPLETE\s+AWS::Lambda::Function\s+IngestFunction/);
    expect(lines.join('\n')).not.toMatch(/REVIEW_IN_PROGRESS/);
  });

  test('a rollback: the error names each failed resource and CloudFormation\'s reason', async () => {
    const cfn = scripted({
      DescribeStacks: [stack('UPDATE_COMPLETE'), stack('UPDATE_ROLLBACK_COMPLETE')],
      CreateChangeSet: [{}],
      DescribeChangeSet: [{ Status: 'CREATE_COMPLETE', Changes: [] }],
      DescribeStackEvents: [
        { StackEvents: [] },
        {
          StackEvents: [
            event('2', 'UPDATE_FAILED', 'NotifyFunction', 'Resource update cancelled'),
            event('1', 'UPDATE_FAILED', 'IngestFunction', 'Source image repo@sha256:abc does not exist. Provide a valid source image.'),
          ],
        },
      ],
      ExecuteChangeSet: [{}],
    });
    await expect(deployStack(cfn.client, deployment([]))).rejects.toThrow(
      /updating the stack orders-svc failed: the stack orders-svc is UPDATE_ROLLBACK_COMPLETE\n {2}- IngestFunction \(AWS::Lambda::Function\): Source image repo@sha256:abc does not exist/,
    );
    expect(cfn.calls.find((c) => c.command === 'CreateChangeSet')!.input.ChangeSetType).toBe('UPDATE');
  });

  test('a first deploy that rolled back is deleted, then created again', async () => {
    const lines: string[] = [];
    const cfn = scripted({
      DescribeStacks: [stack('ROLLBACK_COMPLETE'), missing(), stack('CREATE_COMPLETE')],
      DeleteStack: [{}],
      DescribeStackEvents: [{ StackEvents: [] }],
      CreateChangeSet: [{}],
      DescribeChangeSet: [{ Status: 'CREATE_COMPLETE', Changes: [] }],
      ExecuteChangeSet: [{}],
    });
    const result = await deployStack(cfn.client, deployment(lines));
    expect(result.action).toBe('create');
    expect(cfn.names().indexOf('DeleteStack')).toBeLessThan(cfn.names().indexOf('CreateChangeSet'));
    expect(cfn.calls.find((c) => c.command === 'CreateChangeSet')!.input.ChangeSetType).toBe('CREATE');
    expect(lines[0]).toMatch(/ROLLBACK_COMPLETE \(its first deploy failed and left nothing\): deleting it/);
  });

  test('a stack busy with another operation is left alone', async () => {
    const cfn = scripted({ DescribeStacks: [stack('UPDATE_IN_PROGRESS')] });
    await expect(deployStack(cfn.client, deployment([]))).rejects.toThrow(/the stack orders-svc is busy \(UPDATE_IN_PROGRESS\)/);
    expect(cfn.names()).toEqual(['DescribeStacks']);
  });

  test('an empty change set (as AWS reports it): unchanged, the change set deleted, nothing executed', async () => {
    const cfn = scripted({
      DescribeStacks: [stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'A', OutputValue: 'arn:a' }] })],
      CreateChangeSet: [{}],
      DescribeChangeSet: [{ Status: 'FAILED', StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set." }],
      DeleteChangeSet: [{}],
    });
    const result = await deployStack(cfn.client, deployment([]));
    expect(result).toMatchObject({ action: 'unchanged', outputs: { A: 'arn:a' } });
    expect(cfn.names()).not.toContain('ExecuteChangeSet');
    expect(cfn.names()).toContain('DeleteChangeSet');
  });

  test('a change set CloudFormation refuses for another reason is an error', async () => {
    const cfn = scripted({
      DescribeStacks: [stack('CREATE_COMPLETE')],
      CreateChangeSet: [{}],
      DescribeChangeSet: [{ Status: 'FAILED', StatusReason: 'Template format error: Unresolved resource dependencies [Nope]' }],
      DeleteChangeSet: [{}],
    });
    await expect(deployStack(cfn.client, deployment([]))).rejects.toThrow(/CloudFormation refused the change set for orders-svc: Template format error/);
  });

  test('a template over the inline limit is refused before any call', async () => {
    const cfn = scripted({});
    const big = { ...deployment([]), template: { Description: 'x'.repeat(60_000) } };
    await expect(deployStack(cfn.client, big)).rejects.toThrow(/over CloudFormation's 51200-byte limit/);
    expect(cfn.calls).toEqual([]);
  });

  test('deleteStack: false when there is no stack; otherwise deletes and waits', async () => {
    expect(await deleteStack(scripted({ DescribeStacks: [missing()] }).client, 'orders-svc', () => {})).toBe(false);
    const cfn = scripted({ DescribeStacks: [stack('CREATE_COMPLETE'), stack('DELETE_IN_PROGRESS'), missing()], DescribeStackEvents: [{ StackEvents: [] }], DeleteStack: [{}] });
    expect(await deleteStack(cfn.client, 'orders-svc', () => {})).toBe(true);
    expect(cfn.names().filter((n) => n === 'DeleteStack')).toHaveLength(1);
  });
});

describe('the cdk engine\'s command lines', () => {
  test('deploy asks for approval of IAM changes on a terminal, and not in CI', () => {
    expect(cdkDeployArguments('orders-svc', false, [], true)).toEqual(['deploy', 'orders-svc', '--require-approval', 'broadening']);
    expect(cdkDeployArguments('orders-svc', false, ['--hotswap'], false)).toEqual(['deploy', 'orders-svc', '--require-approval', 'never', '--hotswap']);
  });
  test('--dry-run is cdk diff', () => {
    expect(cdkDeployArguments('orders-svc', true, [], false)).toEqual(['diff', 'orders-svc']);
  });
});
