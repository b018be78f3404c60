/**
 * The committed contract, found next to the package and served at `?wsdl` with its
 * `soap:address` pointing at the running server.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors.js";
import { escapeXml } from "./faults.js";

/** Reads `wsdl/communication.wsdl` from the package root (source tree or `dist/`). */
export function loadContractWsdl(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, "wsdl", "communication.wsdl");
    if (existsSync(candidate)) return readFileSync(candidate, "utf8");
    dir = dirname(dir);
  }
  throw new ConfigError(
    "CONFIG_WSDL",
    "cannot find wsdl/communication.wsdl next to the esolutions-sdk package",
  );
}

/**
 * Points every `soap:address` of `wsdl` at `url`.
 * @example
 * ```ts
 * withAddress(wsdl, "http://127.0.0.1:18500/esolutions/v1");
 * ```
 */
export function withAddress(wsdl: string, url: string): string {
  return wsdl.replace(/(<soap:address\s+location=")[^"]*(")/g, `$1${escapeXml(url)}$2`);
}
