import { chatMode } from "./chat.ts";
import { echoMode } from "./echo.ts";
import type { DatagramMode, DatagramModeName, ModeContext, ModeName, ServerMode } from "./types.ts";
import { upperMode } from "./upper.ts";

export type { DatagramMode, DatagramModeName, ModeContext, ModeName, ServerMode } from "./types.ts";

/** The names of the modes, the default first. */
export const MODE_NAMES: readonly ModeName[] = ["echo", "upper", "chat"];

/** The names of the modes a UDP server can take, the default first. */
export const DATAGRAM_MODE_NAMES: readonly DatagramModeName[] = ["echo", "upper"];

const DATAGRAM_MODES: Record<DatagramModeName, (context: ModeContext) => DatagramMode> = {
  echo: echoMode,
  upper: upperMode,
};

const MODES: Record<ModeName, (context: ModeContext) => ServerMode> = {
  ...DATAGRAM_MODES,
  chat: chatMode,
};

/** Returns a fresh instance of the mode called `name`; a datagram mode serves UDP too. */
export function createMode(name: DatagramModeName, context: ModeContext): DatagramMode;
/** Returns a fresh instance of the mode called `name`. */
export function createMode(name: ModeName, context: ModeContext): ServerMode;
export function createMode(name: ModeName, context: ModeContext): ServerMode {
  return MODES[name](context);
}
