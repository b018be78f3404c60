/**
 * A small real HTTP(S) server on loopback that answers SOAP requests with canned
 * responses, drops connections or hangs on demand, and records what it received and the
 * bytes on its sockets — the other end of the client tests before (and besides) the
 * reference server.
 * @module
 */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";

/** A request as the server saw it. */
export interface CannedRequest {
  /** 1 for the first request the server received. */
  n: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** Body after gunzip when the client gzipped it. */
  body: string;
  /** Bytes this request took on the socket (request line, headers, body); plain HTTP only. */
  wireBytes: number;
}

/** How to answer one request. */
export type CannedAnswer =
  | { status?: number; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }
  | "drop"
  | "hang";

/** Options of {@link startCannedServer}. */
export interface CannedServerOptions {
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  answer: (req: CannedRequest) => CannedAnswer;
}

/** A running canned server. */
export interface CannedServer {
  url: string;
  port: number;
  requests: CannedRequest[];
  /** Bytes each answer took on the socket (status line, headers, body); plain HTTP only. */
  responseWireBytes: number[];
  /** Client certificate subject CNs seen (mutual TLS). */
  peerNames: string[];
  close(): Promise<void>;
}

/** The SOAP 1.1 envelope of a successful answer. */
export function soapResponse(operation: string, inner: string): string {
  return (
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
    `<tns:${operation}Response xmlns:tns="urn:esolutions:communication:v1">${inner}</tns:${operation}Response>` +
    `</soap:Body></soap:Envelope>`
  );
}

/** A SOAP 1.1 fault envelope, with a `CommunicationFault` detail when `code` is given. */
export function soapFault(faultCode: string, faultString: string, code?: string, retryable = false): string {
  const detail =
    code === undefined
      ? ""
      : `<detail><tns:CommunicationFault xmlns:tns="urn:esolutions:communication:v1"><Code>${code}</Code><Retryable>${retryable}</Retryable></tns:CommunicationFault></detail>`;
  return (
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>` +
    `<faultcode>${faultCode}</faultcode><faultstring>${faultString}</faultstring>${detail}` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}

/** An `Ack` answer. */
export function ackResponse(operation: string, accepted: number, duplicates = 0): string {
  return soapResponse(
    operation,
    `<Ack><Accepted>${accepted}</Accepted><Duplicates>${duplicates}</Duplicates></Ack>`,
  );
}

async function listenOnFreePort(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Starts a canned server on 127.0.0.1. */
export async function startCannedServer(options: CannedServerOptions): Promise<CannedServer> {
  const requests: CannedRequest[] = [];
  const responseWireBytes: number[] = [];
  const peerNames: string[] = [];
  const sockets = new Set<Socket>();
  const readMark = new WeakMap<Socket, number>();
  const writeMark = new WeakMap<Socket, number>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const socket = req.socket;
      const before = readMark.get(socket) ?? 0;
      readMark.set(socket, socket.bytesRead);
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const peer = (
        socket as Socket & { getPeerCertificate?: () => { subject?: { CN?: string } } }
      ).getPeerCertificate?.();
      if (peer?.subject?.CN) peerNames.push(peer.subject.CN);
      const seen: CannedRequest = {
        n: requests.length + 1,
        path: req.url ?? "",
        headers: req.headers,
        body: body.toString("utf8"),
        wireBytes: socket.bytesRead - before,
      };
      requests.push(seen);
      const answer = options.answer(seen);
      if (answer === "drop") {
        socket.destroy();
        return;
      }
      if (answer === "hang") return;
      const text = answer.body ?? "";
      const headers: Record<string, string> = {
        "Content-Type": "text/xml; charset=utf-8",
        ...answer.headers,
      };
      if (!answer.chunked) headers["Content-Length"] = String(Buffer.byteLength(text));
      res.writeHead(answer.status ?? 200, headers);
      res.on("finish", () => {
        const w = writeMark.get(socket) ?? 0;
        writeMark.set(socket, socket.bytesWritten);
        responseWireBytes.push(socket.bytesWritten - w);
      });
      if (answer.chunked) {
        const half = Math.floor(text.length / 2);
        res.write(typeof text === "string" ? text.slice(0, half) : text.subarray(0, half));
        res.end(typeof text === "string" ? text.slice(half) : text.subarray(half));
      } else {
        res.end(text);
      }
    });
  };
  const server: Server = options.tls
    ? https.createServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          ...(options.tls.ca ? { ca: options.tls.ca } : {}),
          requestCert: options.tls.requestCert ?? false,
          rejectUnauthorized: options.tls.requestCert ?? false,
        },
        handler,
      )
    : http.createServer(handler);
  server.on(options.tls ? "secureConnection" : "connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const port = await listenOnFreePort(server);
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}/esolutions/v1`,
    port,
    requests,
    responseWireBytes,
    peerNames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
