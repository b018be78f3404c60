/**
 * What each size choice saves: the same conversation measured with one choice switched
 * back to its plain form at a time (gzip off, certificate in every message, RSA).
 * @module
 */
import { type MeasureImpactOptions, measureImpact, resolveImpactOptions } from "./measure.js";
import { comparedBytes, type ImpactReport, type ImpactRunOptions } from "./model.js";

/** One measured variant. */
export interface ImpactVariant {
  /**
   * Short name: `baseline`, `gzip off`, `BST always` (certificate in every message instead of a
   * thumbprint), `RSA-2048` (instead of ECDSA), `unsigned` (what WS-Security costs), `none of them`.
   */
  name: string;
  /** The options it changed. */
  changed: Partial<ImpactRunOptions>;
  /** Its report. */
  report: ImpactReport;
}

/** The baseline and each single-choice variant. */
export interface ImpactSavings {
  /** The variants; the first is the baseline (the options as given). */
  variants: ImpactVariant[];
}

/**
 * The variants to compare with a baseline: each undoes one choice the baseline made.
 * Choices the baseline already does not make produce no variant.
 */
export function savingsVariants(base: ImpactRunOptions): Array<{
  /** What the variant undoes, e.g. `no gzip`. */
  name: string;
  /** The options it changes from the baseline. */
  changed: Partial<ImpactRunOptions>;
}> {
  const out: Array<{ name: string; changed: Partial<ImpactRunOptions> }> = [];
  if (base.gzip) out.push({ name: "gzip off", changed: { gzip: false } });
  if (base.signed && base.keyReference !== "bst") {
    out.push({ name: "BST always", changed: { keyReference: "bst" } });
  }
  if (base.signed && base.algorithm.startsWith("ecdsa"))
    out.push({ name: "RSA-2048", changed: { algorithm: "rsa-sha256" } });
  if (base.signed) out.push({ name: "unsigned", changed: { signed: false } });
  if (base.gzip || base.keyReference !== "bst" || base.algorithm.startsWith("ecdsa")) {
    out.push({
      name: "none of them",
      changed: {
        gzip: false,
        keyReference: "bst",
        ...(base.algorithm.startsWith("ecdsa") ? { algorithm: "rsa-sha256" as const } : {}),
      },
    });
  }
  return out;
}

/**
 * Measures the baseline and every variant of {@link savingsVariants}, one after the other.
 * @example
 * ```ts
 * const savings = await measureSavings({ devices: [1, 100] });
 * console.log(formatSavingsTable(savings));
 * ```
 */
export async function measureSavings(options: MeasureImpactOptions = {}): Promise<ImpactSavings> {
  const base = resolveImpactOptions(options);
  const variants: ImpactVariant[] = [{ name: "baseline", changed: {}, report: await measureImpact(options) }];
  for (const v of savingsVariants(base)) {
    const report = await measureImpact({ ...options, ...v.changed });
    variants.push({ ...v, report });
  }
  return { variants };
}

/**
 * One line per vendor row, one column per variant: bytes of the compared message at the
 * largest device count, and the change against the baseline.
 */
export function formatSavingsTable(savings: ImpactSavings): string {
  const [base] = savings.variants;
  if (!base) return "";
  const x = Math.max(...base.report.options.devices);
  const rows = base.report.transactions.map((t) => {
    const cells = savings.variants.map((v) => {
      const vt = v.report.transactions.find((q) => q.vendorRow === t.vendorRow);
      const p = vt?.points.find((q) => q.devices === x);
      if (!vt || !p) return "-";
      const bytes = comparedBytes(vt, p);
      const bp = t.points.find((q) => q.devices === x);
      const baseBytes = bp ? comparedBytes(t, bp) : bytes;
      if (v === base) return String(bytes);
      const pct = Math.round(((bytes - baseBytes) / baseBytes) * 100);
      return `${bytes} (${pct >= 0 ? "+" : ""}${pct}%)`;
    });
    return { name: t.vendorRow, cells };
  });
  const widths = savings.variants.map(
    (v, i) => 2 + Math.max(v.name.length, ...rows.map((r) => (r.cells[i] ?? "").length)),
  );
  const lines = [
    `bytes of the compared message at x = ${x}; in brackets: change against the baseline`,
    `${"vendor row".padEnd(36)}${savings.variants.map((v, i) => v.name.padStart(widths[i]!)).join("")}`,
  ];
  for (const r of rows)
    lines.push(`${r.name.padEnd(36)}${r.cells.map((c, i) => c.padStart(widths[i]!)).join("")}`);
  return `${lines.join("\n")}\n`;
}
