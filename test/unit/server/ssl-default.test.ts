import { describe, expect, it } from "vitest";
import { defaultSslMode } from "../../../src/server/store-pg.js";

describe("PostgreSQL TLS default", () => {
  it("is disable only for a database on this machine, require for any other host", () => {
    expect(defaultSslMode("postgres://esol@127.0.0.1:5432/esol")).toBe("disable");
    expect(defaultSslMode("postgres://esol@localhost/esol")).toBe("disable");
    expect(defaultSslMode("postgres://esol@[::1]:5432/esol")).toBe("disable");
    expect(defaultSslMode("postgres:///esol?host=/var/run/postgresql")).toBe("disable");
    expect(defaultSslMode("postgres://esol:pw@db.example.net:5432/esol")).toBe("require");
    expect(defaultSslMode("postgres://esol@10.0.0.5/esol")).toBe("require");
    expect(defaultSslMode("postgres://esol@127.example.net/esol")).toBe("require");
  });
});
