/**
 * Every failure raised by the SDK is an {@link SdkError} with a stable `code`
 * (safe to switch on; never renamed) and a `retryable` hint for callers that
 * implement their own retry policy.
 *
 * Per-value problems (an SNMP `noSuchObject`, a supply level of -3) are values in
 * results, never exceptions: exceptions mean the call itself failed.
 *
 * @example
 * ```ts
 * try {
 *   await client.submitBillingReads(reads);
 * } catch (err) {
 *   if (err instanceof SdkError && err.retryable) scheduleRetry();
 *   else throw err;
 * }
 * ```
 * @module
 */
import type {
  ConfigErrorCode,
  SdkErrorCode,
  SecurityErrorCode,
  SnmpErrorCode,
  SoapFaultErrorCode,
  StorageErrorCode,
  TransportErrorCode,
  ValidationErrorCode,
} from "./error-codes.js";

export type {
  ConfigErrorCode,
  SdkErrorCode,
  SecurityErrorCode,
  SnmpErrorCode,
  SoapFaultErrorCode,
  StorageErrorCode,
  TransportErrorCode,
  ValidationErrorCode,
} from "./error-codes.js";

/** Options shared by every {@link SdkError} constructor. */
export interface SdkErrorOptions {
  /** The lower-level error that caused this one. */
  cause?: unknown;
  /** Whether repeating the same call later may succeed. Defaults per class. */
  retryable?: boolean;
}

/** Base class of every error the SDK throws. */
export class SdkError extends Error {
  /**
   * Stable machine-readable code, e.g. `SOAP_FAULT`, `WSS_EXPIRED`, `SNMP_TIMEOUT`: one of
   * the table of docs/error-codes.md, so a misspelled comparison fails to compile.
   */
  readonly code: SdkErrorCode;
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean;

