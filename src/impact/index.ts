/**
 * Network impact: what the client's conversation costs a customer's network, measured on
 * the wire and compared with the vendor's published sizes.
 * @module
 */
export { fitLinear, type SizeSample } from "./fit.js";
export {
  type FleetMeter as SizingMeter,
  type FleetSupply as SizingSupply,
  type SizingDevice,
  type SizingDeviceInfo,
  type SyntheticFleetOptions,
  syntheticFleet,
} from "./fleet.js";
export {
  type ImpactHtmlOptions,
  renderImpactHtml,
  renderTransactionChart,
  trafficRows,
} from "./html.js";
export {
  DEFAULT_IMPACT_OPTIONS,
  type ImpactProgress,
  type MeasureImpactOptions,
  measureImpact,
  resolveImpactOptions,
} from "./measure.js";
export {
  comparedBytes,
  type ImpactAlgorithm,
  type ImpactJson,
  type ImpactKeyReference,
  type ImpactPoint,
  type ImpactReport,
  type ImpactRunOptions,
  type ImpactSiteJson,
  type ImpactSnmpJson,
  type ImpactTransaction,
  type SnmpBytes,
  type SnmpPollMeasurement,
  type TlsBytes,
  toImpactJson,
} from "./model.js";
export {
  type ByteCountingRelay,
  type RelayCount,
  type RelayOptions,
  startTcpRelay,
  startUdpRelay,
} from "./relay.js";
export {
  formatSavingsTable,
  type ImpactSavings,
  type ImpactVariant,
  measureSavings,
  savingsVariants,
} from "./savings.js";
export { type MeasureSnmpPollOptions, measureSnmpPoll } from "./snmp.js";
export { formatImpactTable, type ImpactVerdict, judgeImpact, tlsSummary } from "./table.js";
export {
  DEFAULT_SCHEDULE,
  exchangeBytes,
  formatBytes,
  type SiteTraffic,
  type SnmpDailyBytes,
  siteTraffic,
  snmpPerDevicePerDay,
  type TrafficLayer,
  type TrafficSchedule,
} from "./traffic.js";
export {
  HALF_SLOPE_ROWS,
  type ImpactMessage,
  type ImpactOperation,
  type LinearSize,
  type SyncScenario,
  VENDOR_ROWS,
  type VendorRow,
  vendorBytes,
} from "./vendor.js";
