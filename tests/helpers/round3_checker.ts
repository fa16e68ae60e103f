// Issue 21, item 4: hostile servers against the checker. Each floods
// `client.ts --check` or `udp.ts check` (run as its own process, so its memory
// is its own) and reports the checker's peak memory, time, exit code and the
// evidence its card shows. Shared by tests/scripts/fault_battery_checker_test.ts and
// bench/soak.ts (`checkerAgainstFlood`).
import net from "node:net";
import type { RuntimeName } from "../../src/net/runtime.ts";
import { bindUdp, type UdpEndpoint } from "../../src/udp/udp_endpoint.ts";
import { scriptCommandOn } from "../../tools/script_command.ts";
import { MemoryWatch, sleep } from "./hostile_peers.ts";
import type { Round3Attack, Round3Figures } from "./round3_attack.ts";
import { RunningScript } from "./scripts.ts";

const MIB = 1024 * 1024;
const BLOCK_BYTES = 64 * 1024;
// One gigabyte, the "one 1 GB line".
const HUGE_LINE_BYTES = 1024 * MIB;
// Past the checker's 1400-byte large check, and big enough that a few thousand fill memory fast.
const FLOOD_DATAGRAM_BYTES = 32 * 1024;
// Up to 16 x 32 KiB a millisecond: far more than a checker should ever keep.
const FLOOD_BURST = 16;
// No flood outlives a run that went wrong.
const FLOOD_LIMIT_MS = 60_000;
// A checker still running after this is killed: the battery's own limit is 25 s.
const RUN_LIMIT_MS = 45_000;

/** The hostile servers. */
export type FloodKind = "endless-lines" | "huge-line" | "udp-flood";

/** A hostile server this process runs. */
interface Flooder {
  port: number;
  /** Bytes it handed to the system so far. */
  sent(): number;
  close(): Promise<void>;
}

/** What the checker did against one hostile server. */
export interface CheckerFigures {
  kind: FloodKind;
  code: number | null;
  /** The checker process's peak resident memory while it ran. */
  peakBytes: number;
  seconds: number;
  /** Bytes the hostile server sent in all. */
  serverSentBytes: number;
  /** The largest byte count the card gives for something received. */
  largestReceivedOnCard: number;
  /** Evidence lines ("received" entries) on the card or in its JSON. */
  receivedEntries: number;
  stdout: string;
  stderr: string;
}

/**
 * Pumps `block` into every connection as fast as it drains until `limit`
 * bytes went to that connection or it closed; never reads what the client says.
 */
