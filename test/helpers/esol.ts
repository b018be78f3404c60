/**
 * Running `esol` (and other TypeScript entry points) as a user would, from the test suites:
 * spawn it, collect what it prints, wait for its ready line. Every child is bounded by a
 * timeout and recorded so a suite can stop what it started.
 */
import { type ChildProcess, spawn } from "node:child_process";

/** What a finished process printed. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `node --import tsx <args…>` in the repository; `running` collects the child. */
export function spawnTsx(args: readonly string[], running?: ChildProcess[]): ChildProcess {
  const p = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  running?.push(p);
  return p;
}

/** Starts `esol <args…>` from the sources. */
export function spawnEsol(args: readonly string[], running?: ChildProcess[]): ChildProcess {
  return spawnTsx(["src/cli/main.ts", ...args], running);
}

/** Waits for a child to exit (killed after `timeoutMs`) and resolves with what it printed. */
export function finished(p: ChildProcess, timeoutMs = 60_000): Promise<Finished> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    p.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `esol <args…>` to its end. */
export function runEsol(
  args: readonly string[],
  timeoutMs = 60_000,
  running?: ChildProcess[],
): Promise<Finished> {
  return finished(spawnEsol(args, running), timeoutMs);
}

/** Runs `node --import tsx <args…>` to its end. */
export function runTsx(
  args: readonly string[],
  timeoutMs = 60_000,
  running?: ChildProcess[],
): Promise<Finished> {
  return finished(spawnTsx(args, running), timeoutMs);
}

/** Resolves with the first stdout line starting with `prefix`; rejects on exit or after `timeoutMs`. */
export function waitForLine(p: ChildProcess, prefix: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    let err = "";
    const t = setTimeout(
      () => reject(new Error(`no "${prefix}" line; stdout: ${buf} stderr: ${err}`)),
      timeoutMs,
    );
    p.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const look = (d: Buffer): void => {
      buf += d.toString();
      const line = buf.split("\n").find((l) => l.startsWith(prefix));
      if (line) {
        clearTimeout(t);
        p.stdout?.off("data", look);
        resolve(line);
      }
    };
    p.stdout?.on("data", look);
    p.on("exit", (code) => reject(new Error(`exited ${code} before "${prefix}"; stderr: ${err}`)));
  });
}

/**
 * Runs `esol <args…>` with `input` on stdin (a refused oversize input may close stdin early,
 * which is not a failure) and resolves with what it printed. `cwd` defaults to the repository.
 */
export function runEsolWithInput(
  args: readonly string[],
  input: string | Buffer,
  cwd: string = process.cwd(),
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}
