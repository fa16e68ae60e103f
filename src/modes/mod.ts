import { chargenDatagramMode, chargenMode } from "./chargen.ts";
import { chatMode } from "./chat.ts";
import { discardDatagramMode, discardMode } from "./discard.ts";
import { echoMode } from "./echo.ts";
import type { DatagramMode, DatagramModeName, ModeContext, ModeName, ServerMode } from "./types.ts";
import { upperMode } from "./upper.ts";

export type {
  DatagramMode,
  DatagramModeName,
  ModeContext,
  ModeName,
  ReceivedTally,
  ServerMode,
} from "./types.ts";

/** The names of the modes, the default first. */
export const MODE_NAMES: readonly ModeName[] = ["echo", "upper", "chat", "discard", "chargen"];

/** The names of the modes a UDP server can take, the default first. */
export const DATAGRAM_MODE_NAMES: readonly DatagramModeName[] = [
  "echo",
  "upper",
  "discard",
  "chargen",
];

// Discard and chargen are raw byte services on TCP and datagram services on
// UDP, so each protocol has its own table.
const DATAGRAM_MODES: Record<DatagramModeName, (context: ModeContext) => DatagramMode> = {
  echo: echoMode,
  upper: upperMode,
  discard: discardDatagramMode,
  chargen: chargenDatagramMode,
};

const MODES: Record<ModeName, (context: ModeContext) => ServerMode> = {
  echo: echoMode,
  upper: upperMode,
  chat: chatMode,
  discard: discardMode,
  chargen: chargenMode,
};

/** Returns a fresh instance of the TCP mode called `name`. */
export function createMode(name: ModeName, context: ModeContext): ServerMode {
  return MODES[name](context);
}

/** Returns a fresh instance of the UDP mode called `name`. */
export function createDatagramMode(name: DatagramModeName, context: ModeContext): DatagramMode {
  return DATAGRAM_MODES[name](context);
}
export { CHARGEN_FULL_REQUEST_BYTES } from "./chargen.ts";
