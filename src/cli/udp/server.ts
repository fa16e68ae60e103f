import { formatAddress } from "../../address/mod.ts";
import { countOf } from "../../bytes/mod.ts";
import { describeError } from "../../errors/mod.ts";
import { FramingError } from "../../framing/mod.ts";
import {
  BenchReceiver,
  isBenchControl,
  type StreamEvent,
  StreamSender,
  UDP_BENCH_RECEIVE_BUFFER_BYTES,
} from "../../measure/mod.ts";
import type { Peer } from "../../message/mod.ts";
import { createDatagramMode } from "../../modes/mod.ts";
import { NetError, type SocketAddress } from "../../net/mod.ts";
import { serveUdp } from "../../udp/mod.ts";
import { startServerAnnouncement } from "../discovery/mod.ts";
import {
  commandFor,
  describeOversizedDatagram,
  describeRefusal,
  EXIT,
  onStopSignal,
  printLine,
  printListening,
  printStatus,
  RepeatFilter,
  useNonBlockingOutput,
} from "../mod.ts";
import { faultSummary, startFaults } from "./fault_text.ts";
import { udpNarrator } from "./narrator.ts";
import type { UdpServerOptions } from "./options.ts";
import { PeerTable } from "./peer_table.ts";

/** Datagrams the server counts apart because something was odd about them. */
interface Oddities {
  empty: number;
  oversized: number;
  notUtf8: number;
  unreachable: number;
  otherErrors: number;
  denied: number;
  amplifying: number;
}

const ODDITY_WORDS: Record<keyof Oddities, string> = {
  empty: "empty",
  oversized: "over --max-datagram (not answered)",
  notUtf8: "not UTF-8 text",
  unreachable: "ICMP port unreachable (a client left before its reply)",
  otherErrors: "other errors (a reply too large, for example)",
  denied: "from peers refused by --allow/--deny (not answered)",
  amplifying: "replies not sent as they were over 3x what their address sent (RFC 9000 section 8)",
};

/**
 * Runs `udp.ts server`: answers every datagram to its sender until SIGINT or
 * SIGTERM, then prints what each peer sent.
 * @returns The exit code, 0 after a signal.
 */
export async function runUdpServer(options: UdpServerOptions): Promise<number> {
  // A log nobody reads must not stop the peers being answered.
  useNonBlockingOutput();
  const peers = new PeerTable();
  const oddities: Oddities = {
    empty: 0,
    oversized: 0,
    notUtf8: 0,
    unreachable: 0,
    otherErrors: 0,
    denied: 0,
    amplifying: 0,
  };
  // Each kind is shown once without -v, so a flood cannot flood the terminal too; the
  // counts are in the report at exit, so the filter need not report them.
  const once = new RepeatFilter({ windowMs: Infinity });
  const note = (kind: keyof Oddities, text: string) => {
    oddities[kind]++;
    if (options.verbose) printStatus(text);
    else if (once.shouldShow("server", kind, text)) printStatus(`${text} (counted; -v shows each)`);
  };
  // Every datagram not refused is tabled, answered or not.
  const record = (from: SocketAddress, size: number) => {
    const first = peers.record(from, size);
    if (options.verbose) {
      printStatus(
        `${formatAddress(from)}: ${countOf(size, "byte")}${first ? " (new peer)" : ""}`,
      );
    }
    if (size === 0) oddities.empty++;
  };
  const mode = createDatagramMode(options.mode, {
    maxFrameBytes: options.maxDatagramBytes,
    show: printLine,
  });
  // Only a discard server counts bench runs: echo and chargen answer every datagram anyway.
  const bench = options.mode === "discard" ? new BenchReceiver() : undefined;
  const faults = startFaults(options.faults, options);
  // Only chargen streams: udp.ts bench --direction down asks it for iperf3 -R's paced stream.
  let streams: StreamSender | undefined;
  const endpoint = await serveUdp(
    {
      host: options.host,
      port: options.port,
      maxDatagramBytes: options.maxDatagramBytes,
      allow: options.allow,
      deny: options.deny,
      trace: udpNarrator(options),
      faults,
      // A bench's stream requests and report requests are its bookkeeping, not the lesson.
      spareFromFaults: isBenchControl,
      limitAmplification: true,
      // Room for bursts: a flood of students, or a bench run at 1 Gbit/s, while this program is busy.
      receiveBufferBytes: UDP_BENCH_RECEIVE_BUFFER_BYTES,
      // Refused peers get no answer: UDP has no connection to close.
      onRefuse: (from, reason, code) => {
        note("denied", `refused ${formatAddress(from)}: ${describeRefusal(reason, code)}`);
      },
      onOversized: (from, size, limit) => {
        record(from, size);
        note("oversized", `${formatAddress(from)}: ${describeOversizedDatagram(size, limit)}`);
      },
      onAmplifying: (to, size, credit) => {
        note(
          "amplifying",
          `${formatAddress(to)}: a ${countOf(size, "byte")} reply not sent: only ${
            countOf(credit, "byte")
          } left of 3x what that address sent (pad the request to get more back)`,
        );
      },
      onError: (error, peer) => noteError(note, error, peer),
      // The error datagrams peers are sent name the flag that would help, as the log does.
      describeError,
    },
    (message, peer) => {
      record(peer.remoteAddress, message.size);
      const streamAnswer = streams?.take(message.bytes, peer.remoteAddress);
      if (streamAnswer) return streamAnswer;
      const report = bench?.take(message.bytes, peer.remoteAddress);
      if (report?.report && options.verbose) {
        const { packets, bytes, jitterMs } = report.report;
        printStatus(
          `${formatAddress(peer.remoteAddress)}: bench report sent: ${
            countOf(packets, "datagram")
          }, ${countOf(bytes, "byte")} received, jitter ${jitterMs.toFixed(3)} ms`,
        );
      } else if (report && options.verbose) {
        printStatus(
          `${formatAddress(peer.remoteAddress)}: bench report asked for a run with no count here (${
            report.missing === "crowded"
              ? "crowded out: too many runs at once"
              : "none of it arrived"
          })`,
        );
      }
      return report ? report.answer : mode.handler(message, peer);
    },
  );
  if (options.mode === "chargen") {
    streams = new StreamSender(endpoint, {
      maxBitsPerSecond: options.streamMaxBitsPerSecond,
      onEvent: (event) => {
        const line = describeStreamEvent(event);
        if (options.verbose || event.kind === "started" || !line.startsWith("refused")) {
          printStatus(line);
        } else if (once.shouldShow("server", `stream ${event.kind}`, line)) {
          printStatus(`${line} (-v shows each)`);
        }
      },
    });
  }
  // Armed before the banner: a test or script may signal as soon as it reads it.
  const stop = new Promise<void>((resolve) => onStopSignal(resolve));
  printListening("udp", endpoint.localAddress, `${commandFor("udp.ts")} client`);
  printStatus(
    options.mode === "discard"
      ? "discard server: every datagram is counted and dropped unanswered (but udp.ts bench's "
        + "report request, answered with what its run delivered); Ctrl-C to stop"
      : `${options.mode} server: every datagram is answered to its sender; Ctrl-C to stop`,
  );
  const announcement = await startServerAnnouncement({
    protocol: "udp",
    address: endpoint.localAddress,
    choice: options.announce,
    mode: options.mode,
    framing: "datagram",
  });
  await stop;
  // The goodbye goes first, so browsers drop the server before it stops answering.
  await announcement?.close();
  streams?.close();
  await endpoint.close();
  printReport(peers, oddities);
  if (faults) printStatus(faultSummary(faults));
  return EXIT.ok;
}

