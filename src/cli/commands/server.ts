import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { pino } from "pino";
import { formatDuration, parseDurationMs } from "../../agent/duration.js";
import { ConfigError } from "../../errors.js";
import {
  BILLING_CYCLE_KINDS,
  type BillingCycleKind,
  CommunicationServer,
  type CommunicationServerOptions,
  exportServerStore,
  type PostgresSslMode,
  recordSignerProfiles,
  type ServerStoreOptions,
  type SignerProfileGrant,
  type TimestampRules,
  unbindServerProxySigner,
} from "../../server/index.js";
import { checkStoreDbScheme } from "../../server/store.js";
import { createMessageSigner, createRequestVerifier } from "../../wssec/index.js";
import { loadCertificates } from "../../wssec/keys.js";
import { action, listenForStop } from "../action.js";

interface ServerFlags {
  port: string;
  db?: string;
  host: string;
  cert?: string;
  key?: string;
  http?: boolean;
  cycle: string;
  meters?: string;
  suppliesInterval: string;
  trust?: string[];
  trustLegacy?: string[];
  trustCa?: string[];
  subject?: string;
  insecureUnsigned?: boolean;
  allowDeviceMoves?: boolean;
  signKey?: string;
  signCert?: string;
  maxRequestBytes: string;
  clockSkew?: string;
  maxAge?: string;
  timestampFractionDigits?: string;
  log?: string;
  dbPool?: string;
  dbStatementTimeout?: string;
  dbSslmode?: string;
  dbSslrootcert?: string;
}

const SSL_MODES: readonly PostgresSslMode[] = ["disable", "require", "verify-ca", "verify-full"];

/** The PostgreSQL options of `--db-*` flags (ignored for a SQLite --db). */
function storeOptionsFromFlags(flags: Partial<ServerFlags>): ServerStoreOptions {
  const options: ServerStoreOptions = {};
  if (flags.dbPool !== undefined) options.poolSize = integer(flags.dbPool, "--db-pool", 1, 1000);
  if (flags.dbStatementTimeout !== undefined)
    options.statementTimeoutMs = integer(flags.dbStatementTimeout, "--db-statement-timeout", 0, 3_600_000);
  if (flags.dbSslmode !== undefined) {
    if (!SSL_MODES.includes(flags.dbSslmode as PostgresSslMode))
      throw new ConfigError("ARG_INVALID", `--db-sslmode must be one of ${SSL_MODES.join(", ")}`);
    options.sslMode = flags.dbSslmode as PostgresSslMode;
  }
  if (flags.dbSslrootcert !== undefined) options.sslRootCert = pem(flags.dbSslrootcert, "--db-sslrootcert");
  return options;
}

/**
 * A duration flag in the agent configuration's form (`30s`, `5m`, `1h30m`, `500ms`; see
 * `parseDurationMs`), with its unit required: a bare number would be read as milliseconds.
 */
export function durationFlag(text: string, flag: string, minMs: number, maxMs: number): number {
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(text) ? undefined : parseDurationMs(text);
  if (ms === undefined || ms < minMs || ms > maxMs)
    throw new ConfigError(
      "ARG_INVALID",
      `${flag} must be a duration with its unit from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (e.g. 90s, 2m), got "${text}"`,
    );
  return ms;
}

/** The certificates `--trust-legacy` names, as grants of the legacy profile (for the export). */
export function legacyGrantsFromFlags(flags: {
  trustLegacy?: string[];
}): Array<Omit<SignerProfileGrant, "grantedAt">> {
  return (flags.trustLegacy ?? []).flatMap((file) =>
    loadCertificates(pem(file, "--trust-legacy"), "--trust-legacy certificate").map((c) => ({
      thumbprintSha256: c.thumbprintSha256Hex,
      subject: c.x509.subject.split("\n").join(", "),
      profile: "legacy" as const,
    })),
  );
}

