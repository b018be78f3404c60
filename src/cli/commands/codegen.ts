import type { Command } from "commander";
import { writeClient } from "../../codegen/index.js";
import { action } from "../action.js";

/**
 * `esol codegen`: generates a typed client of one SOAP 1.1 port of a WSDL 1.1 description
 * (`<out>/index.ts`). A description it cannot use is one `error CODEGEN_…: reason` line, a
 * non-zero exit, and nothing written.
 */
export function registerCodegen(program: Command): void {
  program
    .command("codegen")
    .description("generate a typed client (<out>/index.ts) for a SOAP 1.1 port of any WSDL 1.1")
    .requiredOption(
      "--wsdl <file|url>",
      "the WSDL: a file or an http(s) URL (its imports and includes are read too)",
    )
    .requiredOption("--out <dir>", "output folder (created when missing); index.ts is written there")
    .option("--service <name>", "wsdl:service to take the port from (default: any)")
    .option("--port <name>", "wsdl:port to generate for (default: the first SOAP 1.1 port)")
    .option("--import-from <module>", "module the generated code imports the SDK from", "esolutions-sdk")
    .addHelpText(
      "after",
      '\nExamples:\n  esol codegen --wsdl vendor/CommunicationService.wsdl --out src/vendor-client\n  esol codegen --wsdl https://vendor.example/ws?wsdl --out gen/vendor --port VendorSoap11Port\n  esol codegen --wsdl multi.wsdl --service Billing --port BillingSoap --out gen/billing\n  esol codegen --wsdl http://sharepoint.example/_vti_bin/Webs.asmx?WSDL --port WebsSoap --out gen/webs\n\nThen: import { createClient } from "./src/vendor-client/index.js";\n      const client = createClient({ security: createMessageSigner({ … }) });\n\nxsd:any content is passed and returned as XML text; soap:header parts are typed values\n(createClient({ headers: { AuthHeader: { … } } }) or per call), output headers come back in\n$headers; encoded or type-named header parts are not generated (each is named in a "warning:" line on stderr). Unsupported constructs (rpc/encoded,\nSOAP 1.2-only, substitution groups) are one "error CODEGEN_UNSUPPORTED" line. A derived type goes\nout in place of its base, with xsi:type, when its $type is set.',
    )
    .action(
      action(
        async (opts: { wsdl: string; out: string; service?: string; port?: string; importFrom: string }) => {
          const written = await writeClient({
            wsdl: opts.wsdl,
            out: opts.out,
            service: opts.service,
            port: opts.port,
            importFrom: opts.importFrom,
            onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
          });
          for (const path of written) process.stdout.write(`wrote ${path}\n`);
        },
      ),
    );
}
