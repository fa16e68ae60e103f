// UDP sends and receives that skip a runtime's per-datagram cost: on Deno,
// with the `ffi` permission, socklab calls the C library's sendto and
// recvfrom on Deno's own socket. What a program sees must not change: every
// datagram, in order, from the right sender, and a send handed to the system
// at once. Bun's socket sends at once by itself, so the same tests hold there.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bindUdp, type Datagram, runtime, type UdpEndpoint } from "../../mod.ts";

const BURST = 500;

async function receiveAll(endpoint: UdpEndpoint, count: number): Promise<Datagram[]> {
  const got: Datagram[] = [];
  for (let i = 0; i < count; i++) {
    const datagram = await endpoint.receive(5000);
    if (!datagram) break;
    got.push(datagram);
  }
  return got;
}

describe("UDP sends and receives straight to the system", () => {
  test("a send is handed to the system at once: nothing waits in the program's queue", async () => {
    const sender = await bindUdp({ host: "127.0.0.1" });
    const receiver = await bindUdp({ host: "127.0.0.1", receiveBufferBytes: 4 << 20 });
    try {
      for (let i = 0; i < 100; i++) sender.send(`datagram ${i}`, receiver.localAddress);
      // Deno's own send is an async op: each waited in the queue until it ran.
      assert.equal(sender.queuedDatagrams, 0, `on ${runtime.name}`);
      const got = await receiveAll(receiver, 100);
      assert.deepEqual(
        got.map((d) => d.message.text),
        Array.from({ length: 100 }, (_, i) => `datagram ${i}`),
      );
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  test(`a burst of ${BURST} arrives whole, in order, each from its own sender`, async () => {
    const receiver = await bindUdp({ host: "127.0.0.1", receiveBufferBytes: 4 << 20 });
    const a = await bindUdp({ host: "127.0.0.1" });
    const b = await bindUdp({ host: "127.0.0.1" });
    try {
      for (let i = 0; i < BURST; i++) {
        const size = 1 + (i % 1472);
        const bytes = new Uint8Array(size).fill(i % 251);
        (i % 2 === 0 ? a : b).send(bytes, receiver.localAddress);
      }
      const got = await receiveAll(receiver, BURST);
      assert.equal(got.length, BURST);
      const fromA = got.filter((d) => d.from.port === a.localAddress.port);
      const fromB = got.filter((d) => d.from.port === b.localAddress.port);
      assert.equal(fromA.length, BURST / 2);
      assert.equal(fromB.length, BURST / 2);
      for (const d of got) assert.equal(d.from.hostname, "127.0.0.1");
      // Each sender's datagrams in its own order, every byte as sent.
      const check = (list: Datagram[], first: number) =>
        list.forEach((d, k) => {
          const i = first + 2 * k;
          assert.equal(d.message.size, 1 + (i % 1472), `datagram ${i}'s size`);
          assert.ok(d.message.bytes.every((byte) => byte === i % 251), `datagram ${i}'s bytes`);
        });
      check(fromA, 0);
      check(fromB, 1);
    } finally {
      await Promise.all([receiver.close(), a.close(), b.close()]);
    }
  });

  test("IPv6, which Deno sends and receives itself, works as before", async () => {
    const receiver = await bindUdp({ host: "::1" });
    const sender = await bindUdp({ host: "::1" });
    try {
      for (let i = 0; i < 20; i++) sender.send(`six ${i}`, receiver.localAddress);
      const got = await receiveAll(receiver, 20);
      assert.deepEqual(
        got.map((d) => d.message.text),
        Array.from({ length: 20 }, (_, i) => `six ${i}`),
      );
      assert.equal(got[0]!.from.hostname, "::1");
      assert.equal(got[0]!.from.port, sender.localAddress.port);
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  test("a datagram received late in a burst is not overwritten by the ones after it", async () => {
    const receiver = await bindUdp({ host: "127.0.0.1", receiveBufferBytes: 4 << 20 });
    const sender = await bindUdp({ host: "127.0.0.1" });
    try {
      // Large datagrams fill the receive slab quickly, so a burst crosses into a fresh one.
      for (let i = 0; i < 40; i++) {
        sender.send(new Uint8Array(30_000).fill(i), receiver.localAddress);
      }
      const got = await receiveAll(receiver, 40);
      assert.equal(got.length, 40);
      got.forEach((d, i) => {
        assert.equal(d.message.size, 30_000);
        assert.ok(d.message.bytes.every((byte) => byte === i), `datagram ${i} intact`);
      });
    } finally {
      await sender.close();
      await receiver.close();
    }
  });
});
