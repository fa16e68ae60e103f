// server.ts and client.ts against peers nobody here wrote: OpenBSD nc and Python's socket module.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";
import { serve } from "../../src/tcp/tcp_server.ts";
import { peerMissing } from "../helpers/peers.ts";
import {
  RunningScript,
  runScript,
  type ScriptResult,
  startScript,
  startServer,
} from "../helpers/scripts.ts";
import { startPythonServer } from "../helpers/student_servers.ts";

// Every external peer is killed after this long, so a hung peer fails the test instead of hanging it.
const PEER_TIMEOUT_MS = 10_000;

const noNc = peerMissing("nc", "netcat-openbsd");
const noPython = peerMissing("python3", "python3");

/** Runs an external program to completion with `input` on stdin, killing it after the timeout. */
async function runPeer(command: string, args: string[], input: string): Promise<ScriptResult> {
  const peer = new RunningScript(command, args);
  const timer = setTimeout(() => void peer.kill(), PEER_TIMEOUT_MS);
  try {
    peer.child.stdin!.end(input);
    return await peer.exited;
  } finally {
    clearTimeout(timer);
    await peer.kill();
  }
}

/** Runs a Python program given as source, with stdin closed; it prints its result. */
function runPython(source: string, ...args: string[]): Promise<ScriptResult> {
  return runPeer("python3", ["-c", source, ...args], "");
}

// A plain socket client as a student writes one: send lines, half-close, read to EOF.
const PYTHON_LINE_CLIENT = `
import socket, sys
port = int(sys.argv[1])
with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
    s.sendall("".join(line + "\\n" for line in sys.argv[2:]).encode())
    s.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := s.recv(65536):
        data += chunk
sys.stdout.write(data.decode())
`;

// Two chat clients in one program: joins, relay, /nick, /who, /quit and the leave notice.
const PYTHON_CHAT = `
import socket, sys
port = int(sys.argv[1])
def join():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s, s.makefile("rb")
def line(f):
    return f.readline().decode().rstrip("\\n")
a, fa = join()
print("a:", line(fa))
b, fb = join()
print("b:", line(fb))
print("a:", line(fa))
a.sendall(b"hello from python \\x1b[5m\\n")
print("b:", line(fb))
b.sendall(b"/nick py\\n")
print("b:", line(fb))
print("a:", line(fa))
a.sendall(b"/who\\n")
print("a:", line(fa))
b.sendall(b"/quit\\n")
print("b:", line(fb))
print("b eof:", fb.readline() == b"")
print("a:", line(fa))
a.close()
b.close()
`;

describe("server.ts with nc and Python clients", () => {
  const servers: RunningScript[] = [];
  const ports: Record<"echo" | "upper" | "chat", number> = { echo: 0, upper: 0, chat: 0 };
  before(async () => {
    for (const mode of ["echo", "upper", "chat"] as const) {
      const { server, port } = await startServer("server.ts", ["--port", "0", "--mode", mode]);
      servers.push(server);
      ports[mode] = port;
    }
  });
  after(async () => {
    for (const server of servers) await server.kill();
  });

  test(
    "server.ts echo answers nc -N, including a last line without newline",
    { skip: noNc },
    async () => {
      const result = await runPeer(
        "nc",
        ["-N", "127.0.0.1", String(ports.echo)],
        "one\ntwo\nthree",
      );
      assert.equal(result.code, 0);
      assert.equal(result.stdout, "one\ntwo\nthree\n");
    },
  );

  test("server.ts upper answers nc -N with CRLF lines (nc -C)", { skip: noNc }, async () => {
    const result = await runPeer(
      "nc",
      ["-N", "-C", "127.0.0.1", String(ports.upper)],
      "good morning\nselamat pagi\n",
    );
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "GOOD MORNING\nSELAMAT PAGI\n");
  });

  test("server.ts echo and upper answer a Python socket client", { skip: noPython }, async () => {
    const echo = await runPython(PYTHON_LINE_CLIENT, String(ports.echo), "alpha", "beta gamma");
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdout, "alpha\nbeta gamma\n");
    const upper = await runPython(PYTHON_LINE_CLIENT, String(ports.upper), "alpha", "ünï");
    assert.equal(upper.code, 0, upper.stderr);
    assert.equal(upper.stdout, "ALPHA\nÜNÏ\n");
  });

  test("server.ts chat serves several Python socket clients", { skip: noPython }, async () => {
    const result = await runPython(PYTHON_CHAT, String(ports.chat));
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    const a = lines[0]!.match(/^a: \* welcome, you are (guest-\d+);/)?.[1];
    const b = lines[1]!.match(/^b: \* welcome, you are (guest-\d+);/)?.[1];
    assert.ok(a && b, result.stdout);
    assert.match(lines[2]!, new RegExp(`^a: \\* ${b} joined from 127\\.0\\.0\\.1:\\d+$`));
    assert.deepEqual(lines.slice(3, 6), [
      `b: <${a}> hello from python \\x1b[5m`,
      "b: * you are now py",
      `a: * ${b} is now py`,
    ]);
    assert.match(
      lines[6]!,
      new RegExp(
        `^a: \\* 2 here besides the server: ${a} \\(127\\.0\\.0\\.1:\\d+\\), py \\(127\\.0\\.0\\.1:\\d+\\)$`,
      ),
    );
    assert.deepEqual(lines.slice(7), [
      "b: * bye (connection closed; nc and ncat: press Ctrl-D to exit)",
      "b eof: True",
      "a: * py left",
    ]);
  });

  test("server.ts chat relays an nc user's lines to other clients", { skip: noNc }, async () => {
    let watcher: Connection | undefined;
    try {
      watcher = await connect({ host: "127.0.0.1", port: ports.chat });
      assert.match((await watcher.receive(5000))!.text, /^\* welcome/);
      const result = await runPeer(
        "nc",
        ["-N", "127.0.0.1", String(ports.chat)],
        "/nick netcat\nhi from nc\n",
      );
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^\* welcome, you are guest-\d+;.*\n\* you are now netcat\n$/);
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) seen.push((await watcher.receive(5000))!.text);
      assert.match(seen[0]!, /^\* guest-\d+ joined from 127\.0\.0\.1:\d+$/);
      assert.deepEqual(seen.slice(1), [
        `* ${seen[0]!.split(" ")[1]} is now netcat`,
        "<netcat> hi from nc",
        "* netcat left",
      ]);
    } finally {
      watcher?.close();
      await watcher?.closed;
    }
  });
});

