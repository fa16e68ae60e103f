// udp.ts server and udp.ts bench ask for a 4 MiB receive buffer, so a burst at
// 1 Gbit/s waits in it instead of being dropped, and the bench's JSON says
// what the system granted, under iperf3's names.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { kernelBufferOf, receiveBufferSkip, reportedFor } from "../helpers/receive_buffer.ts";
import { runScript, startUdpServer, stdoutJson } from "../helpers/scripts.ts";

const FOUR_MIB = 4 * 1024 * 1024;
const PATIENT = { timeout: 60_000 };

describe("udp.ts receive buffers", { skip: receiveBufferSkip }, () => {
  test("the discard server's socket and the bench's both get 4 MiB", PATIENT, async () => {
    const { server, port } = await startUdpServer(["--mode", "discard"]);
    try {
      assert.equal(kernelBufferOf(port), reportedFor(FOUR_MIB));
      const run = await runScript("udp.ts", [
        "bench",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--direction",
        "up",
        "--rate",
        "1M",
        "--size",
        "200",
        "--blockcount",
        "20",
        "--json",
      ]);
      assert.equal(run.code, 0, run.stderr);
      const { start } = stdoutJson<{ start: { sock_bufsize: number; rcvbuf_actual: number } }>(
        run,
      );
      assert.equal(start.sock_bufsize, FOUR_MIB);
      assert.equal(start.rcvbuf_actual, reportedFor(FOUR_MIB));
    } finally {
      await server.kill();
    }
  });
});
