// Issue 21, item 5: `client.ts --bench` against a far end that stops reading,
// or that reads but never sends its FIN. The sinks live in this process, on
// the adapter of whichever runtime runs it; the bench is a real client.ts
// process, started as a user types it, and timed until it exits.
import { readFileSync } from "node:fs";
import { BENCH_END_GRACE_MS } from "../../src/measure/tcp_grace.ts";
import { runtime as here, type RuntimeName } from "../../src/net/runtime.ts";
import type { TcpConnection, TcpListener, TlsServerOptions } from "../../src/net/types.ts";
import { scriptCommandOn } from "../../tools/script_command.ts";
import type { Round3Attack, Round3Figures } from "./round3_attack.ts";
import { RunningScript } from "./scripts.ts";

/**
 * How a sink misbehaves. `stalled`: accepts, takes the first chunk and never
 * reads again (a classmate's server stuck in a loop, or in a `sleep`); it
 * never writes either, so it is also an echo server that stopped reading.
 * `no-fin`: reads everything and never closes after the client's FIN.
 */
export type SinkKind = "stalled" | "no-fin";

// What a process start, a TLS handshake and the closing take on a loaded two-core machine.
const SLACK_SECONDS = 6;

/** A TCP server in this process that misbehaves as `kind` says. */
export class BenchSink {
  readonly #listener: TcpListener;
  readonly #connections: TcpConnection[];
  readonly #release: () => void;
  /** Bytes the sink read, over all its connections. */
  readonly read: { bytes: number };

  private constructor(
    listener: TcpListener,
    connections: TcpConnection[],
    release: () => void,
    read: { bytes: number },
  ) {
    this.#listener = listener;
    this.#connections = connections;
    this.#release = release;
    this.read = read;
  }

  /** Listens on 127.0.0.1, port 0, with TLS when `tls` is given. */
  static async start(kind: SinkKind, tls?: TlsServerOptions): Promise<BenchSink> {
    const connections: TcpConnection[] = [];
    const read = { bytes: 0 };
    let release!: () => void;
    // Settled only when the sink closes, so a paused read loop ends with it.
    const never = new Promise<void>((resolve) => (release = resolve));
    const listener = await here.listenTcp({
      hostname: "127.0.0.1",
      port: 0,
      tls,
      onConnection(connection) {
        connections.push(connection);
        connection.start({
          data(chunk) {
            read.bytes += chunk.length;
            connection.releaseChunk();
            return kind === "stalled" ? never : undefined;
          },
          // The client's FIN: a well-behaved sink would close now; this one never does.
          end() {},
          close() {},
        });
      },
    });
    return new BenchSink(listener, connections, release, read);
  }

  get port(): number {
    return this.#listener.address.port;
  }

  /** Closes the listener and every connection it accepted. */
  async close(): Promise<void> {
    for (const connection of this.#connections) connection.close();
    this.#release();
    await this.#listener.close();
    // Lets the runtime settle the reads close() interrupted (Deno's op sanitizer).
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How one bench run against a sink ended. */
export interface BenchOutcome {
  /** Seconds from the start of the process until it exited, or until it was killed. */
  seconds: number;
  /** Its exit code; null when it had to be killed. */
  code: number | null;
  /** Whether it had to be killed at `limitSeconds`. */
  killed: boolean;
  limitSeconds: number;
  stdout: string;
  stderr: string;
  /** Bytes the sink read. */
  sinkRead: number;
}

/** What a bench against a sink is asked to do. */
export interface BenchAttempt {
  kind: SinkKind;
  /** client.ts's --bench TIME, in seconds. */
  seconds: number;
  /** Flags after --port and --bench: --direction, -P, --json, --tls, ... */
  args: string[];
  /** Runs the sink with TLS (then pass --tls --insecure in args). */
  tls?: TlsServerOptions;
}

/** The longest a fixed bench may take against any sink: its run, its grace, and process slack. */
export function limitSecondsFor(seconds: number): number {
  return seconds + BENCH_END_GRACE_MS / 1000 + SLACK_SECONDS;
}

/**
 * Starts a sink, runs `client.ts --bench` at it on `runtime`, and times the
 * process until it exits; a bench still running at the limit is killed, so a
 * hang is a figure rather than a hung test.
 */
export async function benchAgainstSink(
  runtime: RuntimeName,
  attempt: BenchAttempt,
): Promise<BenchOutcome> {
  const sink = await BenchSink.start(attempt.kind, attempt.tls);
  const limitSeconds = limitSecondsFor(attempt.seconds);
  try {
    const [command, argv] = scriptCommandOn(runtime, "client.ts", [
      "--port",
      String(sink.port),
      "--bench",
      String(attempt.seconds),
      ...attempt.args,
    ]);
    const startedAt = performance.now();
    const bench = new RunningScript(command, argv);
    bench.endInput();
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      void bench.kill();
    }, limitSeconds * 1000);
    const result = await bench.exited;
    clearTimeout(timer);
    return {
      seconds: (performance.now() - startedAt) / 1000,
      code: killed ? null : result.code,
      killed,
      limitSeconds,
      stdout: result.stdout,
      stderr: result.stderr,
      sinkRead: sink.read.bytes,
    };
  } finally {
    await sink.close();
  }
}

/** A server's certificate and key from PEM files, as a TLS sink presents them. */
export function tlsFrom(cert: string, key: string): TlsServerOptions {
  return { certificate: readFileSync(cert, "utf8"), privateKey: readFileSync(key, "utf8") };
}

function outcomeFigure(outcome: BenchOutcome): string {
  const exit = outcome.killed
    ? `still running, killed at ${outcome.limitSeconds} s`
    : `exit ${outcome.code}`;
  const said = /stopped reading/.test(outcome.stderr)
    ? "said the server stopped reading"
    : /no FIN/.test(outcome.stderr)
    ? "said no FIN came"
    : "said nothing";
  return `${outcome.seconds.toFixed(1)} s, ${exit}, ${said}`;
}

/**
 * Soak entry: `client.ts --bench 2` on `runtime`, up to a sink that stops
 * reading, both ways through an echo that stops reading, and up to a sink
 * that reads but never sends its FIN, all three at once (each mostly waits):
 * how long each bench took to exit, its exit code, and whether it said why.
 */
export const benchAgainstStalledSink: Round3Attack = async (runtime): Promise<Round3Figures> => {
  const bench = (kind: SinkKind, direction: string) =>
    benchAgainstSink(runtime, { kind, seconds: 2, args: ["--direction", direction] });
  const [up, both, noFin] = await Promise.all([
    bench("stalled", "up"),
    bench("stalled", "both"),
    bench("no-fin", "up"),
  ]);
  return {
    item: 5,
    name: "TCP bench against a sink that stops reading",
    figures: [
      ["--bench 2 -d up, sink stops reading", outcomeFigure(up)],
      ["--bench 2 -d both, echo stops reading", outcomeFigure(both)],
      ["--bench 2 -d up, sink never sends FIN", outcomeFigure(noFin)],
    ],
  };
};
