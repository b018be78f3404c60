import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ConfigError } from "../../errors.js";
import type { KeyReferenceKind, SignatureAlgorithmName } from "../../wssec/index.js";
import { WsSecuritySigner } from "../../wssec/index.js";
import { action } from "../action.js";

const ALGORITHMS: readonly SignatureAlgorithmName[] = [
  "rsa-sha256",
  "rsa-sha512",
  "ecdsa-sha256",
  "ecdsa-sha384",
];
const KEY_REFS: Readonly<Record<string, KeyReferenceKind>> = {
  bst: "bst",
  thumbprint: "thumbprint-sha1",
  "thumbprint-sha1": "thumbprint-sha1",
  "thumbprint-sha256": "thumbprint-sha256",
  ski: "ski",
  "issuer-serial": "issuer-serial",
  "x509-data": "x509-data",
  pkipath: "pkipath",
};

/** Reads all of stdin, refusing more than `maxBytes` (the limit is checked while reading). */
export async function readStdin(maxBytes: number): Promise<{ text: string; tooLarge: boolean }> {
  const input = await readStdinBytes(maxBytes);
  return { text: input.bytes.toString("utf8"), tooLarge: input.tooLarge };
}

/** Reads stdin as bytes, stopping past `maxBytes` (then `tooLarge` is true and `bytes` empty). */
export async function readStdinBytes(maxBytes: number): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += b.length;
    if (total > maxBytes) return { bytes: Buffer.alloc(0), tooLarge: true };
    chunks.push(b);
  }
  return { bytes: Buffer.concat(chunks), tooLarge: false };
}

/** Reads a PEM file named on the command line, as a `CONFIG_FILE` error when unreadable. */
export function readPemFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ConfigError("CONFIG_FILE", `cannot read ${what} ${JSON.stringify(path)}`, { cause });
  }
}

/** `esol sign`: adds a WS-Security header (Timestamp + Signature) to the envelope on stdin. */
export function registerSign(program: Command): void {
  program
    .command("sign")
    .description("sign the SOAP 1.1 envelope on stdin with WS-Security (Timestamp + Signature) and print it")
    .requiredOption("--key <pem>", "private key file (PEM)")
    .requiredOption("--cert <pem>", "certificate file (PEM) of the key")
    .option("--alg <name>", `signature algorithm: ${ALGORITHMS.join("|")}`)
    .option(
      "--key-ref <kind>",
      "key reference: bst|thumbprint (SHA-1)|thumbprint-sha256|ski|issuer-serial|x509-data|pkipath",
      "bst",
    )
    .option(
      "--chain <pem>",
      "CA certificate above --cert, issuer first, sent with it by --key-ref pkipath (X509PKIPathv1); repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--ttl-ms <ms>", "timestamp lifetime in milliseconds", "300000")
    .option("--wss-2003", "use the 2003 draft WS-Security namespaces")
    .addHelpText(
      "after",
      "\nExamples:\n  esol sign --key proxy-key.pem --cert proxy-cert.pem < envelope.xml > signed.xml\n  esol sign --key proxy-key.pem --cert proxy-cert.pem --key-ref thumbprint-sha256 < envelope.xml\n  esol sign --key proxy-key.pem --cert proxy-cert.pem < envelope.xml | esol verify --trust proxy-cert.pem\n  esol sign --key proxy-key.pem --cert proxy-cert.pem --key-ref pkipath --chain intermediate.pem < envelope.xml | esol verify --trust-ca root.pem --subject 'CN=proxy-.*'",
    )
    .action(
      action(
        async (opts: {
          key: string;
          cert: string;
          alg?: string;
          keyRef: string;
          ttlMs: string;
          wss2003?: boolean;
          chain: string[];
        }) => {
          if (opts.alg !== undefined && !ALGORITHMS.includes(opts.alg as SignatureAlgorithmName)) {
            throw new ConfigError("ARG_INVALID", `--alg must be one of ${ALGORITHMS.join(", ")}`);
          }
          const keyReference = KEY_REFS[opts.keyRef];
          if (!keyReference)
            throw new ConfigError(
              "ARG_INVALID",
              `--key-ref must be one of ${Object.keys(KEY_REFS).join(", ")}`,
            );
          const ttlMs = Number(opts.ttlMs);
          if (!Number.isInteger(ttlMs) || ttlMs <= 0)
            throw new ConfigError("ARG_INVALID", "--ttl-ms must be a positive integer");
          const signer = new WsSecuritySigner({
            key: readPemFile(opts.key, "key"),
            cert: readPemFile(opts.cert, "certificate"),
            ...(opts.alg ? { algorithm: opts.alg as SignatureAlgorithmName } : {}),
            keyReference,
            ...(opts.chain.length
              ? { chain: opts.chain.map((c) => readPemFile(c, "chain certificate")) }
              : {}),
            ttlMs,
            ...(opts.wss2003 ? { namespaces: "wss-2003-draft" as const } : {}),
          });
          const input = await readStdin(64 * 1024 * 1024);
          if (input.tooLarge) throw new ConfigError("ARG_INVALID", "envelope on stdin is larger than 64 MiB");
          process.stdout.write(signer.secureRequest(input.text, { operation: "cli", attempt: 1 }));
        },
      ),
    );
}
