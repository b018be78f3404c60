/**
 * A printer that is off: a UDP socket on 127.0.0.1 (a port from the OS) that receives and never
 * answers, so a target that must time out is ours and cannot be answered by anything else.
 */
import { createSocket } from "node:dgram";

/** A bound, silent UDP port and how to release it. */
export interface SilentTarget {
  /** The bound port. */
  port: number;
  /** `127.0.0.1:<port>`. */
  target: string;
  /** Releases the port. */
  close(): Promise<void>;
}

/** Binds a UDP socket on 127.0.0.1:0 that never answers. */
export async function silentUdpTarget(): Promise<SilentTarget> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  const { port } = socket.address();
  return {
    port,
    target: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
