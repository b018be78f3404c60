/**
 * A vendor meter map: names the rows of a vendor's labelled billing-meter table, here the
 * large-format impressions that Xerox VersaLink models label "Color Large Printed
 * Impressions". Checked offline against a recording (snmpsim `.snmprec`) of the device;
 * the same registry then goes to `PrinterReader` for live reads.
 *
 *   npx tsx meter-map.ts versalink.snmprec
 */
import { readFileSync } from "node:fs";
import { decodeReading, type MeterMap, MeterMapRegistry } from "esolutions-sdk";
import { parseSnmprec } from "esolutions-sdk/sim";

const versalinkLarge: MeterMap = {
  id: "xerox-versalink-large",
  enterprise: 253, // Xerox: sysObjectID 1.3.6.1.4.1.253.…
  models: /VersaLink/i, // only these models; tried before the built-in vendor-wide Xerox map
  valueColumn: "1.3.6.1.4.1.253.8.53.13.2.1.6", // the counter values…
  labelColumn: "1.3.6.1.4.1.253.8.53.13.2.1.9", // …and their labels, same row indexes
  rules: [
    { label: /^colou?r\s+large\s+printed\s+impressions$/i, name: "Color Large Impressions" },
    { label: /^black\s+large\s+printed\s+impressions$/i, name: "Black Large Impressions" },
    { label: "Black Printed Sheets", name: "Black Sheets", unit: "sheets" }, // exact, any case
  ],
};

// The built-in maps plus ours (a registry of your own leaves `defaultMeterMaps` untouched).
const meterMaps = new MeterMapRegistry().register(versalinkLarge);

const [recording] = process.argv.slice(2);
if (!recording) throw new Error("usage: meter-map RECORDING.snmprec");
const varbinds = parseSnmprec(readFileSync(recording, "utf8"), { source: recording });
const reading = decodeReading(varbinds, { target: recording, meterMaps });
console.log(`${reading.identity.vendor} ${reading.identity.model}`);
for (const m of reading.meters.filter((meter) => meter.source === "vendor"))
  console.log(`${m.name} = ${m.value} ${m.unit ?? ""}  (label "${m.label}", map ${m.mapId})`);
// Live reads: `new PrinterReader({ meterMaps })` walks the columns these maps name for
// each device it reads (and `new Agent(config, { reader })` uses that reader).
