/**
 * Command-line flags of the benchmarks (`--name value`): one parser for every bench script.
 * @module
 */

/** The value after `--name`, or undefined when the flag is absent. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The positive integer after `--name`, `fallback` when the flag is absent; throws for anything else. */
export function intArg(name: string, fallback: number): number {
  const v = Number(arg(name) ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}
