/**
 * {@link CommunicationClient}: the typed client of the Communication Service.
 *
 * A thin public layer over the client generated from `wsdl/communication.wsdl` (`npm run
 * codegen` → `generated/communication/`, the same path as `esol codegen`). Layers call only
 * downward: public models → pure mappers (to and from the generated wire types) → the
 * generated model's codec (`communication-codec.ts`) → one {@link SoapEndpoint} (security per
 * attempt, retries, the HTTP exchange of `transport.ts` on a keep-alive agent). The HTTP
 * exchange is ours rather than node-soap's so that the envelope is byte-exact and compact, the
 * security hook sees and returns the exact text on the wire, and every attempt's bytes can be
 * counted.
 * @module
 */

import { buildEnvelope, COMMUNICATION_MODEL, parseAnswer } from "./communication-codec.js";
import {
  type CallOptions,
  type ResolvedClientConfig,
  type SoapClientOptions,
  SoapEndpoint,
} from "./endpoint.js";
import {
  ackFromWire,
  registerDevicesToWire,
  registerProxyResultFromWire,
  registerProxyToWire,
  reportSyncStatusToWire,
  submitBillingReadsToWire,
  submitSuppliesReportToWire,
  syncResultFromWire,
  syncToWire,
} from "./mappers.js";
import type {
  Ack,
  OperationName,
  RegisterDevicesInput,
  RegisterProxyInput,
  RegisterProxyResult,
  ReportSyncStatusInput,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
  SyncInput,
  SyncResult,
  WithMetadata,
} from "./models.js";

export type { CallOptions, ResolvedClientConfig } from "./endpoint.js";

/** Options of {@link CommunicationClient}: the {@link SoapClientOptions} of its operations. */
export type CommunicationClientOptions = SoapClientOptions<OperationName>;

/**
 * The typed client of the eSolutions Communication Service (SOAP 1.1 over HTTPS).
 *
 * Every operation validates its input, maps it to the wire shape, and sends it with
 * retries (exponential backoff with jitter, honouring `Retry-After`) for retryable
 * failures only. Results carry `$metadata` with the attempts and the wire bytes of the
 * last attempt.
 *
 * @example
 * ```ts
 * const client = new CommunicationClient({ endpoint: "https://127.0.0.1:8443/esolutions/v1", ca: caPem });
 * const ack = await client.submitBillingReads({
 *   proxyId: "proxy-1",
 *   reads: [{ key: "read-0001", serial: "X1", readAt: new Date(), meters: [{ name: "Total", value: 1200 }] }],
 * });
 * console.log(ack.accepted, ack.$metadata.requestBytes);
 * await client.close();
 * ```
 */
export class CommunicationClient {
  readonly #endpoint: SoapEndpoint<OperationName>;

  constructor(options: CommunicationClientOptions) {
    this.#endpoint = new SoapEndpoint(options, "CommunicationClient");
  }

  /** The options as resolved at construction. */
  get config(): Readonly<ResolvedClientConfig> {
    return this.#endpoint.config;
  }

  /** Registers this client (proxy) with the server; a resend with the same key is acknowledged as a duplicate. */
  async registerProxy(
    input: RegisterProxyInput,
    options: CallOptions = {},
  ): Promise<WithMetadata<RegisterProxyResult>> {
    const body = registerProxyToWire(input);
    return this.#call("RegisterProxy", body, registerProxyResultFromWire, options);
  }

  /** Registers devices under this client. */
  async registerDevices(input: RegisterDevicesInput, options: CallOptions = {}): Promise<WithMetadata<Ack>> {
    return this.#call("RegisterDevices", registerDevicesToWire(input), ackFromWire, options);
  }

  /** The daily sync: reports device states, returns configuration and directives. */
  async sync(input: SyncInput, options: CallOptions = {}): Promise<WithMetadata<SyncResult>> {
    return this.#call("Sync", syncToWire(input), syncResultFromWire, options);
  }

  /** Confirms the service state per device (answers `EnableService` directives). */
  async reportSyncStatus(
    input: ReportSyncStatusInput,
    options: CallOptions = {},
  ): Promise<WithMetadata<Ack>> {
    return this.#call("ReportSyncStatus", reportSyncStatusToWire(input), ackFromWire, options);
  }

  /** Sends billing meter reads; each read is stored once per key however often it is sent. */
  async submitBillingReads(
    input: SubmitBillingReadsInput,
    options: CallOptions = {},
  ): Promise<WithMetadata<Ack>> {
    return this.#call("SubmitBillingReads", submitBillingReadsToWire(input), ackFromWire, options);
  }

  /** Sends supplies reports; each report is stored once per key. */
  async submitSuppliesReport(
    input: SubmitSuppliesReportInput,
    options: CallOptions = {},
  ): Promise<WithMetadata<Ack>> {
    return this.#call("SubmitSuppliesReport", submitSuppliesReportToWire(input), ackFromWire, options);
  }

  /** Closes kept-alive connections. Calls after `close()` fail with `CLIENT_CLOSED`. */
  async close(): Promise<void> {
    await this.#endpoint.close();
  }

  #call<W, T extends object>(
    operation: OperationName,
    wireBody: object,
    decode: (value: W) => T,
    options: CallOptions,
  ): Promise<WithMetadata<T>> {
    const security = this.#endpoint.security as { certificatePem?: string } | undefined;
    return this.#endpoint.call(
      {
        operation,
        soapAction: (COMMUNICATION_MODEL.operations[operation] as { soapAction: string }).soapAction,
        envelope: buildEnvelope(operation, wireBody),
        parse: (text, status) =>
          parseAnswer(operation, text, status, { signingCertificatePem: security?.certificatePem }),
        decode: (body) => decode(body as W),
      },
      options,
    );
  }
}
