// The limit socklab's Deno server is measured against: a plain echo, no
// framing, no library. "tcp" is the loop a Deno user writes (await a read,
// await the write, again); "tcp-callbacks" does the same in callbacks on the
// promises, which costs Deno 15-20% less CPU per message, and so is the
// stricter anchor. It names Deno directly on purpose: it is a baseline, not
// part of socklab.
const [protocol = "tcp"] = Deno.args;

// One connection: each read's callback writes what came, each write's callback reads again.
class CallbackEcho {
  readonly buffer = new Uint8Array(65536);
  readonly conn: Deno.TcpConn;
  pending = this.buffer.subarray(0, 0);

  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  read(): void {
    this.conn.read(this.buffer).then(this.onRead, this.onError);
  }

  onRead = (n: number | null): void => {
    if (n === null) {
      this.conn.closeWrite().then(this.onError, this.onError);
      return;
    }
    // The last view again when it fits: a new view per message cost Deno 5-8% more CPU.
    if (this.pending.length !== n || this.pending.byteOffset !== 0) {
      this.pending = this.buffer.subarray(0, n);
    }
    this.conn.write(this.pending).then(this.onWritten, this.onError);
  };

  onWritten = (written: number): void => {
    if (written === this.pending.length) return this.read();
    this.pending = this.pending.subarray(written);
    this.conn.write(this.pending).then(this.onWritten, this.onError);
  };

  // A client that left or reset: nothing to do for a baseline but let go.
  onError = (): void => {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  };
}

if (protocol === "udp") {
  const socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  console.log(`listening on udp://127.0.0.1:${(socket.addr as Deno.NetAddr).port}`);
  const buffer = new Uint8Array(65536);
  for (;;) {
    const [data, from] = await socket.receive(buffer);
    socket.send(data.slice(), from).catch(() => {});
  }
} else if (protocol === "tcp-callbacks") {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(`listening on tcp://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
  for await (const conn of listener) {
    conn.setNoDelay(true);
    new CallbackEcho(conn).read();
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
