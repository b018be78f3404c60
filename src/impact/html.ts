/**
 * The self-contained HTML page of `esol impact --html`: inline CSS and inline SVG only
 * (it is mailed around and opened offline), one chart per vendor row and the traffic of
 * a site under the default schedule. Pure: report in, string out.
 * @module
 */
import {
  comparedBytes,
  type ImpactReport,
  type ImpactTransaction,
  type SnmpPollMeasurement,
} from "./model.js";
import { formatImpactTable, judgeImpact, tlsSummary } from "./table.js";
import {
  DEFAULT_SCHEDULE,
  formatBytes,
  type SiteTraffic,
  siteTraffic,
  snmpPerDevicePerDay,
  type TrafficSchedule,
} from "./traffic.js";
import { vendorBytes } from "./vendor.js";

/** Options of {@link renderImpactHtml}. */
export interface ImpactHtmlOptions {
  /** Page title. */
  title?: string;
  /** Schedule for the traffic table; default {@link DEFAULT_SCHEDULE}. */
  schedule?: TrafficSchedule;
  /** The text of `formatSavingsTable()`, shown as "what each choice saves" when given. */
  savingsTable?: string;
  /** Timestamp printed in the footer; default none (keeps output reproducible). */
  generatedAt?: Date;
}

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const OURS = "#1f6fb4";
const VENDOR = "#c0392b";

/** Geometry of one chart. */
interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FRAME: Frame = { width: 520, height: 320, left: 64, right: 16, top: 48, bottom: 44 };

/**
 * One SVG chart: bytes against devices on log–log axes, the vendor's formula as a line,
 * our measured points and their fitted line.
 * @example
 * ```ts
 * const svg = renderTransactionChart(report.transactions[0]!);
 * ```
 */
export function renderTransactionChart(t: ImpactTransaction): string {
  const f = FRAME;
  const xsMeasured = t.points.map((p) => p.devices);
  const xMin = 1;
  const xMax = Math.max(10, ...xsMeasured);
  const curveXs = logSpace(xMin, xMax, 48);
  const oursAt = (x: number): number => t.fit.perDevice * x + t.fit.fixed;
  const vendor = t.vendor;
  const ys: number[] = t.points.map((p) => comparedBytes(t, p));
  for (const x of curveXs) {
    if (oursAt(x) > 0) ys.push(oursAt(x));
    if (vendor) ys.push(vendorBytes(vendor, x));
  }
  const positive = ys.filter((y) => y > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...positive, 100)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...positive, 1000)));
  const px = (x: number): number =>
    f.left +
    ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) *
      (f.width - f.left - f.right);
  const py = (y: number): number =>
    f.height -
    f.bottom -
    ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) *
      (f.height - f.top - f.bottom);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${escapeHtml(`${t.vendorRow}: bytes against devices`)}">`,
  );
  parts.push(`<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>`);
  for (let e = Math.log10(yMin); e <= Math.log10(yMax) + 1e-9; e++) {
    const y = py(10 ** e).toFixed(1);
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`);
    parts.push(
      `<text x="${f.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${escapeHtml(formatBytes(10 ** e))}</text>`,
    );
  }
  // Decades, plus the largest measured count when it is not one (so the axis end is labelled).
  const xTicks = Array.from({ length: Math.floor(Math.log10(xMax) + 1e-9) + 1 }, (_, e) => 10 ** e);
  if (!xTicks.includes(xMax)) xTicks.push(xMax);
  for (const tick of xTicks) {
    const x = px(tick).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${f.top}" y2="${f.height - f.bottom}" stroke="#e3e3e3"/>`);
    parts.push(
      `<text x="${x}" y="${f.height - f.bottom + 16}" text-anchor="middle" class="tick">${tick}</text>`,
    );
  }
  parts.push(
    `<rect x="${f.left}" y="${f.top}" width="${f.width - f.left - f.right}" height="${f.height - f.top - f.bottom}" fill="none" stroke="#888"/>`,
  );
  parts.push(
    `<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - 8}" text-anchor="middle" class="axis">devices (log)</text>`,
  );
  parts.push(
    `<text x="14" y="${(f.top + f.height - f.bottom) / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${(f.top + f.height - f.bottom) / 2})">bytes (log)</text>`,
  );
  if (vendor) {
    const d = curveXs
      .map((x, i) => `${i === 0 ? "M" : "L"}${px(x).toFixed(1)},${py(vendorBytes(vendor, x)).toFixed(1)}`)
      .join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${VENDOR}" stroke-width="2.5" class="vendor-line"/>`);
  }
  const fitted = curveXs.filter((x) => oursAt(x) > 0);
  if (fitted.length > 1) {
    const d = fitted
      .map((x, i) => `${i === 0 ? "M" : "L"}${px(x).toFixed(1)},${py(oursAt(x)).toFixed(1)}`)
      .join(" ");
    parts.push(
      `<path d="${d}" fill="none" stroke="${OURS}" stroke-width="2" stroke-dasharray="6 4" class="ours-line"/>`,
    );
  }
  for (const p of t.points) {
    const bytes = comparedBytes(t, p);
    parts.push(
      `<circle cx="${px(p.devices).toFixed(1)}" cy="${py(bytes).toFixed(1)}" r="4.5" fill="${OURS}" class="ours-point"><title>${p.devices} devices: ${bytes} B</title></circle>`,
    );
  }
  // The legend sits above the plot so that it never hides a line.
  const lx = f.left;
  parts.push(`<rect x="${lx}" y="8" width="14" height="4" fill="${OURS}"/>`);
  parts.push(
    `<text x="${lx + 20}" y="14" class="legend">ours: measured points, fit ${escapeHtml(formatFit(t.fit))}</text>`,
  );
  if (vendor) {
    parts.push(`<rect x="${lx}" y="25" width="14" height="4" fill="${VENDOR}"/>`);
    parts.push(`<text x="${lx + 20}" y="31" class="legend">vendor: ${escapeHtml(formatFit(vendor))}</text>`);
  } else {
    parts.push(`<text x="${lx}" y="31" class="legend">vendor: no figure published</text>`);
  }
  parts.push("</svg>");
  return parts.join("");
}

