/**
 * The printer's console display (Printer-MIB prtConsoleDisplayBufferTable) decoded with
 * the character set its localization declares (prtLocalizationCharacterSet, an IANA
 * charset MIBenum). Pure: varbinds in, {@link ConsoleDisplay} out.
 * @module
 */
import { Oid } from "./oids.js";
import { cleanText, compareIndexes, numberOf, type VarbindSet } from "./values.js";

/** What the printer's console shows. */
export interface ConsoleDisplay {
  /** The display lines in prtConsoleDisplayBufferIndex order, decoded and trimmed. */
  lines: string[];
  /** prtLocalizationCharacterSet of the console's localization (IANA MIBenum, e.g. 106 UTF-8), null when absent. */
  characterSet: number | null;
  /** The decoder used (`utf-8`, `shift_jis`, `latin1`, …); `auto` when the device declared none. */
  encoding: string;
}

/**
 * IANA character-set MIBenums (IANA "Character Sets" registry, used by RFC 3805
 * `CodedCharSet`) and the WHATWG decoder label for each.
 */
export const CHARSET_DECODERS: Readonly<Record<number, string>> = {
  3: "ascii",
  4: "latin1",
  17: "shift_jis",
  18: "euc-jp",
  38: "euc-kr",
  106: "utf-8",
  113: "gbk",
  114: "gb18030",
  1013: "utf-16be",
  1014: "utf-16le",
  1015: "utf-16",
  2025: "gb2312",
  2026: "big5",
  2252: "windows-1252",
};

/**
 * Decodes device bytes in the declared character set. Invalid bytes become U+FFFD and the
 * rest of the text is kept; the value is cut at the first NUL. An unknown or unsupported
 * set falls back to `cleanText` (UTF-8 when valid, else Latin-1).
 *
 * @example
 * ```ts
 * decodeCharset(Buffer.from([0x83, 0x65]), 17); // "テ"
 * ```
 */
export function decodeCharset(
  bytes: Buffer,
  characterSet: number | null,
): {
  /** The decoded text, trimmed. */
  text: string;
  /** The decoder used, `auto` for the fallback. */
  encoding: string;
} {
  const label = characterSet === null ? undefined : CHARSET_DECODERS[characterSet];
  if (label && label !== "ascii" && label !== "latin1") {
    const utf16 = label.startsWith("utf-16");
    const nul = utf16 ? -1 : bytes.indexOf(0);
    const body = nul >= 0 ? bytes.subarray(0, nul) : bytes;
    try {
      return {
        text: new TextDecoder(label, { fatal: false }).decode(body).replace(/\0+$/, "").trim(),
        encoding: label,
      };
    } catch {
      // A Node built without full ICU lacks some decoders: fall through to the heuristic.
    }
  }
  if (label === "ascii" || label === "latin1") {
    const nul = bytes.indexOf(0);
    return {
      text: (nul >= 0 ? bytes.subarray(0, nul) : bytes).toString("latin1").trim(),
      encoding: "latin1",
    };
  }
  return { text: cleanText(bytes), encoding: "auto" };
}

/**
 * The console display of the printer row `printerIndex`: its lines and the character set
 * of the console's localization (prtConsoleLocalization, else
 * prtGeneralCurrentLocalization, else the first localization row). Null when the device
 * has no display buffer.
 */
export function decodeConsole(mib: VarbindSet, printerIndex: number | null): ConsoleDisplay | null {
  const buffer = mib.column(Oid.prtConsoleDisplayBufferText);
  if (buffer.size === 0) return null;
  const device = printerIndex ?? Number([...buffer.keys()][0]?.split(".")[0] ?? 1);
  const locIndex =
    numberOf(mib.get(`${Oid.prtConsoleLocalization}.${device}`)) ??
    numberOf(mib.get(`${Oid.prtGeneralCurrentLocalization}.${device}`));
  const charsets = mib.column(Oid.prtLocalizationCharacterSet);
  const characterSet =
    (locIndex !== null ? numberOf(charsets.get(`${device}.${locIndex}`)) : null) ??
    numberOf([...charsets.values()][0]);
  const lines: string[] = [];
  let encoding = "auto";
  const rows = [...buffer.keys()].filter((k) => k.split(".")[0] === String(device)).sort(compareIndexes);
  for (const row of rows.length > 0 ? rows : [...buffer.keys()].sort(compareIndexes)) {
    const vb = buffer.get(row);
    if (vb?.type !== "OctetString") continue;
    const decoded = decodeCharset(vb.value, characterSet);
    encoding = decoded.encoding;
    lines.push(decoded.text);
  }
  return { lines, characterSet, encoding };
}
