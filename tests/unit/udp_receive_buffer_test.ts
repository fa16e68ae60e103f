// The receive buffer (SO_RCVBUF) a UDP socket asks for: neither runtime takes
// one, so socklab sets it through the C library, on Linux. What `ss` says of
// the socket is the kernel's own account, independent of how it was set.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  bindUdp,
  measureUdpThroughput,
  serveUdp,
  UDP_BENCH_RECEIVE_BUFFER_BYTES,
} from "../../mod.ts";
import {
  kernelBufferOf,
  netCore,
  receiveBufferSkip,
  reportedFor as expectedFor,
} from "../helpers/receive_buffer.ts";

describe("UDP receive buffer", { skip: receiveBufferSkip }, () => {
  for (const [host, family] of [["127.0.0.1", "-4"], ["::1", "-6"]] as const) {
    test(`${host}: the socket asked gets the buffer, a socket bound before it keeps the default`, async () => {
      const plain = await bindUdp({ host });
      const asked = 1024 * 1024;
      const big = await bindUdp({ host, receiveBufferBytes: asked });
      try {
        assert.equal(plain.receiveBufferBytes, undefined);
        assert.equal(big.receiveBufferBytes, expectedFor(asked));
        assert.equal(kernelBufferOf(big.localAddress.port, family), expectedFor(asked));
        assert.equal(kernelBufferOf(plain.localAddress.port, family), netCore("rmem_default"));
      } finally {
        await plain.close();
        await big.close();
      }
    });
  }

  test("a server asks for one too when told to", async () => {
    const server = await serveUdp({ host: "127.0.0.1", receiveBufferBytes: 512 * 1024 }, () => "");
    try {
      assert.equal(server.receiveBufferBytes, expectedFor(512 * 1024));
      assert.equal(kernelBufferOf(server.localAddress.port, "-4"), expectedFor(512 * 1024));
    } finally {
      await server.close();
    }
  });

  test("a bench run asks for 4 MiB on its socket by default, and says what it got", async () => {
    const server = await serveUdp({ host: "127.0.0.1" }, (message) => message.bytes);
    try {
      const result = await measureUdpThroughput(
        {
          host: "127.0.0.1",
          port: server.localAddress.port,
          bitsPerSecond: 1_000_000,
          size: 100,
          count: { datagrams: 5 },
        },
        {},
      );
      assert.equal(result.receiveBufferAsked, UDP_BENCH_RECEIVE_BUFFER_BYTES);
      assert.equal(result.receiveBufferBytes, expectedFor(UDP_BENCH_RECEIVE_BUFFER_BYTES));
      const kept = await measureUdpThroughput(
        {
          host: "127.0.0.1",
          port: server.localAddress.port,
          bitsPerSecond: 1_000_000,
          size: 100,
          count: { datagrams: 5 },
          receiveBufferBytes: 0,
        },
        {},
      );
      assert.equal(kept.receiveBufferAsked, 0);
      assert.equal(kept.receiveBufferBytes, undefined);
    } finally {
      await server.close();
    }
  });
});
