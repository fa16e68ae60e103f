/**
 * What `server.ts` is made of besides the library: its flags and help, the
 * log it writes, and the client command its banner suggests.
 * @module
 */
export { clientCommandFor } from "./client_command.ts";
export { SERVER_HELP } from "./help.ts";
export {
  formatServerSummary,
  logClientError,
  logConnect,
  logDisconnect,
  logReceived,
  logRefusal,
  logRepeatedErrors,
} from "./log.ts";
export { parseServerOptions, type ServerOptions } from "./options.ts";
export { describeReplyDelay } from "./reply_delay.ts";