/** The verifier's Timestamp rules from `--clock-skew`, `--max-age`, `--timestamp-fraction-digits`. */
export function timestampRulesFromFlags(flags: {
  clockSkew?: string;
  maxAge?: string;
  timestampFractionDigits?: string;
}): TimestampRules {
  return {
    ...(flags.clockSkew !== undefined
      ? { clockSkewMs: durationFlag(flags.clockSkew, "--clock-skew", 1, 86_400_000) }
      : {}),
    ...(flags.maxAge !== undefined
      ? { maxAgeMs: durationFlag(flags.maxAge, "--max-age", 1000, 86_400_000) }
      : {}),
    ...(flags.timestampFractionDigits !== undefined
      ? {
          timestampFractionDigits: integer(
            flags.timestampFractionDigits,
            "--timestamp-fraction-digits",
            0,
            9,
          ),
        }
      : {}),
  };
}

function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new ConfigError("ARG_INVALID", `${flag} must be an integer ${min}..${max}, got "${text}"`);
  return n;
}

function pem(file: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError("ARG_FILE", `${flag}: cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!text.includes("-----BEGIN ")) throw new ConfigError("ARG_PEM", `${flag}: ${file} holds no PEM block`);
  return text;
}

/**
 * `db` as it may appear in a message: the password of a PostgreSQL URL
 * (`postgres://USER:PASS@…`, RFC 3986 §3.2.1 userinfo) replaced by `***`; a file path unchanged.
 */
function dbForMessages(db: string): string {
  return /^postgres(ql)?:\/\//i.test(db) ? db.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@") : db;
}

/**
 * The `--db` value: a SQLite file path or a `postgres://` / `postgresql://` URL. Any other
 * `<scheme>://` is refused rather than taken as a file path (the library's own check, which
 * `openServerStore` makes too).
 * @throws ConfigError `ARG_MISSING` when absent; `CONFIG_DB` for an unsupported URL scheme.
 */
function requireDb(db: string | undefined): string {
  if (db === undefined || db === "") throw new ConfigError("ARG_MISSING", "--db FILE|URL is required");
  checkStoreDbScheme(db, "--db");
  return db;
}

/**
 * Resolves the flags into server options. Signature policy: with `--trust`/`--trust-ca`
 * signed requests are required from those keys (`required`); with neither, HTTPS requires
 * signatures and binds each proxy's certificate at its first signed registration (`tofu`),
 * while `--http` is local development and accepts unsigned requests (`optional`).
 * `--insecure-unsigned` accepts unsigned requests in any mode. Each relaxed mode prints a
 * warning.
 */
export function serverOptionsFromFlags(
  flags: ServerFlags,
  warn: (line: string) => void,
): CommunicationServerOptions {
  const dbPath = requireDb(flags.db);
  const port = integer(flags.port, "--port", 0, 65535);
  if (!BILLING_CYCLE_KINDS.includes(flags.cycle as BillingCycleKind))
    throw new ConfigError(
      "ARG_INVALID",
      `--cycle must be one of ${BILLING_CYCLE_KINDS.join(", ")}, got "${flags.cycle}"`,
    );
  if ((flags.cert === undefined) !== (flags.key === undefined))
    throw new ConfigError("ARG_INVALID", "--cert and --key go together");
  if (flags.http && flags.cert !== undefined)
    throw new ConfigError("ARG_INVALID", "--http cannot be used with --cert/--key");
  if ((flags.signKey === undefined) !== (flags.signCert === undefined))
    throw new ConfigError("ARG_INVALID", "--sign-key and --sign-cert go together");
  if (flags.trustCa?.length && flags.subject === undefined)
    throw new ConfigError(
      "ARG_INVALID",
      "--trust-ca needs --subject PATTERN (which CA-issued certificates to accept)",
    );
  const maxRequestBytes = integer(flags.maxRequestBytes, "--max-request-bytes", 1024, 1024 ** 3);
  const suppliesOff = flags.suppliesInterval === "off";
  const suppliesSeconds = suppliesOff
    ? 0
    : integer(flags.suppliesInterval, "--supplies-interval", 1, 366 * 86400);

  const trust = (flags.trust ?? []).map((f) => pem(f, "--trust"));
  const trustLegacy = (flags.trustLegacy ?? []).map((f) => pem(f, "--trust-legacy"));
  const timestamps = timestampRulesFromFlags(flags);
  const trustCa = (flags.trustCa ?? []).map((f) => pem(f, "--trust-ca"));
  const postgres = /^postgres(ql)?:\/\//i.test(dbPath);
  if (postgres && !flags.http && flags.cert === undefined)
    throw new ConfigError(
      "ARG_INVALID",
      "a PostgreSQL --db needs --cert/--key (or --http behind a TLS-terminating load balancer): the self-signed pair is kept only next to a SQLite file",
    );
  const options: CommunicationServerOptions = {
    db: dbPath,
    ...(postgres ? { storeOptions: storeOptionsFromFlags(flags) } : {}),
    host: flags.host,
    port,
    billing: {
      cycle: flags.cycle as BillingCycleKind,
      ...(flags.meters
        ? {
            meters: flags.meters
              .split(",")
              .map((m) => m.trim())
              .filter(Boolean),
          }
        : {}),
    },
    supplies: suppliesOff ? false : { intervalMs: suppliesSeconds * 1000 },
    maxRequestBytes,
    deviceMoves: flags.allowDeviceMoves ? "allow" : "refuse",
    timestamps,
  };
  if (flags.http) options.tls = false;
  else if (flags.cert !== undefined && flags.key !== undefined)
    options.tls = { cert: pem(flags.cert, "--cert"), key: pem(flags.key, "--key") };
  if (trust.length || trustLegacy.length || trustCa.length) {
    options.verifier = createRequestVerifier({
      ...(trust.length ? { trust } : {}),
      ...(trustLegacy.length ? { trustLegacy } : {}),
      ...timestamps,
      ...(trustCa.length ? { trustCa } : {}),
      ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
      requireSignature: !flags.insecureUnsigned,
      maxBytes: maxRequestBytes,
    });
    options.signaturePolicy = flags.insecureUnsigned ? "optional" : "required";
    if (flags.insecureUnsigned) warn("warning: --insecure-unsigned: unsigned requests are accepted");
    if (trustLegacy.length)
      warn(
        `warning: --trust-legacy: ${trustLegacy.length} certificate file(s) may also sign with RSA-SHA1 / SHA-1 digests and the 2002/2003 draft namespaces; each such request is logged`,
      );
  } else if (flags.insecureUnsigned || flags.http) {
    options.signaturePolicy = "optional";
    warn(
      flags.insecureUnsigned
        ? "warning: --insecure-unsigned and no --trust: unsigned requests are accepted; signed ones are checked against their own certificate"
        : "warning: --http and no --trust or --trust-ca: local development mode, unsigned requests are accepted (signed ones are still checked)",
    );
  } else {
    options.signaturePolicy = "tofu";
    warn(
      "warning: no --trust or --trust-ca: trust on first use, a proxy's first signed RegisterProxy binds its certificate; use --trust in production",
    );
  }
  if (flags.signKey !== undefined && flags.signCert !== undefined)
    options.responseSecurity = createMessageSigner({
      key: pem(flags.signKey, "--sign-key"),
      cert: pem(flags.signCert, "--sign-cert"),
    });
  if (flags.log !== undefined) {
    if (!["debug", "info", "warn", "error"].includes(flags.log))
      throw new ConfigError("ARG_INVALID", `--log must be debug, info, warn or error, got "${flags.log}"`);
    options.logger = pino({ level: flags.log }, pino.destination(2));
  }
  return options;
}

/**
 * `esol server`: the reference Communication Server. Prints `listening <url>` when ready
 * and stops on SIGINT/SIGTERM. `esol server export --db FILE` prints the store as JSON.
 */
export function registerServer(program: Command): void {
  const server = program
    .command("server")
    .description(
      "run the reference Communication Server (HTTPS by default) over a SQLite file or a PostgreSQL database",
    )
    .option("--port <n>", "TCP port (0 = any free port)", "8443")
    .option(
      "--db <file|url>",
      "SQLite store (created when absent), or postgres://USER[:PASS]@HOST:PORT/DB shared by several server processes",
    )
    .option("--db-pool <n>", "PostgreSQL: connections per process (default 10)")
    .option("--db-statement-timeout <ms>", "PostgreSQL: statement_timeout (default 10000, 0 = none)")
    .option(
      "--db-sslmode <mode>",
      `PostgreSQL TLS: ${SSL_MODES.join(" | ")} (default disable, or the URL's sslmode)`,
    )
    .option("--db-sslrootcert <pem>", "PostgreSQL: CA certificate for --db-sslmode verify-ca / verify-full")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--cert <pem>", "TLS certificate (default: a self-signed pair kept next to --db)")
    .option("--key <pem>", "TLS private key")
    .option("--http", "serve plain HTTP instead of HTTPS")
    .option("--cycle <kind>", `billing cycle: ${BILLING_CYCLE_KINDS.join(" | ")}`, "monthly")
    .option("--meters <names>", "comma-separated meter names each BillingRequest asks for (default: all)")
    .option("--supplies-interval <seconds|off>", "supplies report interval, or off", "86400")
    .option("--trust <pem...>", "pinned client signing certificates; signed requests are then required")
    .option(
      "--trust-legacy <pem...>",
      "pinned client certificates also allowed RSA-SHA1, SHA-1 digests and the 2002/2003 draft WS-Security namespaces (legacy peers; shown in the export)",
    )
    .option("--trust-ca <pem...>", "CA certificates for client signing certificates (needs --subject)")
    .option("--subject <pattern>", "subject a CA-issued client certificate must have")
    .option("--insecure-unsigned", "accept unsigned requests (local testing only), with or without --trust")
    .option(
      "--allow-device-moves",
      "let a proxy register a serial another proxy registered (the move is recorded in the export)",
    )
    .option("--sign-key <pem>", "sign responses with this key")
    .option("--sign-cert <pem>", "certificate of --sign-key")
    .option("--max-request-bytes <n>", "largest request body, also after gunzip", String(4 * 1024 * 1024))
    .option("--clock-skew <duration>", "allowed clock difference for Timestamps, e.g. 60s (default 60s)")
    .option("--max-age <duration>", "largest age of a Timestamp without Expires, e.g. 5m (default 5m)")
    .option(
      "--timestamp-fraction-digits <n>",
      "most fractional-second digits in Created/Expires, 0..9 (default 3)",
    )
    .option("--log <level>", "structured logs (pino JSON) on stderr: debug | info | warn | error")
    .addHelpText(
      "after",
      [
        "",
        "Prints one line `listening <url>` on stdout when ready; `<url>?wsdl` serves the WSDL. Stops on SIGINT/SIGTERM.",
        "Without --cert/--key the TLS pair is generated once into the folder of --db (esol-server-cert.pem,",
        "esol-server-key.pem) and reused; clients trust esol-server-cert.pem as their CA.",
        "Signatures (WS-Security):",
        "  --trust PEM... / --trust-ca PEM --subject P   every request must be signed by a pinned or",
        "      CA-issued key. This is the production setting.",
        "  HTTPS with neither (the default)   TRUST ON FIRST USE: every request must be signed; a",
        "      proxy's first signed RegisterProxy binds the certificate in its token to its ProxyId",
        "      (stored in --db, kept across restarts); later requests for that ProxyId must be signed",
        "      by it (embedded token or thumbprint reference), others get WSS_UNTRUSTED_KEY. Whoever",
        "      registers a ProxyId first owns it: use --trust in production. A warning is printed.",
        "  --http with neither   local development: unsigned requests are accepted (warning on stderr);",
        "      signed ones are still checked and a signed registration still binds.",
        "  --insecure-unsigned   accepts unsigned requests in any mode (local testing only).",
        "  --trust-legacy PEM...   pins these certificates like --trust and grants them the legacy",
        "      profile: their requests may also use RSA-SHA1, SHA-1 digests and the 2002/2003 draft",
        "      WS-Security namespaces (the original eSolutions clients). Off for every other sender,",
        "      which keeps getting WSS_ALGORITHM / WSS_NAMESPACE; each legacy request is logged",
        '      (--log warn) and `esol server export` shows signer.profile "legacy" on their proxies.',
        "Timestamps: --clock-skew (default 60s), --max-age for a Timestamp without Expires (default",
        "  5m), --timestamp-fraction-digits (default 3). Durations take a unit: 500ms, 90s, 5m, 1h.",
        "In every mode a ProxyId bound to a certificate accepts only requests signed by it. To rotate",
        "a proxy's certificate: `esol server unbind --db FILE --proxy ID`, then register with the new",
        "one (or pin both with --trust).",
        "Devices: a RegisterDevices naming a serial that another proxy registered is refused",
        "(DEVICE_OWNED_BY_OTHER_PROXY) unless --allow-device-moves; then the device moves and the",
        "move (serial, from and to proxy, time) is listed in the export's deviceMoves.",
        "",
        "Scaling out: several processes may share one PostgreSQL --db (behind a load balancer);",
        "idempotency, replay detection, certificate bindings and billing requests then hold across",
        "them. GET /health answers 200 while the store answers, 503 when its database does not.",
        "",
        "  esol server export --db FILE|URL              prints what the store holds as JSON",
        "  esol server unbind --db FILE|URL --proxy ID   releases the certificate bound to a proxy",
      ].join("\n"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n  esol server --port 8443 --db cs/cs.db                                # HTTPS, self-signed pair in cs/\n  esol server --port 8443 --db cs/cs.db --trust keys/proxy-cert.pem    # signed requests required\n  esol server --port 8080 --db cs/cs.db --http --cycle quarterly --supplies-interval off\n  esol server --port 8443 --db cs/cs.db --trust keys/proxy-cert.pem --clock-skew 2m --max-age 10m --timestamp-fraction-digits 7\n  esol server --port 8443 --db cs/cs.db --trust keys/new-cert.pem --trust-legacy keys/old-client-cert.pem --log warn\n  esol server export --db cs/cs.db > store.json\n  esol server --port 8443 --db postgres://esol@db:5432/esol --cert cs.pem --key cs-key.pem --db-pool 20",
    )
    .action(
      action(async (flags: ServerFlags) => {
        const options = serverOptionsFromFlags(flags, (line) => process.stderr.write(`${line}\n`));
        const instance = new CommunicationServer(options);
        const stop = listenForStop();
        try {
          const { url } = await instance.start();
          // After start: the store exists. The flags replace whatever grants were recorded.
          await recordSignerProfiles(
            requireDb(flags.db),
            legacyGrantsFromFlags(flags),
            new Date(),
            storeOptionsFromFlags(flags),
          );
          process.stdout.write(`listening ${url}\n`);
          await stop.requested;
        } finally {
          stop.dispose();
          await instance.close();
        }
      }),
    );

  server
    .command("export")
    .description(
      "print the store as JSON: proxies, devices, billing reads, supplies reports, billing requests, device moves",
    )
    .option("--db <file|url>", "SQLite store or PostgreSQL URL of a server")
    .action(
      action(async (_opts: { db?: string }, command: Command) => {
        // `--db` after `export` may be taken by the parent command (same flag): read both.
        const flags = command.optsWithGlobals() as Partial<ServerFlags>;
        const db = requireDb(flags.db);
        const exported = await exportServerStore(db, storeOptionsFromFlags(flags));
        process.stdout.write(`${JSON.stringify(exported, null, 2)}\n`);
      }),
    );

  server
    .command("unbind")
    .description("release the signing certificate a proxy is bound to (certificate rotation)")
    .option("--db <file|url>", "SQLite store or PostgreSQL URL of a server")
    .option("--proxy <id>", "the ProxyId to release")
    .action(
      action(async (_opts: { proxy?: string }, command: Command) => {
        const opts = command.optsWithGlobals() as Partial<ServerFlags> & { proxy?: string };
        const db = requireDb(opts.db);
        if (opts.proxy === undefined || opts.proxy === "")
          throw new ConfigError("ARG_MISSING", "--proxy ID is required");
        if (!(await unbindServerProxySigner(db, opts.proxy, storeOptionsFromFlags(opts))))
          throw new ConfigError(
            "ARG_INVALID",
            `proxy ${opts.proxy} has no bound certificate in ${dbForMessages(db)}`,
          );
        process.stdout.write(`unbound ${opts.proxy}\n`);
      }),
    );
}
