/**
 * Benchmark: bytes on the wire of every transaction, ours against the vendor's formulas,
 * and what each size choice saves.
 *
 *   node --import tsx bench/impact.ts [--devices 1,10,100,1000]
 *
 * Baseline, measured in the same run: the same conversation with none of the size choices
 * (no gzip, certificate in every message, RSA-2048), so every figure is also a ratio against
 * what a straightforward signed SOAP client sends. Ports from the OS.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import {
  comparedBytes,
  formatImpactTable,
  formatSavingsTable,
  judgeImpact,
  measureSavings,
  measureSnmpPoll,
  vendorBytes,
} from "../src/impact/index.js";

const arg = process.argv.indexOf("--devices");
const devices = (arg > 0 ? process.argv[arg + 1]! : "1,10,100,1000").split(",").map(Number);

const t0 = performance.now();
const snmp = await measureSnmpPoll();
const savings = await measureSavings({ devices, snmp });
const elapsedMs = Math.round(performance.now() - t0);
const base = savings.variants[0]!.report;
const plain = savings.variants.find((v) => v.name === "none of them")?.report;

const rows = base.transactions.map((t) => {
  const plainT = plain?.transactions.find((q) => q.vendorRow === t.vendorRow);
  return {
    vendorRow: t.vendorRow,
    operation: t.operation,
    message: t.message,
    points: t.points.map((p) => {
      const ours = comparedBytes(t, p);
      const pp = plainT?.points.find((q) => q.devices === p.devices);
      const plainBytes = pp && plainT ? comparedBytes(plainT, pp) : null;
      return {
        devices: p.devices,
        bytes: ours,
        vendorBytes: t.vendor ? vendorBytes(t.vendor, p.devices) : null,
        ratioToVendor: t.vendor ? round(ours / vendorBytes(t.vendor, p.devices)) : null,
        plainBytes,
        ratioToPlain: plainBytes ? round(ours / plainBytes) : null,
      };
    }),
    fit: t.fit,
    vendor: t.vendor,
    slopeRatio: t.vendor && t.vendor.perDevice > 0 ? round(t.fit.perDevice / t.vendor.perDevice) : null,
  };
});

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

process.stdout.write(formatImpactTable(base));
process.stdout.write(`\n${formatSavingsTable(savings)}`);
process.stdout.write(
  `\nSNMP poll of one ${snmp.device}: ${snmp.requestBytes} + ${snmp.responseBytes} B in ${snmp.datagrams} datagrams; run took ${elapsedMs} ms\n`,
);
const over = judgeImpact(base).filter((v) => v.overAt.length > 0);
process.stdout.write(
  over.length === 0
    ? "every row at or below the vendor's size\n"
    : `ABOVE the vendor: ${JSON.stringify(over)}\n`,
);

mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/impact.json",
  `${JSON.stringify({ name: "impact", date: new Date().toISOString(), node: process.version, options: base.options, snmp, elapsedMs, rows, variants: savings.variants.map((v) => ({ name: v.name, changed: v.changed, transactions: v.report.transactions })) }, null, 2)}\n`,
);
process.stdout.write("wrote bench/results/impact.json\n");
