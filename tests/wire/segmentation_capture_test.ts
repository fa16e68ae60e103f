// Proof on the real stack for the segmentation lab (docs/lab.md): tshark on lo
// while client.ts --chunk and --nagle write, checking the segments students
// are told they will see.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  captureUnavailable,
  LoopbackCapture,
  type Segment,
  TCP_FLAGS,
} from "../helpers/capture.ts";
import { runScript, startServer } from "../helpers/scripts.ts";

const captureSkip = captureUnavailable();

// 63 characters and the newline: 64 one-byte writes with --chunk 1.
const LONG_MESSAGE = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.";
const WRITES = LONG_MESSAGE.length + 1;

/** True once both sides have sent FIN. */
function bothFinished(segments: Segment[]): boolean {
  const finSenders = new Set(
    segments.filter((s) => s.flags & TCP_FLAGS.FIN).map((s) => s.srcPort),
  );
  return finSenders.size === 2;
}

/**
 * Runs `client.ts` with `args` against a fresh `server.ts` (echo) while
 * capturing, checks the echo came back, and returns the sizes of the data
 * segments the client sent, in order.
 */
async function clientSegments(args: string[], message: string): Promise<number[]> {
  const { server, port } = await startServer("server.ts", ["--port", "0"]);
  let capture: LoopbackCapture | undefined;
  try {
    capture = await LoopbackCapture.start(port);
    const client = await runScript("client.ts", ["--port", String(port), ...args, message]);
    assert.equal(client.code, 0, client.stderr);
    assert.equal(client.stdout, `${message}\n`);
    await capture.waitForSegments(bothFinished);
    const segments = await capture.stop();
    return segments.filter((s) => s.dstPort === port && s.length > 0).map((s) => s.length);
  } finally {
    await capture?.stop();
    await server.kill();
  }
}

describe("segmentation on the wire (tshark on lo)", () => {
  test(
    "client.ts --chunk 3 --chunk-delay 50ms: each data segment carries at most 3 bytes",
    { skip: captureSkip, timeout: 60_000 },
    async () => {
      const sizes = await clientSegments(["--chunk", "3", "--chunk-delay", "50ms"], "hello world");
      assert.deepEqual(sizes, [3, 3, 3, 3], `segment sizes: ${sizes.join(" ")}`);
    },
  );

  test(
    "client.ts --nagle --chunk 1 --chunk-delay 0: back-to-back writes wait for an ACK and leave joined",
    { skip: captureSkip, timeout: 60_000 },
    async () => {
      // Linux acknowledges the first segments of a connection at once (quick ACK
      // mode), then, while the server has not read yet, delays its ACK by 40 ms
      // or more: with Nagle's algorithm on, the writes made meanwhile wait for it
      // and leave as one segment.
      const sizes = await clientSegments(
        ["--nagle", "--chunk", "1", "--chunk-delay", "0"],
        LONG_MESSAGE,
      );
      assert.equal(sizes.reduce((a, b) => a + b, 0), WRITES);
      assert.ok(
        sizes.length < WRITES && sizes.some((size) => size > 1),
        `with --nagle, ${WRITES} writes left as ${sizes.length} segments: ${sizes.join(" ")}`,
      );
    },
  );

  test(
    "client.ts --chunk 1 --chunk-delay 5ms without --nagle: every write is a segment of its own",
    { skip: captureSkip, timeout: 60_000 },
    async () => {
      // Not back to back: then loopback may join writes even with TCP_NODELAY,
      // once the server falls behind and its window shrinks (seen here after ~34).
      const sizes = await clientSegments(["--chunk", "1", "--chunk-delay", "5ms"], LONG_MESSAGE);
      assert.deepEqual(sizes, Array(WRITES).fill(1), `segment sizes: ${sizes.join(" ")}`);
    },
  );
});
