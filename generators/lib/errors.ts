/**
 * Bad input: the message names the problem and the fix. The CLI prints only the
 * message (no stack) and exits non-zero; nothing has been written when it is thrown.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
