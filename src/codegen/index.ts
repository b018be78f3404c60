/**
 * `esol codegen` as a library: reads a WSDL 1.1 description (with its imports and
 * includes), picks a SOAP 1.1 port and writes a typed client module that runs on the SDK's
 * transport (`SoapModelClient` of `esolutions-sdk`).
 * @module
 */
import { access, constants, mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../errors.js";
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
  /**
   * Told each thing the generated client leaves out (e.g. a `use="encoded"` `soap:header` part), one line each;
   * `esol codegen` prints them as `warning: …` on stderr. The same lines are in
   * {@link GeneratedClient.warnings}.
   */
  onWarning?: ((message: string) => void) | undefined;
}

/** A generated client, not yet written. */
export interface GeneratedClient {
  /** Files relative to the output folder → their text (`index.ts`). */
  files: Record<string, string>;
  /** The port generated for and its model. */
  port: PortModel;
  /** What the generated client leaves out, one line each (also in the module's header comment). */
  warnings: string[];
}

/**
 * Generates the client of one SOAP 1.1 port of a WSDL, in memory.
 * @throws ConfigError `CODEGEN_WSDL` (a document cannot be read or parsed, a reference to
 * something undefined), `CODEGEN_PORT` (no such service/port, a missing binding),
 * `CODEGEN_UNSUPPORTED` (SOAP 1.2-only, rpc/encoded, multi-part document/literal, an abstract
 * element in use — substitution groups — or an abstract type no type extends).
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
  for (const warning of port.warnings) options.onWarning?.(warning);
  return { files: { "index.ts": text }, port, warnings: port.warnings };
}

/** The `code` of a Node file-system error (`ENOENT`, `EACCES`…), else its message. */
function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : String((err as Error).message ?? err);
}

/**
 * Makes sure `out` is a writable folder: creates it and its missing parents one at a time,
 * without `mkdir`'s recursive mode (which loops on `ENOENT` under `/proc`); the loop is
 * bounded by the number of path components.
 * @throws ConfigError `ARG_INVALID` naming `--out` and the reason.
 */
async function prepareOutputFolder(out: string): Promise<void> {
  const target = resolve(out);
  const refuse = (reason: string) => new ConfigError("ARG_INVALID", `--out ${out}: ${reason}`);
  const missing: string[] = [];
  let at = target;
  for (let i = 0; i <= target.length; i++) {
    try {
      const info = await stat(at);
      if (!info.isDirectory())
        throw refuse(at === target ? "is not a directory" : `${at} is not a directory`);
      break;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const code = (err as { code?: unknown }).code;
      // ENOTDIR: an ancestor is a file; walking up finds and names it.
      if (code !== "ENOENT" && code !== "ENOTDIR") throw refuse(`cannot use ${at}: ${reasonOf(err)}`);
      missing.unshift(at);
      const parent = dirname(at);
      if (parent === at) throw refuse("no existing ancestor folder");
      at = parent;
    }
  }
  for (const folder of missing) {
    try {
      await mkdir(folder);
    } catch (err) {
      if ((err as { code?: unknown }).code !== "EEXIST")
        throw refuse(`cannot create ${folder}: ${reasonOf(err)}`);
      const info = await stat(folder).catch(() => undefined);
      if (!info?.isDirectory()) throw refuse(`${folder} is not a directory`);
    }
  }
  try {
    await access(target, constants.W_OK);
  } catch (err) {
    throw refuse(`folder is not writable: ${reasonOf(err)}`);
  }
}

/**
 * Generates the client and writes it to `out` (created when missing). Nothing is written
 * unless generation succeeds.
 * @returns the paths written.
 * @throws what {@link generateClient} throws; ConfigError `ARG_INVALID` naming `--out` when `out`
 * is not a folder or cannot be created or written.
 */
export async function writeClient(options: GenerateClientOptions & { out: string }): Promise<string[]> {
  const generated = await generateClient(options);
  await prepareOutputFolder(options.out);
  const written: string[] = [];
  for (const [name, text] of Object.entries(generated.files)) {
    const path = join(options.out, name);
    try {
      await writeFile(path, text);
    } catch (err) {
      throw new ConfigError("ARG_INVALID", `--out ${options.out}: cannot write ${path}: ${reasonOf(err)}`);
    }
    written.push(path);
  }
  return written;
}
