import { describe, expect, it } from "vitest";
import { checkArchitecture, checkImports } from "../support/architecture.js";

describe("the house style's layer rules hold in src/", () => {
  it("finds no import that breaks a rule", () => {
    expect(checkArchitecture(process.cwd())).toEqual([]);
  });
});

describe("the architecture checker itself", () => {
  it("reports a lower layer importing a higher one", () => {
    expect(checkImports("src/snmp/reader.ts", 'import { Agent } from "../agent/agent.js";')).toEqual([
      {
        file: "src/snmp/reader.ts",
        specifier: "../agent/agent.js",
        rule: "snmp may import only errors, clock",
      },
    ]);
  });

  it("keeps the one clock type at the bottom: everything may import it, it imports only errors", () => {
    expect(checkImports("src/sim/clock.ts", 'import { ScaledClock } from "../clock.js";')).toEqual([]);
    expect(checkImports("src/clock.ts", 'import { Agent } from "./agent/agent.js";')).toEqual([
      { file: "src/clock.ts", specifier: "./agent/agent.js", rule: "clock may import only errors" },
    ]);
  });

  it("reports the root entry loading the reference server", () => {
    expect(
      checkImports("src/index.ts", 'export { CommunicationServer } from "./server/index.js";'),
    ).toHaveLength(1);
  });

  it("reports net-snmp, xml-crypto and node-soap outside their owners, and createRequire side doors", () => {
    const text = [
      'import snmp from "net-snmp";',
      'import { SignedXml } from "xml-crypto";',
      'import * as soap from "soap";',
      'import { createRequire } from "node:module";',
      'const x = createRequire(import.meta.url)("net-snmp");',
    ].join("\n");
    expect(checkImports("src/agent/agent.ts", text).map((v) => v.rule)).toEqual([
      "only src/snmp/session.ts, src/sim/agent.ts import net-snmp",
      "only src/wssec/ import xml-crypto",
      "only src/server/ import soap",
      "no createRequire in src/ (import modules statically)",
    ]);
    expect(checkImports("src/snmp/session.ts", 'import snmp from "net-snmp";')).toEqual([]);
  });

  it("reports src/ importing test/ or generated/ outside src/soap/", () => {
    expect(checkImports("src/agent/x.ts", 'import { h } from "../../test/helpers/keys.js";')[0]?.rule).toBe(
      "src/ never imports test/",
    );
    expect(
      checkImports("src/agent/x.ts", 'import { g } from "../../generated/communication/index.js";')[0]?.rule,
    ).toBe("only src/soap/ imports generated/");
    expect(
      checkImports("src/soap/x.ts", 'import { g } from "../../generated/communication/index.js";'),
    ).toEqual([]);
  });

  it("does not mistake an import inside a TSDoc example for a real one", () => {
    const text =
      '/**\n * @example\n * ```ts\n * import { Agent } from "../agent/agent.js";\n * ```\n */\nexport const x = 1;';
    expect(checkImports("src/snmp/x.ts", text)).toEqual([]);
  });
});
