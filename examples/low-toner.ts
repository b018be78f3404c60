/**
 * Low-toner report: every supply the reader says needs attention, across a fleet — a
 * consumable (toner, ink, drum) at or below a threshold or empty, and a waste container
 * whose remaining space is at or below it or gone. The reader's supply `state` decides
 * (a receptacle's level is its remaining space, RFC 3805 prtMarkerSuppliesLevel, so a
 * high percent there is good). Supplies that report no percent (level -3 "some remaining",
 * -2 unknown) are counted apart: they cannot be judged.
 *
 *   npx tsx low-toner.ts [--below PERCENT] TARGET...
 *   npx tsx low-toner.ts --below 25 127.0.0.1:16100-16119
 */
import { parseArgs } from "node:util";
import { PrinterReader, type SupplyLevel } from "esolutions-sdk";

const { values, positionals: targets } = parseArgs({
  options: { below: { type: "string", default: "20" } },
  allowPositionals: true,
});
const below = Number(values.below);
if (!Number.isFinite(below) || below < 0 || below > 100) throw new Error("--below takes a percent 0..100");
if (targets.length === 0) throw new Error("usage: low-toner [--below PERCENT] TARGET...");

/** Why a supply needs attention, or null: its state as the reader judged it. */
function attention(s: SupplyLevel): string | null {
  switch (s.state) {
    case "low":
      return `${s.percent}% left`;
    case "empty":
      return "empty";
    case "nearlyFull":
      return `${s.percent}% space left`;
    case "full":
      return "full";
    default:
      return null;
  }
}

/** States that say nothing about how much is left. */
const UNJUDGED = new Set<SupplyLevel["state"]>(["someRemaining", "unknown", "other", "noCapacity"]);

// The threshold goes to the reader: it decides `low` and `nearlyFull` with it.
const reader = new PrinterReader({
  credentials: { version: "v2c", community: "public" },
  lowSupplyPercent: below,
});
let devices = 0;
let low = 0;
let unjudged = 0;
const unreachable: string[] = [];
for await (const { target, reading, error } of reader.poll(targets, { concurrency: 32 })) {
  if (!reading) {
    unreachable.push(`${target} (${error.code})`);
    continue;
  }
  devices++;
  for (const supply of reading.supplies) {
    if (UNJUDGED.has(supply.state)) unjudged++;
    const why = attention(supply);
    if (!why) continue;
    low++;
    const name = supply.colorant ?? supply.description ?? `supply ${supply.index}`;
    const who = `${reading.identity.model ?? "?"} ${reading.identity.serial ?? "?"}`;
    console.log(`${target}\t${who}\t${name}\t${why}`);
  }
}
console.log(`${low} supplies need attention on ${devices} devices (threshold ${below}%)`);
if (unjudged) console.log(`${unjudged} supplies report no percent (state someRemaining, unknown or other)`);
if (unreachable.length) console.log(`unreachable: ${unreachable.join(", ")}`);
