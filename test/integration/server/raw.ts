/**
 * Raw SOAP over node:http(s) for the server suites: the exact bytes a test wants on the
 * wire, no client library in between.
 * @module
 */
import http from "node:http";
import https from "node:https";

/** What the server answered. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as UTF-8 text (meaningless when it came gzipped). */
  body: string;
  /** The body bytes as received (still compressed when Content-Encoding says so). */
  bodyBytes: Buffer;
}

/** Options of {@link post}. */
export interface PostOptions {
  ca?: string;
  headers?: Record<string, string>;
  method?: string;
  /** Send the body in chunks without Content-Length (the size is only known while reading). */
  chunked?: boolean;
}

/** Wraps `inner` in a SOAP 1.1 envelope declaring `t:` as the contract namespace. */
export function envelope(inner: string, header = ""): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `xmlns:t="urn:esolutions:communication:v1">${header ? `<soap:Header>${header}</soap:Header>` : ""}` +
    `<soap:Body>${inner}</soap:Body></soap:Envelope>`
  );
}

/** POSTs `body` (string or bytes) and reads the whole answer; rejects on a dropped connection. */
export function post(url: string, body: string | Buffer, options: PostOptions = {}): Promise<RawResponse> {
  const target = new URL(url);
  const transport = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: options.method ?? "POST",
        headers: {
          "Content-Type": "text/xml; charset=utf-8",
          ...(options.chunked ? {} : { "Content-Length": String(Buffer.byteLength(body)) }),
          ...options.headers,
        },
        ...(options.ca ? { ca: options.ca } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const bodyBytes = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: bodyBytes.toString("utf8"),
            bodyBytes,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (!options.chunked) {
      req.end(body);
      return;
    }
    const bytes = Buffer.from(body);
    let offset = 0;
    const pump = (): void => {
      while (offset < bytes.length) {
        const more = req.write(bytes.subarray(offset, offset + 16384));
        offset += 16384;
        if (!more) {
          req.once("drain", pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** GETs `url`. */
export function get(url: string, options: PostOptions = {}): Promise<RawResponse> {
  return post(url, "", { ...options, method: "GET" });
}

/** The `detail/CommunicationFault/Code` of a fault body, or undefined. */
export function faultCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}

/**
 * The code of a fault answer: its CommunicationFault detail's, else the `WSS_…` code a
 * security fault's faultstring starts with.
 */
export function codeOf(r: RawResponse): string | undefined {
  return faultCode(r.body) ?? /<faultstring>(WSS_\w+):/.exec(r.body)?.[1];
}

/** Text of the first `<name>` element of a body. */
export function textOf(body: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
}

/** Request bodies of the six operations, built from small parts. */
export const ops = {
  registerProxy: (key: string, proxyId: string, site = "HQ") =>
    envelope(
      `<t:RegisterProxy><Key>${key}</Key><ProxyId>${proxyId}</ProxyId><Site>${site}</Site></t:RegisterProxy>`,
    ),
  registerDevices: (key: string, proxyId: string, serials: string[]) =>
    envelope(
      `<t:RegisterDevices><Key>${key}</Key><ProxyId>${proxyId}</ProxyId>${serials
        .map(
          (s) => `<Device><Serial>${s}</Serial><Vendor>Xerox</Vendor><Model>AltaLink C8045</Model></Device>`,
        )
        .join("")}</t:RegisterDevices>`,
    ),
  sync: (proxyId: string, statuses = "") =>
    envelope(
      `<t:Sync><ProxyId>${proxyId}</ProxyId><ClientTime>2026-11-25T10:00:00Z</ClientTime>${statuses}</t:Sync>`,
    ),
  reportSyncStatus: (
    key: string,
    proxyId: string,
    statuses: Array<[string, "billing" | "supplies", boolean]>,
  ) =>
    envelope(
      `<t:ReportSyncStatus><Key>${key}</Key><ProxyId>${proxyId}</ProxyId>${statuses
        .map(
          ([s, svc, on]) =>
            `<Status><Serial>${s}</Serial><Service>${svc}</Service><Enabled>${on}</Enabled></Status>`,
        )
        .join("")}</t:ReportSyncStatus>`,
    ),
  read: (
    key: string,
    serial: string,
    value: string | number,
    readAt = "2026-11-25T09:00:00Z",
    cycle?: string,
  ) =>
    `<Read><Key>${key}</Key><Serial>${serial}</Serial><ReadAt>${readAt}</ReadAt>${cycle ? `<Cycle>${cycle}</Cycle>` : ""}` +
    `<Meter><Name>Total</Name><Value>${value}</Value><Unit>impressions</Unit></Meter></Read>`,
  submitBillingReads: (proxyId: string, reads: string[]) =>
    envelope(`<t:SubmitBillingReads><ProxyId>${proxyId}</ProxyId>${reads.join("")}</t:SubmitBillingReads>`),
  submitSuppliesReport: (proxyId: string, key: string, serial: string, readAt = "2026-11-25T09:00:00Z") =>
    envelope(
      `<t:SubmitSuppliesReport><ProxyId>${proxyId}</ProxyId><Report><Key>${key}</Key><Serial>${serial}</Serial>` +
        `<ReadAt>${readAt}</ReadAt><Supply><Index>1</Index><Description>Black Toner</Description>` +
        `<Colorant>black</Colorant><Max>100</Max><Level>-3</Level><State>ok</State></Supply></Report></t:SubmitSuppliesReport>`,
    ),
};
