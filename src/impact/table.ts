/**
 * The plain-text table `esol impact` prints: ours next to the vendor's per row and
 * device count, with the ratio, and both fitted lines.
 * @module
 */
import { comparedBytes, type ImpactReport, type ImpactTransaction } from "./model.js";
import { vendorBytes } from "./vendor.js";

/** Whether each measured size is at or below the vendor's, and slopes at most the target share. */
export interface ImpactVerdict {
  /** Vendor row. */
  vendorRow: string;
  /** Device counts where ours exceeded the vendor's figure. */
  overAt: number[];
  /** ours.perDevice / vendor.perDevice, or null when the vendor gives no slope. */
  slopeRatio: number | null;
}

/**
 * Compares each transaction with the vendor's formula.
 * @example
 * ```ts
 * const bad = judgeImpact(report).filter((v) => v.overAt.length > 0);
 * ```
 */
export function judgeImpact(report: Pick<ImpactReport, "transactions">): ImpactVerdict[] {
  return report.transactions.map((t) => {
    const vendor = t.vendor;
    const overAt = vendor
      ? t.points.filter((p) => comparedBytes(t, p) > vendorBytes(vendor, p.devices)).map((p) => p.devices)
      : [];
    const slopeRatio = vendor && vendor.perDevice > 0 ? round3(t.fit.perDevice / vendor.perDevice) : null;
    return { vendorRow: t.vendorRow, overAt, slopeRatio };
  });
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : " ".repeat(n - s.length) + s);

/**
 * Renders the comparison table (three lines per vendor row: ours, vendor, ratio).
 * @example
 * ```ts
 * process.stdout.write(formatImpactTable(await measureImpact()));
 * ```
 */
export function formatImpactTable(report: ImpactReport): string {
  const xs = report.options.devices;
  const colW = Math.max(9, ...xs.map((x) => String(x).length + 3));
  const head =
    `${pad("vendor row", 36)}${pad("our message", 32)}${pad("", 7)}` +
    xs.map((x) => lpad(`x=${x}`, colW)).join("") +
    lpad("per-device", 12) +
    lpad("fixed", 9);
  const lines = [head, "-".repeat(head.length)];
  for (const t of report.transactions) lines.push(...rowLines(t, xs, colW));
  const o = report.options;
  lines.push("");
  lines.push(
    `bytes = HTTP headers + body on the wire; ${o.signed ? `signed ${o.algorithm}, key reference ${o.keyReference} after registration` : "unsigned"}, gzip ${o.gzip ? "on" : "off"}, responses ${o.signResponses ? "signed" : "unsigned"}, supplies ${o.supplies ? "on" : "off"}`,
  );
  const tls = tlsSummary(report);
  if (tls) lines.push(tls);
  return `${lines.join("\n")}\n`;
}

function rowLines(t: ImpactTransaction, xs: readonly number[], colW: number): string[] {
  const ours = xs.map((x) => {
    const p = t.points.find((q) => q.devices === x);
    return p ? comparedBytes(t, p) : undefined;
  });
  const label = `${t.operation} ${t.message}${t.operation === "Sync" && t.message === "response" ? ` (${t.vendorRow.startsWith("Billing") ? "BillingRequest" : "EnableService"})` : ""}`;
  const num = (v: number | undefined): string => lpad(v === undefined ? "-" : String(Math.round(v)), colW);
  const fitCols = (a: number, b: number): string =>
    lpad((Math.abs(a) < 0.05 ? 0 : a).toFixed(1), 12) + lpad(String(Math.round(b)), 9);
  const lines = [
    `${pad(t.vendorRow, 36)}${pad(label, 32)}${pad("ours", 7)}${ours.map(num).join("")}${fitCols(t.fit.perDevice, t.fit.fixed)}`,
  ];
  const vendor = t.vendor;
  if (!vendor) {
    lines.push(`${pad("", 68)}${pad("vendor", 7)}${xs.map(() => lpad("n/a", colW)).join("")}`);
    return lines;
  }
  const theirs = xs.map((x) => vendorBytes(vendor, x));
  lines.push(
    `${pad("", 68)}${pad("vendor", 7)}${theirs.map(num).join("")}${fitCols(vendor.perDevice, vendor.fixed)}`,
  );
  const ratio = (a: number | undefined, b: number): string =>
    lpad(a === undefined || b === 0 ? "-" : (a / b).toFixed(2), colW);
  lines.push(
    `${pad("", 68)}${pad("ratio", 7)}${ours.map((v, i) => ratio(v, theirs[i]!)).join("")}` +
      lpad(vendor.perDevice === 0 ? "-" : (t.fit.perDevice / vendor.perDevice).toFixed(2), 12) +
      lpad((t.fit.fixed / vendor.fixed).toFixed(2), 9),
  );
  return lines;
}

/** One line on TLS: what the socket carried beyond the HTTP bytes (records and handshakes). */
export function tlsSummary(report: Pick<ImpactReport, "transactions">): string | undefined {
  let reused = 0;
  let reusedPlain = 0;
  let reusedCount = 0;
  let handshakeExtra = 0;
  let handshakes = 0;
  for (const t of report.transactions) {
    for (const p of t.points) {
      if (!p.tls) continue;
      const extra = p.tls.requestBytes + p.tls.responseBytes - p.requestBytes - p.responseBytes;
      if (p.tls.newConnections === 0) {
        reused += extra;
        reusedPlain += p.requestBytes + p.responseBytes;
        reusedCount++;
      } else {
        handshakeExtra += extra;
        handshakes += p.tls.newConnections;
      }
    }
  }
  if (reusedCount === 0 && handshakes === 0) return undefined;
  const parts: string[] = [];
  if (reusedCount > 0) {
    parts.push(
      `TLS records add ${Math.round(reused / reusedCount)} B per exchange on average (${((100 * reused) / reusedPlain).toFixed(1)}% of the HTTP bytes)`,
    );
  }
  if (handshakes > 0) {
    parts.push(
      `an exchange that opens a connection adds ${Math.round(handshakeExtra / handshakes)} B (TLS handshake + records)`,
    );
  }
  return `${parts.join("; ")}; reported separately, not in the figures above`;
}
