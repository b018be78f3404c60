/**
 * The outbound proxy has one name from the command line to the client (issue 19, item 6):
 * `esol init --http-proxy` writes `server.httpProxy`, which the loaded config carries as
 * `httpProxy` for the client's `httpProxy` option.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../../src/agent/index.js";
import { runEsol } from "../../helpers/esol.js";

const dir = mkdtempSync(join(tmpdir(), "esol-init-proxy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("esol init --http-proxy", () => {
  it("writes server.httpProxy, and the agent config loads it", async () => {
    const site = join(dir, "site");
    const r = await runEsol([
      "init",
      "--dir",
      site,
      "--server",
      "https://cs.example/esolutions/v1",
      "--targets",
      "127.0.0.1:16100",
      "--http-proxy",
      "http://127.0.0.1:3128",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(join(site, "agent.json"), "utf8")) as { server: unknown };
    expect(written.server).toEqual({
      url: "https://cs.example/esolutions/v1",
      httpProxy: "http://127.0.0.1:3128",
    });
    expect(loadAgentConfig(join(site, "agent.json")).server.httpProxy).toBe("http://127.0.0.1:3128");
  });

  it("writes no proxy without the flag (the agent then honours HTTPS_PROXY / NO_PROXY)", async () => {
    const site = join(dir, "plain");
    const r = await runEsol([
      "init",
      "--dir",
      site,
      "--server",
      "https://cs.example/esolutions/v1",
      "--targets",
      "127.0.0.1:16100",
    ]);
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(join(site, "agent.json"), "utf8")) as { server: unknown };
    expect(written.server).toEqual({ url: "https://cs.example/esolutions/v1" });
  });
});
