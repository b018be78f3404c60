import { isSdkError } from "../errors.js";

/** Whether `--debug` was given anywhere on the command line (stack traces allowed). */
export const debugEnabled = (): boolean => process.argv.includes("--debug") || process.env.ESOL_DEBUG === "1";

/**
 * Prints an error as the one line the CLI contract promises (`error <code>: <reason>`)
 * and sets a non-zero exit code. The stack is printed only with `--debug`.
 */
export function reportError(err: unknown): void {
  if (isSdkError(err)) {
    process.stderr.write(`error ${err.code}: ${String(err.message).split("\n")[0]}\n`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error INTERNAL: ${message.split("\n")[0]}\n`);
  }
  if (debugEnabled() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
}

/**
 * Wraps a commander action so that every failure becomes {@link reportError}'s
 * one line instead of an unhandled rejection with a stack trace.
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      reportError(err);
    }
  };
}
