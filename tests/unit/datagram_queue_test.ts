// The queue UDP sends wait in when the system's buffer is full: in order, and
// bounded in count and bytes, so a flood of large replies over a slow link
// cannot grow a server's memory.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DatagramQueue, sendQueueFull } from "../../src/net/udp_send_queue.ts";

const TO = { hostname: "127.0.0.1", port: 9 };

describe("DatagramQueue", () => {
  test("gives datagrams back in the order they came", () => {
    const queue = new DatagramQueue();
    for (const byte of [1, 2, 3]) assert.equal(queue.push(new Uint8Array([byte]), TO), true);
    const order: number[] = [];
    for (let item = queue.first(); item; item = queue.first()) {
      order.push(item[0][0]!);
      queue.shift();
    }
    assert.deepEqual(order, [1, 2, 3]);
    assert.equal(queue.length, 0);
  });

  test("takes no more than 4,096 small datagrams", () => {
    const queue = new DatagramQueue();
    let taken = 0;
    for (let i = 0; i < 5000 && queue.push(new Uint8Array(1), TO); i++) taken++;
    assert.equal(taken, 4096);
    queue.shift();
    assert.equal(queue.push(new Uint8Array(1), TO), true);
  });

  test("takes no more than 16 MiB of large datagrams, and room comes back as they go", () => {
    const queue = new DatagramQueue();
    const large = new Uint8Array(65507);
    let taken = 0;
    for (let i = 0; i < 1000 && queue.push(large, TO); i++) taken++;
    assert.equal(taken, Math.floor((16 * 1024 * 1024) / 65507));
    assert.equal(queue.push(large, TO), false);
    queue.shift();
    assert.equal(queue.push(large, TO), true);
  });

  test("a full queue's error names the code, the limits and where the datagram was dropped", () => {
    const error = sendQueueFull(TO);
    assert.equal(error.code, "SEND_QUEUE_FULL");
    assert.equal(error.operation, "send");
    assert.match(error.message, /4096 datagrams or 16 MiB .* dropped on this PC/);
  });
});
