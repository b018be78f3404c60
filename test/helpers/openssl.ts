/**
 * Certificates made with the openssl CLI, for what `selfsigned` cannot express: a chosen
 * serial number (beyond 2^63), a subject with escaped characters and multi-valued RDNs,
 * an explicit (or colliding) subject key identifier, or a key shared by two certificates.
 * @module
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestIdentity } from "./keys.js";

const run = promisify(execFile);

/** Options of {@link opensslIdentity}. */
export interface OpensslIdentityOptions {
  /** openssl `-subj` form, e.g. `/C=DE/O=Example, Inc./CN=proxy-1+UID=p1` (multi-valued RDNs allowed). */
  subject: string;
  /** Serial number, hex without `0x`. */
  serialHex: string;
  /** Subject key identifier extension, hex; `"none"` for a certificate without one; default openssl's hash. */
  subjectKeyIdentifier?: string;
  /** Reuse this private key (PEM) instead of generating one. */
  keyPem?: string;
  /** Days of validity from now (default 30). */
  days?: number;
}

/** Creates a self-signed P-256 identity with openssl. */
export async function opensslIdentity(options: OpensslIdentityOptions): Promise<TestIdentity> {
  const dir = await mkdtemp(join(tmpdir(), "esol-openssl-"));
  try {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    if (options.keyPem) await writeFile(key, options.keyPem);
    const args = [
      "req",
      "-x509",
      ...(options.keyPem
        ? ["-key", key]
        : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", key]),
      "-nodes",
      "-out",
      cert,
      "-subj",
      options.subject,
      "-multivalue-rdn",
      "-set_serial",
      `0x${options.serialHex}`,
      "-days",
      String(options.days ?? 30),
      "-addext",
      "basicConstraints=CA:FALSE",
      "-addext",
      `subjectKeyIdentifier=${options.subjectKeyIdentifier ?? "hash"}`,
    ];
    await run("openssl", args);
    return { keyPem: await readFile(key, "utf8"), certPem: await readFile(cert, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
