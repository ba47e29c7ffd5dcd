// What deploy prints: the plan, the final table, the step times, and — when it stops on an
// error — what it had done by then, so that nobody has to guess the state of their account.

export interface StepTime {
  step: string;
  seconds: number;
}

export interface FunctionRow {
  name: string;
  handler: string;
  /** create/update/unchanged in a plan; created/updated/unchanged/failed/not reached after a deploy. */
  result: string;
  arn?: string;
  seconds?: number;
  detail?: string;
}

/** The progress of one deploy, filled in as it goes: on success it is the summary, on failure the partial state. */
export interface DeployState {
  project: string;
  account?: string;
  region?: string;
  repository?: { name: string; uri?: string; created: boolean };
  image?: { uri: string; digest?: string; built: boolean; pushed: boolean; liveTag?: string };
  role?: { arn: string; created: boolean };
  functions: FunctionRow[];
  orphans: { name: string; handlerName?: string; deleted: boolean }[];
  steps: StepTime[];
  /** Other changes made in AWS, in the words of the report ("set the lifecycle policy of …"). */
  changes?: string[];
  /** Steps that failed or were not reached although the deploy had changed something ("the lifecycle policy of … was not set: …"). */
  notDone?: string[];
  /** The triggers step's rows (deploy/triggers.ts), once it ran. */
  triggers?: { function: string; trigger: string; result: string; detail: string }[];
}

export const seconds = (s: number | undefined) => (s === undefined ? '' : `${s.toFixed(1)} s`);

/** A plain-text table: columns padded to their widest cell, the last column left ragged. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function functionTable(rows: FunctionRow[], withTimes: boolean): string[] {
  const header = withTimes ? ['FUNCTION', 'HANDLER', 'RESULT', 'TIME', 'ARN'] : ['FUNCTION', 'HANDLER', 'ACTION', 'DETAIL'];
  return table(
    header,
    rows.map((r) =>
      withTimes
        ? [r.name, r.handler, r.result, seconds(r.seconds), r.arn ?? '']
        : [r.name, r.handler, r.result, r.detail ?? ''],
    ),
  );
}

export function stepLine(steps: StepTime[], total: number): string {
  return `Steps: ${[...steps.map((s) => `${s.step} ${seconds(s.seconds)}`), `total ${seconds(total)}`].join(' · ')}`;
}

/** What had been done when the deploy stopped (on an error, or `interrupted` by a signal), and how to go on. */
export function partialState(state: DeployState, interrupted = false): string[] {
  const done: string[] = [];
  if (state.repository?.created) done.push(`created the ECR repository ${state.repository.name}`);
  for (const change of state.changes ?? []) done.push(change);
  if (state.image?.pushed) done.push(`pushed ${state.image.uri}${state.image.digest ? ` (${state.image.digest})` : ''}`);
  if (state.image?.liveTag) done.push(`tagged ${state.image.digest} ${state.image.liveTag}, which the lifecycle policy never expires`);
  if (state.role?.created) done.push(`created the execution role ${state.role.arn}`);
  for (const f of state.functions) {
    if (f.result === 'created' || f.result === 'updated') done.push(`${f.result} the function ${f.name}`);
  }
  for (const t of state.triggers ?? []) if (t.result !== 'unchanged') done.push(`${t.result} the ${t.trigger} trigger of ${t.function}`);
  for (const o of state.orphans) if (o.deleted) done.push(`deleted the orphaned function ${o.name}`);
  const notDone = state.functions.filter((f) => f.result !== 'created' && f.result !== 'updated' && f.result !== 'unchanged');
  const lines: string[] = [];
  if (done.length === 0) {
    lines.push('Nothing was changed in AWS.');
  } else {
    lines.push(`Done before it stopped:`, ...done.map((d) => `  - ${d}`));
  }
  for (const step of state.notDone ?? []) lines.push(`Not done: ${step}`);
  if (notDone.length > 0) {
    lines.push('Not deployed:', ...notDone.map((f) => `  - ${f.name} (${f.result})`));
  }
  if (interrupted) {
    lines.push('Run `npm run deploy` again to finish: it picks up where this one stopped.');
  } else {
    lines.push(
      done.length === 0
        ? 'Fix the problem and run `npm run deploy` again.'
        : 'Fix the problem and run `npm run deploy` again: it picks up where this one stopped.',
    );
  }
  return lines;
}
