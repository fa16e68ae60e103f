// Issue 21 item 1: TCP connections that connect to a --tls server and never
// send a ClientHello. Before, Deno kept each one's descriptor until the peer
// left (closing a Deno.TlsConn whose handshake is pending frees nothing), and
// on both runtimes handshakes counted toward neither --max-conns nor
// --idle-timeout, so silent connections held descriptors without bound.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect as connectTls } from "node:tls";
import { memoryOf } from "../helpers/fault_peers.ts";
import { sleep } from "../helpers/hostile_peers.ts";
import {
  SILENT_TLS_ARGS,
  SILENT_TLS_MAX_CONNS,
  silentHandshakes,
  startTlsServerOn,
} from "../helpers/round3_tls.ts";

const MIB = 1024 * 1024;
// What a server holding one client's paused replies may grow by: its 1 MiB reply queue, TLS
// buffers and the runtime's own. Before the fix Deno's grew by about 2 GB in 4 s.
const FLOOD_RSS_BOUND_BYTES = 96 * MIB;
const FLOOD_MS = 3_000;

// Descriptors a runtime may open lazily (timers, DNS, worker pipes) after the baseline.
const FD_SLACK = 8;
const PATIENT = { timeout: 60_000 };

test(
  "server.ts --tls: silent connections hold at most --max-conns descriptors, give them back by --idle-timeout, and lock no one out",
  PATIENT,
  async () => {
    const started = await startTlsServerOn(undefined, SILENT_TLS_ARGS);
    try {
      const figures = await silentHandshakes(started);
      const detail = JSON.stringify(figures);
      assert.ok(
        figures.fdsPeak <= figures.fdsBefore + SILENT_TLS_MAX_CONNS + FD_SLACK,
        `handshakes in progress must count toward --max-conns: ${detail}`,
      );
      assert.ok(
        figures.fdsAfter <= figures.fdsBefore + FD_SLACK,
        `a stalled handshake must give its descriptor back by --idle-timeout: ${detail}`,
      );
      assert.notEqual(figures.servedAfterMs, undefined, `a TLS client must be served: ${detail}`);
      await started.server.waitFor(/counting \d+ in the TLS handshake/, { stream: "stderr" });
      await started.server.waitFor(/TLS handshake failed: not finished within 2 s/, {
        stream: "stderr",
      });
    } finally {
      await started.server.kill();
    }
  },
);

// Deno's node:tls kept reading from the network after pause(), so a TLS client
// that never read its replies grew the server without bound.
test(
  "server.ts --tls: a client that sends without reading its replies cannot grow the server's memory",
  PATIENT,
  async () => {
    const started = await startTlsServerOn(undefined, ["--tls", "--port", "0"]);
    const socket = connectTls({ port: started.port, host: "127.0.0.1", rejectUnauthorized: false });
    socket.on("error", () => {});
    try {
      await new Promise((resolve, reject) => {
        socket.once("secureConnect", resolve);
        socket.once("error", reject);
      });
      // Never read: the replies pile up until the server stops reading this client. Deno's
      // TLSSocket.pause() alone would go on reading (the bug under test), so its native reads stop too.
      socket.pause();
      (socket as unknown as { _handle?: { _nativeTcpHandle?: { readStop(): void } } })._handle
        ?._nativeTcpHandle?.readStop();
      const before = memoryOf(started.pid);
      const line = Buffer.alloc(1024, 0x61);
      line[1023] = 0x0a;
      const chunk = Buffer.concat(Array.from({ length: 64 }, () => line));
      const until = Date.now() + FLOOD_MS;
      let peak = before;
      while (Date.now() < until) {
        // Only as fast as TCP takes it: a server that stopped reading stops this too.
        for (let i = 0; i < 16 && socket.writableLength < 4 * MIB; i++) socket.write(chunk);
        await sleep(socket.writableLength < 4 * MIB ? 0 : 50);
        peak = Math.max(peak, memoryOf(started.pid));
      }
      assert.ok(
        peak - before <= FLOOD_RSS_BOUND_BYTES,
        `server grew ${((peak - before) / MIB).toFixed(1)} MiB`,
      );
    } finally {
      socket.destroy();
      await started.server.kill();
    }
  },
);
