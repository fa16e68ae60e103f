/**
 * The behaviours a socklab server can take on (`--mode`): echo, upper, chat,
 * discard and chargen on TCP; echo, upper, discard and chargen on UDP.
 * @module
 */
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

/**
 * Returns a fresh instance of the TCP mode called `name`: what `server.ts
 * --mode NAME` serves. A mode is a handler plus, for some, hooks around
 * clients (chat announces joins) or a raw byte service (discard, chargen);
 * pass them all to `serve`, as below, and the server behaves as the script's.
 * @example
 * ```ts
 * import { connect, createMode, serve } from "../../mod.ts";
 * const mode = createMode("upper", { maxFrameBytes: 64 * 1024, show: console.log });
 * const server = await serve({
 *   host: "127.0.0.1",
 *   port: 0,
 *   bytes: mode.bytes,
 *   onConnect: (client) => mode.onConnect?.(client),
 *   onDisconnect: (client) => mode.onDisconnect?.(client),
 * }, mode.handler);
 * const client = await connect({ host: "127.0.0.1", port: server.address.port });
 * client.send("café");
 * const reply = await client.receive();
 * client.close();
 * await server.close();
 * if (reply?.text !== "CAFÉ") throw new Error(`got ${reply?.text}`);
 * ```
 */
export function createMode(name: ModeName, context: ModeContext): ServerMode {
  return MODES[name](context);
}

/**
 * Returns a fresh instance of the UDP mode called `name`: what `udp.ts server
 * --mode NAME` serves; give its handler to `serveUdp`.
 * @example
 * ```ts
 * import { bindUdp, createDatagramMode, serveUdp } from "../../mod.ts";
 * const mode = createDatagramMode("upper", { maxFrameBytes: 1472, show: () => {} });
 * const server = await serveUdp({ host: "127.0.0.1" }, mode.handler);
 * const client = await bindUdp({ host: "127.0.0.1" });
 * client.send("hi", server.localAddress);
 * const reply = await client.receive(1000);
 * client.close();
 * await server.close();
 * if (reply?.message.text !== "HI") throw new Error(`got ${reply?.message.text}`);
 * ```
 */
export function createDatagramMode(name: DatagramModeName, context: ModeContext): DatagramMode {
  return DATAGRAM_MODES[name](context);
}
export { CHARGEN_FULL_REQUEST_BYTES } from "./chargen.ts";
