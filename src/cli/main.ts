#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ConfigError } from "../errors.js";
import { reportError } from "./action.js";
import { commands } from "./commands/index.js";

const program = new Command();
program
  .name("esol")
  .description("eSolutions SDK: read printers over SNMP, talk to a Communication Server over signed SOAP")
  .option("--debug", "print stack traces for errors")
  .showHelpAfterError()
  .exitOverride();

for (const register of commands) register(program);

// `esol poll … | head`: a closed pipe ends the output, it is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  reportError(err);
  process.exit(1);
});

process.on("unhandledRejection", (err) => {
  reportError(err);
  process.exit(1);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) process.exit(0);
    // commander already printed its own message; add the contract's line.
    reportError(new ConfigError("ARG_INVALID", err.message.replace(/^error: /, "")));
    process.exit(err.exitCode || 2);
  }
  reportError(err);
}
