/**
 * Benchmark: WS-Security sign + verify of real request envelopes, ours against
 * node-soap's `WSSecurityCert` + xml-crypto `checkSignature` in the same run.
 *
 *   node --import tsx bench/wssec.ts [--iterations 15] [--baseline-iterations 5] [--no-10k-baseline]
 *
 * Envelopes come from the CommunicationClient's own codec (`buildEnvelope` + the request
 * mappers): a Sync with a few device statuses, and SubmitBillingReads of 1,000 and 10,000
 * devices with 4 named meters each. (The mapper caps one call at 5,000 reads; the
 * 10,000-device body is mapped in two halves and written as one message, the same bytes
 * per read.)
 *
 * Ours: `createMessageSigner` (RSA-SHA256 with a BinarySecurityToken; ECDSA P-256 with a
 * SHA-1 thumbprint) and `createRequestVerifier` pinning both certificates.
 * Baseline (`bench/wssec-baseline.ts`, in a worker): the same envelopes with the `soap:`
 * prefix and an empty Header, signed by `WSSecurityCert` (RSA-SHA256, BST) and verified by
 * xml-crypto. The 10,000-device baseline runs once, without warm-up (about 25 s here); a
 * baseline case still running after 60 s is stopped and reported as skipped.
 * Our 1,000- and 10,000-device cases run interleaved, so load from other processes falls
 * on both alike. Default node flags: a library cannot choose its host's GC settings.
 *
 * Key references (issue 14): Sync and 1,000 devices signed with an X509IssuerSerial or
 * X509SubjectKeyIdentifier reference, verified against 52 pinned certificates, with a BST
 * case against the same verifier for comparison.
 *
 * Figures: median and p90 per operation, GC time per operation (ours), and the two
 * ratios of issue 4: baseline / ours at 1,000 devices (target ≥ 10) and
 * ours(10,000) / ours(1,000) (target ≤ 12). Writes bench/results/wssec.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { buildEnvelope } from "../src/soap/communication-codec.js";
import { submitBillingReadsToWire, syncToWire } from "../src/soap/mappers.js";
import type { BillingRead, DeviceStatusReport } from "../src/soap/models.js";
import { createMessageSigner, createRequestVerifier } from "../src/wssec/index.js";
import { createTestIdentity } from "../test/helpers/keys.js";
import type { BaselineJob, BaselineSample } from "./wssec-baseline.js";

const argNumber = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITERATIONS = argNumber("--iterations", 15);
const BASELINE_ITERATIONS = argNumber("--baseline-iterations", 5);
const BASELINE_10K = !process.argv.includes("--no-10k-baseline");
const BASELINE_LIMIT_MS = 60_000;
const TSX_API = import.meta.resolve("tsx/esm/api");
const BASELINE_MODULE = new URL("./wssec-baseline.ts", import.meta.url).href;

// ---------- envelopes ----------

const READ_AT = new Date(Date.UTC(2026, 10, 25, 18, 0, 0));
const METERS = ["TotalImpressions", "BlackImpressions", "ColorImpressions", "LargeImpressions"];

function billingReads(devices: number): BillingRead[] {
  const reads: BillingRead[] = [];
  for (let i = 0; i < devices; i++) {
    const serial = `XRX${String(100000 + i)}`;
    reads.push({
      key: `${serial}-2026-11-0001`,
      serial,
      readAt: new Date(READ_AT.getTime() + i * 1000),
      cycle: "2026-11",
      meters: METERS.map((name, m) => ({ name, value: 100_000 + i * 7 + m * 13, unit: "impressions" })),
    });
  }
  return reads;
}

function billingEnvelope(devices: number): string {
  const reads = billingReads(devices);
  const end = "</e:SubmitBillingReads>";
  const envelopes: string[] = [];
  for (let from = 0; from < reads.length; from += 5000) {
    const wire = submitBillingReadsToWire({
      proxyId: "proxy-bench-01",
      reads: reads.slice(from, from + 5000),
    });
    envelopes.push(buildEnvelope("SubmitBillingReads", wire));
  }
  // The codec keeps to the schema's 5,000 reads per message: later halves' reads are spliced in.
  const [first = "", ...rest] = envelopes;
  const more = rest.map((e) => e.slice(e.indexOf("<Read>"), e.lastIndexOf(end))).join("");
  return first.replace(end, `${more}${end}`);
}

function syncEnvelope(): string {
  const statuses: DeviceStatusReport[] = [
    { serial: "XRX100001", state: "ok", lastReadAt: READ_AT },
    { serial: "XRX100002", state: "silent", lastReadAt: READ_AT, detail: "no answer to 3 polls" },
    { serial: "XRX100003", state: "replaced", detail: "serial changed at 10.0.0.23" },
  ];
  return buildEnvelope("Sync", syncToWire({ proxyId: "proxy-bench-01", clientTime: READ_AT, statuses }));
}

/** The same envelope as node-soap's client would hand to `postProcess`: `soap:` prefix, a Header. */
function soapStyle(envelope: string): string {
  return envelope
    .replace(/<(\/?)s:/g, "<$1soap:")
    .replace('xmlns:s="', 'xmlns:soap="')
    .replace("<soap:Body>", "<soap:Header></soap:Header><soap:Body>");
}

