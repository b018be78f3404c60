#!/usr/bin/env node
// Prints the base facts of a `.snmprec` recording as JSON: what a correct reader must find
// in it (sysDescr, sysObjectID, prtGeneralSerialNumber, marker life counters, the supplies
// table with raw class/type/unit/max/level, error-state bytes, Xerox billing meters).
//
// Independent of the SDK on purpose: its own few lines of snmprec parsing, no import from
// src/, so a facts file checks the reader instead of repeating it. The publisher's own
// decoded values (identity, supply percents, meters) are added to the facts by hand, with
// their source, see test/fixtures/snmprec/SOURCES.md.
//
// Usage: node scripts/snmprec-facts.mjs test/fixtures/snmprec/NAME.snmprec > NAME.facts.json
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node scripts/snmprec-facts.mjs FILE.snmprec\n");
  process.exit(2);
}

/** OID → { tag, hex, raw } from `OID|TAG[x]|VALUE` lines; the first line for an OID wins. */
const rows = new Map();
for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
  const m = /^\.?([0-9.]+)\|(\d+)(x?)\|(.*)$/.exec(line);
  if (!m || rows.has(m[1])) continue;
  rows.set(m[1], { tag: Number(m[2]), hex: m[3] === "x", raw: m[4] });
}

const text = (oid) => {
  const r = rows.get(oid);
  if (!r) return null;
  return r.hex ? Buffer.from(r.raw, "hex").toString("latin1") : r.raw;
};
const int = (oid) => {
  const r = rows.get(oid);
  return r && !r.hex && /^-?\d+$/.test(r.raw) ? Number(r.raw) : null;
};
const hexOf = (oid) => {
  const r = rows.get(oid);
  if (!r) return null;
  return r.hex ? r.raw.toLowerCase() : Buffer.from(r.raw, "latin1").toString("hex");
};
/** Row indexes under a column, in OID order. */
const column = (col) =>
  [...rows.keys()]
    .filter((oid) => oid.startsWith(`${col}.`))
    .map((oid) => oid.slice(col.length + 1))
    .sort((a, b) => {
      const pa = a.split(".").map(Number);
      const pb = b.split(".").map(Number);
      for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
      return pa.length - pb.length;
    });

const SUPPLY = "1.3.6.1.2.1.43.11.1.1";
const supplyRows = [...new Set([6, 8, 9].flatMap((c) => column(`${SUPPLY}.${c}`)))].sort(
  (a, b) => column(`${SUPPLY}.6`).indexOf(a) - column(`${SUPPLY}.6`).indexOf(b),
);
const serialRow = column("1.3.6.1.2.1.43.5.1.1.17").find((row) =>
  text(`1.3.6.1.2.1.43.5.1.1.17.${row}`)?.trim(),
);

const facts = {
  file: basename(file),
  sysDescr: text("1.3.6.1.2.1.1.1.0"),
  sysObjectID: text("1.3.6.1.2.1.1.2.0"),
  serial: serialRow ? text(`1.3.6.1.2.1.43.5.1.1.17.${serialRow}`).trim() : null,
  markerLifeCount: column("1.3.6.1.2.1.43.10.2.1.4").map((index) => ({
    index,
    value: int(`1.3.6.1.2.1.43.10.2.1.4.${index}`),
  })),
  supplies: supplyRows.map((index) => ({
    index,
    description: text(`${SUPPLY}.6.${index}`),
    class: int(`${SUPPLY}.4.${index}`),
    type: int(`${SUPPLY}.5.${index}`),
    unit: int(`${SUPPLY}.7.${index}`),
    max: int(`${SUPPLY}.8.${index}`),
    level: int(`${SUPPLY}.9.${index}`),
  })),
  hrPrinterStatus: column("1.3.6.1.2.1.25.3.5.1.1").map((index) => ({
    index,
    value: int(`1.3.6.1.2.1.25.3.5.1.1.${index}`),
  })),
  hrPrinterDetectedErrorStateHex: Object.fromEntries(
    column("1.3.6.1.2.1.25.3.5.1.2").map((index) => [index, hexOf(`1.3.6.1.2.1.25.3.5.1.2.${index}`)]),
  ),
  xeroxBilling: column("1.3.6.1.4.1.253.8.53.13.2.1.6").map((index) => ({
    index,
    label: text(`1.3.6.1.4.1.253.8.53.13.2.1.9.${index}`),
    value: int(`1.3.6.1.4.1.253.8.53.13.2.1.6.${index}`),
  })),
};
process.stdout.write(`${JSON.stringify(facts, null, 1)}\n`);
