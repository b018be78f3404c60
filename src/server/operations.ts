/**
 * The six operations of the contract as node-soap services over a {@link StoreBackend}:
 * validation, the ProxyId's certificate lock, the store call, and the answer in schema
 * order. Also the one mapping of any failure to the fault the server sends.
 * @module
 */
import type * as soap from "soap";
import { isSdkError, type SdkError, SecurityError } from "../errors.js";
import type { VerifiedSender } from "../soap/security.js";
import type { OperationName } from "./envelope.js";
import { CommunicationFaultError, securityFaultFor } from "./faults.js";
import type { ServerLogger } from "./server.js";
import type { SignaturePolicy } from "./signers.js";
import type { AckCounts, ReplayRecord, StoreBackend, StorePolicy, SyncDirectives } from "./store.js";
import type { RequestScope, SignerCheck } from "./store-flow.js";
import {
  refuseFutureReads,
  validateRegisterDevices,
  validateRegisterProxy,
  validateReportSyncStatus,
  validateSubmitBillingReads,
  validateSubmitSuppliesReport,
  validateSync,
} from "./validate.js";

/** Per-request state handed to the operation handlers through node-soap's `req.connection`. */
export interface RequestContext {
  /** The server's clock when the request was checked. */
  now: Date;
  /** Who signed the request, when it was signed. */
  sender: VerifiedSender | undefined;
  /** A configured verifier vouched for the sender (not only its own embedded certificate). */
  senderTrusted: boolean;
  /**
   * The signed message's entry in the store's shared replay cache, recorded in the
   * operation's transaction (undefined: unsigned, or a verifier that does not report it).
   */
  replay: ReplayRecord | undefined;
  /** A refusal (or failure) of the operation, sent as the fault envelope. */
  fault: CommunicationFaultError | undefined;
  /** A `WSS_*` refusal decided after parsing (the ProxyId's bound certificate). */
  refusal: SdkError | undefined;
}

/** What the operations need from the server. */
export interface OperationSettings {
  /** The open store. @throws StorageError `STORAGE_CLOSED` when the server is stopped. */
  store(): StoreBackend;
  /** Billing, supplies and device-move policy. */
  policy: StorePolicy;
  /** The signature policy in force. */
  signaturePolicy: SignaturePolicy;
  /** Whether the server verifies by trust on first use (no configured verifier). */
  firstUse: boolean;
  /** Makes the verifier accept key references to a certificate a proxy bound. */
  pinSigner(pem: string): void;
  /** Logger. */
  logger: ServerLogger;
}

/**
 * The ProxyId lock: a proxy bound to a certificate accepts only requests signed by it.
 * An unbound proxy accepts a signer a configured verifier trusts, a first-use signer
 * only for `RegisterProxy` (which binds it, refusing in the same transaction a certificate
 * other than one bound meanwhile), and anyone under the `optional` policy. Checked once
 * before the operation (so its refusal comes before the operation's own checks) and again
 * inside the operation's transaction against the binding as of then (a concurrent first
 * binding cannot slip between the check and the write).
 * @throws SecurityError `WSS_UNSIGNED`, `WSS_UNTRUSTED_KEY`.
 */
function signerCheck(
  settings: OperationSettings,
  operation: OperationName,
  proxyId: string,
  ctx: RequestContext,
): SignerCheck {
  return (bound) => {
    const sender = ctx.sender;
    const who = JSON.stringify(proxyId.slice(0, 64));
    if (!sender) {
      if (bound !== undefined)
        throw new SecurityError(
          "WSS_UNSIGNED",
          `proxy ${who} is bound to a certificate: its requests must be signed with it`,
        );
      return;
    }
    if (bound !== undefined) {
      if (bound !== sender.thumbprintSha256)
        throw new SecurityError(
          "WSS_UNTRUSTED_KEY",
          `proxy ${who} is bound to another certificate than the one that signed this request`,
        );
      return;
    }
    if (ctx.senderTrusted || operation === "RegisterProxy" || settings.signaturePolicy === "optional") return;
    throw new SecurityError(
      "WSS_UNTRUSTED_KEY",
      `proxy ${who} has no bound certificate: register it with a signed RegisterProxy first`,
    );
  };
}

