/**
 * One simulated device's UDP endpoint. The only file of the simulator that imports net-snmp:
 * its Agent decodes requests, checks communities and USM users (SNMPv3 auth and privacy) and
 * encodes answers; the MIB itself is ours ({@link SimulatedAgentOptions.answer}), because registering
 * net-snmp providers for every OID of thousands of devices costs far more than a sorted array.
 * @module
 */
import type { Socket } from "node:dgram";
import netSnmp from "net-snmp";
import { ConfigError, SnmpError } from "../errors.js";
import type { Varbind } from "../snmp/varbind.js";
import { bindInFreeRange } from "./ports.js";
import type { QueryKind, SnmpAnswer, SnmpQuery, SnmpVersion } from "./responder.js";

/** An SNMPv3 user of a simulated device (USM, authPriv unless `level` says otherwise). */
export interface SimV3User {
  /** msgUserName. */
  name: string;
  /** Authentication protocol. Default `sha`. */
  authProtocol?: "md5" | "sha" | "sha224" | "sha256" | "sha384" | "sha512";
  /** Authentication password. */
  authKey: string;
  /** Privacy protocol. Default `aes`. */
  privProtocol?: "des" | "aes" | "aes256b" | "aes256r";
  /** Privacy password; omit for authNoPriv. */
  privKey?: string;
}

/** How the agent should behave right now (read for every datagram, so faults can change over time). */
export interface AgentBehaviour {
  /** Drop every datagram. */
  drop?: boolean;
  /** Answer after this many real milliseconds. */
  delayMs?: number;
  /** Drop GETBULK requests. */
  dropBulk?: boolean;
  /** Send a truncated (malformed BER) answer. */
  malformed?: boolean;
  /** snmpEngineBoots to announce (SNMPv3). */
  engineBoots?: number;
  /** snmpEngineTime (seconds since boot) to announce (SNMPv3). */
  engineTime?: number;
}

/** Options for {@link startAgent}. */
export interface SimulatedAgentOptions {
  /** Loopback address to bind (127.0.0.1 or ::1). */
  host: string;
  /**
   * UDP port; 0 = a free one the simulator finds itself in `FREE_RANGE_PORTS` (net-snmp alone
   * would bind 161 for 0). Read the bound port from {@link RunningAgent.port}.
   */
  port: number;
  /** Accepted v1/v2c communities. */
  communities: readonly string[];
  /** Accepted SNMPv3 users. */
  users?: readonly SimV3User[];
  /** snmpEngineID. */
  engineId: Buffer;
  /** Answers a decoded read request; null means "send nothing". */
  answer: (query: SnmpQuery) => SnmpAnswer | null;
  /** Current behaviour (faults). */
  behaviour?: () => AgentBehaviour;
}

/** A running agent. */
export interface RunningAgent {
  /** Bound UDP port. */
  readonly port: number;
  /** Datagrams that failed to decode or authenticate (bad community, bad user, bad BER). */
  readonly rejected: number;
  /** Stops listening. */
  close(): Promise<void>;
}

