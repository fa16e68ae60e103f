import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, test } from "node:test";
import { BoundedOutput } from "../../src/cli/bounded_output.ts";

/** A stream whose reader the test controls: it takes `capacity` characters, then says wait. */
class FakeStream extends EventEmitter {
  taken: string[] = [];
  buffered = 0;
  constructor(readonly capacity: number) {
    super();
  }
  write(text: string): boolean {
    this.taken.push(text);
    this.buffered += text.length;
    return this.buffered < this.capacity;
  }
  /** The reader catches up with everything written so far. */
  read(): void {
    this.buffered = 0;
    this.emit("drain");
  }
}

const notice = (dropped: number) => `${dropped} dropped\n`;

describe("BoundedOutput", () => {
  test("BoundedOutput writes straight through while the reader keeps up", async () => {
    const stream = new FakeStream(1000);
    const output = new BoundedOutput(stream, { dropNotice: notice });
    output.write("a\n");
    output.write("b\n");
    assert.deepEqual(stream.taken, ["a\n", "b\n"]);
    await output.idle();
  });

  test("BoundedOutput queues up to its bound while the reader is behind, then drops and counts", async () => {
    const stream = new FakeStream(10);
    const output = new BoundedOutput(stream, { maxQueued: 100, dropNotice: notice });
    // Seven characters each, so the queue's share is easy to count.
    const lines = Array.from({ length: 100_000 }, (_, i) => `${String(i).padStart(6, "0")}\n`);
    for (const line of lines) {
      output.write(line);
      assert.ok(output.queued <= 100, `${output.queued} characters queued`);
    }
    // The write that found the reader behind went to the stream; the queue holds what fits.
    assert.equal(stream.taken.length, 2);
    const queuedLines = Math.floor(100 / 7);
    assert.equal(output.dropped, lines.length - 2 - queuedLines);
    let idle = false;
    const settled = output.idle().then(() => (idle = true));
    await Promise.resolve();
    assert.equal(idle, false, "idle only once the reader catches up");
    // The reader keeps reading until everything waiting has come through.
    for (let reads = 0; !idle && reads < 100; reads++) {
      stream.read();
      await Promise.resolve();
    }
    await settled;
    assert.equal(
      stream.taken.join(""),
      lines.slice(0, 2 + queuedLines).join("") + `${lines.length - 2 - queuedLines} dropped\n`,
      "what waited arrives in order, then the count of what was dropped",
    );
    assert.equal(output.dropped, 0);
  });

  test("BoundedOutput writes its notice where it is told to", () => {
    const stream = new FakeStream(1);
    const notices: string[] = [];
    const output = new BoundedOutput(stream, {
      maxQueued: 0,
      dropNotice: notice,
      report: (line) => notices.push(line),
    });
    output.write("kept\n");
    output.write("lost\n");
    output.write("lost\n");
    stream.read();
    assert.deepEqual(stream.taken, ["kept\n"]);
    assert.deepEqual(notices, ["2 dropped\n"]);
  });

  test("BoundedOutput stops writing once the stream fails, and never waits for it", async () => {
    const stream = new FakeStream(1);
    const output = new BoundedOutput(stream, { dropNotice: notice });
    output.write("one\n");
    const idle = output.idle();
    stream.emit("error", new Error("EPIPE: the reader went away"));
    await idle;
    output.write("two\n");
    assert.deepEqual(stream.taken, ["one\n"]);
  });

  test("BoundedOutput rejects a negative bound, naming it", () => {
    assert.throws(
      () => new BoundedOutput(new FakeStream(1), { maxQueued: -1, dropNotice: notice }),
      /'maxQueued' must be a non-negative integer: current value is -1/,
    );
  });
});