/** The node-soap services of the contract's one port. */
export function operationServices(settings: OperationSettings): soap.IServices {
  const { logger } = settings;
  const op =
    <I extends { proxyId: string }>(
      name: OperationName,
      validate: (args: unknown) => I,
      run: (input: I, scope: RequestScope, ctx: RequestContext) => Promise<object>,
    ) =>
    async (args: unknown, _callback: unknown, _headers: unknown, req: { connection?: RequestContext }) => {
      const ctx = req.connection as RequestContext;
      try {
        const input = validate(args);
        const check = signerCheck(settings, name, input.proxyId, ctx);
        check(await settings.store().boundSignerOf(input.proxyId));
        return await run(input, { now: ctx.now, replay: ctx.replay, signerCheck: check }, ctx);
      } catch (err) {
        if (isSdkError(err) && err.code.startsWith("WSS_")) {
          ctx.refusal = err;
          return {};
        }
        // The pre-handler turns this into the fault envelope; soap's own fault is discarded.
        ctx.fault = toFault(err);
        logger.debug({ operation: name, code: ctx.fault.code }, "operation refused");
        return {};
      }
    };
  const store = () => settings.store();
  const ack = (counts: AckCounts) => ({
    Ack: { Accepted: counts.accepted, Duplicates: counts.duplicates },
  });
  return {
    CommunicationService: {
      CommunicationPort: {
        RegisterProxy: op("RegisterProxy", validateRegisterProxy, async (input, scope, ctx) => {
          const result = await store().registerProxy(input, scope, ctx.sender, ctx.senderTrusted);
          const sender = ctx.sender;
          if (
            sender &&
            (ctx.senderTrusted || settings.firstUse) &&
            (await store().boundSignerOf(input.proxyId)) === sender.thumbprintSha256
          )
            settings.pinSigner(sender.certificatePem);
          return {
            ProxyId: result.proxyId,
            ServerTime: ctx.now.toISOString(),
            Duplicate: result.duplicate,
          };
        }),
        RegisterDevices: op("RegisterDevices", validateRegisterDevices, async (input, scope) =>
          ack(await store().registerDevices(input, scope, settings.policy.deviceMoves)),
        ),
        Sync: op("Sync", validateSync, async (input, scope) =>
          syncResponse(scope.now, await store().sync(input, scope, settings.policy)),
        ),
        ReportSyncStatus: op("ReportSyncStatus", validateReportSyncStatus, async (input, scope) =>
          ack(await store().reportSyncStatus(input, scope)),
        ),
        SubmitBillingReads: op("SubmitBillingReads", validateSubmitBillingReads, async (input, scope) => {
          refuseFutureReads(input.reads, "Read", scope.now);
          return ack(await store().submitBillingReads(input, scope, settings.policy.cycle));
        }),
        SubmitSuppliesReport: op(
          "SubmitSuppliesReport",
          validateSubmitSuppliesReport,
          async (input, scope) => {
            refuseFutureReads(input.reports, "Report", scope.now);
            return ack(await store().submitSuppliesReport(input, scope));
          },
        ),
      },
    },
  };
}

/** The `SyncResponse` object in schema order (node-soap writes keys in insertion order). */
export function syncResponse(now: Date, d: SyncDirectives): Record<string, unknown> {
  const out: Record<string, unknown> = { ServerTime: now.toISOString() };
  if (d.configure) {
    const c: Record<string, unknown> = {};
    if (d.configure.pollIntervalSeconds !== undefined)
      c.PollIntervalSeconds = d.configure.pollIntervalSeconds;
    if (d.configure.windowStart !== undefined) c.WindowStart = d.configure.windowStart;
    if (d.configure.windowEnd !== undefined) c.WindowEnd = d.configure.windowEnd;
    out.Configure = c;
  }
  if (d.enableService.length)
    out.EnableService = d.enableService.map((e) => ({ Serial: e.serial, Service: e.service }));
  if (d.billingRequest.length)
    out.BillingRequest = d.billingRequest.map((b) => ({
      Serial: b.serial,
      Cycle: b.cycle,
      ...(b.meters.length ? { Meter: b.meters } : {}),
      Due: b.due.toISOString(),
    }));
  if (d.suppliesRequest.length)
    out.SuppliesRequest = d.suppliesRequest.map((s) => ({
      Serial: s.serial,
      IntervalSeconds: s.intervalSeconds,
    }));
  if (d.disable.length)
    out.Disable = d.disable.map((x) =>
      x.reason === undefined ? { Serial: x.serial } : { Serial: x.serial, Reason: x.reason },
    );
  return out;
}

/**
 * Any failure as the fault to send: refusals keep their code; storage trouble (a SQLite
 * error, or `STORAGE_UNAVAILABLE` from a database that does not answer) is the retryable
 * `STORAGE_UNAVAILABLE`; the rest is INTERNAL.
 */
export function toFault(err: unknown): CommunicationFaultError {
  if (err instanceof CommunicationFaultError) return err;
  if (isSdkError(err) && err.code.startsWith("WSS_")) return securityFaultFor(err);
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && (code.startsWith("SQLITE_") || code === "STORAGE_UNAVAILABLE"))
    return new CommunicationFaultError(
      "STORAGE_UNAVAILABLE",
      "the server could not store the request; resend later",
      {
        retryable: true,
        cause: err,
      },
    );
  return new CommunicationFaultError("INTERNAL", "internal error", { retryable: true, cause: err });
}
