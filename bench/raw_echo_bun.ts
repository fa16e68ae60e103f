// The limit socklab's Bun server is measured against: callbacks with a drain
// queue, no framing, no library. It names Bun directly on purpose: it is a
// baseline, not part of socklab. "tcp-lines" also counts the newlines of
// every chunk, the least a line-framed echo must do: the floor for socklab's
// line echo, where "tcp" is the floor for any echo.
// deno-lint-ignore-file no-explicit-any
const B = (globalThis as any).Bun;
const protocol = (globalThis as any).process.argv[2] ?? "tcp";

if (protocol === "udp") {
  const socket = await B.udpSocket({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(s: any, data: Uint8Array, port: number, address: string) {
        s.send(data, port, address);
      },
      error() {},
    },
  });
  console.log(`listening on udp://127.0.0.1:${socket.port}`);
} else {
  // A constant for the JIT: the plain echo's code path has no count in it.
  const countsLines = protocol === "tcp-lines";
  const server = B.listen({
    hostname: "127.0.0.1",
    port: 0,
    allowHalfOpen: true,
    socket: {
      open(s: any) {
        s.data = { queue: [] as Uint8Array[], lines: 0 };
        s.setNoDelay?.(true);
      },
      data(s: any, data: Uint8Array) {
        const q = s.data.queue;
        if (countsLines) {
          let lines = 0;
          for (let i = 0; i < data.length; i++) if (data[i] === 10) lines++;
          s.data.lines += lines;
        }
        if (q.length > 0) return void q.push(data);
        const n = s.write(data);
        if (n < data.length) {
          q.push(data.subarray(Math.max(n, 0)));
          s.pause();
        }
      },
      drain(s: any) {
        const q = s.data.queue;
        while (q.length > 0) {
          const chunk = q[0];
          const n = s.write(chunk);
          if (n < chunk.length) {
            q[0] = chunk.subarray(Math.max(n, 0));
            return;
          }
          q.shift();
        }
        s.resume();
      },
      end(s: any) {
        s.shutdown();
      },
      close() {},
      error() {},
    },
  });
  console.log(`listening on tcp://127.0.0.1:${server.port}`);
}
