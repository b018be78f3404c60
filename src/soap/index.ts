/**
 * The SOAP side of the SDK: {@link CommunicationClient}, its models, and the security
 * hook interfaces the WS-Security signer implements.
 * @module
 */
export {
  type CallOptions,
  CommunicationClient,
  type CommunicationClientOptions,
  type ResolvedClientConfig,
} from "./client.js";
export {
  type SoapCall,
  type SoapClientOptions,
  SoapEndpoint,
  type SoapParsed,
  type SoapParsedFault,
  type SoapParsedResponse,
} from "./endpoint.js";
export { SERVICE_NAMESPACE, SOAP11_NAMESPACE } from "./envelope.js";
export type * from "./models.js";
export type * from "./security.js";
export type { SoapHeaderValues, SoapModelCallOptions, SoapModelClientOptions } from "./service-client.js";
export { decodeResponse, encodeRequest, SoapModelClient } from "./service-client.js";
export type * from "./service-model.js";
