import { InternalError } from "../errors.js";

/** Whether `--debug` was given anywhere on the command line (stack traces allowed). */
export const debugEnabled = (): boolean => process.argv.includes("--debug") || process.env.ESOL_DEBUG === "1";

/**
 * Prints an error as the one line the CLI contract promises (`error <code>: <reason>`)
 * and sets a non-zero exit code. The stack is printed only with `--debug`.
 */
export function reportError(err: unknown): void {
  // Anything that is not an SdkError is a bug: INTERNAL, its one meaning (docs/error-codes.md).
  process.stderr.write(`${InternalError.from(err).toLine()}\n`);
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

/** A pending stop request from SIGINT or SIGTERM, see {@link listenForStop}. */
export interface StopRequest {
  /** Resolves on the first SIGINT or SIGTERM. */
  requested: Promise<void>;
  /** Removes the signal handlers (idempotent). */
  dispose(): void;
}

/**
 * Starts listening for SIGINT/SIGTERM. Long-running commands call this before they print
 * their ready line (`listening …`, `started …`): a supervisor may signal right after reading
 * it, and the default handler would kill the process without a clean close.
 */
export function listenForStop(): StopRequest {
  let signalled!: () => void;
  const requested = new Promise<void>((resolve) => {
    signalled = resolve;
  });
  const stop = (): void => {
    dispose();
    signalled();
  };
  const dispose = (): void => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return { requested, dispose };
}
