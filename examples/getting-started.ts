/**
 * Getting started: read one printer over SNMP, then send its meters to a Communication
 * Server as one billing read. The code of docs/getting-started.md.
 *
 *   npx tsx getting-started.ts PRINTER[:PORT] ENDPOINT [SERVER_CERT_PEM]
 *   npx tsx getting-started.ts 127.0.0.1:16100 https://127.0.0.1:8443/esolutions/v1 cs/esol-server-cert.pem
 */
import { readFileSync } from "node:fs";
import { CommunicationClient, PrinterReader, toDeviceInfo, toPolledReading } from "esolutions-sdk";

const [printer = "127.0.0.1:16100", endpoint = "https://127.0.0.1:8443/esolutions/v1", serverCert] =
  process.argv.slice(2);

// 1. Read one printer: identity, named meters, supplies (SNMP v2c, community "public").
const reader = new PrinterReader({ credentials: { version: "v2c", community: "public" } });
const reading = await reader.read(printer);
const { vendor, model, serial } = reading.identity;
console.log(`${printer}: ${vendor} ${model}, serial ${serial}`);
for (const meter of reading.meters) console.log(`  ${meter.name} = ${meter.value} ${meter.unit ?? ""}`);

// 2. Keep what the server wants: serial, meters and supplies (undefined when there is no serial).
//    The polled reading, and the billing read below, carry the reading's own time (reading.readAt, a Date).
const polled = toPolledReading(reading);
if (!polled) throw new Error(`${printer} reported no serial number: it cannot be billed`);

// 3. Register this client and the device once, then send one billing read.
//    Keys make every call idempotent: sending the same key twice stores it once.
const client = new CommunicationClient({
  endpoint,
  ...(serverCert !== undefined && { ca: readFileSync(serverCert) }), // the server's self-signed certificate
});
const proxyId = "getting-started";
try {
  await client.registerProxy({ key: `proxy-${proxyId}`, proxyId, site: "my desk" });
  await client.registerDevices({ key: `devices-${polled.serial}`, proxyId, devices: [toDeviceInfo(polled)] });
  const ack = await client.submitBillingReads({
    proxyId,
    reads: [
      {
        key: `${polled.serial}:${polled.readAt.toISOString()}`,
        serial: polled.serial,
        readAt: polled.readAt,
        meters: polled.meters,
      },
    ],
  });
  console.log(`billing read sent: ${ack.accepted} accepted, ${ack.duplicates} duplicate(s)`);
  console.log(`${ack.$metadata.requestBytes} bytes sent, ${ack.$metadata.responseBytes} bytes received`);
} finally {
  await client.close();
}