// net-snmp ships no types; this is the part of it we use.
interface NetSnmpVarbind {
  oid: string;
  type?: number;
  value?: unknown;
}
interface NetSnmpPdu {
  type: number;
  id: number;
  varbinds: NetSnmpVarbind[];
  nonRepeaters?: number;
  maxRepetitions?: number;
  errorStatus?: number;
  errorIndex?: number;
  getResponsePduForRequest(): NetSnmpPdu;
}
interface NetSnmpMessage {
  version: number;
  pdu: NetSnmpPdu;
  msgSecurityParameters?: { msgAuthoritativeEngineBoots: number; msgAuthoritativeEngineTime: number };
  createResponseForRequest(pdu: NetSnmpPdu): NetSnmpMessage;
  toBuffer(): Buffer;
}
interface RInfo {
  address: string;
  port: number;
}
type RequestHook = (socket: Socket, message: NetSnmpMessage, rinfo: RInfo) => void;
interface NetSnmpAgent {
  listener: { sockets: Record<string, Socket> };
  engine: { engineBoots: number; engineTime: number };
  getAuthorizer(): { addCommunity(c: string): void; addUser(u: object): void };
  onMsg(socket: Socket, buffer: Buffer, rinfo: RInfo): void;
  sendResponse(socket: Socket, rinfo: RInfo, request: NetSnmpMessage, response: NetSnmpPdu): void;
  getRequest: RequestHook;
  getNextRequest: RequestHook;
  getBulkRequest: RequestHook;
  setRequest: RequestHook;
  close(cb?: () => void): void;
}
interface NetSnmp {
  createAgent(options: object, callback: (error: Error | null) => void): NetSnmpAgent;
  SecurityLevel: Record<string, number>;
  AuthProtocols: Record<string, number>;
  PrivProtocols: Record<string, number>;
  Version1: number;
  Version2c: number;
  Version3: number;
}

// The module declaration (src/snmp/net-snmp.d.ts) covers the manager side that
// src/snmp/session.ts uses; the agent side is typed here, where it is used.
const snmp = netSnmp as unknown as NetSnmp;

const TYPE_TAG: Record<Varbind["type"], number> = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  ObjectIdentifier: 6,
  IpAddress: 64,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
};

