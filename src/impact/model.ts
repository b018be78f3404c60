/**
 * The figures `measureImpact()` returns and `esol impact --json` prints. Field names
 * are read by outside tools: extend, never rename.
 * @module
 */
import {
  DEFAULT_SCHEDULE,
  type SiteTraffic,
  siteTraffic,
  snmpPerDevicePerDay,
  type TrafficSchedule,
} from "./traffic.js";
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

/** UDP payload bytes of one SNMP exchange with one device. */
export interface SnmpBytes {
  /** Manager → agent UDP payload bytes. */
  requestBytes: number;
  /** Agent → manager UDP payload bytes. */
  responseBytes: number;
  /** UDP datagrams both ways. */
  datagrams: number;
}

/**
 * UDP payload bytes of one full SNMP poll (a discovery reading) of one device, measured
 * against a simulated printer, and of the steady poll (one GET of the device's poll plan)
 * that follows it when that was measured too.
 */
export interface SnmpPollMeasurement extends SnmpBytes {
  /** What was polled (recording name or model). */
  device: string;
  /** The steady poll after the full reading; absent when only the full reading was measured. */
  steady?: SnmpBytes;
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

/** SNMP figures of `esol impact --json`: bytes of both polls and what they cost a device per day. */
export interface ImpactSnmpJson {
  /** What was polled (recording name or model). */
  device: string;
  /** UDP payload bytes, both directions, of one full (discovery) reading. */
  fullReadingBytes: number;
  /** UDP payload bytes, both directions, of one steady poll; null when not measured (every poll is then counted as full). */
  steadyPollBytes: number | null;
  /** Polls per device per day (every `pollIntervalMs`). */
  pollsPerDay: number;
  /** Of those, full readings (one a day by default; all of them when the steady poll was not measured). */
  fullReadingsPerDay: number;
  /** SNMP bytes per device per day. */
  bytesPerDevicePerDay: number;
}

/** Site figures of `esol impact --json`: SOAP + SNMP per day for each measured device count. */
export interface ImpactSiteJson {
  /** The schedule the figures assume. */
  schedule: TrafficSchedule;
  /** One row per measured device count. */
  rows: SiteTraffic[];
}

/** What `esol impact --json` prints. */
export interface ImpactJson {
  /** One entry per vendor row. */
  transactions: ImpactTransaction[];
  /** The options the run used. */
  options: ImpactRunOptions;
  /** SNMP bytes, or null when no poll was measured (`--no-snmp`). */
  snmp: ImpactSnmpJson | null;
  /** Traffic of a site per device count. */
  site: ImpactSiteJson;
}

/**
 * The object `esol impact --json` prints: `transactions`, `options`, `snmp` (full reading
 * and steady poll bytes, polls per day, bytes per device per day) and `site` (SOAP + SNMP
 * per day for each measured device count).
 *
 * @throws ValidationError `INVALID_REPORT` when a vendor row the site figures need was not measured.
 * @example
 * ```ts
 * process.stdout.write(`${JSON.stringify(toImpactJson(report))}\n`);
 * ```
 */
export function toImpactJson(report: ImpactReport, schedule: TrafficSchedule = DEFAULT_SCHEDULE): ImpactJson {
  const daily = report.snmp ? snmpPerDevicePerDay(report.snmp, schedule) : null;
  return {
    transactions: report.transactions,
    options: report.options,
    snmp:
      report.snmp && daily
        ? {
            device: report.snmp.device,
            fullReadingBytes: report.snmp.requestBytes + report.snmp.responseBytes,
            steadyPollBytes: report.snmp.steady
              ? report.snmp.steady.requestBytes + report.snmp.steady.responseBytes
              : null,
            ...daily,
          }
        : null,
    site: {
      schedule: { ...DEFAULT_SCHEDULE, ...schedule },
      rows: report.options.devices.map((x) => siteTraffic(report, x, schedule)),
    },
  };
}

/** Bytes of the message a transaction compares with the vendor, for one point. */
export function comparedBytes(transaction: Pick<ImpactTransaction, "message">, point: ImpactPoint): number {
  return transaction.message === "request" ? point.requestBytes : point.responseBytes;
}