// asyncio streams: the echo server a student writes first. It prints its port.
const PYTHON_ASYNCIO_ECHO = `
import asyncio
async def handle(reader, writer):
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()
    writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()
asyncio.run(main())
`;

// socketserver: the standard library's threaded server, answering in upper case.
const PYTHON_SOCKETSERVER_UPPER = `
import socketserver
class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())
with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Upper) as server:
    print(server.server_address[1], flush=True)
    server.serve_forever()
`;

describe("client.ts with Python and nc servers", () => {
  const startPython = (source: string) => startPythonServer(["-c", source]);

  test("client.ts talks to a Python asyncio echo server", { skip: noPython }, async () => {
    const { server, port } = await startPython(PYTHON_ASYNCIO_ECHO);
    try {
      const requests = await runScript("client.ts", ["--port", String(port), "one", "two words"]);
      assert.equal(requests.code, 0, requests.stderr);
      assert.equal(requests.stdout, "one\ntwo words\n");
      const lines = Array.from({ length: 500 }, (_, i) => `piped ${i}`);
      const piped = await runScript("client.ts", ["--port", String(port)], {
        input: `${lines.join("\n")}\n`,
      });
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stdout, `${lines.join("\n")}\n`);
      const ping = await runScript("client.ts", [
        "--port",
        String(port),
        "--count",
        "2",
        "--interval",
        "0",
      ]);
      assert.equal(ping.code, 0, ping.stderr);
      assert.match(ping.stdout, /\n2 sent, 2 received, 0% loss\n/);
    } finally {
      await server.kill();
    }
  });

  test("client.ts talks to a Python socketserver server", { skip: noPython }, async () => {
    const { server, port } = await startPython(PYTHON_SOCKETSERVER_UPPER);
    try {
      const result = await runScript("client.ts", ["--port", String(port)], {
        input: "from client.ts\nlast line\n",
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "FROM CLIENT.TS\nLAST LINE\n");
    } finally {
      await server.kill();
    }
  });

  test("client.ts and nc -l exchange lines both ways", { skip: noNc }, async () => {
    // A port that was free a moment ago: nc -l cannot be told to pick one and report it.
    const probe = await serve({ port: 0 }, () => undefined);
    const port = probe.address.port;
    await probe.close();
    const nc = new RunningScript("nc", ["-N", "-v", "-l", "127.0.0.1", String(port)]);
    const timer = setTimeout(() => void nc.kill(), PEER_TIMEOUT_MS);
    let client: RunningScript | undefined;
    try {
      await nc.waitFor(/Listening on/, { stream: "stderr" });
      // Turn by turn, as two people typing would; each side half-closes when its input ends.
      client = startScript("client.ts", ["--port", String(port)]);
      client.write("hello from client.ts\n");
      await nc.waitFor(/^hello from client\.ts\n/);
      nc.write("hello from nc\n");
      await client.waitFor(/^hello from nc\n/);
      client.endInput();
      nc.endInput();
      const [fromClient, fromNc] = await Promise.all([client.exited, nc.exited]);
      assert.equal(fromClient.code, 0, fromClient.stderr);
      assert.equal(fromClient.stdout, "hello from nc\n");
      assert.equal(fromNc.code, 0, fromNc.stderr);
      assert.equal(fromNc.stdout, "hello from client.ts\n");
    } finally {
      clearTimeout(timer);
      await client?.kill();
      await nc.kill();
    }
  });

  test("client.ts MESSAGE gets its reply from nc -l", { skip: noNc }, async () => {
    const probe = await serve({ port: 0 }, () => undefined);
    const port = probe.address.port;
    await probe.close();
    const nc = new RunningScript("nc", ["-v", "-l", "127.0.0.1", String(port)]);
    const timer = setTimeout(() => void nc.kill(), PEER_TIMEOUT_MS);
    try {
      await nc.waitFor(/Listening on/, { stream: "stderr" });
      const client = runScript("client.ts", ["--port", String(port), "question"]);
      // nc prints what it received; only then is the reply typed, as a person at nc would.
      await nc.waitFor(/^question\n/);
      nc.write("answer\n");
      const result = await client;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "answer\n");
    } finally {
      clearTimeout(timer);
      await nc.kill();
    }
  });
});
