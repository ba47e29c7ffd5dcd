// Lambda's limits that the emulator does not enforce cleanly: it cuts a request over 6 MiB,
// and the runtime then fails on half an event (or dies). Refused here, before anything runs.
import { dispatcherPayload } from './emulator.ts';

/** Lambda's limit for a synchronous invocation's request (and response): 6 MiB. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export class EventTooLarge extends Error {
  override name = 'EventTooLarge';
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Throws EventTooLarge when the request that carries this event to the dispatcher is over the limit. */
export function checkEventSize(handler: string, event: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(dispatcherPayload(handler, event)));
  if (bytes > MAX_REQUEST_BYTES) {
    throw new EventTooLarge(
      `the event for handler "${handler}" is ${mib(bytes)} (${bytes} bytes with the dispatcher's {"handler", "event"}), over Lambda's limit for a synchronous invocation, 6 MiB (${MAX_REQUEST_BYTES} bytes): Lambda would refuse it (RequestEntityTooLargeException). Pass a smaller event, or a reference to the data (an S3 key)`,
    );
  }
}
