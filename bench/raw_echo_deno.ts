// The limit socklab's Deno server is measured against: the fastest plain echo
// the runtime allows (read/write loops, sends not awaited), no framing, no library.
// It names Deno directly on purpose: it is a baseline, not part of socklab.
const [protocol = "tcp"] = Deno.args;

if (protocol === "udp") {
  const socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  console.log(`listening on udp://127.0.0.1:${(socket.addr as Deno.NetAddr).port}`);
  const buffer = new Uint8Array(65536);
  for (;;) {
    const [data, from] = await socket.receive(buffer);
    socket.send(data.slice(), from).catch(() => {});
  }
} else {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(`listening on tcp://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
  for await (const conn of listener) {
    conn.setNoDelay(true);
    (async () => {
      const buffer = new Uint8Array(65536);
      try {
        for (;;) {
          const n = await conn.read(buffer);
          if (n === null) break;
          let offset = 0;
          while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
        }
        await conn.closeWrite();
      } catch {
        // A client that reset: nothing to do for a baseline.
      }
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    })();
  }
}
