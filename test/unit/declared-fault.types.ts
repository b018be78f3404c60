/**
 * Compile-time test of a generated client's declared-fault guard (issue 12, finding 2; checked
 * by `npm run typecheck`, which compiles every file under test/): `instanceof DeclaredFaultError`
 * alone narrows to `DeclaredFaultError<any, any>`, so `is<Operation>Fault(err)` is what types
 * `faultName` and `detail`. Each `@ts-expect-error` fails the typecheck if the line below it
 * ever compiles.
 */
import { type CommunicationFault, isSyncFault, type SyncFault } from "../../generated/communication/index.js";

export function handled(err: unknown): string | undefined {
  if (!isSyncFault(err)) return undefined;
  const fault: SyncFault = err;
  const detail: CommunicationFault = err.detail;
  const retryable: boolean = err.detail.Retryable;
  const field: string | undefined = err.detail.Field;
  // @ts-expect-error: the declared detail has no `code` (it is `Code`)
  const wrongField = err.detail.code;
  // @ts-expect-error: "Bogus" is not a fault Sync declares
  const wrongName = err.faultName === "Bogus";
  const name: "CommunicationFault" = err.faultName;
  void [fault, wrongField, wrongName, retryable, field];
  return `${name}: ${detail.Code}`;
}
