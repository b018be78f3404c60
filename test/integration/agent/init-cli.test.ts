import { type ChildProcess, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
/** readline ends each prompt with a cursor move, ESC [ n G. */
// biome-ignore lint/complexity/useRegexLiterals: the literal would hold a control character (noControlCharactersInRegex)
const PROMPT_END = new RegExp(": (?=\u001b\\[\\d+G)", "g");

function run(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "esol-init-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("esol init", () => {
  it("asks nothing without a terminal: a missing --targets is an error and nothing is written", async () => {
    const r = await run([
      "init",
      "--dir",
      join(dir, "no-tty"),
      "--server",
      "https://127.0.0.1:1/esolutions/v1",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error ARG_MISSING: --targets SPEC[,SPEC…] is required\n");
    expect(existsSync(join(dir, "no-tty"))).toBe(false);
  });

  it("refuses a bad target before writing anything", async () => {
    const r = await run([
      "init",
      "--dir",
      join(dir, "bad"),
      "--server",
      "https://127.0.0.1:1/esolutions/v1",
      "--targets",
      "10.0.0.1/33",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error CONFIG_INVALID: devices\.targets\[0\]: /);
    expect(existsSync(join(dir, "bad"))).toBe(false);
  });

  it("--key-type rsa writes an RSA 3072 key; --force replaces the identity", async () => {
    const args = [
      "init",
      "--dir",
      join(dir, "rsa"),
      "--server",
      "https://127.0.0.1:1/esolutions/v1",
      "--targets",
      "127.0.0.1:16100",
    ];
    const first = await run([...args, "--key-type", "rsa"]);
    expect(first.code).toBe(0);
    const certPath = join(dir, "rsa", "keys", "proxy-cert.pem");
    const rsa = new X509Certificate(readFileSync(certPath));
    expect(rsa.publicKey.asymmetricKeyType).toBe("rsa");
    expect(rsa.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(first.stdout).toContain(`thumbprint sha256 ${rsa.fingerprint256}`);
    const second = await run([...args, "--force"]);
    expect(second.code).toBe(0);
    const ec = new X509Certificate(readFileSync(certPath));
    expect(ec.publicKey.asymmetricKeyType).toBe("ec");
    expect(ec.fingerprint256).not.toBe(rsa.fingerprint256);
    expect(statSync(join(dir, "rsa", "keys", "proxy-key.pem")).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!existsSync("/usr/bin/script"))("asks for each missing value on a terminal", async () => {
    const answers = [
      join(dir, "tty"),
      "https://127.0.0.1:1/esolutions/v1",
      "",
      "127.0.0.1:16100-16102",
      "",
      "proxy-tty",
    ];
    // util-linux `script` gives the command a pseudo-terminal; each answer goes after its prompt.
    const p: ChildProcess = spawn(
      "/usr/bin/script",
      ["-qfc", `${process.execPath} --import tsx src/cli/main.ts init`, "/dev/null"],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let out = "";
    let asked = 0;
    p.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const prompts = out.match(PROMPT_END)?.length ?? 0;
      while (asked < prompts && asked < answers.length) p.stdin?.write(`${answers[asked++]}\r`);
    });
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => p.kill("SIGKILL"), 30_000);
      p.on("exit", (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(code).toBe(0);
    expect(asked).toBe(answers.length);
    expect(out).toContain("SNMP v2c community [public]: ");
    const config = JSON.parse(readFileSync(join(dir, "tty", "agent.json"), "utf8"));
    expect(config.proxy.id).toBe("proxy-tty");
    expect(config.server).toEqual({ url: "https://127.0.0.1:1/esolutions/v1" });
    expect(config.devices.targets).toEqual(["127.0.0.1:16100-16102"]);
    expect(config.devices.profiles[0].credentials[0].community).toBe("public");
  });
});
