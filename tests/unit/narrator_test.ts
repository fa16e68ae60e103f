import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LruMap } from "../../src/cli/narration/lru_map.ts";
import { createNarrator } from "../../src/cli/narration/narrator.ts";
import type { TraceEndpoints } from "../../src/message/trace.ts";
import { NetError } from "../../src/net/net_error.ts";

const tcp: TraceEndpoints = {
  protocol: "tcp",
  local: { hostname: "127.0.0.1", port: 9000 },
  remote: { hostname: "::1", port: 50000 },
};
const bytes = (text: string) => new TextEncoder().encode(text);

function narrate(options: { verbose?: boolean; json?: boolean; hex?: boolean }) {
  const lines: string[] = [];
  const sink = createNarrator(
    { verbose: false, json: false, hex: false, ...options },
    (line) => lines.push(line),
  );
  return { sink, lines };
}

describe("createNarrator", () => {
  test("createNarrator returns nothing when every flag is off, so nothing is traced", () => {
    assert.equal(narrate({}).sink, undefined);
  });

  test("createNarrator narrates a connection's life with timestamps and the address pair", () => {
    const { sink, lines } = narrate({ verbose: true });
    sink!({ type: "connected" }, tcp);
    sink!({ type: "read", data: bytes("hi\nthere\n"), messages: 2 }, tcp);
    sink!({ type: "wrote", data: bytes("hi\n"), messages: 1 }, tcp);
    sink!({ type: "peer-fin" }, tcp);
    sink!({ type: "fin-sent" }, tcp);
    sink!(
      { type: "closed", error: new NetError("CONNECTION_RESET", "connection reset by peer") },
      tcp,
    );
    assert.equal(lines.length, 6);
    for (const line of lines) {
      assert.match(
        line,
        /^\[\d\d:\d\d:\d\d\.\d{3}\] tcp 127\.0\.0\.1:9000 (<-|->) \[::1\]:50000 {2}/,
      );
    }
    assert.match(lines[0]!, /connected .*SYN, SYN\/ACK, ACK/);
    assert.match(lines[1]!, /<- .*read 9 bytes, 2 messages complete$/);
    assert.match(lines[2]!, /-> .*wrote 3 bytes \(1 message\)$/);
    assert.match(lines[3]!, /FIN received/);
    assert.match(lines[4]!, /FIN sent/);
    assert.match(lines[5]!, /reset by peer \(RST\)/);
  });

  test("createNarrator writes JSON Lines with the documented fields", () => {
    const { sink, lines } = narrate({ json: true });
    sink!({ type: "read", data: bytes("abc\n"), messages: 1 }, tcp);
    sink!(
      { type: "closed", error: new NetError("CONNECTION_RESET", "connection reset by peer") },
      tcp,
    );
    const [read, closed] = lines.map((line) => JSON.parse(line));
    assert.equal(read.event, "read");
    assert.equal(read.protocol, "tcp");
    assert.equal(read.local, "127.0.0.1:9000");
    assert.equal(read.remote, "[::1]:50000");
    assert.equal(read.bytes, 4);
    assert.equal(read.messages, 1);
    assert.ok(!Number.isNaN(Date.parse(read.time)));
    assert.equal(closed.error, "CONNECTION_RESET");
  });

  test("createNarrator hex offsets continue along a stream but restart for each datagram", () => {
    const { sink, lines } = narrate({ hex: true });
    sink!({ type: "read", data: bytes("0123456789abcdef"), messages: 0 }, tcp);
    sink!({ type: "read", data: bytes("g\n"), messages: 1 }, tcp);
    const udp: TraceEndpoints = { ...tcp, protocol: "udp" };
    sink!({ type: "datagram-in", data: bytes("one") }, udp);
    sink!({ type: "datagram-in", data: bytes("two") }, udp);
    const dumps = lines.filter((line) => line.startsWith("  "));
    assert.match(dumps[0]!, /^ {2}<- 00000000 {2}30 31/);
    assert.match(dumps[1]!, /^ {2}<- 00000010 {2}67 0a/);
    assert.match(dumps[2]!, /^ {2}<- 00000000 {2}6f 6e 65/);
    assert.match(dumps[3]!, /^ {2}<- 00000000 {2}74 77 6f/);
  });

  test("createNarrator --hex keeps nothing per UDP peer and a bounded amount per TCP stream", () => {
    const limit = 100;
    const offsets = new LruMap<string, number>(limit);
    const sink = createNarrator({ verbose: false, json: false, hex: true }, () => {}, offsets);
    const peer = (protocol: "tcp" | "udp", i: number): TraceEndpoints => ({
      protocol,
      local: tcp.local,
      remote: { hostname: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 40000 },
    });
    // A UDP server meets a new peer per datagram when sources are spoofed or scanning.
    for (let i = 0; i < 20_000; i++) {
      sink!({ type: "datagram-in", data: bytes("x") }, peer("udp", i));
    }
    assert.equal(offsets.size, 0, "no hex state per UDP peer");
    // TCP connections whose "closed" never arrives: the map stays at its bound.
    for (let i = 0; i < 5_000; i++) {
      sink!({ type: "read", data: bytes("x"), messages: 0 }, peer("tcp", i));
      assert.ok(offsets.size <= limit, `${offsets.size} streams kept after ${i + 1}`);
    }
    assert.equal(offsets.size, limit);
  });

  test("createNarrator --hex forgets a closed TCP stream's offsets", () => {
    const offsets = new LruMap<string, number>(10);
    const sink = createNarrator({ verbose: false, json: false, hex: true }, () => {}, offsets);
    sink!({ type: "read", data: bytes("in"), messages: 0 }, tcp);
    sink!({ type: "wrote", data: bytes("out"), messages: 0 }, tcp);
    assert.equal(offsets.size, 2);
    sink!({ type: "closed" }, tcp);
    assert.equal(offsets.size, 0);
  });
});
