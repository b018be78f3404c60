// generated — do not edit; run npm run codegen
import type { CommunicationPort } from "../ports/CommunicationPort.js";

export interface CommunicationService {
    readonly CommunicationPort: CommunicationPort;
}