function formatFit(fit: { perDevice: number; fixed: number }): string {
  return `${Number.isInteger(fit.perDevice) ? fit.perDevice : fit.perDevice.toFixed(1)}·x + ${Math.round(fit.fixed)}`;
}

function logSpace(from: number, to: number, n: number): number[] {
  const a = Math.log10(from);
  const b = Math.log10(to);
  return Array.from({ length: n }, (_, i) => 10 ** (a + ((b - a) * i) / (n - 1)));
}

const SNMP_NOT_MEASURED =
  "SNMP: not measured in this run (no simulated printer was polled), so the SNMP column is left empty and the totals are SOAP only.";

/** Both polls in one sentence: the full reading, the steady poll, and what a device costs a day. */
function snmpSentence(snmp: SnmpPollMeasurement, schedule: TrafficSchedule): string {
  const daily = snmpPerDevicePerDay(snmp, schedule);
  const full = `one full reading of one device (${escapeHtml(snmp.device)}) = ${snmp.requestBytes + snmp.responseBytes} B of UDP payload (${snmp.requestBytes} B out, ${snmp.responseBytes} B back, ${snmp.datagrams} datagrams)`;
  const hours = schedule.pollIntervalMs / 3_600_000;
  if (!snmp.steady)
    return `SNMP: ${full}, every ${hours} h (${formatBytes(daily.bytesPerDevicePerDay)} per device per day).`;
  const s = snmp.steady;
  return `SNMP: ${full}, ${daily.fullReadingsPerDay} a day; one steady poll (a GET of the device's poll plan) = ${s.requestBytes + s.responseBytes} B (${s.requestBytes} B out, ${s.responseBytes} B back, ${s.datagrams} datagrams), the other ${daily.pollsPerDay - daily.fullReadingsPerDay} polls of the day (every ${hours} h): ${formatBytes(daily.bytesPerDevicePerDay)} per device per day.`;
}

/** The traffic table's rows: one per measured site size. */
export function trafficRows(
  report: ImpactReport,
  schedule: TrafficSchedule = DEFAULT_SCHEDULE,
): SiteTraffic[] {
  return report.options.devices.map((x) => siteTraffic(report, x, schedule));
}

