import { chatMode } from "./chat.ts";
import { echoMode } from "./echo.ts";
import type { ModeContext, ModeName, ServerMode } from "./types.ts";
import { upperMode } from "./upper.ts";

export type { ModeContext, ModeName, ServerMode } from "./types.ts";

/** The names of the modes, the default first. */
export const MODE_NAMES: readonly ModeName[] = ["echo", "upper", "chat"];

const MODES: Record<ModeName, (context: ModeContext) => ServerMode> = {
  echo: echoMode,
  upper: upperMode,
  chat: chatMode,
};

/** Returns a fresh instance of the mode called `name`. */
export function createMode(name: ModeName, context: ModeContext): ServerMode {
  return MODES[name](context);
}
