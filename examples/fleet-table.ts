/**
 * A custom fleet tool in 40 lines: reads the meters and supplies of every printer in a
 * subnet or port range and prints one table row per device.
 *
 *   npx tsx fleet-table.ts 192.0.2.0/24            # a subnet, SNMP port 161
 *   npx tsx fleet-table.ts 127.0.0.1:16100-16119   # a simulated fleet (esol sim)
 */
import { type DeviceReading, type MeterReading, PrinterReader } from "esolutions-sdk";

const targets = process.argv.slice(2);
if (targets.length === 0)
  throw new Error("usage: fleet-table TARGET... (host, host:port, host:p1-p2, a.b.c.d/nn)");

const reader = new PrinterReader({ credentials: { version: "v2c", community: "public" }, timeoutMs: 1500 });
const readings: DeviceReading[] = [];
const failures: string[] = [];
for await (const result of reader.poll(targets, { concurrency: 32 })) {
  if (result.reading) readings.push(result.reading);
  else failures.push(`${result.target}: ${result.error.code}`);
}

// Vendor meter maps name billing meters; the Printer-MIB life count is there on every printer.
const meter = (meters: MeterReading[], ...names: string[]): string =>
  String(names.map((n) => meters.find((m) => m.name === n)?.value).find((v) => v !== undefined) ?? "-");
const toner = (r: DeviceReading): string =>
  r.supplies
    .filter((s) => s.class === 3 && s.colorant !== null) // consumed supplies with a colour: toner, ink
    .map((s) => `${s.colorant}:${s.percent ?? "?"}%`)
    .join(" ");

const rows = readings
  .sort((a, b) => a.target.localeCompare(b.target, "en", { numeric: true }))
  .map((r) => [
    r.target,
    `${r.identity.vendor ?? "?"} ${r.identity.model ?? "?"}`,
    r.identity.serial ?? "-",
    meter(r.meters, "Total Impressions", "PWG Total Impressions", "Marker Life Count"),
    meter(r.meters, "Black Impressions", "PWG Monochrome Impressions"),
    meter(r.meters, "Color Impressions", "PWG Full Color Impressions"),
    toner(r),
  ]);
const table = [["TARGET", "MODEL", "SERIAL", "TOTAL", "BLACK", "COLOR", "SUPPLIES"], ...rows];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table)
  console.log(
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
console.log(
  `${readings.length} read, ${failures.length} failed${failures.length ? `: ${failures.join(", ")}` : ""}`,
);
