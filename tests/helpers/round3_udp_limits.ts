// Issue 21's UDP items, shared by tests/scripts/fault_battery_udp_limits_test.ts and
// bench/soak.ts: a flood against a server whose fault flags keep datagrams
// waiting (item 3: does memory stay within what --help promises?), and the
// bytes each mode sends back per byte it receives (item 6: could a forged
// source address turn the server into a reflector?).
import type { RuntimeName } from "../../src/net/runtime.ts";
import { bindUdp, type UdpEndpoint } from "../../src/udp/udp_endpoint.ts";
import { scriptCommandOn } from "../../tools/script_command.ts";
import { fdsSettle, memoryOf, openFds } from "./fault_peers.ts";
import { MemoryWatch, sleep } from "./hostile_peers.ts";
import type { Round3Attack, Round3Figures } from "./round3_attack.ts";
import { listeningOn, RunningScript } from "./scripts.ts";

const MIB = 1024 * 1024;
const FD_SLACK = 8;
/** The fault flags: every datagram delayed, half duplicated, half held back. */
export const FLOOD_FAULT_ARGS = [
  "--delay",
  "3s±1s",
  "--dup",
  "50",
  "--reorder",
  "50",
  "--seed",
  "1",
];
/** What `udp.ts --help` promises may wait delayed or held back: 10,000 datagrams, 16 MiB. */
export const FAULT_WAIT_PROMISE_BYTES = 16 * MIB;
// Datagrams each socket sends before giving the event loop a turn.
const BURST = 32;
// Past this many sends waiting in the flooding side's own queue it waits a turn.
const MAX_QUEUED_HERE = 256;
/** How often {@linkcode floodUdpServer} records the server's resident memory. */
export const SERIES_MS = 100;
// What a discard server gets, unprobed, to be ready before the flood and to catch up after it.
const DISCARD_SETTLE_MS = 1000;

/** Starts `udp.ts server --port 0 ARGS` on `runtime`, returning it with its port. */
export async function startUdpServerOn(
  runtime: RuntimeName,
  args: string[],
): Promise<{ server: RunningScript; port: number }> {
  const [command, argv] = scriptCommandOn(runtime, "udp.ts", ["server", "--port", "0", ...args]);
  return await listeningOn(new RunningScript(command, argv));
}

/** How a server fared under {@linkcode floodUdpServer}. */
export interface UdpFloodFigures {
  /** Datagrams the flooding sockets sent. */
  sent: number;
  /** Replies that came back to them. */
  answered: number;
  rssBefore: number;
  /** Highest resident memory seen from the start of the flood to a fresh peer's answer. */
  rssPeak: number;
  /** rssPeak - rssBefore. */
  growth: number;
  /** Resident memory every {@linkcode SERIES_MS} ms from the start of the flood to its end. */
  rssSeries: number[];
  fdsBefore: number;
  fdsAfter: number;
  /** From the end of the flood until a fresh socket got its answer. */
  recoverMs: number;
  /** What the server said at exit: its totals and, with faults, what they did. */
  stopLines: string;
}

/** Shape of {@linkcode floodUdpServer}'s flood. */
export interface UdpFloodOptions {
  seconds: number;
  sockets: number;
  /** Bytes per datagram. */
  size: number;
}

/**
 * Starts `udp.ts server` with `serverArgs` on `runtime`, floods it from
 * `sockets` sockets for `seconds`, watches its memory, then stops it with
 * SIGINT and returns what it saw. A fresh socket must be answered afterwards
 * (within the fault delay plus a margin), or this throws.
 */
