// A consumer of the packed tarball, compiled with `module`/`moduleResolution: nodenext` and
// run with plain node: every public entry point resolves, with its types, and works.
// Ports: TCP 15450, UDP 15950-15951 (the package check's share of its range).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CommunicationClient,
  type DeviceReading,
  isSdkError,
  MeterMapRegistry,
  PrinterReader,
  parseAgentConfig,
  SdkError,
  toDeviceInfo,
  toPolledReading,
} from "esolutions-sdk";
import { CommunicationServer, exportStoreFile, type StoreExport } from "esolutions-sdk/server";
import { type PrinterFleet, startFleet } from "esolutions-sdk/sim";

const dir = mkdtempSync(join(tmpdir(), "esol-consumer-"));
const fleet: PrinterFleet = await startFleet({ count: 2, seed: 3 }, { clock: { rate: 0 } });
const server = new CommunicationServer({
  dbPath: join(dir, "cs.db"),
  port: 0,
  tls: false,
  signaturePolicy: "optional",
});
try {
  const { url } = await server.start();
  const reader = new PrinterReader({ meterMaps: new MeterMapRegistry(), timeoutMs: 1000 });
  const reading: DeviceReading = await reader.read(`127.0.0.1:${fleet.devices[0]!.port}`);
  const polled = toPolledReading(reading)!;
  const client = new CommunicationClient({ endpoint: url });
  await client.registerProxy({ key: "proxy-consumer", proxyId: "consumer" });
  await client.registerDevices({
    key: "devices-consumer",
    proxyId: "consumer",
    devices: [toDeviceInfo(polled)],
  });
  const ack = await client.submitBillingReads({
    proxyId: "consumer",
    reads: [
      { key: `${polled.serial}-1`, serial: polled.serial, readAt: polled.readAt, meters: polled.meters },
    ],
  });
  await client.close();
  const stored: StoreExport = exportStoreFile(join(dir, "cs.db"));
  let configCode = "";
  try {
    parseAgentConfig({});
  } catch (err) {
    if (isSdkError(err) && err instanceof SdkError) configCode = err.code;
  }
  console.log(
    JSON.stringify({
      serial: polled.serial,
      accepted: ack.accepted,
      stored: stored.billingReads.length,
      configCode,
    }),
  );
} finally {
  await server.close();
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
}
