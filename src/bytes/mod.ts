/**
 * Bytes and the text made of them, at the bottom of every other package:
 * joining chunks, comparing, reading binary fields, one lenient UTF-8
 * decoding, the one-line notices a server sends, seconds and control
 * characters as a terminal shows them.
 * @module
 */
export { concatBytes, followsOn, joinBytes } from "./concat.ts";
export { countOf } from "./count_of.ts";
export { dataViewOf } from "./data_view.ts";
export { equalBytes } from "./equal_bytes.ts";
export { formatBitrate, formatTransfer } from "./iperf_units.ts";
export { lenientText } from "./lenient_text.ts";
export { noticeBytes } from "./notice_text.ts";
export { secondsText } from "./seconds_text.ts";
export { displayBytes, escapeControl } from "./terminal_text.ts";
