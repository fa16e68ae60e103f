// Issue 21 item 1: TCP connections that connect to a --tls server and never
// send a ClientHello. Before, Deno kept each one's descriptor until the peer
// left (closing a Deno.TlsConn whose handshake is pending frees nothing), and
// on both runtimes handshakes counted toward neither --max-conns nor
// --idle-timeout, so silent connections held descriptors without bound.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  SILENT_TLS_ARGS,
  SILENT_TLS_MAX_CONNS,
  silentHandshakes,
  startTlsServerOn,
} from "./helpers/round3_tls.ts";

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
