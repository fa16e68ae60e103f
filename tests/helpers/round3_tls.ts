// Issue 21 item 1: TCP connections that never send a ClientHello, against
// `server.ts --tls --max-conns 10 --idle-timeout 2`. What the fault battery
// asserts and bench/soak.ts prints.
import type { RuntimeName } from "../../src/net/runtime.ts";
import { connect } from "../../src/tcp/tcp_client.ts";
import { scriptCommandOn } from "../../tools/script_command.ts";
import { openFds } from "./fault_peers.ts";
import { closeClients, openClients, sleep } from "./hostile_peers.ts";
import type { Round3Figures } from "./round3_attack.ts";
import { listeningOn, RunningScript, scriptCommand } from "./scripts.ts";

/** The server's limits in the attack: a slot bound and a handshake that must end by the idle limit. */
export const SILENT_TLS_ARGS = ["--tls", "--port", "0", "--max-conns", "10", "--idle-timeout", "2"];
export const SILENT_TLS_MAX_CONNS = 10;
export const SILENT_TLS_IDLE_MS = 2_000;
const SILENT_CLIENTS = 40;
// How long after the attack began the figures are read: past the idle limit, with room for a slow machine.
const SETTLE_MS = SILENT_TLS_IDLE_MS + 3_000;
// How long a loaded server may take to accept or turn away the silent connections.
const ACCEPTED_MS = 500;
const FINGERPRINT = /tls: certificate SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/;

/** What the silent connections did to the server's descriptors and to a TLS client after them. */
export interface SilentTlsFigures {
  fdsBefore: number;
  /** The most descriptors the server held while the silent clients were all open, once accepted or refused. */
  fdsPeak: number;
  /** Descriptors at the end, with the silent clients still open. */
  fdsAfter: number;
  /** How long after the attack a TLS client got its echo, or undefined when it never did. */
  servedAfterMs?: number;
}

/** Starts `server.ts` with `args` on `runtime` (or, without one, on the runtime running this). */
export async function startTlsServerOn(
  runtime: RuntimeName | undefined,
  args: string[],
): Promise<{ server: RunningScript; port: number; fingerprint: string; pid: number }> {
  const [command, argv] = runtime
    ? scriptCommandOn(runtime, "server.ts", args)
    : scriptCommand("server.ts", args);
  const { server, port } = await listeningOn(new RunningScript(command, argv));
  const fingerprint = (await server.waitFor(FINGERPRINT, { stream: "stderr" }))[1]!;
  return { server, port, fingerprint, pid: server.child.pid! };
}

/**
 * Opens silent TCP connections against a TLS server and reads its
 * descriptors while they stay open, then tries a real TLS client.
 */
export async function silentHandshakes(
  target: { port: number; pid: number; fingerprint: string },
): Promise<SilentTlsFigures> {
  const { port, pid, fingerprint } = target;
  const fdsBefore = openFds(pid);
  const started = Date.now();
  const silent = await openClients(port, SILENT_CLIENTS);
  try {
    // Read once the server has had time to accept or turn away each one, before any times out.
    await sleep(ACCEPTED_MS);
    let fdsPeak = openFds(pid);
    while (Date.now() - started < SILENT_TLS_IDLE_MS - 200) {
      await sleep(100);
      fdsPeak = Math.max(fdsPeak, openFds(pid));
    }
    while (Date.now() - started < SETTLE_MS) await sleep(100);
    const fdsAfter = openFds(pid);
    let servedAfterMs: number | undefined;
    try {
      const client = await connect({ port, tls: { fingerprint } });
      try {
        client.send("after the silent ones");
        if ((await client.receive(3_000))?.text === "after the silent ones") {
          servedAfterMs = Date.now() - started;
        }
      } finally {
        client.close();
      }
    } catch {
      // Not served: servedAfterMs stays undefined, which is the finding.
    }
    return { fdsBefore, fdsPeak, fdsAfter, servedAfterMs };
  } finally {
    await closeClients(silent);
  }
}

/** bench/soak.ts: item 1 on a fresh server of `runtime`. */
export async function silentTlsAttack(runtime: RuntimeName): Promise<Round3Figures> {
  const started = await startTlsServerOn(runtime, SILENT_TLS_ARGS);
  try {
    const f = await silentHandshakes(started);
    return {
      item: 1,
      name: `${SILENT_CLIENTS} silent TCP connections to --tls --max-conns 10 --idle-timeout 2`,
      figures: [
        ["fds before", `${f.fdsBefore}`],
        ["fds peak", `${f.fdsPeak}`],
        [`fds after ${SETTLE_MS / 1000} s, silent ones still open`, `${f.fdsAfter}`],
        [
          "TLS client served",
          f.servedAfterMs === undefined ? "no" : `yes, ${(f.servedAfterMs / 1000).toFixed(1)} s in`,
        ],
      ],
    };
  } finally {
    await started.server.kill();
  }
}
