/**
 * The baseline of `bench/wssec.ts`, run in a worker thread so that a case that takes too
 * long can be stopped (`worker.terminate()`) and so that its garbage does not sit in the
 * heap our own signer and verifier are measured in.
 *
 * Sign: node-soap's `WSSecurityCert.postProcess` (BinarySecurityToken, RSA-SHA256,
 * exclusive c14n, SHA-256 digests, `wsu:Id` through `idMode: "wssecurity"`).
 * Verify: what an xml-crypto user writes: parse with xmldom, find the Signature,
 * `loadSignature` + `checkSignature` against the pinned certificate.
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { DOMParser } from "@xmldom/xmldom";
import soap from "soap";
import { SignedXml } from "xml-crypto";
import xpath from "xpath";

/** What the main thread sends. */
export interface BaselineJob {
  keyPem: string;
  certPem: string;
  /** Envelope with a `soap:Header`, prefix `soap` (what node-soap's client writes). */
  envelope: string;
  iterations: number;
  warmup: number;
}

/** One measured iteration, posted back as it completes. */
export interface BaselineSample {
  signMs: number;
  verifyMs: number;
  bytes: number;
}

const DSIG = "http://www.w3.org/2000/09/xmldsig#";

function signOnce(job: BaselineJob): string {
  const security = new soap.WSSecurityCert(job.keyPem, job.certPem, "", {
    // soap's defaults otherwise: RSA-SHA256, SHA-256 digests, enveloped + exc-c14n transforms.
    signerOptions: { idMode: "wssecurity" },
  });
  return security.postProcess(job.envelope, "soap");
}

function verifyOnce(job: BaselineJob, signed: string): void {
  const doc = new DOMParser().parseFromString(signed, "text/xml");
  const nodes = xpath.select(`//*[local-name(.)='Signature' and namespace-uri(.)='${DSIG}']`, doc as never);
  const signature = Array.isArray(nodes) ? nodes[0] : undefined;
  if (!signature) throw new Error("baseline: no Signature in the signed envelope");
  const verifier = new SignedXml({ publicCert: job.certPem, idMode: "wssecurity" });
  verifier.loadSignature(signature as never);
  if (!verifier.checkSignature(signed)) throw new Error("baseline: checkSignature returned false");
}

if (parentPort) {
  const job = workerData as BaselineJob;
  for (let i = 0; i < job.warmup + job.iterations; i++) {
    const t0 = performance.now();
    const signed = signOnce(job);
    const t1 = performance.now();
    verifyOnce(job, signed);
    const t2 = performance.now();
    if (i >= job.warmup) {
      const sample: BaselineSample = { signMs: t1 - t0, verifyMs: t2 - t1, bytes: Buffer.byteLength(signed) };
      parentPort.postMessage(sample);
    }
  }
  parentPort.postMessage("done");
}