// ---------- measurement ----------

interface Stats {
  median: number;
  p90: number;
}
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
  return { median: at(0.5), p90: at(0.9) };
};
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
});
gcObserver.observe({ entryTypes: ["gc"] });
// GC entries are delivered asynchronously (not before a timer phase): yield to a timer so
// they are counted before reading.
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

interface Row {
  case: string;
  impl: "ours" | "baseline";
  devices: number;
  envelopeBytes: number;
  signedBytes: number;
  iterations: number;
  signMs: Stats;
  verifyMs: Stats;
  totalMs: Stats;
  gcMsPerOp?: number;
  skipped?: string;
}
const rows: Row[] = [];

interface OurCase {
  name: string;
  devices: number;
  envelope: string;
  signer: ReturnType<typeof createMessageSigner>;
}

/**
 * Measures `cases` interleaved (one operation of each per round), so that load from other
 * processes on a shared machine falls on every case alike and the ratios stay meaningful.
 */
async function measureOurs(
  cases: OurCase[],
  verifier: ReturnType<typeof createRequestVerifier>,
  iterations: number,
): Promise<Row[]> {
  const samples = cases.map(() => ({
    sign: [] as number[],
    verify: [] as number[],
    total: [] as number[],
    gc: 0,
    bytes: 0,
  }));
  for (let i = 0; i < iterations + 2; i++) {
    for (const [k, c] of cases.entries()) {
      const s = samples[k] as (typeof samples)[number];
      await settle();
      const gcBefore = gcMs;
      const t0 = performance.now();
      const signed = await c.signer.secureRequest(c.envelope, { operation: "Bench", attempt: 1 });
      const t1 = performance.now();
      const sender = verifier.verifyRequest(signed);
      const t2 = performance.now();
      if (!sender?.trusted) throw new Error(`${c.name}: our verifier did not accept our signature`);
      await settle();
      if (i < 2) continue; // warm-up
      s.sign.push(t1 - t0);
      s.verify.push(t2 - t1);
      s.total.push(t2 - t0);
      s.gc += gcMs - gcBefore;
      s.bytes = Buffer.byteLength(signed);
    }
  }
  return cases.map((c, k) => {
    const s = samples[k] as (typeof samples)[number];
    const row: Row = {
      case: c.name,
      impl: "ours",
      devices: c.devices,
      envelopeBytes: Buffer.byteLength(c.envelope),
      signedBytes: s.bytes,
      iterations,
      signMs: stats(s.sign),
      verifyMs: stats(s.verify),
      totalMs: stats(s.total),
      gcMsPerOp: s.gc / iterations,
    };
    rows.push(row);
    return row;
  });
}

function measureBaseline(
  name: string,
  devices: number,
  envelope: string,
  identity: { keyPem: string; certPem: string },
  iterations: number,
  warmup: number,
): Promise<Row> {
  const soapEnvelope = soapStyle(envelope);
  const job: BaselineJob = { ...identity, envelope: soapEnvelope, iterations, warmup };
  const samples: BaselineSample[] = [];
  // Workers do not inherit tsx's loader: the worker registers it, then loads the TS module.
  const worker = new Worker(
    `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(BASELINE_MODULE)}); });`,
    { eval: true, workerData: job },
  );
  const base = {
    case: name,
    impl: "baseline" as const,
    devices,
    envelopeBytes: Buffer.byteLength(soapEnvelope),
  };
  const finish = (skipped?: string): Row => {
    const row: Row = {
      ...base,
      signedBytes: samples[0]?.bytes ?? 0,
      iterations: samples.length,
      signMs: stats(samples.map((s) => s.signMs)),
      verifyMs: stats(samples.map((s) => s.verifyMs)),
      totalMs: stats(samples.map((s) => s.signMs + s.verifyMs)),
      ...(skipped ? { skipped } : {}),
    };
    rows.push(row);
    return row;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(finish(`stopped after ${BASELINE_LIMIT_MS / 1000} s (${samples.length} iterations done)`));
    }, BASELINE_LIMIT_MS);
    worker.on("message", (m: BaselineSample | "done") => {
      if (m === "done") {
        clearTimeout(timer);
        void worker.terminate();
        resolve(finish());
      } else samples.push(m);
    });
    worker.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