/**
 * The whole page.
 * @example
 * ```ts
 * await writeFile("impact.html", renderImpactHtml(report));
 * ```
 */
export function renderImpactHtml(report: ImpactReport, options: ImpactHtmlOptions = {}): string {
  const schedule = options.schedule ?? DEFAULT_SCHEDULE;
  const title = options.title ?? "eSolutions client: network impact";
  const verdicts = new Map(judgeImpact(report).map((v) => [v.vendorRow, v]));
  const o = report.options;
  const charts = report.transactions
    .map((t) => {
      const v = verdicts.get(t.vendorRow);
      const status = !t.vendor
        ? "no vendor figure"
        : v && v.overAt.length === 0
          ? `at or below the vendor at every x${v.slopeRatio === null ? "" : `; slope ${(v.slopeRatio * 100).toFixed(0)}% of the vendor's`}`
          : `ABOVE the vendor at x = ${v?.overAt.join(", ")}`;
      return `<section class="chart"><h3>${escapeHtml(t.vendorRow)}</h3><p class="sub">${escapeHtml(t.operation)} ${t.message} · ${escapeHtml(status)}</p>${renderTransactionChart(t)}</section>`;
    })
    .join("\n");
  const snmpNote = report.snmp ? snmpSentence(report.snmp, schedule) : SNMP_NOT_MEASURED;
  const tlsLine = tlsSummary(report)?.replace(/; reported separately, not in the figures above$/, "");
  const rows = trafficRows(report, schedule)
    .map(
      (r) =>
        `<tr><td>${r.devices}</td><td>${formatBytes(r.soapPerDay)}</td><td>${r.snmpPerDay === null ? "not measured" : formatBytes(r.snmpPerDay)}</td><td>${formatBytes(r.perDay)}</td><td>${formatBytes(r.perMonth)}</td><td>${formatBytes(r.perYear)}</td><td>${formatBytes(r.oneTime)}</td></tr>`,
    )
    .join("\n");
  const settings = `${o.signed ? `signed (${escapeHtml(o.algorithm)}, key reference ${escapeHtml(o.keyReference)} after registration)` : "unsigned"}, gzip ${o.gzip ? "on" : "off"}, responses ${o.signResponses ? "signed" : "unsigned"}, supplies service ${o.supplies ? "on" : "off"}, ${escapeHtml(o.billingCycle)} billing`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#fafafa;margin:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:0}
.sub{color:#555;margin:2px 0 6px;font-size:12px}
.grid{display:flex;flex-wrap:wrap;gap:16px}
.chart{width:520px;background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:4px 10px;text-align:right}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}
pre{background:#fff;border:1px solid #ddd;padding:10px;overflow:auto;font-size:12px}
.tick{font-size:11px;fill:#555}.axis{font-size:12px;fill:#333}.legend{font-size:12px;fill:#222}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">Bytes of each message on the wire (HTTP headers + body) against the vendor's published formulas. ${settings}.</p>
<h2>Per transaction</h2>
<div class="grid">
${charts}
</div>
<h2>Traffic of a site</h2>
<p class="sub">Average over a year: ${schedule.syncsPerDay} sync a day, ${schedule.suppliesReportsPerDay} supplies report a day, ${schedule.billingCyclesPerYear} billing cycles a year, SNMP poll every ${schedule.pollIntervalMs / 3_600_000} h per device. One-time: registering the client and the devices, enabling services, confirming them. TLS framing and handshakes are not included.</p>
<table><thead><tr><th>devices</th><th>SOAP / day</th><th>SNMP / day</th><th>total / day</th><th>total / month</th><th>total / year</th><th>one-time</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="sub">${snmpNote}</p>
${tlsLine ? `<p class="sub">TLS, counted on the socket: ${escapeHtml(tlsLine)}. A client opens one connection per daily session.</p>` : ""}
<h2>Table</h2>
<pre>${escapeHtml(formatImpactTable(report))}</pre>
${options.savingsTable ? `<h2>What each choice saves</h2>\n<pre>${escapeHtml(options.savingsTable)}</pre>` : ""}
${options.generatedAt ? `<p class="sub">Generated ${escapeHtml(options.generatedAt.toISOString())}.</p>` : ""}
</body></html>
`;
}
