// generated — do not edit; run npm run codegen
import { createClientAsync as soapCreateClientAsync } from "soap";
import type { Client as SoapClient, IExOptions as ISoapExOptions } from "soap";
import type { RegisterProxy } from "./definitions/RegisterProxy.js";
import type { RegisterProxyResponse } from "./definitions/RegisterProxyResponse.js";
import type { RegisterDevices } from "./definitions/RegisterDevices.js";
import type { RegisterDevicesResponse } from "./definitions/RegisterDevicesResponse.js";
import type { Sync } from "./definitions/Sync.js";
import type { SyncResponse } from "./definitions/SyncResponse.js";
import type { ReportSyncStatus } from "./definitions/ReportSyncStatus.js";
import type { ReportSyncStatusResponse } from "./definitions/ReportSyncStatusResponse.js";
import type { SubmitBillingReads } from "./definitions/SubmitBillingReads.js";
import type { SubmitBillingReadsResponse } from "./definitions/SubmitBillingReadsResponse.js";
import type { SubmitSuppliesReport } from "./definitions/SubmitSuppliesReport.js";
import type { SubmitSuppliesReportResponse } from "./definitions/SubmitSuppliesReportResponse.js";
import type { CommunicationService } from "./services/CommunicationService.js";

export interface CommunicationClient extends SoapClient {
    CommunicationService: CommunicationService;
    RegisterProxyAsync(registerProxy: RegisterProxy, options?: ISoapExOptions): Promise<[result: RegisterProxyResponse, rawResponse: any, soapHeader: any, rawRequest: any]>;
    RegisterDevicesAsync(registerDevices: RegisterDevices, options?: ISoapExOptions): Promise<[result: RegisterDevicesResponse, rawResponse: any, soapHeader: any, rawRequest: any]>;
    SyncAsync(sync: Sync, options?: ISoapExOptions): Promise<[result: SyncResponse, rawResponse: any, soapHeader: any, rawRequest: any]>;
    ReportSyncStatusAsync(reportSyncStatus: ReportSyncStatus, options?: ISoapExOptions): Promise<[result: ReportSyncStatusResponse, rawResponse: any, soapHeader: any, rawRequest: any]>;
    SubmitBillingReadsAsync(submitBillingReads: SubmitBillingReads, options?: ISoapExOptions): Promise<[result: SubmitBillingReadsResponse, rawResponse: any, soapHeader: any, rawRequest: any]>;
    SubmitSuppliesReportAsync(submitSuppliesReport: SubmitSuppliesReport, options?: ISoapExOptions): Promise<[result: SubmitSuppliesReportResponse, rawResponse: any, soapHeader: any, rawRequest: any]>;
}

/** Create CommunicationClient */
export function createClientAsync(...args: Parameters<typeof soapCreateClientAsync>): Promise<CommunicationClient> {
    return soapCreateClientAsync(args[0], args[1], args[2]) as any;
}
