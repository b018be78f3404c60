import { fitLinear } from "../../../src/impact/fit.js";
import { comparedBytes, type ImpactReport, type ImpactTransaction } from "../../../src/impact/model.js";
import { VENDOR_ROWS } from "../../../src/impact/vendor.js";

/** Sizes per vendor row as [request a, request b, response a, response b]. */
const SIZES: Record<string, [number, number, number, number]> = {
  "Registration of the client (proxy)": [0, 1200, 0, 600],
  "Registration of devices": [40, 1100, 0, 500],
  "Sync Request": [0, 1000, 0, 550],
  "Sync Request Response": [0, 1000, 30, 560],
  "Sync Status": [12, 1050, 0, 500],
  "Billing Transaction Request": [0, 1000, 60, 570],
  "Billing Transaction Response": [90, 1100, 0, 500],
  "Supplies usage for replenishment": [150, 1100, 0, 500],
};

/** A report whose points lie exactly on the lines above, for pure-arithmetic tests. */
export function sampleReport(devices: number[] = [1, 10, 100, 1000]): ImpactReport {
  const transactions: ImpactTransaction[] = VENDOR_ROWS.map((row) => {
    const [ra, rb, sa, sb] = SIZES[row.row]!;
    const points = devices.map((x) => ({
      devices: x,
      requestBytes: ra * x + rb,
      responseBytes: sa * x + sb,
    }));
    const t = { message: row.message };
    return {
      operation: row.operation,
      vendorRow: row.row,
      message: row.message,
      points,
      fit: fitLinear(points.map((p) => ({ devices: p.devices, bytes: comparedBytes(t, p) }))),
      vendor: row.vendor,
    };
  });
  return {
    transactions,
    options: {
      devices,
      signed: true,
      algorithm: "ecdsa-sha256",
      keyReference: "thumbprint-sha256",
      gzip: true,
      signResponses: false,
      supplies: true,
      billingCycle: "monthly",
      seed: 1,
    },
    snmp: null,
  };
}
