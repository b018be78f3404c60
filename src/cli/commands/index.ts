import type { Command } from "commander";
import { registerAgent } from "./agent.js";
import { registerCodegen } from "./codegen.js";
import { registerDemo } from "./demo.js";
import { registerImpact } from "./impact.js";
import { registerInit } from "./init.js";
import { registerPoll } from "./poll.js";
import { registerRead } from "./read.js";
import { registerServer } from "./server.js";
import { registerSign } from "./sign.js";
import { registerSim } from "./sim.js";
import { registerVerify } from "./verify.js";

/** A CLI subcommand module: adds itself to the root program. */
export type RegisterCommand = (program: Command) => void;

/** Every `esol` subcommand, in help order. Each part adds its module here. */
export const commands: RegisterCommand[] = [
  registerSign,
  registerVerify,
  registerSim,
  registerRead,
  registerPoll,
  registerServer,
  registerImpact,
  registerInit,
  registerAgent,
  registerDemo,
  registerCodegen,
];
