import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { renderImpactHtml } from "../../../src/impact/html.js";
import { measureImpact } from "../../../src/impact/measure.js";
import { measureSnmpPoll } from "../../../src/impact/snmp.js";
import { colourHistogram, decodePng, pixelsNear } from "./png.js";

const CHROMIUM = "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "esol-impact-shot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("esol impact --html in headless Chromium", () => {
  it.skipIf(!existsSync(CHROMIUM))(
    "renders the charts and tables (the screenshot is not blank)",
    async () => {
      // Real figures: small device counts against the real server, SNMP from a simulated Xerox (ports from the OS).
      const snmp = await measureSnmpPoll();
      const report = await measureImpact({ devices: [1, 10, 30], snmp });
      const htmlFile = join(dir, "impact.html");
      writeFileSync(htmlFile, renderImpactHtml(report));
      const png = join(dir, "impact.png");
      const profile = mkdtempSync(join(dir, "profile-"));
      const r = spawnSync(
        CHROMIUM,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          `--user-data-dir=${profile}`,
          `--screenshot=${png}`,
          "--window-size=1200,1600",
          pathToFileURL(htmlFile).href,
        ],
        { encoding: "utf8", timeout: 90_000 },
      );
      expect(r.error).toBeUndefined();
      expect(existsSync(png), `chromium wrote no screenshot: ${r.stderr.slice(-500)}`).toBe(true);
      if (process.env.ESOL_KEEP_SCREENSHOT)
        writeFileSync(process.env.ESOL_KEEP_SCREENSHOT, readFileSync(png));
      const img = decodePng(readFileSync(png));
      expect([img.width, img.height]).toEqual([1200, 1600]);
      const histogram = colourHistogram(img);
      // A blank page has one colour; text, axes, anti-aliased lines and two series give hundreds.
      expect(histogram.size).toBeGreaterThan(50);
      const total = img.width * img.height;
      const background = Math.max(...histogram.values());
      expect(background / total).toBeLessThan(0.95);
      // Both series are drawn: our blue and the vendor's red (as in html.ts).
      expect(pixelsNear(histogram, 0x1f6fb4)).toBeGreaterThan(200);
      expect(pixelsNear(histogram, 0xc0392b)).toBeGreaterThan(200);
    },
  );
});
