/**
 * What `udp.ts` is made of: its flags and help, and its server, client and
 * ping.
 * @module
 */
export { runUdpBench } from "./bench.ts";
export { runUdpClient } from "./client.ts";
export { UDP_HELP } from "./help.ts";
export { parseUdpArgs } from "./options.ts";
export { runUdpPing } from "./ping.ts";
export { runUdpServer } from "./server.ts";
