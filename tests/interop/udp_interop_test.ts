// udp.ts against the tools students already have: OpenBSD nc and Python's socket module.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, test } from "node:test";
import { peerMissing } from "../helpers/peers.ts";
import { RunningScript, runScript, startServer } from "../helpers/scripts.ts";

/** Runs an external peer to completion, killed after `timeoutMs` so it cannot hang the test. */
function runPeer(
  command: string,
  args: string[],
  { input = "", timeoutMs = 5000 }: { input?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  child.stdin.end(input);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Sends each argument as one datagram and prints each reply; exits 3 on silence.
const PYTHON_CLIENT = `
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.settimeout(3)
for text in sys.argv[3:]:
    s.sendto(text.encode(), (sys.argv[1], int(sys.argv[2])))
    try:
        data, _ = s.recvfrom(65536)
    except socket.timeout:
        sys.exit(3)
    print(data.decode())
`;

// A plain UDP echo server; prints its port first so the test can find it.
const PYTHON_ECHO_SERVER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("listening on udp://127.0.0.1:%d" % s.getsockname()[1], flush=True)
while True:
    data, peer = s.recvfrom(65536)
    s.sendto(data, peer)
`;

async function withPythonEcho(use: (port: number) => Promise<void>): Promise<void> {
  const server = new RunningScript("python3", ["-u", "-c", PYTHON_ECHO_SERVER]);
  try {
    const match = await server.waitFor(/listening on udp:\/\/127\.0\.0\.1:(\d+)/);
    await use(Number(match[1]));
  } finally {
    await server.kill();
  }
}

describe("udp.ts server with other clients", () => {
  test("udp.ts server answers OpenBSD nc -u, one datagram per read", {
    skip: peerMissing("nc", "netcat-openbsd"),
  }, async () => {
    const { server, port } = await startServer("udp.ts", ["server", "--port", "0", "-m", "upper"]);
    try {
      // nc sends what it read from the pipe as one datagram; -w 1 ends it after a second of quiet.
      const result = await runPeer("nc", ["-u", "-w", "1", "127.0.0.1", `${port}`], {
        input: "hello\nworld\n",
      });
      assert.equal(result.stdout, "HELLO\nWORLD\n", result.stderr);
    } finally {
      await server.kill();
    }
  });

  test("udp.ts server answers Python socket clients over IPv4 and IPv6", {
    skip: peerMissing("python3", "python3"),
  }, async () => {
    for (const host of ["127.0.0.1", "::1"]) {
      const { server, port } = await startServer("udp.ts", [
        "server",
        "--host",
        host,
        "--port",
        "0",
      ]);
      try {
        const result = await runPeer("python3", ["-c", PYTHON_CLIENT, host, `${port}`, "a", "bc"]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "a\nbc\n");
      } finally {
        await server.kill();
      }
    }
  });
});

describe("udp.ts client and ping with a Python echo server", () => {
  test("udp.ts client gets its replies from a Python echo server", {
    skip: peerMissing("python3", "python3"),
  }, async () => {
    await withPythonEcho(async (port) => {
      const args = ["client", "--port", `${port}`];
      const direct = await runScript("udp.ts", [...args, "one", "two"]);
      assert.equal(direct.code, 0, direct.stderr);
      assert.equal(direct.stdout, "one\ntwo\n");
      const piped = await runScript("udp.ts", args, { input: "x\ny\n" });
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stdout, "x\ny\n");
    });
  });

  test("udp.ts ping measures a Python echo server", {
    skip: peerMissing("python3", "python3"),
  }, async () => {
    await withPythonEcho(async (port) => {
      const result = await runScript("udp.ts", [
        "ping",
        "--port",
        `${port}`,
        "--count",
        "3",
        "--interval",
        "50ms",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /seq=3 time=[\d.]+ ms/);
      assert.match(result.stdout, /3 sent, 3 received, 0% loss, 0 duplicates, 0 reordered/);
      assert.match(result.stdout, /rtt min\/avg\/max\/mdev = /);
    });
  });
});