// ---------- run ----------

const [rsa, ec] = await Promise.all([
  createTestIdentity("rsa", { commonName: "bench-rsa" }),
  createTestIdentity("ec-p256", { commonName: "bench-ec" }),
]);
const rsaSigner = createMessageSigner({ key: rsa.keyPem, cert: rsa.certPem });
const ecSigner = createMessageSigner({ key: ec.keyPem, cert: ec.certPem, keyReference: "thumbprint-sha1" });
const verifier = createRequestVerifier({ trust: [rsa.certPem, ec.certPem] });

const sync = syncEnvelope();
const billing1k = billingEnvelope(1000);
const billing10k = billingEnvelope(10_000);

const [syncRsa, syncEc] = await measureOurs(
  [
    { name: "Sync, RSA-SHA256 + BST", devices: 3, envelope: sync, signer: rsaSigner },
    { name: "Sync, ECDSA P-256 + thumbprint", devices: 3, envelope: sync, signer: ecSigner },
  ],
  verifier,
  ITERATIONS * 5,
);
// Key references resolved by lookup among the pinned certificates (issue 14): IssuerSerial
// compares distinguished names by meaning, SKI compares identifiers; both scan the pinned
// set, so it holds 50 more certificates here than the two that sign.
const extraPins = await Promise.all(
  Array.from({ length: 50 }, (_, i) => createTestIdentity("ec-p256", { commonName: `bench-pin-${i}` })),
);
const lookupVerifier = createRequestVerifier({
  trust: [rsa.certPem, ec.certPem, ...extraPins.map((p) => p.certPem)],
});
const issuerSerialSigner = createMessageSigner({
  key: rsa.keyPem,
  cert: rsa.certPem,
  keyReference: "issuer-serial",
});
const skiSigner = createMessageSigner({ key: rsa.keyPem, cert: rsa.certPem, keyReference: "ski" });
const [syncBstPinned, syncIssuerSerial, syncSki, k1IssuerSerial, k1Ski] = await measureOurs(
  [
    { name: "Sync, RSA + BST (52 pinned)", devices: 3, envelope: sync, signer: rsaSigner },
    { name: "Sync, RSA + IssuerSerial (52 pinned)", devices: 3, envelope: sync, signer: issuerSerialSigner },
    { name: "Sync, RSA + SKI (52 pinned)", devices: 3, envelope: sync, signer: skiSigner },
    {
      name: "SubmitBillingReads 1,000, RSA + IssuerSerial",
      devices: 1000,
      envelope: billing1k,
      signer: issuerSerialSigner,
    },
    { name: "SubmitBillingReads 1,000, RSA + SKI", devices: 1000, envelope: billing1k, signer: skiSigner },
  ],
  lookupVerifier,
  ITERATIONS * 2,
);
const [k1Rsa, k10Rsa, k1Ec, k10Ec] = await measureOurs(
  [
    { name: "SubmitBillingReads 1,000, RSA + BST", devices: 1000, envelope: billing1k, signer: rsaSigner },
    {
      name: "SubmitBillingReads 10,000, RSA + BST",
      devices: 10_000,
      envelope: billing10k,
      signer: rsaSigner,
    },
    {
      name: "SubmitBillingReads 1,000, ECDSA + thumbprint",
      devices: 1000,
      envelope: billing1k,
      signer: ecSigner,
    },
    {
      name: "SubmitBillingReads 10,000, ECDSA + thumbprint",
      devices: 10_000,
      envelope: billing10k,
      signer: ecSigner,
    },
  ],
  verifier,
  ITERATIONS,
);
const ours = { syncRsa, syncEc, k1Rsa, k10Rsa, k1Ec, k10Ec } as Record<
  "syncRsa" | "syncEc" | "k1Rsa" | "k10Rsa" | "k1Ec" | "k10Ec",
  Row
>;
const baseline = {
  sync: await measureBaseline("Sync, RSA-SHA256 + BST", 3, sync, rsa, BASELINE_ITERATIONS * 3, 2),
  k1: await measureBaseline(
    "SubmitBillingReads 1,000, RSA + BST",
    1000,
    billing1k,
    rsa,
    BASELINE_ITERATIONS,
    1,
  ),
  k10: BASELINE_10K
    ? await measureBaseline("SubmitBillingReads 10,000, RSA + BST", 10_000, billing10k, rsa, 1, 0)
    : undefined,
};
gcObserver.disconnect();