/** BER content bytes of an unsigned 64-bit integer (minimal, with a 0 pad when the top bit is set). */
export function counter64Bytes(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, "hex");
  return (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

function toNetSnmp(vb: Varbind): NetSnmpVarbind {
  const type = TYPE_TAG[vb.type];
  if (vb.type === "Counter64") return { oid: vb.oid, type, value: counter64Bytes(vb.value) };
  return { oid: vb.oid, type, value: vb.value };
}

function versionOf(message: NetSnmpMessage): SnmpVersion {
  return message.version === snmp.Version1 ? "v1" : message.version === snmp.Version3 ? "v3" : "v2c";
}

/**
 * Starts one agent on `host:port`. Resolves once the socket is bound; rejects with
 * `SIM_PORT_IN_USE` / `SIM_BIND_FAILED` naming the address.
 *
 * @example
 * ```ts
 * const agent = await startAgent({ host: "127.0.0.1", port: 25001, communities: ["public"], engineId, answer });
 * await agent.close();
 * ```
 */
export async function startAgent(options: SimulatedAgentOptions): Promise<RunningAgent> {
  if (options.port === 0) return bindInFreeRange(1, (port) => startAgent({ ...options, port }));
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)
    throw new ConfigError("SIM_PORT", `port must be 0..65535, got ${options.port}`);
  const behaviour = options.behaviour ?? ((): AgentBehaviour => ({}));
  let rejected = 0;
  let starting: ((err: Error) => void) | undefined;
  const agent = snmp.createAgent(
    {
      port: options.port,
      address: options.host,
      transport: options.host.includes(":") ? "udp6" : "udp4",
      engineID: options.engineId,
    },
    (error) => {
      if (!error) return;
      if (starting) starting(error);
      else rejected++;
    },
  );
  const authorizer = agent.getAuthorizer();
  for (const c of options.communities) authorizer.addCommunity(c);
  for (const u of options.users ?? []) {
    authorizer.addUser({
      name: u.name,
      level: u.privKey === undefined ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols[u.authProtocol ?? "sha"],
      authKey: u.authKey,
      privProtocol: snmp.PrivProtocols[u.privProtocol ?? "aes"],
      privKey: u.privKey,
    });
  }

  const handle =
    (kind: QueryKind): RequestHook =>
    (socket, message, rinfo) => {
      const now = behaviour();
      if (kind === "getBulk" && now.dropBulk) return;
      const pdu = message.pdu;
      const query: SnmpQuery = {
        kind,
        version: versionOf(message),
        oids: pdu.varbinds.map((v) => v.oid),
        ...(kind === "getBulk"
          ? { nonRepeaters: pdu.nonRepeaters ?? 0, maxRepetitions: pdu.maxRepetitions ?? 0 }
          : {}),
      };
      let answer: SnmpAnswer | null;
      try {
        answer = options.answer(query);
      } catch {
        answer = { errorStatus: 5, errorIndex: 0, varbinds: [] };
      }
      if (answer === null) return;
      const response = pdu.getResponsePduForRequest();
      response.varbinds = answer.varbinds.map(toNetSnmp);
      response.errorStatus = answer.errorStatus;
      response.errorIndex = answer.errorIndex;
      const sec = message.msgSecurityParameters;
      if (message.version === snmp.Version3 && sec) {
        // Announce our own boots/time, so a reboot is visible to the manager (RFC 3414 §3.2 7b).
        if (now.engineBoots !== undefined) sec.msgAuthoritativeEngineBoots = now.engineBoots;
        if (now.engineTime !== undefined) sec.msgAuthoritativeEngineTime = now.engineTime;
      }
      if (now.malformed) {
        const bytes = message.createResponseForRequest(response).toBuffer();
        // The outer SEQUENCE still announces the full length: a truncated, undecodable message.
        const broken = bytes.subarray(0, Math.max(2, bytes.length - 7));
        socket.send(broken, rinfo.port, rinfo.address);
        return;
      }
      agent.sendResponse(socket, rinfo, message, response);
    };
  agent.getRequest = handle("get");
  agent.getNextRequest = handle("getNext");
  agent.getBulkRequest = handle("getBulk");
  agent.setRequest = (socket, message, rinfo) => {
    const response = message.pdu.getResponsePduForRequest();
    response.varbinds = message.pdu.varbinds;
    response.errorStatus = 6; // noAccess (readOnly for v1): a simulated printer is read-only
    response.errorIndex = 1;
    agent.sendResponse(socket, rinfo, message, response);
  };

  const socket = Object.values(agent.listener.sockets)[0] as Socket;
  // Replace net-snmp's datagram listener so faults apply before decoding (a dead device
  // answers nothing, not even SNMPv3 discovery) and engine boots are current for reports.
  socket.removeAllListeners("message");
  socket.on("message", (buffer: Buffer, rinfo: RInfo) => {
    const now = behaviour();
    if (now.drop) return;
    if (now.engineBoots !== undefined) agent.engine.engineBoots = now.engineBoots;
    if (now.engineTime !== undefined) agent.engine.engineTime = now.engineTime;
    const run = (): void => {
      try {
        agent.onMsg(socket, buffer, rinfo);
      } catch {
        rejected++;
      }
    };
    if (now.delayMs !== undefined && now.delayMs > 0) setTimeout(run, now.delayMs).unref();
    else run();
  });

  await new Promise<void>((resolve, reject) => {
    starting = (err: Error) => {
      starting = undefined;
      try {
        agent.close();
      } catch {
        // never bound: nothing to release
      }
      const code = (err as { code?: string }).code;
      const where = `${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}`;
      reject(
        code === "EADDRINUSE"
          ? new ConfigError("SIM_PORT_IN_USE", `UDP ${where} is already in use`, { cause: err })
          : code === "EMFILE" || code === "ENFILE"
            ? new ConfigError(
                "SIM_TOO_MANY_FILES",
                `cannot bind UDP ${where}: out of file descriptors (each device holds one socket; raise ulimit -n)`,
                { cause: err },
              )
            : new SnmpError("SIM_BIND_FAILED", `cannot bind UDP ${where}: ${err.message}`, { cause: err }),
      );
    };
    socket.once("listening", () => {
      starting = undefined;
      resolve();
    });
  });

  return {
    port: options.port,
    get rejected() {
      return rejected;
    },
    close: () =>
      new Promise<void>((resolve) => {
        try {
          agent.close(() => resolve());
        } catch {
          resolve();
        }
      }),
  };
}
