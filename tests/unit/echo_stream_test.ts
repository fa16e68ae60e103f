// The echo path reuses read memory on Deno and sends frames back as the pieces
// they came in: a reference kept too long would show here as corrupted bytes.
import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFraming, echo, type FramingName, serve } from "../../mod.ts";
import { runtime } from "../../src/net/runtime.ts";
import { Recorder, within } from "../helpers/net_fixtures.ts";

const LF = 0x0a;
const CR = 0x0d;
const MAX_FRAME = 100_000;

/** A random message stream: what the client sends, and the echo it must get back. */
function randomTraffic(
  framing: FramingName,
  seed: number,
): { sent: Uint8Array; echoed: Uint8Array; messages: number } {
  const [lengths] = fc.sample(
    fc.array(fc.oneof(fc.nat(40), fc.nat(3000), fc.nat(MAX_FRAME)), {
      minLength: 50,
      maxLength: 120,
    }),
    { seed, numRuns: 1 },
  );
  const encoder = createFraming(framing, MAX_FRAME);
  const sent: number[][] = [];
  const echoed: number[][] = [];
  for (const [i, length] of lengths!.entries()) {
    const payload = Array.from({ length }, (_, k) => 0x20 + ((k * 7 + i) % 90));
    if (framing === "length") {
      const wire = [...encoder.encode(new Uint8Array(payload))];
      sent.push(wire);
      echoed.push(wire);
    } else {
      // Every fifth line ends in CRLF, which the echo answers with a bare LF.
      sent.push(i % 5 === 0 ? [...payload, CR, LF] : [...payload, LF]);
      echoed.push([...payload, LF]);
    }
  }
  return {
    sent: new Uint8Array(sent.flat()),
    echoed: new Uint8Array(echoed.flat()),
    messages: lengths!.length,
  };
}

/** Cuts `bytes` into writes of random sizes, so messages straddle reads in every way. */
function randomWrites(bytes: Uint8Array, seed: number): Uint8Array[] {
  const [sizes] = fc.sample(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 200 }), {
    seed,
    numRuns: 1,
  });
  const writes: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes![i % sizes!.length]!;
    writes.push(bytes.slice(at, at + size));
    at += size;
  }
  return writes;
}

describe(`echo under streaming load (${runtime.name})`, () => {
  for (const framing of ["line", "length"] as const) {
    for (const seed of [1, 2, 3]) {
      test(`echo returns a ${framing} stream byte for byte (seed ${seed})`, async () => {
        const { sent, echoed, messages } = randomTraffic(framing, seed);
        const server = await serve({ framing, maxFrameBytes: MAX_FRAME }, echo);
        const connection = await runtime.connectTcp(server.address);
        const events = new Recorder();
        connection.start(events);
        try {
          // Written while the echo streams back, as a full-duplex client does.
          for (const write of randomWrites(sent, seed)) {
            connection.write(write);
            if (connection.bufferedBytes > 256 * 1024) await connection.flushed();
          }
          await events.receivedAtLeast(echoed.length, 20_000);
          const received = events.bytes();
          assert.equal(received.length, echoed.length);
          const firstDifference = received.findIndex((byte, i) => byte !== echoed[i]);
          assert.equal(firstDifference, -1, `echo differs from byte ${firstDifference} on`);
          assert.equal(server.stats.messagesIn, messages);
          assert.equal(server.stats.messagesOut, messages);
        } finally {
          connection.close();
          await within(events.closed, 5000, "client close");
          await within(server.close(), 10_000, "server close");
        }
      });
    }
  }
});
