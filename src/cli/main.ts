#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../errors.js";
import { reportError } from "./action.js";
import { commands } from "./commands/index.js";

/** The package's version: its package.json is two folders up from src/cli, three from dist/src/cli. */
function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    const file = new URL(up, import.meta.url);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "esolutions-sdk" && pkg.version) return pkg.version;
  }
  return "unknown";
}

const program = new Command();
program
  .name("esol")
  .description("eSolutions SDK: read printers over SNMP, talk to a Communication Server over signed SOAP")
  .version(packageVersion(), "-V, --version", "print the package version")
  .option("--debug", "print stack traces for errors")
  // A usage mistake is the contract's one line (below), not commander's message and the whole
  // usage text: the line names the mistake and where the help is. Inherited by every command.
  .configureOutput({ outputError: () => {} })
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
    const name = process.argv.slice(2).find((a) => !a.startsWith("-"));
    const known = name !== undefined && program.commands.some((c) => c.name() === name);
    const help = known ? `esol ${name} --help` : "esol --help";
    // `esol` (or a command group) with no command: commander printed the help, then "(outputHelp)".
    if (err.code === "commander.help")
      reportError(new ConfigError("ARG_MISSING", `no command given (see ${help})`));
    else reportError(new ConfigError("ARG_INVALID", `${err.message.replace(/^error: /, "")} (see ${help})`));
    process.exit(err.exitCode || 2);
  }
  reportError(err);
}
