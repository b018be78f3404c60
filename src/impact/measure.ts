/**
 * `measureImpact()`: runs every transaction of the conversation for each device count,
 * signed, over HTTPS on loopback, against the real reference server with its real
 * billing policy, and measures each message on the wire.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import { AbortError, ConfigError } from "../errors.js";
import { CommunicationServer } from "../server/index.js";
import type { BillingRead, Directive, SuppliesReport } from "../soap/index.js";
import { CommunicationClient } from "../soap/index.js";
import type { MessageSecurity, SecurityContext } from "../soap/security.js";
import { createMessageSigner, createRequestVerifier } from "../wssec/index.js";
import { fitLinear } from "./fit.js";
import { type SizingDevice, syntheticFleet } from "./fleet.js";
import {
  comparedBytes,
  type ImpactAlgorithm,
  type ImpactKeyReference,
  type ImpactPoint,
  type ImpactReport,
  type ImpactRunOptions,
  type SnmpPollMeasurement,
} from "./model.js";
import { type ByteCountingRelay, startTcpRelay } from "./relay.js";
import { VENDOR_ROWS } from "./vendor.js";

/** Options of {@link measureImpact}. Defaults are what a real deployment runs with. */
export interface MeasureImpactOptions {
  /** Device counts to measure; default `[1, 10, 100, 1000]`. */
  devices?: number[];
  /** Sign requests with WS-Security; default true. */
  signed?: boolean;
  /** Signature algorithm; default `ecdsa-sha256` (P-256: a 64-byte signature and a small certificate). */
  algorithm?: ImpactAlgorithm;
  /**
   * Key reference after registration; default `thumbprint-sha256`. `RegisterProxy` always
   * carries the certificate (BinarySecurityToken) so the server can bind it; later messages
   * only name it.
   */
  keyReference?: ImpactKeyReference;
  /** gzip request bodies (and accept gzip responses); default true. */
  gzip?: boolean;
  /** Have the server sign its responses (checked by the client); default false. */
  signResponses?: boolean;
  /** Switch the supplies service on; default true. */
  supplies?: boolean;
  /** Billing cycle of the server's policy; default `monthly`. */
  billingCycle?: "monthly" | "quarterly" | "semiannual";
  /** Seed of the synthetic fleet; default 1. */
  seed?: number;
  /** Loopback address; default `127.0.0.1`. */
  host?: string;
  /** Port of the reference server; default 0 (ephemeral). */
  serverPort?: number;
  /** Port of the byte-counting TLS relay in front of it; default 0 (ephemeral). */
  relayPort?: number;
  /**
   * SNMP bytes of one poll, measured by the caller (see `measureSnmpPoll`), to carry in
   * the report; default none (the report says "not measured").
   */
  snmp?: SnmpPollMeasurement | null;
  /** Reports each exchange as it completes. */
  onProgress?: (event: ImpactProgress) => void;
  /** Stops the measurement (rejects with `AbortError`). */
  abortSignal?: AbortSignal;
}

/** One finished exchange. */
export interface ImpactProgress {
  /** Device count being measured. */
  devices: number;
  /** Operation just measured. */
  operation: string;
  /** Request bytes on the wire. */
  requestBytes: number;
  /** Response bytes on the wire. */
  responseBytes: number;
}

/** The defaults of {@link measureImpact}, documented in docs/network-impact.md. */
export const DEFAULT_IMPACT_OPTIONS: Readonly<Omit<ImpactRunOptions, "seed">> & {
  /** Seed of the synthetic fleet. */
  seed: number;
} = {
  devices: [1, 10, 100, 1000],
  signed: true,
  algorithm: "ecdsa-sha256",
  keyReference: "thumbprint-sha256",
  gzip: true,
  signResponses: false,
  supplies: true,
  billingCycle: "monthly",
  seed: 1,
};

const ALGORITHMS: readonly ImpactAlgorithm[] = ["rsa-sha256", "rsa-sha512", "ecdsa-sha256", "ecdsa-sha384"];
const KEY_REFERENCES: readonly ImpactKeyReference[] = ["bst", "thumbprint-sha1", "thumbprint-sha256"];
const MAX_DEVICES = 5000; // the WSDL's maxOccurs for devices per message

/**
 * Resolves and checks options.
 * @throws ConfigError `ARG_INVALID` naming the bad option.
 */
