/**
 * Test agents for the SNMP integration suite: net-snmp's Agent (through the simulator's
 * `startAgent`, which lets each test script the answers) serving a recording, and a raw
 * UDP "agent" that answers only garbage.
 */
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import {
  type AgentBehaviour,
  answerQuery,
  MibView,
  type RunningAgent,
  type SimV3User,
  type SnmpAnswer,
  type SnmpQuery,
  startAgent,
} from "../../../src/sim/index.js";
import { bindInFreeRange } from "../../../src/sim/ports.js";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import type { Varbind } from "../../../src/snmp/varbind.js";

/** Varbinds of a recording under test/fixtures. */
export function loadRecording(path: string): Varbind[] {
  return parseSnmprec(readFileSync(path, "utf8"), { source: path });
}

/** Options for {@link startTestAgent}. */
export interface TestAgentOptions {
  /** UDP port; default 0 (a free one; read it from `agent.port`). */
  port?: number;
  varbinds: Varbind[];
  communities?: string[];
  users?: SimV3User[];
  behaviour?: () => AgentBehaviour;
  walkFault?: "backwards" | "loop" | "truncate";
  /** Replaces the answer for some queries; return undefined to answer normally. */
  override?: (query: SnmpQuery, normal: () => SnmpAnswer | null) => SnmpAnswer | null | undefined;
}

/** A running test agent and the queries it received. */
export interface TestAgent {
  agent: RunningAgent;
  queries: SnmpQuery[];
  close(): Promise<void>;
}

let engineSeq = 0;

/** Starts net-snmp's Agent on 127.0.0.1:`port` answering from `varbinds`. */
export async function startTestAgent(options: TestAgentOptions): Promise<TestAgent> {
  const view = new MibView(options.varbinds);
  const queries: SnmpQuery[] = [];
  const engineId = Buffer.alloc(17);
  engineId.write("8000b98380", 0, "hex");
  engineId.writeUInt32BE(process.pid, 5);
  engineId.writeUInt32BE(++engineSeq, 9);
  const agent = await startAgent({
    host: "127.0.0.1",
    port: options.port ?? 0,
    communities: options.communities ?? ["public"],
    users: options.users ?? [],
    engineId,
    ...(options.behaviour && { behaviour: options.behaviour }),
    answer: (query) => {
      queries.push(query);
      const normal = () =>
        answerQuery(view, query, options.walkFault ? { walkFault: options.walkFault } : {});
      const custom = options.override?.(query, normal);
      return custom === undefined ? normal() : custom;
    },
  });
  return { agent, queries, close: () => agent.close() };
}

/**
 * Test agents on consecutive free ports (for target ranges `host:first-last`), in the order given;
 * if any port of a range is taken, the whole range is tried elsewhere.
 */
export async function startTestAgents(
  specs: readonly Omit<TestAgentOptions, "port">[],
): Promise<TestAgent[]> {
  return bindInFreeRange(specs.length, async (base) => {
    const started: TestAgent[] = [];
    try {
      for (const [i, spec] of specs.entries())
        started.push(await startTestAgent({ ...spec, port: base + i }));
    } catch (err) {
      await Promise.all(started.map((a) => a.close()));
      throw err;
    }
    return started;
  });
}

/** A UDP socket on 127.0.0.1 (a port from the OS) that answers every datagram with malformed BER packets. */
export async function startGarbageAgent(): Promise<{
  port: number;
  received: () => number;
  close(): Promise<void>;
}> {
  const socket = dgram.createSocket("udp4");
  let received = 0;
  const garbage = [
    Buffer.from([0x30, 0x82, 0xff, 0xff, 0x02, 0x01]), // announces 65535 bytes, has 2
    Buffer.from([0x30, 0x03, 0x02, 0x01]), // truncated INTEGER
    Buffer.from([0xff, 0xff, 0xff, 0xff]), // not BER at all
    Buffer.from([0x30, 0x06, 0x02, 0x01, 0x09, 0x04, 0x01, 0x41]), // version 9
    Buffer.alloc(0),
    Buffer.from("30 0c 02 01 01 04 06 70 75 62 6c 69 63".replace(/ /g, ""), "hex"), // no PDU
  ];
  socket.on("message", (_msg, rinfo) => {
    received++;
    for (const g of garbage) socket.send(g, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  return {
    port: socket.address().port,
    received: () => received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
