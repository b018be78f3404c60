/**
 * The figures `measureImpact()` returns and `esol impact --json` prints. Field names
 * are read by outside tools: extend, never rename.
 * @module
 */
import type { ImpactMessage, ImpactOperation, LinearSize } from "./vendor.js";

/** Signature algorithms the measurement can sign with (the WS-Security signer's names). */
export type ImpactAlgorithm = "rsa-sha256" | "rsa-sha512" | "ecdsa-sha256" | "ecdsa-sha384";

/** How the signer names its key in each signed message. */
export type ImpactKeyReference = "bst" | "thumbprint-sha1" | "thumbprint-sha256";

/** Bytes counted on the TCP socket under TLS (records, and handshakes of new connections). */
export interface TlsBytes {
  /** Client → server bytes on the socket during the exchange. */
  requestBytes: number;
  /** Server → client bytes on the socket during the exchange. */
  responseBytes: number;
  /** TCP connections (so TLS handshakes) the exchange opened; 0 when it reused one. */
  newConnections: number;
}

/** One measured exchange for a number of devices. */
export interface ImpactPoint {
  /** Devices the exchange is about. */
  devices: number;
  /** Request size on the wire: HTTP headers + body (compressed when gzip is on). */
  requestBytes: number;
  /** Response size on the wire: HTTP headers + body. */
  responseBytes: number;
  /** The same exchange counted on the TLS socket, when measured. */
  tls?: TlsBytes;
  /** For `Sync`: directives the response carried, by kind. */
  directives?: Record<string, number>;
}

/** One vendor row and our measurements of the message it names. */
export interface ImpactTransaction {
  /** Our WSDL operation. */
  operation: ImpactOperation;
  /** The vendor row name (stable). */
  vendorRow: string;
  /** Which message of the exchange is compared with the vendor's figure. */
  message: ImpactMessage;
  /** One point per device count, ascending. */
  points: ImpactPoint[];
  /** Least-squares fit of the compared message's bytes. */
  fit: LinearSize;
  /** The vendor's formula, or null where the FAQ gives none. */
  vendor: LinearSize | null;
}

/** The options a measurement ran with, as resolved (defaults filled in). */
export interface ImpactRunOptions {
  /** Device counts measured. */
  devices: number[];
  /** Whether requests were signed with WS-Security. */
  signed: boolean;
  /** Signature algorithm (when signed). */
  algorithm: ImpactAlgorithm;
  /** Key reference used after registration (RegisterProxy always carries the certificate). */
  keyReference: ImpactKeyReference;
  /** Whether bodies were gzip-compressed (requests by the client; responses when the server agreed). */
  gzip: boolean;
  /** Whether the server signed its responses. */
  signResponses: boolean;
  /** Whether the supplies service was switched on (EnableService per device doubles). */
  supplies: boolean;
  /** Billing cycle of the server's policy. */
  billingCycle: "monthly" | "quarterly" | "semiannual";
  /** Seed of the synthetic fleet (serials, meters, supplies). */
  seed: number;
}

/** UDP payload bytes of one full SNMP poll of one device, measured against a simulated printer. */
export interface SnmpPollMeasurement {
  /** Manager → agent UDP payload bytes. */
  requestBytes: number;
  /** Agent → manager UDP payload bytes. */
  responseBytes: number;
  /** UDP datagrams both ways. */
  datagrams: number;
  /** What was polled (recording name or model). */
  device: string;
}

/** Everything `measureImpact()` measured. */
export interface ImpactReport {
  /** One entry per vendor row, in the vendor's order. */
  transactions: ImpactTransaction[];
  /** The options the run used. */
  options: ImpactRunOptions;
  /** SNMP bytes of one poll of one device, or null when not measured. */
  snmp: SnmpPollMeasurement | null;
}

/**
 * The object `esol impact --json` prints: exactly `transactions` and `options`.
 * @example
 * ```ts
 * process.stdout.write(`${JSON.stringify(toImpactJson(report))}\n`);
 * ```
 */
export function toImpactJson(report: ImpactReport): Pick<ImpactReport, "transactions" | "options"> {
  return { transactions: report.transactions, options: report.options };
}

/** Bytes of the message a transaction compares with the vendor, for one point. */
export function comparedBytes(transaction: Pick<ImpactTransaction, "message">, point: ImpactPoint): number {
  return transaction.message === "request" ? point.requestBytes : point.responseBytes;
}
