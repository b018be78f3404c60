/**
 * The server's TLS pair: the caller's, or a self-signed one generated once into the store's
 * folder and reused on every restart (clients pin it as their `ca`).
 * @module
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { generate } from "selfsigned";
import { ConfigError } from "../errors.js";

/** A PEM certificate and private key. */
export interface TlsPair {
  cert: string;
  key: string;
}

/** File names of the generated pair, next to the store. */
export const GENERATED_CERT_FILE = "esol-server-cert.pem";
/** File name of the generated private key (mode 0600). */
export const GENERATED_KEY_FILE = "esol-server-key.pem";

/**
 * Loads the self-signed pair kept next to `dbPath`, generating it (EC P-256, 10 years,
 * SAN localhost / 127.0.0.1 / ::1) when absent.
 */
export async function selfSignedPairFor(dbPath: string): Promise<TlsPair> {
  const dir = dirname(dbPath);
  const certFile = join(dir, GENERATED_CERT_FILE);
  const keyFile = join(dir, GENERATED_KEY_FILE);
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
  }
  const notBefore = new Date(Date.now() - 3_600_000);
  const generated = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + 3650 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  // Write-then-rename so a crash never leaves a half-written key that would be reused.
  writeFileSync(`${keyFile}.tmp`, generated.private, { mode: 0o600 });
  writeFileSync(`${certFile}.tmp`, generated.cert);
  renameSync(`${keyFile}.tmp`, keyFile);
  renameSync(`${certFile}.tmp`, certFile);
  return { cert: generated.cert, key: generated.private };
}

/** Reads a PEM file named on the command line or in options, with a clear error. */
export function readPemFile(file: string, what: string): string {
  try {
    const text = readFileSync(file, "utf8");
    if (!text.includes("-----BEGIN ")) throw new Error("no PEM block");
    return text;
  } catch (err) {
    throw new ConfigError("CONFIG_PEM", `cannot read ${what} ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