export function resolveImpactOptions(options: MeasureImpactOptions = {}): ImpactRunOptions {
  const d = DEFAULT_IMPACT_OPTIONS;
  const devices = [...new Set(options.devices ?? d.devices)].sort((a, b) => a - b);
  if (devices.length === 0) throw new ConfigError("ARG_INVALID", "devices: give at least one device count");
  for (const x of devices) {
    if (!Number.isInteger(x) || x < 1 || x > MAX_DEVICES) {
      throw new ConfigError("ARG_INVALID", `devices: ${x} is not an integer in 1..${MAX_DEVICES}`);
    }
  }
  const algorithm = options.algorithm ?? d.algorithm;
  if (!ALGORITHMS.includes(algorithm)) {
    throw new ConfigError(
      "ARG_INVALID",
      `algorithm: ${String(algorithm)} is not one of ${ALGORITHMS.join(", ")}`,
    );
  }
  const keyReference = options.keyReference ?? d.keyReference;
  if (!KEY_REFERENCES.includes(keyReference)) {
    throw new ConfigError(
      "ARG_INVALID",
      `keyReference: ${String(keyReference)} is not one of ${KEY_REFERENCES.join(", ")}`,
    );
  }
  return {
    devices,
    signed: options.signed ?? d.signed,
    algorithm,
    keyReference,
    gzip: options.gzip ?? d.gzip,
    signResponses: options.signResponses ?? d.signResponses,
    supplies: options.supplies ?? d.supplies,
    billingCycle: options.billingCycle ?? d.billingCycle,
    seed: options.seed ?? d.seed,
  };
}

interface Identity {
  keyPem: string;
  certPem: string;
}

/** A key pair for the algorithm; subject kept short because the certificate travels in RegisterProxy. */
async function createIdentity(
  commonName: string,
  algorithm: ImpactAlgorithm,
  altIp?: string,
): Promise<Identity> {
  const ec = algorithm.startsWith("ecdsa");
  const extensions: unknown[] = [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true },
  ];
  if (altIp)
    extensions.push({
      name: "subjectAltName",
      altNames: [
        { type: 7, ip: altIp },
        { type: 2, value: "localhost" },
      ],
    });
  const pems = await generate([{ name: "commonName", value: commonName }], {
    keyType: ec ? "ec" : "rsa",
    ...(ec ? { curve: algorithm === "ecdsa-sha384" ? "P-384" : "P-256" } : { keySize: 2048 }),
    algorithm: "sha256",
    notBeforeDate: new Date(Date.now() - 3_600_000),
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
    extensions,
  } as Parameters<typeof generate>[1]);
  return { keyPem: pems.private, certPem: pems.cert };
}

/**
 * Signs `RegisterProxy` with the certificate embedded and every later message with the
 * configured key reference: the server has bound the certificate by then.
 */
function registrationAwareSigner(first: MessageSecurity, after: MessageSecurity): MessageSecurity {
  const security: MessageSecurity = {
    secureRequest: (envelope: string, context: SecurityContext) =>
      (context.operation === "RegisterProxy" ? first : after).secureRequest(envelope, context),
  };
  if (after.verifyResponse) {
    const verify = after.verifyResponse.bind(after);
    security.verifyResponse = (envelope: string, context: SecurityContext) => verify(envelope, context);
  }
  return security;
}

type Stage =
  | "RegisterProxy"
  | "RegisterDevices"
  | "SyncEnable"
  | "ReportSyncStatus"
  | "SyncBilling"
  | "SubmitBillingReads"
  | "SubmitSuppliesReport"
  | "SyncDaily";

/**
 * Measures every transaction for each device count and fits `a·x + b` per vendor row.
 *
 * Each device count gets its own proxy and fleet on one server, so the server's policy
 * sees new devices every time: the first `Sync` carries `EnableService` per device and
 * service, the client confirms with `ReportSyncStatus`, the next `Sync` carries the
 * cycle's `BillingRequest`s, the client sends the reads and a supplies report, and a
 * last daily `Sync` carries nothing new.
 *
 * @throws ConfigError `ARG_INVALID` for bad options; `AbortError` when aborted; any
 *   SDK error of the exchanges (a measurement never hides a failed call).
 * @example
 * ```ts
 * const report = await measureImpact({ devices: [1, 10, 100] });
 * console.log(formatImpactTable(report));
 * ```
 */
