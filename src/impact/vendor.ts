/**
 * The vendor FAQ's published sizes (`shared/DESIGN.md`), one row per transaction, and
 * which of our messages each row is compared with. The row names are read by outside
 * tools from `esol impact --json`: never rename them.
 * @module
 */

/** The WSDL operations whose messages `esol impact` measures. */
export type ImpactOperation =
  | "RegisterProxy"
  | "RegisterDevices"
  | "Sync"
  | "ReportSyncStatus"
  | "SubmitBillingReads"
  | "SubmitSuppliesReport";

/** Which side of an exchange a vendor row names. */
export type ImpactMessage = "request" | "response";

/** What a `Sync` exchange carries, for the three vendor rows that are all `Sync`. */
export type SyncScenario = "daily" | "EnableService" | "BillingRequest";

/** A size model `perDevice · x + fixed`, in bytes, for x devices. */
export interface LinearSize {
  /** Bytes added by each device. */
  perDevice: number;
  /** Bytes whatever the number of devices. */
  fixed: number;
}

/** One row of the vendor's table and the message of ours it is compared with. */
export interface VendorRow {
  /** The vendor's name for the transaction (stable: outside tools read it). */
  row: string;
  /** Our WSDL operation. */
  operation: ImpactOperation;
  /** The message of the exchange the vendor's figure is compared with. */
  message: ImpactMessage;
  /** For `Sync` rows: which exchange (a daily sync, or one whose response carries directives). */
  scenario?: SyncScenario;
  /** How often the transaction happens, in the vendor's words. */
  when: string;
  /** The vendor's size, or null where the FAQ gives none. */
  vendor: LinearSize | null;
}

/**
 * The vendor's rows in the FAQ's order.
 *
 * @example
 * ```ts
 * const billing = VENDOR_ROWS.find((r) => r.row === "Billing Transaction Response");
 * vendorBytes(billing!.vendor!, 100); // 133393
 * ```
 */
export const VENDOR_ROWS: readonly VendorRow[] = [
  {
    row: "Registration of the client (proxy)",
    operation: "RegisterProxy",
    message: "request",
    when: "once per client lifetime",
    vendor: { perDevice: 0, fixed: 1526 },
  },
  {
    row: "Registration of devices",
    operation: "RegisterDevices",
    message: "request",
    when: "once per device lifetime",
    vendor: { perDevice: 393, fixed: 1503 },
  },
  {
    row: "Sync Request",
    operation: "Sync",
    message: "request",
    scenario: "daily",
    when: "daily",
    vendor: { perDevice: 0, fixed: 1425 },
  },
  {
    row: "Sync Request Response",
    operation: "Sync",
    message: "response",
    scenario: "EnableService",
    when: "once per device lifetime",
    vendor: { perDevice: 1510, fixed: 1425 },
  },
  {
    row: "Sync Status",
    operation: "ReportSyncStatus",
    message: "request",
    when: "once per device lifetime",
    vendor: { perDevice: 260, fixed: 1247 },
  },
  {
    row: "Billing Transaction Request",
    operation: "Sync",
    message: "response",
    scenario: "BillingRequest",
    when: "each billing cycle",
    vendor: { perDevice: 1510, fixed: 1425 },
  },
  {
    row: "Billing Transaction Response",
    operation: "SubmitBillingReads",
    message: "request",
    when: "each billing cycle",
    vendor: { perDevice: 1314, fixed: 1993 },
  },
  {
    row: "Supplies usage for replenishment",
    operation: "SubmitSuppliesReport",
    message: "request",
    when: "periodic, when the server switched supplies on",
    vendor: null,
  },
];

/**
 * The rows whose per-device slope must be at most half the vendor's (issue 8's target);
 * the others only have to stay at or below the vendor's size.
 */
export const HALF_SLOPE_ROWS: readonly string[] = [
  "Registration of devices",
  "Sync Request Response",
  "Billing Transaction Request",
  "Sync Status",
  "Billing Transaction Response",
];

/** The vendor's size for x devices. */
export function vendorBytes(size: LinearSize, devices: number): number {
  return size.perDevice * devices + size.fixed;
}
