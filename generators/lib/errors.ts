/**
 * Bad input or an environment the run cannot work in: the message names the problem and
 * the fix. The CLI prints only the message (no stack) and exits with `exitCode`; nothing
 * has been written when it is thrown.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