function noteError(
  note: (kind: keyof Oddities, text: string) => void,
  error: Error,
  peer: Peer | undefined,
): void {
  if (error instanceof NetError && error.code === "CONNECTION_REFUSED") {
    note("unreachable", "a client left before its reply (ICMP port unreachable)");
    return;
  }
  const from = peer ? `${formatAddress(peer.remoteAddress)}: ` : "";
  if (error instanceof FramingError && error.code === "INVALID_UTF8") {
    note("notUtf8", `${from}${describeError(error)}; answered with an error`);
  } else note("otherErrors", `${from}survived an error: ${describeError(error)}`);
}

function printReport(peers: PeerTable, oddities: Oddities): void {
  const odd = (Object.keys(ODDITY_WORDS) as (keyof Oddities)[])
    .filter((kind) => oddities[kind] > 0)
    .map((kind) => `${oddities[kind]} ${ODDITY_WORDS[kind]}`);
  printStatus(
    `stopped: ${countOf(peers.totalDatagrams, "datagram")}, ${
      countOf(peers.totalBytes, "byte")
    } from ${countOf(peers.rows.length, "peer")}${odd.length > 0 ? `; ${odd.join(", ")}` : ""}`,
  );
  for (const line of peers.format()) printStatus(line);
}

function describeStreamEvent(event: StreamEvent): string {
  const { to, ask } = event;
  const where = formatAddress(to);
  const what = `${
    (ask.bitsPerSecond / 1e6).toFixed(1)
  } Mbit/s of ${ask.datagramBytes}-byte datagrams`;
  const sent = `${countOf(event.sentDatagrams, "datagram")}, ${
    countOf(event.sentBytes, "byte")
  } sent`;
  switch (event.kind) {
    case "started":
      return `${where}: bench stream started: ${what} for ${
        ask.durationMs / 1000
      } s (address proven by a cookie)`;
    case "done":
      return `${where}: bench stream done: ${sent}`;
    case "stopped":
      return `${where}: bench stream stopped by the client: ${sent}`;
    case "lapsed":
      return `${where}: bench stream stopped: no word from the client for 3 s (${sent})`;
    case "busy":
      return `refused ${where} a bench stream: that host has one already, or 4 run at once`;
    case "refused":
      return `refused ${where} a bench stream: ${what} for ${
        ask.durationMs / 1000
      } s is over this server's limits`;
    case "expired":
      return `refused ${where} a bench stream: its cookie is stale or not this server's (run the bench again)`;
  }
}
