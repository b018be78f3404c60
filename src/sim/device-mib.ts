/**
 * The varbinds a synthetic device answers (SNMPv2-MIB system group, IF-MIB, HOST-RESOURCES-MIB,
 * Printer-MIB RFC 3805, vendor serial and billing OIDs) for a {@link DeviceTruth}. Pure.
 * @module
 */
import type { Varbind } from "../snmp/varbind.js";
import { type SupplySpec, XEROX_BILLING } from "./models.js";
import type { DeviceProfile } from "./profile.js";
import type { DeviceTruth } from "./truth.js";

const U32 = 4294967296;

const str = (oid: string, text: string): Varbind => ({
  oid,
  type: "OctetString",
  value: Buffer.from(text, "latin1"),
});
const int = (oid: string, value: number): Varbind => ({ oid, type: "Integer", value });

/** Every varbind device `profile` answers, given its {@link deviceTruth} at that moment (unsorted). */
export function deviceVarbinds(profile: DeviceProfile, truth: DeviceTruth): Varbind[] {
  const m = profile.model;
  const macBytes = Buffer.from(truth.mac.replaceAll(":", ""), "hex");
  const counter = (oid: string, value: number): Varbind => ({ oid, type: "Counter32", value: value % U32 });
  const out: Varbind[] = [
    str("1.3.6.1.2.1.1.1.0", m.sysDescr),
    { oid: "1.3.6.1.2.1.1.2.0", type: "ObjectIdentifier", value: m.sysObjectId },
    { oid: "1.3.6.1.2.1.1.3.0", type: "TimeTicks", value: truth.uptimeTicks },
    str("1.3.6.1.2.1.1.4.0", "it@example.com"),
    str("1.3.6.1.2.1.1.5.0", `sim-${m.id}-${profile.index}`),
    str("1.3.6.1.2.1.1.6.0", `Floor ${1 + (profile.index % 9)}`),
    int("1.3.6.1.2.1.1.7.0", 72),
    int("1.3.6.1.2.1.2.1.0", 1),
    int("1.3.6.1.2.1.2.2.1.1.1", 1),
    str("1.3.6.1.2.1.2.2.1.2.1", "eth0"),
    int("1.3.6.1.2.1.2.2.1.3.1", 6),
    { oid: "1.3.6.1.2.1.2.2.1.6.1", type: "OctetString", value: macBytes },
    int("1.3.6.1.2.1.2.2.1.7.1", 1),
    int("1.3.6.1.2.1.2.2.1.8.1", 1),
    { oid: "1.3.6.1.2.1.25.1.1.0", type: "TimeTicks", value: truth.uptimeTicks },
    int("1.3.6.1.2.1.25.3.2.1.1.1", 1),
    { oid: "1.3.6.1.2.1.25.3.2.1.2.1", type: "ObjectIdentifier", value: "1.3.6.1.2.1.25.3.1.5" },
    str("1.3.6.1.2.1.25.3.2.1.3.1", m.sysDescr.replace(" (simulated)", "")),
    { oid: "1.3.6.1.2.1.25.3.2.1.4.1", type: "ObjectIdentifier", value: "0.0" },
    int("1.3.6.1.2.1.25.3.2.1.5.1", truth.printerStatus === 1 ? 5 : truth.alerts.length > 0 ? 3 : 2),
    counter("1.3.6.1.2.1.25.3.2.1.6.1", 0),
    int("1.3.6.1.2.1.25.3.5.1.1.1", truth.printerStatus),
    { oid: "1.3.6.1.2.1.25.3.5.1.2.1", type: "OctetString", value: truth.errorState },
    str("1.3.6.1.2.1.43.5.1.1.16.1", `sim-${m.id}-${profile.index}`),
    counter("1.3.6.1.2.1.43.5.1.1.18.1", truth.alerts.filter((a) => a.severity === 3).length),
    counter(
      "1.3.6.1.2.1.43.5.1.1.19.1",
      truth.alerts.length + truth.supplies.reduce((n, s) => n + s.replacements, 0),
    ),
    int("1.3.6.1.2.1.43.8.2.1.9.1.1", 550),
    int("1.3.6.1.2.1.43.8.2.1.9.1.2", 100),
    int("1.3.6.1.2.1.43.8.2.1.10.1.1", -3),
    int("1.3.6.1.2.1.43.8.2.1.10.1.2", 0),
    str("1.3.6.1.2.1.43.8.2.1.13.1.1", "Tray 1"),
    str("1.3.6.1.2.1.43.8.2.1.13.1.2", "Bypass Tray"),
    int("1.3.6.1.2.1.43.10.2.1.2.1.1", m.id === "large-format" ? 10 : 4),
    int("1.3.6.1.2.1.43.10.2.1.3.1.1", 7),
    counter("1.3.6.1.2.1.43.10.2.1.4.1.1", truth.lifeCount),
    counter("1.3.6.1.2.1.43.10.2.1.5.1.1", Math.floor((truth.uptimeTicks / 8_640_000) * 50)),
    str("1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1", m.deviceId),
  ];
  // A device without a serial answers noSuchObject for both serial OIDs rather than an empty string.
  if (truth.serial !== "")
    out.push(str("1.3.6.1.2.1.43.5.1.1.17.1", truth.serial), str(m.vendorSerialOid, truth.serial));
  truth.supplies.forEach((s, i) => {
    const spec = m.supplies[i] as SupplySpec;
    const col = (c: number): string => `1.3.6.1.2.1.43.11.1.1.${c}.1.${s.index}`;
    out.push(
      int(col(3), spec.colorant),
      int(col(4), spec.supplyClass),
      int(col(5), spec.supplyType),
      str(col(6), m.quirks?.nulTerminatedDescriptions ? `${s.description}\0` : s.description),
      int(col(7), s.unit),
      int(col(8), s.max),
      int(col(9), s.level),
    );
  });
  m.colorants.forEach((name, i) => {
    out.push(int(`1.3.6.1.2.1.43.12.1.1.3.1.${i + 1}`, 3), str(`1.3.6.1.2.1.43.12.1.1.4.1.${i + 1}`, name));
  });
  for (const a of truth.alerts) {
    const col = (c: number): string => `1.3.6.1.2.1.43.18.1.1.${c}.1.${a.index}`;
    out.push(
      int(col(2), a.severity),
      int(col(3), 4),
      int(col(4), a.group),
      int(col(5), a.groupIndex),
      int(col(6), -1),
      int(col(7), a.code),
      str(col(8), a.description),
      { oid: col(9), type: "TimeTicks", value: Math.max(0, truth.uptimeTicks - 6000) },
    );
  }
  for (const meter of truth.meters.slice(1)) out.push(int(meter.oid, meter.value));
  for (const b of m.billingMeters) out.push(str(`${XEROX_BILLING}.9.1.20.${b.index}`, b.label));
  return out;
}
