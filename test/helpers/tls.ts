/**
 * A TLS server identity for loopback tests: a self-signed certificate valid for
 * `127.0.0.1`, `::1` and `localhost` (clients trust it by passing it as `ca`), and a
 * client certificate issued by the same key for mutual-TLS tests. Generated once per
 * test process: RSA key generation is the slow part.
 * @module
 */
import { generate } from "selfsigned";

/** Server and client TLS material, all PEM. */
export interface LoopbackTls {
  /** Server certificate; also the CA a client trusts, and the CA that issued `clientCert`. */
  cert: string;
  key: string;
  /** Client certificate (CN `esol-test-client`) issued by the server's key. */
  clientCert: string;
  clientKey: string;
}

let pending: Promise<LoopbackTls> | undefined;

/**
 * The process-wide loopback TLS identity.
 * @example
 * ```ts
 * const tls = await loopbackTls();
 * https.createServer({ cert: tls.cert, key: tls.key }, handler);
 * new CommunicationClient({ endpoint, ca: tls.cert });
 * ```
 */
export function loopbackTls(): Promise<LoopbackTls> {
  pending ??= generate([{ name: "commonName", value: "esol-test-server" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(Date.now() - 3_600_000),
    notAfterDate: new Date(Date.now() + 30 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
    clientCertificate: { cn: "esol-test-client", keyType: "ec", curve: "P-256", algorithm: "sha256" },
  }).then((r) => {
    const out = r as typeof r & { clientcert?: string; clientprivate?: string };
    if (!out.clientcert || !out.clientprivate)
      throw new Error("selfsigned did not return a client certificate");
    return { cert: out.cert, key: out.private, clientCert: out.clientcert, clientKey: out.clientprivate };
  });
  return pending;
}