export async function measureImpact(options: MeasureImpactOptions = {}): Promise<ImpactReport> {
  const run = resolveImpactOptions(options);
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost") {
    throw new ConfigError("ARG_INVALID", `host: measurements run on loopback only, not ${host}`);
  }
  const abortSignal = options.abortSignal;
  const checkAbort = (): void => {
    if (abortSignal?.aborted) throw new AbortError();
  };
  const dir = await mkdtemp(join(tmpdir(), "esol-impact-"));
  let server: CommunicationServer | undefined;
  let relay: ByteCountingRelay | undefined;
  let client: CommunicationClient | undefined;
  try {
    const [clientId, serverTls, serverSigner] = await Promise.all([
      createIdentity("esol-impact-client", run.algorithm),
      createIdentity("esol-impact-server", "ecdsa-sha256", host === "::1" ? "::1" : "127.0.0.1"),
      run.signResponses
        ? createIdentity("esol-impact-server-signer", run.algorithm)
        : Promise.resolve(undefined),
    ]);
    checkAbort();
    server = new CommunicationServer({
      dbPath: join(dir, "server.db"),
      host,
      port: options.serverPort ?? 0,
      tls: { cert: serverTls.certPem, key: serverTls.keyPem },
      billing: { cycle: run.billingCycle },
      supplies: run.supplies ? { intervalMs: 86_400_000 } : false,
      ...(run.signed
        ? { verifier: createRequestVerifier({ trust: [clientId.certPem] }) }
        : {
            verifier: createRequestVerifier({ requireSignature: false }),
            signaturePolicy: "optional" as const,
          }),
      ...(serverSigner
        ? {
            responseSecurity: createMessageSigner({
              key: serverSigner.keyPem,
              cert: serverSigner.certPem,
              algorithm: run.algorithm,
              keyReference: run.keyReference,
            }),
          }
        : {}),
    });
    const { url } = await server.start();
    const serverUrl = new URL(url);
    relay = await startTcpRelay({ host, port: options.relayPort ?? 0, targetPort: Number(serverUrl.port) });
    const endpoint = new URL(url);
    endpoint.port = String(relay.port);
    let security: MessageSecurity | undefined;
    if (run.signed) {
      const signer = (keyReference: ImpactKeyReference) =>
        createMessageSigner({
          key: clientId.keyPem,
          cert: clientId.certPem,
          algorithm: run.algorithm,
          keyReference,
          ...(serverSigner ? { verifyResponsesWith: serverSigner.certPem } : {}),
        });
      security = registrationAwareSigner(signer("bst"), signer(run.keyReference));
    }
    client = new CommunicationClient({
      endpoint: endpoint.toString(),
      ca: serverTls.certPem,
      gzip: run.gzip,
      maxRetries: 0,
      ...(security ? { security } : {}),
    });

    const stagePoints = new Map<Stage, ImpactPoint[]>();
    let firstIndex = 0;
    for (const devices of run.devices) {
      checkAbort();
      const fleet = syntheticFleet(devices, { seed: run.seed + devices, firstIndex });
      firstIndex += devices;
      const points = await runConversation(client, relay, fleet, devices, options.onProgress, abortSignal);
      for (const [stage, point] of points) {
        const list = stagePoints.get(stage) ?? [];
        list.push(point);
        stagePoints.set(stage, list);
      }
    }
    return { transactions: buildTransactions(stagePoints), options: run, snmp: options.snmp ?? null };
  } finally {
    await client?.close().catch(() => undefined);
    await relay?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

const STAGE_OF_ROW: Record<string, Stage> = {
  "Registration of the client (proxy)": "RegisterProxy",
  "Registration of devices": "RegisterDevices",
  "Sync Request": "SyncDaily",
  "Sync Request Response": "SyncEnable",
  "Sync Status": "ReportSyncStatus",
  "Billing Transaction Request": "SyncBilling",
  "Billing Transaction Response": "SubmitBillingReads",
  "Supplies usage for replenishment": "SubmitSuppliesReport",
};

function buildTransactions(stagePoints: Map<Stage, ImpactPoint[]>): ImpactReport["transactions"] {
  return VENDOR_ROWS.map((row) => {
    const points = stagePoints.get(STAGE_OF_ROW[row.row]!) ?? [];
    return {
      operation: row.operation,
      vendorRow: row.row,
      message: row.message,
      points,
      fit: fitLinear(points.map((p) => ({ devices: p.devices, bytes: comparedBytes(row, p) }))),
      vendor: row.vendor,
    };
  });
}

async function runConversation(
  client: CommunicationClient,
  relay: ByteCountingRelay,
  fleet: SizingDevice[],
  devices: number,
  onProgress: MeasureImpactOptions["onProgress"],
  abortSignal: AbortSignal | undefined,
): Promise<Map<Stage, ImpactPoint>> {
  const points = new Map<Stage, ImpactPoint>();
  const proxyId = `site-${String(devices).padStart(4, "0")}-${fleet[0]?.info.serial ?? "empty"}`;
  const callOptions = abortSignal ? { abortSignal } : {};
  const measure = async <T extends { $metadata: { requestBytes: number; responseBytes: number } }>(
    stage: Stage,
    operation: string,
    call: () => Promise<T>,
    directivesOf?: (result: T) => Directive[],
  ): Promise<T> => {
    const before = relay.count();
    const result = await call();
    const after = relay.count();
    const point: ImpactPoint = {
      devices,
      requestBytes: result.$metadata.requestBytes,
      responseBytes: result.$metadata.responseBytes,
      tls: {
        requestBytes: after.upBytes - before.upBytes,
        responseBytes: after.downBytes - before.downBytes,
        newConnections: after.units - before.units,
      },
    };
    if (directivesOf) point.directives = countDirectives(directivesOf(result));
    points.set(stage, point);
    onProgress?.({
      devices,
      operation,
      requestBytes: point.requestBytes,
      responseBytes: point.responseBytes,
    });
    return result;
  };
  const stamp = new Date();
  const keyOf = (what: string): string => `${proxyId}-${what}-${stamp.getTime().toString(36)}`;

  await measure("RegisterProxy", "RegisterProxy", () =>
    client.registerProxy(
      {
        key: keyOf("register"),
        proxyId,
        site: "Head office, 3rd floor",
        software: "esolutions-sdk/0.1.0",
        host: "fleet-collector-01",
      },
      callOptions,
    ),
  );
  await measure("RegisterDevices", "RegisterDevices", () =>
    client.registerDevices(
      { key: keyOf("devices"), proxyId, devices: fleet.map((d) => ({ ...d.info })) },
      callOptions,
    ),
  );
  const enable = await measure(
    "SyncEnable",
    "Sync (EnableService)",
    () => client.sync({ proxyId, clientTime: new Date() }, callOptions),
    (r) => r.directives,
  );
  const toConfirm = enable.directives.filter(
    (d): d is Extract<Directive, { kind: "EnableService" }> => d.kind === "EnableService",
  );
  if (toConfirm.length > 0) {
    await measure("ReportSyncStatus", "ReportSyncStatus", () =>
      client.reportSyncStatus(
        {
          key: keyOf("status"),
          proxyId,
          statuses: toConfirm.map((d) => ({ serial: d.serial, service: d.service, enabled: true })),
        },
        callOptions,
      ),
    );
  }
  const billing = await measure(
    "SyncBilling",
    "Sync (BillingRequest)",
    () => client.sync({ proxyId, clientTime: new Date() }, callOptions),
    (r) => r.directives,
  );
  const bySerial = new Map(fleet.map((d) => [d.info.serial, d]));
  const requests = billing.directives.filter(
    (d): d is Extract<Directive, { kind: "BillingRequest" }> => d.kind === "BillingRequest",
  );
  const readAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const reads: BillingRead[] = requests.flatMap((r) => {
    const device = bySerial.get(r.serial);
    if (!device) return [];
    const wanted =
      r.meters.length > 0 ? device.meters.filter((m) => r.meters.includes(m.name)) : device.meters;
    return [
      {
        key: `${r.serial}-${readAt.toISOString().slice(0, 16).replace(/[-:]/g, "")}-1`,
        serial: r.serial,
        readAt,
        cycle: r.cycle,
        meters: (wanted.length > 0 ? wanted : device.meters).map((m) => ({ name: m.name, value: m.value })),
      },
    ];
  });
  if (reads.length > 0) {
    await measure("SubmitBillingReads", "SubmitBillingReads", () =>
      client.submitBillingReads({ proxyId, reads }, callOptions),
    );
  }
  const reports: SuppliesReport[] = fleet.map((d) => ({
    key: `${d.info.serial}-${readAt.toISOString().slice(0, 16).replace(/[-:]/g, "")}-s`,
    serial: d.info.serial,
    readAt,
    supplies: d.supplies.map((s) => ({ ...s })),
  }));
  await measure("SubmitSuppliesReport", "SubmitSuppliesReport", () =>
    client.submitSuppliesReport({ proxyId, reports }, callOptions),
  );
  await measure(
    "SyncDaily",
    "Sync (daily)",
    () => client.sync({ proxyId, clientTime: new Date() }, callOptions),
    (r) => r.directives,
  );
  return points;
}

function countDirectives(directives: readonly Directive[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of directives) counts[d.kind] = (counts[d.kind] ?? 0) + 1;
  return counts;
}
