// generated — do not edit; run npm run codegen
import type { RegisterProxy } from "../definitions/RegisterProxy.js";
import type { RegisterProxyResponse } from "../definitions/RegisterProxyResponse.js";
import type { RegisterDevices } from "../definitions/RegisterDevices.js";
import type { RegisterDevicesResponse } from "../definitions/RegisterDevicesResponse.js";
import type { Sync } from "../definitions/Sync.js";
import type { SyncResponse } from "../definitions/SyncResponse.js";
import type { ReportSyncStatus } from "../definitions/ReportSyncStatus.js";
import type { ReportSyncStatusResponse } from "../definitions/ReportSyncStatusResponse.js";
import type { SubmitBillingReads } from "../definitions/SubmitBillingReads.js";
import type { SubmitBillingReadsResponse } from "../definitions/SubmitBillingReadsResponse.js";
import type { SubmitSuppliesReport } from "../definitions/SubmitSuppliesReport.js";
import type { SubmitSuppliesReportResponse } from "../definitions/SubmitSuppliesReportResponse.js";

export interface CommunicationPort {
    RegisterProxy(registerProxy: RegisterProxy, callback: (err: any, result: RegisterProxyResponse, rawResponse: any, soapHeader: any, rawRequest: any) => void): void;
    RegisterDevices(registerDevices: RegisterDevices, callback: (err: any, result: RegisterDevicesResponse, rawResponse: any, soapHeader: any, rawRequest: any) => void): void;
    Sync(sync: Sync, callback: (err: any, result: SyncResponse, rawResponse: any, soapHeader: any, rawRequest: any) => void): void;
    ReportSyncStatus(reportSyncStatus: ReportSyncStatus, callback: (err: any, result: ReportSyncStatusResponse, rawResponse: any, soapHeader: any, rawRequest: any) => void): void;
    SubmitBillingReads(submitBillingReads: SubmitBillingReads, callback: (err: any, result: SubmitBillingReadsResponse, rawResponse: any, soapHeader: any, rawRequest: any) => void): void;
    SubmitSuppliesReport(submitSuppliesReport: SubmitSuppliesReport, callback: (err: any, result: SubmitSuppliesReportResponse, rawResponse: any, soapHeader: any, rawRequest: any) => void): void;
}