const ratios = {
  syncBaselineOverOurs: baseline.sync.totalMs.median / ours.syncRsa.totalMs.median,
  k1BaselineOverOurs: baseline.k1.totalMs.median / ours.k1Rsa.totalMs.median,
  k10BaselineOverOurs:
    baseline.k10 && !baseline.k10.skipped ? baseline.k10.totalMs.median / ours.k10Rsa.totalMs.median : null,
  k10OverK1Rsa: ours.k10Rsa.totalMs.median / ours.k1Rsa.totalMs.median,
  k10OverK1Ec: ours.k10Ec.totalMs.median / ours.k1Ec.totalMs.median,
  syncVerifyIssuerSerialOverBst:
    (syncIssuerSerial as Row).verifyMs.median / (syncBstPinned as Row).verifyMs.median,
  syncVerifySkiOverBst: (syncSki as Row).verifyMs.median / (syncBstPinned as Row).verifyMs.median,
  k1VerifyIssuerSerialMs: (k1IssuerSerial as Row).verifyMs.median,
  k1VerifySkiMs: (k1Ski as Row).verifyMs.median,
};
const targets = {
  "baseline/ours at 1,000 devices ≥ 10": ratios.k1BaselineOverOurs >= 10,
  "ours(10,000)/ours(1,000) ≤ 12 (RSA)": ratios.k10OverK1Rsa <= 12,
  "ours(10,000)/ours(1,000) ≤ 12 (ECDSA)": ratios.k10OverK1Ec <= 12,
};

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number) => (Number.isNaN(x) ? "-" : x < 10 ? x.toFixed(2) : x.toFixed(1));
console.log(
  `${pad("case", 46)}${pad("impl", 9)}${pad("signed kB", 10)}${pad("sign med", 10)}${pad("verify med", 11)}${pad("total med", 10)}${pad("total p90", 10)}${pad("gc/op", 7)}`,
);
for (const r of rows) {
  console.log(
    `${pad(r.case, 46)}${pad(r.impl, 9)}${pad((r.signedBytes / 1024).toFixed(0), 10)}${pad(num(r.signMs.median), 10)}${pad(num(r.verifyMs.median), 11)}${pad(num(r.totalMs.median), 10)}${pad(num(r.totalMs.p90), 10)}${pad(r.gcMsPerOp === undefined ? "" : num(r.gcMsPerOp), 7)}${r.skipped ? ` skipped: ${r.skipped}` : ""}`,
  );
}
console.log(
  `\nms per operation (median over the iterations), node ${process.version}, default flags unless below`,
);
console.log(`execArgv: ${JSON.stringify(process.execArgv)}`);
console.log(`Sync: baseline / ours = ${ratios.syncBaselineOverOurs.toFixed(1)}×`);
console.log(`1,000 devices: baseline / ours = ${ratios.k1BaselineOverOurs.toFixed(1)}× (target ≥ 10)`);
if (ratios.k10BaselineOverOurs !== null)
  console.log(`10,000 devices: baseline / ours = ${ratios.k10BaselineOverOurs.toFixed(1)}×`);
console.log(
  `ours 10,000 / 1,000 devices = ${ratios.k10OverK1Rsa.toFixed(1)}× RSA, ${ratios.k10OverK1Ec.toFixed(1)}× ECDSA (target ≤ 12)`,
);
console.log(
  `verify, Sync, 52 pinned: IssuerSerial / BST = ${ratios.syncVerifyIssuerSerialOverBst.toFixed(2)}×, SKI / BST = ${ratios.syncVerifySkiOverBst.toFixed(2)}×`,
);
for (const [name, ok] of Object.entries(targets)) console.log(`${ok ? "met   " : "MISSED"} ${name}`);

mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("./results/wssec.json", import.meta.url),
  `${JSON.stringify(
    {
      bench: "wssec",
      at: new Date().toISOString(),
      node: process.version,
      execArgv: process.execArgv,
      iterations: ITERATIONS,
      rows: rows.map((r) => ({
        ...r,
        signMs: { median: round(r.signMs.median), p90: round(r.signMs.p90) },
        verifyMs: { median: round(r.verifyMs.median), p90: round(r.verifyMs.p90) },
        totalMs: { median: round(r.totalMs.median), p90: round(r.totalMs.p90) },
        ...(r.gcMsPerOp === undefined ? {} : { gcMsPerOp: round(r.gcMsPerOp) }),
      })),
      ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, v === null ? null : round(v)])),
      targets,
    },
    null,
    2,
  )}\n`,
);