async function startTcpFlooder(block: Uint8Array, limit: number): Promise<Flooder> {
  let sent = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
    let mine = 0;
    const pump = () => {
      while (!socket.destroyed && mine < limit) {
        const part = block.subarray(0, Math.min(block.length, limit - mine));
        mine += part.length;
        sent += part.length;
        if (!socket.write(part)) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    pump();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    sent: () => sent,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/**
 * Echoes the first datagram of the first client it hears from, then floods
 * that client with 32 KiB datagrams and ignores everyone else: the checker's
 * second client waits out its timeout while the first is flooded.
 */
async function startUdpFlooder(): Promise<Flooder> {
  const block = new Uint8Array(FLOOD_DATAGRAM_BYTES).fill(0x46);
  let sent = 0;
  let stopped = false;
  let flooding: Promise<void> | undefined;
  const flood = async (endpoint: UdpEndpoint, to: { hostname: string; port: number }) => {
    const until = Date.now() + FLOOD_LIMIT_MS;
    while (!stopped && Date.now() < until) {
      // A burst a tick, with a short queue: Bun queues nothing, and this process must stay small.
      for (let i = 0; i < FLOOD_BURST && endpoint.queuedDatagrams < FLOOD_BURST; i++) {
        endpoint.send(block, to);
        sent += block.length;
      }
      await sleep(1);
    }
  };
  const endpoint = await bindUdp({
    host: "127.0.0.1",
    port: 0,
    onDatagram(datagram, endpoint) {
      if (flooding) return;
      endpoint.send(datagram.message.bytes, datagram.from);
      sent += datagram.message.bytes.length;
      flooding = flood(endpoint, datagram.from);
    },
    // ICMP port unreachable once the checker is gone; a flooder does not care.
    onError() {},
  });
  return {
    port: endpoint.localAddress.port,
    sent: () => sent,
    async close() {
      stopped = true;
      await flooding;
      await endpoint.close();
    },
  };
}

function startFlooder(kind: FloodKind): Promise<Flooder> {
  if (kind === "udp-flood") return startUdpFlooder();
  const text = kind === "endless-lines"
    ? "junk\n".repeat(BLOCK_BYTES / 5)
    : "A".repeat(BLOCK_BYTES);
  const limit = kind === "endless-lines" ? Number.MAX_SAFE_INTEGER : HUGE_LINE_BYTES;
  return startTcpFlooder(new TextEncoder().encode(text), limit);
}

/** The checker's command line against `port`: the issue's `--timeout 2`, as a user would type it. */
function checkerArgs(kind: FloodKind, port: number): [string, string[]] {
  // English whatever the machine's locale: the figures are read from the card's words.
  const common = ["--port", String(port), "--timeout", "2", "--expect", "echo", "--lang", "en"];
  return kind === "udp-flood"
    ? ["udp.ts", ["check", ...common, "--json"]]
    : ["client.ts", ["--check", ...common]];
}

// Every "(N bytes)" the card gives, in the text report or in the JSON's escaped strings.
function receivedCounts(stdout: string): number[] {
  return [...stdout.matchAll(/\((\d+) bytes\)/g)].map((match) => Number(match[1]));
}

function receivedEntries(kind: FloodKind, stdout: string): number {
  if (kind !== "udp-flood") return (stdout.match(/^ +received: /gm) ?? []).length;
  try {
    const report = JSON.parse(stdout) as { checks: { received: string[] }[] };
    return report.checks.reduce((sum, check) => sum + check.received.length, 0);
  } catch {
    return -1;
  }
}

/**
 * Starts the hostile server `kind` in this process and runs the checker
 * against it on `runtime`, watching the checker's memory by its pid.
 */
export async function checkerAgainst(
  runtime: RuntimeName,
  kind: FloodKind,
): Promise<CheckerFigures> {
  const flooder = await startFlooder(kind);
  try {
    const [script, args] = checkerArgs(kind, flooder.port);
    const [command, argv] = scriptCommandOn(runtime, script, args);
    const start = Date.now();
    const checker = new RunningScript(command, argv);
    checker.child.stdin!.end();
    const killer = setTimeout(() => checker.child.kill("SIGKILL"), RUN_LIMIT_MS);
    // Often enough to see a burst that lasts a second; the kernel's peak is read too while it runs.
    const watch = new MemoryWatch(checker.child.pid!, 50);
    let result;
    try {
      result = await checker.exited;
    } finally {
      clearTimeout(killer);
    }
    const peakBytes = watch.stop();
    const counts = receivedCounts(result.stdout);
    return {
      kind,
      code: result.code,
      peakBytes,
      seconds: (Date.now() - start) / 1000,
      serverSentBytes: flooder.sent(),
      largestReceivedOnCard: counts.length > 0 ? Math.max(...counts) : 0,
      receivedEntries: receivedEntries(kind, result.stdout),
      stdout: result.stdout,
      stderr: result.stderr,
    };
  } finally {
    await flooder.close();
  }
}

const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

/**
 * Issue 21, item 4: the checker against endless junk lines, one 1 GiB line
 * and a UDP flood; its peak memory, time and exit code for each.
 */
export const checkerAgainstFlood: Round3Attack = async (runtime) => {
  const figures: Round3Figures["figures"] = [];
  for (const kind of ["endless-lines", "huge-line", "udp-flood"] as const) {
    const run = await checkerAgainst(runtime, kind);
    figures.push(
      [`${kind}: checker peak RSS`, mib(run.peakBytes)],
      [`${kind}: seconds`, `${run.seconds.toFixed(1)} s`],
      [`${kind}: exit`, String(run.code)],
      [`${kind}: server sent`, mib(run.serverSentBytes)],
      [`${kind}: largest received count on the card`, `${run.largestReceivedOnCard} bytes`],
      [`${kind}: received entries`, String(run.receivedEntries)],
    );
  }
  return { item: 4, name: "checker against floods", figures };
};
