// A thin promise wrapper over net-snmp's manager side, so the simulator is tested with a real
// SNMP client over UDP (not through its own code paths).
import { createRequire } from "node:module";

export const snmp = createRequire(import.meta.url)("net-snmp");

export interface ClientVarbind {
  oid: string;
  type: number;
  value: unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: net-snmp has no types
export type Session = any;

export function v2Session(
  port: number,
  community = "public",
  options: { timeout?: number; v1?: boolean } = {},
): Session {
  const s = snmp.createSession("127.0.0.1", community, {
    port,
    version: options.v1 ? snmp.Version1 : snmp.Version2c,
    timeout: options.timeout ?? 1500,
    retries: 0,
  });
  s.on("error", () => {});
  return s;
}

export function v3Session(
  port: number,
  user: { name: string; authKey: string; privKey: string },
  timeout = 2000,
): Session {
  const s = snmp.createV3Session(
    "127.0.0.1",
    {
      name: user.name,
      level: snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols.sha,
      authKey: user.authKey,
      privProtocol: snmp.PrivProtocols.aes,
      privKey: user.privKey,
    },
    { port, timeout, retries: 0 },
  );
  s.on("error", () => {});
  return s;
}

export function get(s: Session, oids: string[]): Promise<ClientVarbind[]> {
  return new Promise((resolve, reject) =>
    s.get(oids, (err: Error | null, vbs: ClientVarbind[]) => (err ? reject(err) : resolve(vbs))),
  );
}

export function getNext(s: Session, oids: string[]): Promise<ClientVarbind[]> {
  return new Promise((resolve, reject) =>
    s.getNext(oids, (err: Error | null, vbs: ClientVarbind[]) => (err ? reject(err) : resolve(vbs))),
  );
}

export function getBulk(s: Session, oids: string[], maxRepetitions = 10): Promise<ClientVarbind[]> {
  return new Promise((resolve, reject) =>
    s.getBulk(oids, 0, maxRepetitions, (err: Error | null, vbs: ClientVarbind[]) =>
      err ? reject(err) : resolve(vbs),
    ),
  );
}

/** Every varbind under `oid` (GETBULK for v2c/v3, GETNEXT for v1), via net-snmp's subtree. */
export function subtree(s: Session, oid: string, maxRepetitions = 20): Promise<ClientVarbind[]> {
  const out: ClientVarbind[] = [];
  return new Promise((resolve, reject) =>
    s.subtree(
      oid,
      maxRepetitions,
      (vbs: ClientVarbind[]) => {
        out.push(...vbs);
      },
      (err: Error | null) => (err ? reject(err) : resolve(out)),
    ),
  );
}

export function closeAll(sessions: Session[]): void {
  for (const s of sessions.splice(0)) s.close();
}