export async function floodUdpServer(
  runtime: RuntimeName,
  serverArgs: string[],
  options: UdpFloodOptions,
): Promise<UdpFloodFigures> {
  const { server, port } = await startUdpServerOn(runtime, serverArgs);
  const to = { hostname: "127.0.0.1", port };
  const pid = server.child.pid!;
  const sockets: UdpEndpoint[] = [];
  // A discard server answers nothing: its readiness and recovery cannot be probed.
  const answers = !serverArgs.some((arg, i) => arg === "discard" && serverArgs[i - 1] === "--mode");
  let answered = 0;
  try {
    // Bound before the baseline, and a first datagram answered, so neither counts as growth.
    for (let i = 0; i < options.sockets; i++) {
      sockets.push(await bindUdp({ onDatagram: () => answered++ }));
    }
    if (answers) await answeredWithin(to, 10_000);
    else await sleep(DISCARD_SETTLE_MS);
    answered = 0;
    const fdsBefore = openFds(pid);
    const rssBefore = memoryOf(pid);
    const watch = new MemoryWatch(pid, 100);
    const rssSeries: number[] = [];
    const series = setInterval(() => {
      try {
        rssSeries.push(memoryOf(pid));
      } catch {
        // The server has exited; the probe after the flood says so.
      }
    }, SERIES_MS);
    let sent = 0;
    let rssPeak: number;
    let recoverMs: number;
    try {
      const payload = new Uint8Array(options.size).fill(0x61);
      const deadline = performance.now() + options.seconds * 1000;
      while (performance.now() < deadline) {
        for (const socket of sockets) {
          if (socket.queuedDatagrams > MAX_QUEUED_HERE) continue;
          for (let i = 0; i < BURST; i++) socket.send(payload, to);
          sent += BURST;
        }
        await sleep(0);
      }
      const floodEnded = performance.now();
      clearInterval(series);
      if (answers) await answeredWithin(to, 15_000);
      else await sleep(DISCARD_SETTLE_MS);
      recoverMs = performance.now() - floodEnded;
    } finally {
      clearInterval(series);
      rssPeak = watch.stop();
    }
    const fdsAfter = await fdsSettle(pid, fdsBefore + FD_SLACK).catch(() => openFds(pid));
    const stopped = await server.stop();
    return {
      sent,
      answered,
      rssBefore,
      rssPeak,
      growth: rssPeak - rssBefore,
      rssSeries,
      fdsBefore,
      fdsAfter,
      recoverMs,
      stopLines: stopped.stderr.split("\n").filter((line) => /^(stopped|faults)/.test(line))
        .join("\n"),
    };
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
    await server.kill();
  }
}

// A fresh socket sends a probe every second until one is answered.
async function answeredWithin(to: { hostname: string; port: number }, ms: number): Promise<void> {
  const probe = await bindUdp({});
  try {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      probe.send("probe", to);
      if (await probe.receive(1000).catch(() => null)) return;
    }
    throw new Error(`udp.ts server on port ${to.port} answered no probe within ${ms} ms`);
  } finally {
    await probe.close();
  }
}

const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

/**
 * What `udp.ts --help` promises a flood may add, with fault flags, to what
 * the same server grows without them, once the wait has filled: the 16 MiB
 * that may wait, and twice that again of garbage the runtime has not
 * collected yet; brief peaks may reach twice this. Measured (4 sockets,
 * 1,400-byte datagrams, 9-12 s): the median over the flood's last third was
 * 23-31 MiB above the plain server's peak on both runtimes (before the fix:
 * Bun 36-78, Deno hundreds); Bun's peaks were 36-57 MiB above it (Bun paces
 * its collector by what is live, so any 16 MiB kept alive through such a
 * flood costs it 20-35 MiB more), Deno's 24-35.
 */
export const FAULT_FLOOD_PROMISE_BYTES = 3 * FAULT_WAIT_PROMISE_BYTES;

/** Item 3: the same flood without and with fault flags; what the faults add is theirs. */
export interface FaultFloodFigures {
  plain: UdpFloodFigures;
  faulty: UdpFloodFigures;
  /** Most the faulty server may settle at: the plain one's growth plus {@linkcode FAULT_FLOOD_PROMISE_BYTES}. */
  ceiling: number;
  /** Highest its brief peaks may reach: the plain one's growth plus twice that promise. */
  peakCeiling: number;
  /** Highest growth over the middle third of the faulty flood, once the wait has filled. */
  middlePeak: number;
  /** Median growth over its last third: above middlePeak when memory keeps growing with the flood. */
  lateMedian: number;
}

