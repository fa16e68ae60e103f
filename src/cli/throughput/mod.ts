/**
 * How the throughput lab is shown, by `client.ts --bench`
 * (`src/cli/client/bench.ts`) and `udp.ts bench` (`src/cli/udp/bench.ts`):
 * iperf3's line layout and units, its -J JSON head, the progress line, and
 * `--rate` parsing. What is measured is `src/measure/`'s.
 * @module
 */
export {
  formatBitrate,
  formatTransfer,
  iperfHeader,
  iperfLine,
  streamLabel,
} from "./iperf_format.ts";
export { type ConnectedSocket, iperfStart } from "./iperf_json.ts";
export { ProgressLine } from "./progress.ts";
export { parseRate } from "./rate.ts";
export { bitsPerSecond, formatBytes, formatMbits, formatSpan, reportJson } from "./units.ts";
