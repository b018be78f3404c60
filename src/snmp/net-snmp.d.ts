// The parts of net-snmp (which ships no types) that src/snmp/session.ts uses.
declare module "net-snmp" {
  import type { EventEmitter } from "node:events";

  export interface NetSnmpVarbind {
    oid: string;
    type: number;
    value: unknown;
  }

  export type ResponseCallback<T> = (error: Error | null, varbinds: T) => void;

  export interface NetSnmpSession extends EventEmitter {
    get(oids: string[], cb: ResponseCallback<NetSnmpVarbind[]>): void;
    getNext(oids: string[], cb: ResponseCallback<NetSnmpVarbind[]>): void;
    getBulk(
      oids: string[],
      nonRepeaters: number,
      maxRepetitions: number,
      cb: ResponseCallback<NetSnmpVarbind[][]>,
    ): void;
    close(): void;
  }

  export interface NetSnmpUser {
    name: string;
    level: number;
    authProtocol?: string;
    authKey?: string;
    privProtocol?: string;
    privKey?: string;
  }

  export const Version1: number;
  export const Version2c: number;
  export const Version3: number;
  export const ObjectType: Record<string, number>;
  export const SecurityLevel: Record<string, number>;
  export const AuthProtocols: Record<string, string>;
  export const PrivProtocols: Record<string, string>;
  export const ErrorStatus: Record<string, number>;
  export const ResponseInvalidCode: Record<string, number>;

  export function createSession(
    target: string,
    community: string,
    options: Record<string, unknown>,
  ): NetSnmpSession;
  export function createV3Session(
    target: string,
    user: NetSnmpUser,
    options: Record<string, unknown>,
  ): NetSnmpSession;
  export function isVarbindError(vb: NetSnmpVarbind): boolean;

  const snmp: {
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    isVarbindError: typeof isVarbindError;
    Version1: number;
    Version2c: number;
    Version3: number;
    ObjectType: Record<string, number>;
    SecurityLevel: Record<string, number>;
    AuthProtocols: Record<string, string>;
    PrivProtocols: Record<string, string>;
    ErrorStatus: Record<string, number>;
    ResponseInvalidCode: Record<string, number>;
    [key: string]: unknown;
  };
  export default snmp;
}
