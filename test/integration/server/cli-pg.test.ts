import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServerStore } from "../../../src/server/index.js";
import { createDatabase, requirePostgres, type TestDatabase } from "../../helpers/pg.js";

const clusterUrl = requirePostgres("esol server export/unbind on PostgreSQL");

const PASSWORD = "s3cret-Pw-not-for-logs";

function esol(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: process.cwd(),
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe.skipIf(!clusterUrl)("esol server unbind/export on a PostgreSQL --db", () => {
  let database: TestDatabase;
  let withPassword: string;

  beforeAll(async () => {
    database = await createDatabase(clusterUrl);
    // The test cluster trusts loopback: the password is ignored by the server, but it is in the URL.
    const u = new URL(database.url);
    u.password = PASSWORD;
    withPassword = u.toString();
    const store = await openServerStore(database.url);
    await store.close();
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("a proxy with no binding is ARG_INVALID, and the message does not carry the URL's password", () => {
    const r = esol(["server", "unbind", "--db", withPassword, "--proxy", "nobody"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^error ARG_INVALID: proxy nobody has no bound certificate in /);
    expect(r.stderr).not.toContain(PASSWORD);
    expect(r.stderr).toContain("postgres://postgres:***@");
  });

  it("export of a reachable store prints JSON (the URL's password accepted)", () => {
    const r = esol(["server", "export", "--db", withPassword]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).proxies).toEqual([]);
    expect(r.stderr).not.toContain(PASSWORD);
  });
});
