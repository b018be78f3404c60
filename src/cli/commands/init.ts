import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { defaultProxyId, type ProxyKeyType, writeAgentSetup } from "../../agent/setup.js";
import { ConfigError } from "../../errors.js";
import { action } from "../action.js";

interface InitFlags {
  dir?: string;
  server?: string;
  serverCa?: string;
  httpProxy?: string;
  targets?: string;
  community?: string;
  proxyId?: string;
  keyType: string;
  force?: boolean;
}

function readPem(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError("ARG_FILE", `--server-ca: cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!text.includes("-----BEGIN "))
    throw new ConfigError("ARG_PEM", `--server-ca: ${file} holds no PEM block`);
  return text;
}

/** Asks on the terminal for what the flags did not give; never called without a TTY. */
async function prompt(flags: InitFlags): Promise<InitFlags> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const ask = async (question: string, fallback = ""): Promise<string> => {
      const answer = (await rl.question(fallback ? `${question} [${fallback}]: ` : `${question}: `)).trim();
      return answer === "" ? fallback : answer;
    };
    const out = { ...flags };
    out.dir ??= await ask("Folder for agent.json and keys", ".");
    out.server ??= await ask("Communication Server URL (https://host:port/esolutions/v1)");
    if (out.serverCa === undefined) {
      const ca = await ask("Server CA certificate PEM file (empty: the system store)");
      if (ca) out.serverCa = ca;
    }
    out.targets ??= await ask("Printers to poll (host, host:port, host:p1-p2, CIDR; comma-separated)");
    out.community ??= await ask("SNMP v2c community", "public");
    out.proxyId ??= await ask("Proxy id", defaultProxyId());
    return out;
  } finally {
    rl.close();
  }
}

/**
 * `esol init`: writes a working `DIR/agent.json` and a new proxy signing identity
 * (`DIR/keys/proxy-key.pem` mode 0600, `DIR/keys/proxy-cert.pem`), prints the certificate's
 * SHA-256 thumbprint and what to send to the server operator. Prompts for missing values only
 * on a TTY; never overwrites without `--force`.
 */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("first run: write agent.json and a new proxy signing key + certificate")
    .option("--dir <dir>", "folder for agent.json and keys/ (created when absent)")
    .option("--server <url>", "Communication Server URL, e.g. https://cs.example.com/esolutions/v1")
    .option("--server-ca <pem>", "CA (or self-signed) certificate of the server's TLS certificate")
    .option("--http-proxy <url>", "outbound HTTP proxy, http://[user:pass@]host:port (server.httpProxy)")
    .option("--targets <specs>", "printers: host, host:port, host:p1-p2, IPv4 CIDR, comma-separated")
    .option("--community <c>", "SNMP v2c community (default public)")
    .option("--proxy-id <id>", "this client's proxy id (default proxy-<host name>)")
    .option("--key-type <type>", "signing key: ec (ECDSA P-256) or rsa (RSA 3072)", "ec")
    .option("--force", "overwrite existing files")
    .addHelpText(
      "after",
      [
        "",
        "Writes DIR/agent.json, DIR/keys/proxy-key.pem (mode 0600), DIR/keys/proxy-cert.pem and, with",
        "--server-ca, DIR/keys/server-ca.pem. Prints the certificate's SHA-256 thumbprint: send",
        "proxy-cert.pem to the server operator (they pin it: esol server --trust proxy-cert.pem) and read",
        "the thumbprint to them over another channel. On a terminal, asks for what is missing;",
        "otherwise --server and --targets are required. Nothing is overwritten without --force.",
        "",
        "Examples:",
        "  esol init --dir /etc/esol --server https://cs.example.com/esolutions/v1 --targets 10.0.0.0/24",
        "  esol init --dir site --server https://127.0.0.1:8443/esolutions/v1 --server-ca cs/esol-server-cert.pem \\",
        "      --targets 127.0.0.1:16100-16119 --community public --proxy-id proxy-0001",
        "  esol init --dir site --server https://cs.example.com/esolutions/v1 --targets 10.0.0.5 --key-type rsa --force",
        "  esol init --dir site --server https://cs.example.com/esolutions/v1 --targets 10.0.0.0/24 --http-proxy http://10.0.0.2:3128",
        "  esol init                                        # on a terminal: asks for each value",
      ].join("\n"),
    )
    .action(
      action(async (given: InitFlags) => {
        const flags = process.stdin.isTTY && process.stdout.isTTY ? await prompt(given) : given;
        if (!flags.server) throw new ConfigError("ARG_MISSING", "--server URL is required");
        if (!flags.targets) throw new ConfigError("ARG_MISSING", "--targets SPEC[,SPEC…] is required");
        if (flags.keyType !== "ec" && flags.keyType !== "rsa")
          throw new ConfigError("ARG_INVALID", `--key-type must be ec or rsa, got "${flags.keyType}"`);
        const keyType: ProxyKeyType = flags.keyType === "rsa" ? "rsa" : "ec-p256";
        const targets = flags.targets
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean);
        const result = await writeAgentSetup({
          dir: flags.dir ?? ".",
          serverUrl: flags.server,
          targets,
          keyType,
          ...(flags.serverCa !== undefined ? { serverCaPem: readPem(flags.serverCa) } : {}),
          ...(flags.httpProxy !== undefined ? { httpProxy: flags.httpProxy } : {}),
          ...(flags.community !== undefined ? { community: flags.community } : {}),
          ...(flags.proxyId !== undefined ? { proxyId: flags.proxyId } : {}),
          ...(flags.force ? { force: true } : {}),
        });
        const out = [
          `wrote ${result.configPath}`,
          `wrote ${result.keyPath} (mode 0600, keep it secret)`,
          `wrote ${result.certPath}`,
          ...(result.serverCaPath ? [`wrote ${result.serverCaPath}`] : []),
          `proxy ${result.proxyId}`,
          `certificate ${result.subject.replace(/\n/g, ", ")}, valid until ${result.validTo}`,
          `thumbprint sha256 ${result.thumbprintSha256}`,
          "",
          "Send to the server operator:",
          `  - the certificate ${result.certPath} (public; they pin it with esol server --trust FILE)`,
          `  - the proxy id ${result.proxyId}`,
          "  - the thumbprint above, over another channel (phone), so they can compare it",
          "Then test everything before the first run:",
          `  esol agent check --config ${result.configPath}`,
        ];
        process.stdout.write(`${out.join("\n")}\n`);
      }),
    );
}
