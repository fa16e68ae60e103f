/**
 * The scripts' side of DNS-SD: the --name and --no-announce flags, the
 * server's announcement and its banner line, and the --find listing.
 * @module
 */
export { ANNOUNCE_FLAGS, type AnnounceChoice, announceChoice } from "./announce_flags.ts";
export { type FoundServerJson, runFind } from "./find.ts";
export { resolveInstanceTarget, type Target, targetFlags } from "./instance_target.ts";
export { startServerAnnouncement } from "./server_announcement.ts";
