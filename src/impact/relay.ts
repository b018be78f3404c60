/**
 * Byte-counting relays on loopback. Putting a relay between a client and a server
 * counts what really crosses the network (TLS records and handshakes for TCP, UDP
 * payloads for SNMP) without reaching into either side's sockets.
 * @module
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { TransportError } from "../errors.js";

/** Bytes counted so far by a relay. */
export interface RelayCount {
  /** Client → server bytes (TCP stream bytes, or UDP payload bytes). */
  upBytes: number;
  /** Server → client bytes. */
  downBytes: number;
  /** TCP connections accepted, or UDP datagrams relayed (both ways). */
  units: number;
}

/** Where a relay listens and forwards to. */
export interface RelayOptions {
  /** Loopback address to listen on and to reach the target at; default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; default 0 (ephemeral). */
  port?: number;
  /** Port of the real server / agent on `host`. */
  targetPort: number;
}

/** A started relay. */
export interface ByteCountingRelay {
  /** The port the relay listens on. */
  readonly port: number;
  /** A copy of the counters. */
  count(): RelayCount;
  /** Stops listening and closes every relayed connection. */
  close(): Promise<void>;
}

/**
 * A TCP pass-through: every accepted connection is piped to the target; bytes are
 * counted per direction and connections are counted (each one is a TLS handshake).
 *
 * @throws TransportError `RELAY_LISTEN` when the port cannot be bound.
 * @example
 * ```ts
 * const relay = await startTcpRelay({ targetPort: serverPort });
 * // point the client at https://127.0.0.1:${relay.port}/...
 * ```
 */
export async function startTcpRelay(options: RelayOptions): Promise<ByteCountingRelay> {
  const host = options.host ?? "127.0.0.1";
  const counts: RelayCount = { upBytes: 0, downBytes: 0, units: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    counts.units++;
    const upstream = new (client.constructor as typeof Socket)();
    sockets.add(client);
    sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("data", (b: Buffer) => {
      counts.upBytes += b.length;
    });
    upstream.on("data", (b: Buffer) => {
      counts.downBytes += b.length;
    });
    client.on("error", drop);
    upstream.on("error", drop);
    client.on("close", drop);
    upstream.on("close", drop);
    upstream.connect(options.targetPort, host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
    client.pause();
    upstream.once("connect", () => client.resume());
  });
  await listen(server, host, options.port ?? 0);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    count: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (err) =>
      reject(
        new TransportError("RELAY_LISTEN", `cannot listen on ${host}:${port}: ${err.message}`, {
          cause: err,
          retryable: false,
        }),
      ),
    );
    server.listen(port, host, () => resolve());
  });
}

/**
 * A UDP relay: each manager address gets its own upstream socket so answers find their
 * way back; payload bytes and datagrams are counted per direction.
 *
 * @throws TransportError `RELAY_LISTEN` when the port cannot be bound.
 */
export async function startUdpRelay(options: RelayOptions): Promise<ByteCountingRelay> {
  const host = options.host ?? "127.0.0.1";
  const family = host.includes(":") ? "udp6" : "udp4";
  const counts: RelayCount = { upBytes: 0, downBytes: 0, units: 0 };
  const front = createSocket(family);
  const upstreams = new Map<string, UdpSocket>();
  front.on("message", (msg: Buffer, from: RemoteInfo) => {
    counts.upBytes += msg.length;
    counts.units++;
    const key = `${from.address}|${from.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const socket = createSocket(family);
      socket.on("message", (answer: Buffer) => {
        counts.downBytes += answer.length;
        counts.units++;
        front.send(answer, from.port, from.address);
      });
      socket.on("error", () => socket.close());
      upstreams.set(key, socket);
      up = socket;
    }
    up.send(msg, options.targetPort, host);
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", (err) =>
      reject(
        new TransportError("RELAY_LISTEN", `cannot bind UDP ${host}:${options.port ?? 0}: ${err.message}`, {
          cause: err,
          retryable: false,
        }),
      ),
    );
    front.bind(options.port ?? 0, host, () => resolve());
  });
  return {
    port: front.address().port,
    count: () => ({ ...counts }),
    close: async () => {
      for (const s of upstreams.values()) s.close();
      upstreams.clear();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