  constructor(code: SdkErrorCode, message: string, options: SdkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  /** The one-line form the CLI prints: `error <code>: <reason>`. */
  toLine(): string {
    return `error ${this.code}: ${this.message.split("\n")[0]}`;
  }
}

/** Invalid configuration, options or arguments supplied by the caller (`CONFIG_*`, `ARG_*`). */
export class ConfigError extends SdkError {
  /** One of the {@link ConfigError} codes of docs/error-codes.md. */
  declare readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string, options: SdkErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Input that failed validation: a schema-invalid value, malformed XML, a broken recording line (`INVALID_*`). */
export class ValidationError extends SdkError {
  /** One of the {@link ValidationError} codes of docs/error-codes.md. */
  declare readonly code: ValidationErrorCode;
  constructor(code: ValidationErrorCode, message: string, options: SdkErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * The network call failed before a SOAP answer was read: connection refused or
 * reset, TLS failure, HTTP status without a SOAP fault (`HTTP_503`), timeout.
 */
export class TransportError extends SdkError {
  /** One of the {@link TransportError} codes of docs/error-codes.md. */
  declare readonly code: TransportErrorCode;
  /** HTTP status when the server answered, else undefined. */
  readonly status: number | undefined;
  /** Milliseconds the server asked us to wait (`Retry-After`), when it did. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: TransportErrorCode,
    message: string,
    options: SdkErrorOptions & { status?: number; retryAfterMs?: number } = {},
  ) {
    super(code, message, { retryable: true, ...options });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The call exceeded its `timeoutMs` (`TIMEOUT`). Retryable. */
export class TimeoutError extends SdkError {
  constructor(message: string, options: SdkErrorOptions = {}) {
    super("TIMEOUT", message, { retryable: true, ...options });
  }
}

/** The caller's `abortSignal` fired (`ABORTED`). Never retryable. */
export class AbortError extends SdkError {
  constructor(message = "the operation was aborted", options: SdkErrorOptions = {}) {
    super("ABORTED", message, { ...options, retryable: false });
  }
}

/**
 * An unexpected failure (`INTERNAL`): a bug in the SDK or in code it calls, not bad input, the
 * network or the store — the one meaning of `INTERNAL` (docs/error-codes.md). The original
 * error is `cause`; the CLI prints `error INTERNAL: <its message>` (`--debug` adds the stack).
 * Not retryable unless said: a server's `INTERNAL` fault is (its failure may be passing).
 */
export class InternalError extends SdkError {
  constructor(message: string, options: SdkErrorOptions = {}) {
    super("INTERNAL", message, options);
  }

  /**
   * `err` as an {@link SdkError}: itself when it is one (also across duplicated package
   * copies), else an {@link InternalError} with its first message line and `cause: err`.
   *
   * @example
   * ```ts
   * import { InternalError } from "esolutions-sdk";
   *
   * try {
   *   JSON.parse("{");
   * } catch (err) {
   *   console.error(InternalError.from(err).toLine()); // error INTERNAL: Unexpected end of JSON input…
   * }
   * ```
   */
  static from(err: unknown): SdkError {
    if (isSdkError(err)) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new InternalError(message.split("\n")[0] ?? "", { cause: err });
  }
}

/**
 * The Communication Server answered with a SOAP fault. `faultCode` is the
 * server's code (e.g. `esol:UnknownDevice`); `code` is the SDK's stable code.
 */
export class SoapFaultError extends SdkError {
  /** One of the {@link SoapFaultError} codes of docs/error-codes.md. */
  declare readonly code: SoapFaultErrorCode;
  /** The `faultcode` element, e.g. `soap:Client`, `wsse:FailedCheck`. */
  readonly faultCode: string;
  /** HTTP status carrying the fault (usually 500). */
  readonly status: number | undefined;

  constructor(
    code: SoapFaultErrorCode,
    message: string,
    options: SdkErrorOptions & { faultCode: string; status?: number },
  ) {
    super(code, message, options);
    this.faultCode = options.faultCode;
    this.status = options.status;
  }
}

/** WS-Security signing or verification failed (`WSS_*` codes, see SECURITY.md). */
export class SecurityError extends SdkError {
  /** One of the {@link SecurityError} codes of docs/error-codes.md. */
  declare readonly code: SecurityErrorCode;
  constructor(code: SecurityErrorCode, message: string, options: SdkErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * The server answered a SOAP fault that does not carry a valid signature from the pinned
 * server certificate (`verifyResponsesWith`), e.g. a fault it could not sign. Code
 * `UNSIGNED_FAULT`; {@link UnsignedFaultError.fault} is the fault as received — the
 * server's stated reason, unauthenticated — and {@link SdkError.cause} why the signature
 * check failed. Retryable when the fault says so (a retry is always safe to attempt).
 */
export class UnsignedFaultError extends SecurityError {
  /** The fault the server sent, not authenticated. */
  readonly fault: SoapFaultError;

  constructor(fault: SoapFaultError, verification: unknown) {
    super(
      "UNSIGNED_FAULT",
      `the server answered a fault without a valid signature (${fault.code}: ${fault.message.split("\n")[0]?.slice(0, 200)})`,
      { cause: verification, retryable: fault.retryable },
    );
    this.fault = fault;
  }
}

/** An SNMP call failed as a whole (`SNMP_*` codes): timeout, auth failure, broken agent. */
export class SnmpError extends SdkError {
  /** One of the {@link SnmpError} codes of docs/error-codes.md. */
  declare readonly code: SnmpErrorCode;
  constructor(code: SnmpErrorCode, message: string, options: SdkErrorOptions = {}) {
    super(code, message, options);
  }
}

/** The durable store (outbox, server database) failed (`STORAGE_*` codes), e.g. disk full or corruption. */
export class StorageError extends SdkError {
  /** One of the {@link StorageError} codes of docs/error-codes.md. */
  declare readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options: SdkErrorOptions = {}) {
    super(code, message, options);
  }
}

/** True when `err` is an {@link SdkError} (also across duplicated package copies). */
export function isSdkError(err: unknown): err is SdkError {
  return (
    err instanceof SdkError ||
    (typeof err === "object" &&
      err !== null &&
      typeof (err as { code?: unknown }).code === "string" &&
      typeof (err as { retryable?: unknown }).retryable === "boolean")
  );
}
