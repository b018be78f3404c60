/**
 * A bounded poll for tests that wait on another part (a database lock, a background sweep):
 * never an unbounded loop, never a wall-clock assertion.
 * @module
 */

/** Polls `check` every `everyMs` (default 20) ms, at most `tries` (default 250) times; false when it never held. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  tries = 250,
  everyMs = 20,
): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}
