// The triggers on the generator's command line: `--handlers ingest:sqs,report_daily:schedule,api:url`
// (app) and `--trigger sqs` (handler subgenerator). A handler named with a trigger gets that
// trigger in lambda-image.json, with the defaults below, and its trigger's skeleton and event.
import { TRIGGER_TYPES, closest, type Trigger, type TriggerType } from 'lambda-image';

/** What a trigger named on the command line starts as; the rest is lambda-image.json's to change. */
export function defaultTrigger(type: TriggerType): Trigger {
  if (type === 'schedule') return { type, expression: 'rate(1 day)' };
  return { type };
}

/** Why `value` is not a trigger type, with the closest one suggested; undefined when it is one. */
export function checkTriggerType(value: string, handler?: string): string | undefined {
  if ((TRIGGER_TYPES as readonly string[]).includes(value)) return undefined;
  const suggestion = closest(value, TRIGGER_TYPES);
  return `unknown trigger "${value}"${handler ? ` for handler "${handler}"` : ''}${suggestion ? `: did you mean "${suggestion}"?` : ''} (choose ${TRIGGER_TYPES.join(', ')}, or none)`;
}

export interface HandlerSpec {
  name: string;
  trigger?: TriggerType;
}

/** `ingest:sqs` -> { name: 'ingest', trigger: 'sqs' }; a problem when the trigger is unknown. */
export function parseHandlerSpecs(value: string): { specs: HandlerSpec[]; problem?: string } {
  const specs: HandlerSpec[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, trigger, ...rest] = part.split(':').map((s) => s.trim());
    if (rest.length > 0) return { specs, problem: `"${part}" has more than one ":": write <handler>:<trigger>, e.g. ingest:sqs` };
    if (trigger !== undefined) {
      const problem = checkTriggerType(trigger, name);
      if (problem) return { specs, problem };
      specs.push({ name: name!, trigger: trigger as TriggerType });
    } else {
      specs.push({ name: name! });
    }
  }
  return { specs };
}

// The handler names a --handlers value parses to carry their triggers alongside: settings keep
// names only (they are what .yo-rc.json and the manifest's list compare), the plan reads these.
const triggersOfList = new WeakMap<readonly string[], Map<string, TriggerType>>();

export function withTriggers(specs: HandlerSpec[]): string[] {
  const names = specs.map((s) => s.name);
  triggersOfList.set(names, new Map(specs.filter((s) => s.trigger).map((s) => [s.name, s.trigger!])));
  return names;
}

/** The trigger the command line gave `name` in the list `names` came from. */
export function triggerOf(names: readonly string[], name: string): TriggerType | undefined {
  return triggersOfList.get(names)?.get(name);
}

/** The question an interactive run asks for each new handler's trigger. */
export function triggerQuestion(handler: string) {
  return {
    type: 'select' as const,
    name: `trigger_${handler}`,
    message: `Trigger of ${handler}`,
    choices: [
      { name: 'none (npm run invoke only)', value: 'none' },
      { name: 'schedule (EventBridge Scheduler, rate(1 day) to start with)', value: 'schedule' },
      { name: 'url (a function URL, signed requests only)', value: 'url' },
      { name: 'sqs (a queue made for it, with a dead-letter queue)', value: 'sqs' },
    ],
    default: 'none',
  };
}
