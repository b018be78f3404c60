import type { Command } from "commander";
import { ConfigError, isSdkError, SecurityError } from "../../errors.js";
import {
  CommunicationFaultError,
  decodeRequestBody,
  faultEnvelope,
  securityFaultFor,
} from "../../server/faults.js";
import { WsSecurityVerifier } from "../../wssec/index.js";
import { action } from "../action.js";
import { timestampRulesFromFlags } from "./server.js";
import { readPemFile, readStdinBytes } from "./sign.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `esol verify`: applies the server's verifier to the envelope on stdin; exit 0 only
 * for a message the server would accept. A refusal is one `error WSS_…: reason` line on
 * stderr; with `--fault`, stdout also gets the answer the reference server sends for it
 * (`HTTP/1.1 <status>` and the fault envelope, from the one WS-Security fault table).
 * A body whose charset the server refuses is reported as the server reports it:
 * `UNSUPPORTED_MEDIA_TYPE`, HTTP 415 (one rule, `decodeRequestBody`).
 */
export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("verify a signed SOAP envelope on stdin exactly as the server would; exit 0 = accepted")
    .option("--trust <pem>", "pinned sender certificate (PEM); repeatable", collect, [])
    .option(
      "--trust-legacy <pem>",
      "pinned sender certificate granted the legacy profile (RSA-SHA1, SHA-1 digests, 2002/2003 draft namespaces); repeatable",
      collect,
      [],
    )
    .option("--trust-ca <pem>", "trusted CA certificate (PEM); repeatable, needs --subject", collect, [])
    .option(
      "--subject <pattern>",
      "regular expression the whole subject of a CA-issued certificate must match",
    )
    .option("--insecure-unsigned", "accept unsigned messages (local testing only)")
    .option("--max-bytes <n>", "largest accepted envelope in bytes", String(10 * 1024 * 1024))
    .option("--fault", "on refusal, also print the server's answer (HTTP status and SOAP fault) on stdout")
    .option(
      "--clock-skew <duration>",
      "allowed clock difference, as `esol server --clock-skew` (default 60s)",
    )
    .option("--max-age <duration>", "largest age of a Timestamp without Expires (default 5m)")
    .option("--timestamp-fraction-digits <n>", "most fractional-second digits, 0..9 (default 3)")
    .option(
      "--content-type <value>",
      "the request's Content-Type header, for its charset (the server's rule: UTF-8 or UTF-16, BOM and XML declaration agreeing)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  esol verify --trust proxy-cert.pem < signed.xml     # exit 0: ok trusted subject=… sha256=…\n  esol verify --trust-ca vendor-ca.pem --subject '^CN=proxy-[0-9]+$' < signed.xml\n  esol verify --insecure-unsigned < request.xml      # local testing: unsigned accepted too\n  esol verify --trust proxy-cert.pem --clock-skew 2m --max-age 10m < signed.xml   # as a server run with those flags\n  esol verify --trust proxy-cert.pem --fault --content-type 'text/xml; charset=iso-8859-1' < signed.xml   # HTTP/1.1 415 + fault",
    )
    .action(
      action(
        async (opts: {
          trust: string[];
          trustLegacy: string[];
          trustCa: string[];
          clockSkew?: string;
          maxAge?: string;
          timestampFractionDigits?: string;
          subject?: string;
          insecureUnsigned?: boolean;
          maxBytes: string;
          fault?: boolean;
          contentType?: string;
        }) => {
          const maxBytes = Number(opts.maxBytes);
          if (!Number.isInteger(maxBytes) || maxBytes <= 0)
            throw new ConfigError("ARG_INVALID", "--max-bytes must be a positive integer");
          const verifier = new WsSecurityVerifier({
            trust: opts.trust.map((p) => readPemFile(p, "trusted certificate")),
            trustLegacy: opts.trustLegacy.map((p) => readPemFile(p, "trusted legacy certificate")),
            ...timestampRulesFromFlags(opts),
            trustCa: opts.trustCa.map((p) => readPemFile(p, "CA certificate")),
            ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
            requireSignature: !opts.insecureUnsigned,
            maxBytes,
          });
          let sender: ReturnType<WsSecurityVerifier["verifyRequest"]>;
          try {
            const input = await readStdinBytes(maxBytes);
            if (input.tooLarge)
              throw new SecurityError("WSS_TOO_LARGE", `envelope larger than ${maxBytes} bytes`);
            sender = verifier.verifyRequest(decodeRequestBody(input.bytes, opts.contentType));
          } catch (err) {
            if (opts.fault && isSdkError(err)) {
              const fault =
                err instanceof CommunicationFaultError
                  ? err
                  : err.code.startsWith("WSS_")
                    ? securityFaultFor(err)
                    : undefined;
              if (fault) process.stdout.write(`HTTP/1.1 ${fault.httpStatus}\n${faultEnvelope(fault)}\n`);
            }
            throw err;
          }
          process.stdout.write(
            sender
              ? `ok ${sender.trusted ? "trusted" : "UNTRUSTED"} subject="${sender.subject}" sha256=${sender.thumbprintSha256} alg=${sender.algorithm} key-ref=${sender.keyReference}${sender.legacyForms.length ? ` legacy=${sender.legacyForms.join(",")}` : ""}\n`
              : "ok unsigned (accepted only because of --insecure-unsigned)\n",
          );
        },
      ),
    );
}
