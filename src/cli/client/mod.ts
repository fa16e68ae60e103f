/**
 * What `client.ts` is made of: its flags and help, and its three ways to
 * talk to a server (messages given on the command line, interactive duplex,
 * and ping).
 * @module
 */
export { runTcpBench } from "./bench.ts";
export { duplex } from "./duplex.ts";
export { CLIENT_HELP } from "./help.ts";
export { type ClientOptions, parseClientOptions } from "./options.ts";
export { ping } from "./ping.ts";
export { sendRequests } from "./requests.ts";
