/**
 * What the three scripts share: flags, durations, output and its limits,
 * exit codes, refusals in the flags' terms, the program name as typed,
 * signals and the listening banner. Packages under `cli/` build each script
 * from these.
 * @module
 */
export { clockTime } from "./clock_time.ts";
export { durationFlag, formatDuration } from "./duration.ts";
export { endpointFlags } from "./endpoint_flags.ts";
export {
  choiceFlag,
  cidrFlags,
  COMMON_FLAGS,
  type FlagSpec,
  framingFlag,
  integerFlag,
  numberFlag,
  parseFlags,
} from "./flags.ts";
export { type JitteredDuration, jitteredDurationFlag } from "./jittered_duration.ts";
export { printListening } from "./listen_banner.ts";
export {
  printError,
  printLine,
  printNarration,
  printStatus,
  useNonBlockingOutput,
} from "./output.ts";
export { asTypedHere, commandFor, programName } from "./program_name.ts";
export { describeOversizedDatagram, describeRefusal } from "./refusal_text.ts";
export { OTHER_KINDS, RepeatFilter, type RepeatReport } from "./repeat_filter.ts";
export { formatLossLine, formatRttSummary } from "./rtt_stats.ts";
export { EXIT } from "./run_main.ts";
export { CHUNK_FLAGS, NAGLE_FLAG, pieceFlags } from "./segment_flags.ts";
export { onStopSignal } from "./signals.ts";
export { stdinLines } from "./stdin_lines.ts";
