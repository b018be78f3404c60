/**
 * `esol codegen` as a library: reads a WSDL 1.1 description (with its imports and
 * includes), picks a SOAP 1.1 port and writes a typed client module that runs on the SDK's
 * transport (`SoapModelClient` of `esolutions-sdk`).
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { emitClient } from "./emit.js";
import { buildPortModel, type PortModel } from "./model.js";
import { readWsdl } from "./wsdl.js";

export type { PortModel, PortSelection } from "./model.js";

/** Options of {@link generateClient}. */
export interface GenerateClientOptions {
  /** The WSDL: a file path or an `http(s)://` URL. */
  wsdl: string;
  /** `wsdl:service` name; default: any. */
  service?: string | undefined;
  /** `wsdl:port` name; default: the first SOAP 1.1 port. */
  port?: string | undefined;
  /** Module the generated code imports the SDK from. Default `"esolutions-sdk"`. */
  importFrom?: string | undefined;
  /** How the WSDL is named in the generated header. Default: `wsdl` as given. */
  source?: string | undefined;
  /** Limit for reading each URL of the description. Default 30 000. */
  timeoutMs?: number | undefined;
}

/** A generated client, not yet written. */
export interface GeneratedClient {
  /** Files relative to the output folder → their text (`index.ts`). */
  files: Record<string, string>;
  /** The port generated for and its model. */
  port: PortModel;
}

/**
 * Generates the client of one SOAP 1.1 port of a WSDL, in memory.
 * @throws ConfigError `CODEGEN_WSDL` (a document cannot be read or parsed, a reference to
 * something undefined), `CODEGEN_PORT` (no such service/port, a missing binding),
 * `CODEGEN_UNSUPPORTED` (SOAP 1.2-only, rpc/encoded, multi-part document/literal).
 * @example
 * ```ts
 * const { files } = await generateClient({ wsdl: "vendor/service.wsdl" });
 * console.log(files["index.ts"]);
 * ```
 */
export async function generateClient(options: GenerateClientOptions): Promise<GeneratedClient> {
  const index = await readWsdl(options.wsdl, {
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const port = buildPortModel(index, { service: options.service, port: options.port });
  const text = emitClient(port, {
    source: options.source ?? options.wsdl,
    ...(options.importFrom ? { importFrom: options.importFrom } : {}),
  });
  return { files: { "index.ts": text }, port };
}

/**
 * Generates the client and writes it to `out` (created when missing). Nothing is written
 * unless generation succeeds.
 * @returns the paths written.
 * @throws what {@link generateClient} throws.
 */
export async function writeClient(options: GenerateClientOptions & { out: string }): Promise<string[]> {
  const generated = await generateClient(options);
  await mkdir(resolve(options.out), { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(generated.files)) {
    const path = join(options.out, name);
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}
