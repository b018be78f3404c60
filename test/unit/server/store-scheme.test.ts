import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CommunicationServer,
  exportServerStore,
  openServerStore,
  unbindServerProxySigner,
} from "../../../src/server/index.js";

// `esol server --db mysql://…` was refused with CONFIG_DB while the library took the same value
// as a SQLite path (`mysql:/x.db`, relative to the working directory). The check is the
// library's now: every way in refuses it, and no file appears.

const home = process.cwd();
let dir: string | undefined;
afterEach(() => {
  process.chdir(home);
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A working directory where `mysql://x.db` and `sqlite://x.db` would be creatable SQLite paths. */
function schemeLikeDirs(): string {
  dir = mkdtempSync(join(tmpdir(), "esol-store-scheme-"));
  mkdirSync(join(dir, "mysql:"));
  mkdirSync(join(dir, "sqlite:"));
  process.chdir(dir);
  return dir;
}

const refusal = (scheme: string) =>
  expect.objectContaining({
    code: "CONFIG_DB",
    message: `db: the ${scheme}:// scheme is not supported; give a SQLite file path or a postgres:// (postgresql://) URL`,
  });

describe("a store location with a URL scheme other than postgres://", () => {
  it("is refused by openServerStore with CONFIG_DB naming the scheme, and no file is created", async () => {
    const d = schemeLikeDirs();
    await expect(openServerStore("mysql://x.db")).rejects.toEqual(refusal("mysql"));
    await expect(openServerStore("SQLite://x.db")).rejects.toEqual(refusal("SQLite"));
    await expect(exportServerStore("mysql://x.db")).rejects.toEqual(refusal("mysql"));
    await expect(unbindServerProxySigner("mysql://x.db", "p-1")).rejects.toEqual(refusal("mysql"));
    expect(() => new CommunicationServer({ db: "mysql://x.db", tls: false })).toThrow(
      expect.objectContaining({ code: "CONFIG_DB" }),
    );
    expect(readdirSync(join(d, "mysql:"))).toEqual([]);
    expect(readdirSync(join(d, "sqlite:"))).toEqual([]);
  });

  it("is not confused with a file path that merely contains a colon", async () => {
    const d = schemeLikeDirs();
    const store = await openServerStore("mysql:/x.db");
    await store.close();
    expect(existsSync(join(d, "mysql:", "x.db"))).toBe(true);
  });
});
