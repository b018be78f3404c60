/**
 * Benchmark: `CommunicationClient`'s codec per call, around the socket — the public models mapped
 * to the generated wire types and encoded by the generated model's codec (a SubmitBillingReads of
 * `--reads` reads with 4 named meters each), and a SyncResponse with one BillingRequest directive
 * per read decoded and mapped back to the public models.
 *
 *   node --import tsx bench/communication-codec.ts [--reads 100] [--calls 300]
 *
 * Prints one JSON line: the median and the fastest of 7 rounds, in µs per call.
 */
import { buildEnvelope, parseAnswer } from "../src/soap/communication-codec.js";
import { submitBillingReadsToWire, syncResultFromWire } from "../src/soap/mappers.js";
import type { BillingRead } from "../src/soap/models.js";

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const READS = flag("--reads", 100);
const CALLS = flag("--calls", 300);

const at = new Date(Date.UTC(2026, 10, 25, 18, 0, 0));
const reads: BillingRead[] = Array.from({ length: READS }, (_, i) => ({
  key: `SN${i}-20261125-1`,
  serial: `SN${i}`,
  readAt: at,
  cycle: "2026-11",
  meters: [
    { name: "Black", value: 1200 + i, unit: "impressions" },
    { name: "Color", value: 34 },
    { name: "Total", value: 1234 + i },
    { name: "Large", value: 5 },
  ],
}));
const directives = reads
  .map(
    (r) =>
      `<BillingRequest><Serial>${r.serial}</Serial><Cycle>2026-11</Cycle><Meter>Black</Meter><Meter>Color</Meter><Due>2026-12-01T00:00:00Z</Due></BillingRequest>`,
  )
  .join("");
const answer =
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
  '<t:SyncResponse xmlns:t="urn:esolutions:communication:v1"><ServerTime>2026-11-25T18:00:00Z</ServerTime>' +
  `<Configure><PollIntervalSeconds>900</PollIntervalSeconds></Configure>${directives}</t:SyncResponse></soap:Body></soap:Envelope>`;

function call(): void {
  buildEnvelope("SubmitBillingReads", submitBillingReadsToWire({ proxyId: "proxy-1", reads }));
  const parsed = parseAnswer("Sync", answer, 200);
  if (parsed.kind !== "response") throw new Error("the codec read a fault");
  syncResultFromWire(parsed.body as Parameters<typeof syncResultFromWire>[0]);
}

for (let i = 0; i < 100; i++) call();
const rounds: number[] = [];
for (let r = 0; r < 7; r++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) call();
  rounds.push(Number(process.hrtime.bigint() - start) / CALLS / 1000);
}
rounds.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    reads: READS,
    calls: CALLS,
    medianUsPerCall: Number((rounds[3] as number).toFixed(1)),
    fastestUsPerCall: Number((rounds[0] as number).toFixed(1)),
  }),
);
