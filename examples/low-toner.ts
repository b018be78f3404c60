/**
 * Low-toner report: every consumable (toner, ink, drum) at or below a threshold and every
 * waste container at or above (100 − threshold), across a fleet. Supplies that report no
 * percent (level -3 "some remaining", -2 unknown) are counted apart: they cannot be judged.
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

/** Why a supply needs attention, or null. Receptacles (class 4) fill up: high is bad. */
function attention(s: SupplyLevel): string | null {
  if (s.percent === null) return null;
  if (s.class === 4) return s.percent >= 100 - below ? `${s.percent}% full` : null;
  return s.percent <= below ? `${s.percent}% left` : null;
}

const reader = new PrinterReader({ credentials: { version: "v2c", community: "public" } });
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
    if (supply.percent === null) unjudged++;
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
