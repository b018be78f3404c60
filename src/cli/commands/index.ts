import type { Command } from "commander";

/** A CLI subcommand module: adds itself to the root program. */
export type RegisterCommand = (program: Command) => void;

/** Every `esol` subcommand, in help order. Each part adds its module here. */
export const commands: RegisterCommand[] = [];