/**
 * Runs item 3's pair of floods against fresh servers on `runtime`: `seconds`
 * without faults, then `faultySeconds` with them (at least 12, so that its
 * last two thirds come after the 3 s±1 s wait has filled and started to go).
 */
export async function measureFaultFlood(
  runtime: RuntimeName,
  options: UdpFloodOptions & { faultySeconds: number },
): Promise<FaultFloodFigures> {
  const plain = await floodUdpServer(runtime, [], options);
  const faulty = await floodUdpServer(runtime, FLOOD_FAULT_ARGS, {
    ...options,
    seconds: options.faultySeconds,
  });
  const third = Math.floor(faulty.rssSeries.length / 3);
  const growths = faulty.rssSeries.map((rss) => rss - faulty.rssBefore);
  return {
    plain,
    faulty,
    ceiling: plain.growth + FAULT_FLOOD_PROMISE_BYTES,
    peakCeiling: plain.growth + 2 * FAULT_FLOOD_PROMISE_BYTES,
    middlePeak: Math.max(...growths.slice(third, 2 * third)),
    lateMedian: median(growths.slice(2 * third)),
  };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Item 3 for bench/soak.ts: 20 s of 1,400-byte datagrams from 4 sockets, as the issue measured. */
export const faultFlood: Round3Attack = async (runtime) => {
  const figures = await measureFaultFlood(runtime, {
    seconds: 20,
    faultySeconds: 20,
    sockets: 4,
    size: 1400,
  });
  const { plain, faulty } = figures;
  return {
    item: 3,
    name: "udp fault flags under a flood",
    figures: [
      ["flood", "20 s of 1400-byte datagrams from 4 sockets"],
      ["RSS growth without faults", mib(plain.growth)],
      [`RSS growth with ${FLOOD_FAULT_ARGS.join(" ")}`, mib(faulty.growth)],
      ["promised: growth without faults +", `${mib(FAULT_FLOOD_PROMISE_BYTES)}, peaks twice that`],
      ["ceilings: settled / peak", `${mib(figures.ceiling)} / ${mib(figures.peakCeiling)}`],
      [
        "faults: peak growth 7-13 s / median 13-20 s",
        `${mib(figures.middlePeak)} / ${mib(figures.lateMedian)}`,
      ],
      ["sent / answered (no faults)", `${plain.sent} / ${plain.answered}`],
      ["sent / answered (faults)", `${faulty.sent} / ${faulty.answered}`],
      ["fds before / after (faults)", `${faulty.fdsBefore} / ${faulty.fdsAfter}`],
      ["fresh peer answered after (faults)", `${(faulty.recoverMs / 1000).toFixed(1)} s`],
    ],
  };
};

/** One kind of request and what came back for it. */
export interface AmplificationCase {
  /** What was asked, in words. */
  name: string;
  /** Server mode. */
  mode: "echo" | "upper" | "discard" | "chargen";
  /** The request's payload. */
  request: Uint8Array;
  /** How many times it is sent. */
  count: number;
  /** Sent once before the requests, as a bench upload's datagrams precede its report request. */
  lead?: Uint8Array;
}

/** Bytes sent and received by one requesting socket, in UDP payload and on the wire. */
export interface AmplificationFigures {
  name: string;
  requests: number;
  replies: number;
  bytesIn: number;
  bytesOut: number;
  /** Payload bytes back per payload byte sent (RFC 9000's count); Infinity for empty requests answered with bytes. */
  payloadRatio: number;
  /** Bytes back per byte sent counting each datagram's IPv4 and UDP headers (28 bytes). */
  wireRatio: number;
}

const IPV4_UDP_HEADERS = 28;

/** "SLBQ", then a run id: udp.ts bench's report request, which a discard server answers. */
export const REPORT_REQUEST = new Uint8Array([0x53, 0x4c, 0x42, 0x51, 0, 0, 0, 7]);

/** The requests item 6 tries, each against its own server mode. */
export const AMPLIFICATION_CASES: readonly AmplificationCase[] = [
  { name: "chargen, empty requests", mode: "chargen", request: new Uint8Array(0), count: 50 },
  { name: "chargen, 1-byte requests", mode: "chargen", request: new Uint8Array(1), count: 50 },
  { name: "chargen, 100-byte requests", mode: "chargen", request: new Uint8Array(100), count: 50 },
  { name: "discard, bench report requests", mode: "discard", request: REPORT_REQUEST, count: 50 },
  { name: "echo, 1-byte requests", mode: "echo", request: new Uint8Array(1), count: 50 },
  // Not UTF-8: answered with an `error: ...` datagram, many times the request.
  { name: "upper, 1 byte not UTF-8", mode: "upper", request: new Uint8Array([0xff]), count: 50 },
];

/**
 * Sends each case's requests from one socket to a fresh `udp.ts server` of
 * its mode on `runtime`, spaced so none is lost, and counts what came back.
 */
export async function measureAmplification(
  runtime: RuntimeName,
  cases: readonly AmplificationCase[] = AMPLIFICATION_CASES,
): Promise<AmplificationFigures[]> {
  const modes = [...new Set(cases.map((c) => c.mode))];
  const results: AmplificationFigures[] = [];
  for (const mode of modes) {
    const { server, port } = await startUdpServerOn(runtime, ["--mode", mode]);
    try {
      for (const which of cases.filter((c) => c.mode === mode)) {
        results.push(await requestsAndReplies(which, { hostname: "127.0.0.1", port }));
      }
    } finally {
      await server.kill();
    }
  }
  return results;
}

async function requestsAndReplies(
  which: AmplificationCase,
  to: { hostname: string; port: number },
): Promise<AmplificationFigures> {
  let replies = 0;
  let bytesOut = 0;
  const socket = await bindUdp({
    onDatagram: ({ message }) => {
      replies++;
      bytesOut += message.size;
    },
  });
  try {
    if (which.lead) {
      socket.send(which.lead, to);
      await sleep(50);
    }
    for (let i = 0; i < which.count; i++) {
      socket.send(which.request, to);
      // Spaced, so a reply missing is the server's choice and not a full buffer.
      if (i % 10 === 9) await sleep(5);
    }
    // Replies still on their way get a moment.
    await sleep(300);
  } finally {
    await socket.close();
  }
  const leads = which.lead ? 1 : 0;
  const bytesIn = which.count * which.request.length + (which.lead?.length ?? 0);
  const wireIn = bytesIn + (which.count + leads) * IPV4_UDP_HEADERS;
  const wireOut = bytesOut + replies * IPV4_UDP_HEADERS;
  return {
    name: which.name,
    requests: which.count,
    replies,
    bytesIn,
    bytesOut,
    payloadRatio: bytesOut === 0 ? 0 : bytesIn === 0 ? Infinity : bytesOut / bytesIn,
    wireRatio: wireOut / wireIn,
  };
}

/** Item 6 for bench/soak.ts: bytes out per byte in for each mode's cheapest request. */
export const chargenAmplification: Round3Attack = async (runtime): Promise<Round3Figures> => {
  const results = await measureAmplification(runtime);
  return {
    item: 6,
    name: "udp amplification per mode",
    figures: results.map((r) => [
      r.name,
      `${r.replies}/${r.requests} answered, ${r.bytesOut} bytes back for ${r.bytesIn}: payload ${
        r.payloadRatio === Infinity ? "inf" : r.payloadRatio.toFixed(1)
      }x, wire ${r.wireRatio.toFixed(1)}x`,
    ]),
  };
};
