/**
 * Benchmark: `esol codegen` and the generated client's codec, against node-soap on the same WSDL.
 *
 *   node --import tsx bench/codegen.ts [--calls 2000]
 *
 * WSDL: the largest of the codegen test suite (test/fixtures/wsdl/agresso-timesheet, 36 KB, 17
 * operations). Operation: AddTimesheet with every element present (the suite's sample: 2 periods
 * × 2 entries × 2 work days…), answered by the same timesheet.
 * - codegen: `generateClient` (read, model, emit) — first run and median of 20;
 * - per call, same run, same request values and the same response text:
 *   ours: `encodeRequest` + `decodeResponse` (what a generated client does around the socket);
 *   node-soap client: the operation method on a client whose httpClient returns the canned
 *     answer at once (node-soap's serialization + parsing + call plumbing, no socket);
 *   node-soap codec alone: `wsdl.objectToDocumentXML` + `wsdl.xmlToObject`.
 * Target: ours ≥ 5× faster per call than the node-soap client. Writes bench/results/codegen.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as soap from "soap";
import { generateClient } from "../src/codegen/index.js";
import { decodeResponse, encodeRequest } from "../src/soap/service-client.js";
import { sample } from "../test/integration/codegen/harness.js";

const arg = process.argv.indexOf("--calls");
const CALLS = arg > 0 ? Number(process.argv[arg + 1]) : 2000;
const ROOT = join(import.meta.dirname, "..");
const WSDL = join(ROOT, "test/fixtures/wsdl/agresso-timesheet/list_parameter.wsdl");
const OP = "AddTimesheet";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const round = (n: number) => Math.round(n * 1000) / 1000;

// codegen time
const codegenRuns: number[] = [];
let generated: Awaited<ReturnType<typeof generateClient>> | undefined;
for (let i = 0; i < 21; i++) {
  const t = performance.now();
  generated = await generateClient({ wsdl: WSDL });
  codegenRuns.push(performance.now() - t);
}
if (!generated) throw new Error("no codegen");
const model = generated.port.model;
const op = model.operations[OP];
if (!op?.input || !op.output) throw new Error(OP);
const input = sample(model, op.input.type);
const output = sample(model, op.output.type);

// node-soap: a client whose HTTP exchange returns the canned answer, and its WSDL for the codec alone.
const nodeClient = await soap.createClientAsync(WSDL, { endpoint: "http://127.0.0.1:9/none" });
const wsdl = (nodeClient as unknown as { wsdl: soap.WSDL }).wsdl;
const outputElement = wsdl.definitions.messages[`${OP}SoapOut`]?.element as unknown as {
  $name: string;
  targetNSAlias: string;
  targetNamespace: string;
};
const responseBody = wsdl.objectToDocumentXML(
  outputElement.$name,
  output.nodeSoap,
  outputElement.targetNSAlias,
  outputElement.targetNamespace,
);
const RESPONSE = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${responseBody}</soap:Body></soap:Envelope>`;
const inputElement = wsdl.definitions.messages[`${OP}SoapIn`]?.element as unknown as {
  $name: string;
  targetNSAlias: string;
  targetNamespace: string;
};
(nodeClient as unknown as { httpClient: unknown }).httpClient = {
  request(_url: string, _data: string, callback: (err: unknown, res: unknown, body: string) => void) {
    callback(null, { status: 200, headers: { "content-type": "text/xml" }, data: RESPONSE }, RESPONSE);
    return Promise.resolve();
  },
};
const nodeMethod = (nodeClient as unknown as Record<string, (args: unknown) => Promise<unknown[]>>)[
  `${OP}Async`
] as (args: unknown) => Promise<unknown[]>;

// Check each path does the work before timing it.
const ours = decodeResponse(model, OP, RESPONSE, 200);
if (ours.kind !== "response") throw new Error("our decoder refused node-soap's answer");
const [nodeResult] = await nodeMethod(input.nodeSoap);
if (!nodeResult) throw new Error("node-soap returned nothing");

async function time(name: string, fn: () => unknown | Promise<unknown>) {
  for (let i = 0; i < Math.min(200, CALLS); i++) await fn();
  const runs: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) await fn();
    runs.push(((performance.now() - t) * 1000) / CALLS);
  }
  return { name, usPerCall: median(runs) };
}

const rows = [];
// Interleave: ours, node-soap client, node-soap codec, ours again.
rows.push(
  await time("ours: encodeRequest + decodeResponse", () => {
    encodeRequest(model, OP, input.input);
    decodeResponse(model, OP, RESPONSE, 200);
  }),
);
rows.push(await time("node-soap client: method (canned httpClient)", () => nodeMethod(input.nodeSoap)));
rows.push(
  await time("node-soap codec: objectToDocumentXML + xmlToObject", () => {
    wsdl.objectToDocumentXML(
      inputElement.$name,
      input.nodeSoap,
      inputElement.targetNSAlias,
      inputElement.targetNamespace,
    );
    wsdl.xmlToObject(RESPONSE);
  }),
);
const oursAgain = await time("ours (again)", () => {
  encodeRequest(model, OP, input.input);
  decodeResponse(model, OP, RESPONSE, 200);
});
const oursUs = Math.min(rows[0]?.usPerCall ?? Number.NaN, oursAgain.usPerCall);
const nodeClientUs = rows[1]?.usPerCall ?? Number.NaN;
const nodeCodecUs = rows[2]?.usPerCall ?? Number.NaN;
rows.push(oursAgain);

const requestBytes = Buffer.byteLength(encodeRequest(model, OP, input.input));
const codegenFirstMs = codegenRuns[0] as number;
const codegenMedianMs = median(codegenRuns.slice(1));
const speedupVsClient = nodeClientUs / oursUs;
const speedupVsCodec = nodeCodecUs / oursUs;

console.log(`WSDL ${WSDL.slice(ROOT.length + 1)} (${Object.keys(model.operations).length} operations)`);
console.log(`codegen: first ${codegenFirstMs.toFixed(1)} ms, median of 20 ${codegenMedianMs.toFixed(1)} ms`);
console.log(
  `${OP}: request ${requestBytes} B, response ${Buffer.byteLength(RESPONSE)} B, ${CALLS} calls × 5 rounds`,
);
console.log("| path | µs per call (median of 5 rounds) |");
console.log("| --- | ---: |");
for (const r of rows) console.log(`| ${r.name} | ${r.usPerCall.toFixed(1)} |`);
console.log(
  `node-soap client / ours = ${speedupVsClient.toFixed(1)}×; node-soap codec / ours = ${speedupVsCodec.toFixed(1)}×`,
);
const met = speedupVsClient >= 5;
console.log(`${met ? "met   " : "MISSED"} ours ≥ 5× faster per call than the node-soap client`);

mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("./results/codegen.json", import.meta.url),
  `${JSON.stringify(
    {
      bench: "codegen",
      at: new Date().toISOString(),
      node: process.version,
      wsdl: WSDL.slice(ROOT.length + 1),
      operation: OP,
      calls: CALLS,
      codegenMs: { first: round(codegenFirstMs), median: round(codegenMedianMs) },
      requestBytes,
      responseBytes: Buffer.byteLength(RESPONSE),
      rows: rows.map((r) => ({ ...r, usPerCall: round(r.usPerCall) })),
      ratios: {
        nodeSoapClientOverOurs: round(speedupVsClient),
        nodeSoapCodecOverOurs: round(speedupVsCodec),
      },
      targets: { "ours ≥ 5× faster per call than the node-soap client": met },
    },
    null,
    2,
  )}\n`,
);
