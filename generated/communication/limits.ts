// generated — do not edit; run npm run codegen (scripts/codegen.mjs) from wsdl/communication.wsdl
/**
 * The size limits of the contract, read from the XML Schema in `wsdl:types` of wsdl/communication.wsdl: the
 * facets of every named `xsd:simpleType` (XML Schema Part 2 §4.3: lengths in characters, bounds
 * inclusive, `pattern` a regular expression that must match the whole value) and the
 * `minOccurs`/`maxOccurs` of every element that may repeat (XML Schema Part 1 §3.9.2).
 * @module
 */

/** Restriction facets of each named simple type, by type name. */
export const SIMPLE_TYPES = {
  /** `Token`: restriction of `xsd:string` (minLength, maxLength). */
  Token: {"base":"xsd:string","minLength":1,"maxLength":128},
  /** `IdempotencyKey`: restriction of `xsd:string` (minLength, maxLength). */
  IdempotencyKey: {"base":"xsd:string","minLength":8,"maxLength":128},
  /** `Serial`: restriction of `xsd:string` (minLength, maxLength). */
  Serial: {"base":"xsd:string","minLength":1,"maxLength":64},
  /** `Text`: restriction of `xsd:string` (maxLength). */
  Text: {"base":"xsd:string","maxLength":255},
  /** `MeterValue`: restriction of `xsd:long` (minInclusive). */
  MeterValue: {"base":"xsd:long","minInclusive":0},
  /** `Service`: restriction of `xsd:string` (enumeration). */
  Service: {"base":"xsd:string","enumeration":["billing","supplies"]},
  /** `DeviceState`: restriction of `xsd:string` (enumeration). */
  DeviceState: {"base":"xsd:string","enumeration":["ok","silent","replaced","disabled"]},
  /** `TimeOfDay`: restriction of `xsd:string` (pattern). */
  TimeOfDay: {"base":"xsd:string","pattern":"([01][0-9]|2[0-3]):[0-5][0-9]"},
} as const;

/** Occurrence bounds of each repeated element, by `Owner.Element` (owner: the named complexType or global element). */
export const OCCURS = {
  "BillingRead.Meter": {"minOccurs":1,"maxOccurs":64},
  "SuppliesReport.Supply": {"minOccurs":0,"maxOccurs":64},
  "BillingRequest.Meter": {"minOccurs":0,"maxOccurs":64},
  "RegisterDevices.Device": {"minOccurs":1,"maxOccurs":5000},
  "Sync.Status": {"minOccurs":0,"maxOccurs":5000},
  "SyncResponse.EnableService": {"minOccurs":0,"maxOccurs":10000},
  "SyncResponse.BillingRequest": {"minOccurs":0,"maxOccurs":5000},
  "SyncResponse.SuppliesRequest": {"minOccurs":0,"maxOccurs":5000},
  "SyncResponse.Disable": {"minOccurs":0,"maxOccurs":5000},
  "ReportSyncStatus.Status": {"minOccurs":1,"maxOccurs":10000},
  "SubmitBillingReads.Read": {"minOccurs":1,"maxOccurs":5000},
  "SubmitSuppliesReport.Report": {"minOccurs":1,"maxOccurs":5000},
} as const;
