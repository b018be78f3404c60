import { createSocket } from "node:dgram";
import { type AddressInfo, createConnection, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTcpRelay, startUdpRelay } from "../../../src/impact/relay.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe("byte-counting relays", () => {
  it("passes a TCP stream through and counts each direction and each connection", async () => {
    const echo = createServer((s) => s.on("data", (b: Buffer) => s.write(Buffer.concat([b, b]))));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise((r) => echo.close(() => r())));
    const relay = await startTcpRelay({ port: 0, targetPort: (echo.address() as AddressInfo).port });
    cleanups.push(() => relay.close());
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const c = createConnection(relay.port, "127.0.0.1", () => c.write("hello"));
      c.once("data", (b: Buffer) => {
        c.end();
        resolve(b);
      });
      c.once("error", reject);
    });
    expect(reply.toString()).toBe("hellohello");
    expect(relay.count()).toEqual({ upBytes: 5, downBytes: 10, units: 1 });
  });

  it("relays UDP datagrams back to their sender and counts payload bytes both ways", async () => {
    const agent = createSocket("udp4");
    agent.on("message", (m, from) =>
      agent.send(Buffer.concat([m, Buffer.from("!!!")]), from.port, from.address),
    );
    await new Promise<void>((r) => agent.bind(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise((r) => agent.close(() => r())));
    const relay = await startUdpRelay({ port: 0, targetPort: agent.address().port });
    cleanups.push(() => relay.close());
    const manager = createSocket("udp4");
    cleanups.push(() => new Promise((r) => manager.close(() => r())));
    const answer = await new Promise<Buffer>((resolve) => {
      manager.once("message", (m) => resolve(m));
      manager.send("ping", relay.port, "127.0.0.1");
    });
    expect(answer.toString()).toBe("ping!!!");
    expect(relay.count()).toEqual({ upBytes: 4, downBytes: 7, units: 2 });
  });

  it("refuses a port that is taken with RELAY_LISTEN", async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise((r) => holder.close(() => r())));
    const taken = (holder.address() as AddressInfo).port;
    await expect(startTcpRelay({ port: taken, targetPort: taken })).rejects.toMatchObject({
      code: "RELAY_LISTEN",
    });
  });
});
