// server.ts --tls and client.ts --tls against TLS peers nobody here wrote:
// openssl s_client, ncat --ssl and socat OPENSSL, in both directions.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { peerMissing } from "./helpers/peers.ts";
import { RunningScript, runScript, type ScriptResult, startServer } from "./helpers/scripts.ts";

// Every external peer is killed after this long, so a hung peer fails the test instead of hanging it.
const PEER_TIMEOUT_MS = 10_000;

const noOpenssl = peerMissing("openssl", "openssl");
const noNcat = peerMissing("ncat", "ncat");
const noSocat = peerMissing("socat", "socat");

/**
 * Starts `command`, writes `input`, waits until stdout matches `until`, then
 * stops it: TLS peers such as `openssl s_client -quiet` never exit on their
 * own, and ncat's --exec server closes on end of input before `cat` answers.
 */
async function talk(
  command: string,
  args: string[],
  input: string,
  until: RegExp,
): Promise<ScriptResult> {
  const peer = new RunningScript(command, args);
  const timer = setTimeout(() => void peer.kill(), PEER_TIMEOUT_MS);
  try {
    peer.write(input);
    await peer.waitFor(until, { timeoutMs: PEER_TIMEOUT_MS });
    peer.endInput();
    return { code: null, signal: null, stdout: peer.stdout, stderr: peer.stderr };
  } finally {
    clearTimeout(timer);
    await peer.kill();
  }
}

/** A port free on 127.0.0.1 now, for peers that cannot listen on port 0 and say which they got. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts connections on `port`, for peers that print nothing when ready. */
async function acceptsOn(port: number, peer: RunningScript): Promise<void> {
  const deadline = Date.now() + PEER_TIMEOUT_MS;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const probe = createConnection({ host: "127.0.0.1", port }, () => {
        probe.destroy();
        resolve(true);
      });
      probe.once("error", () => resolve(false));
    });
    if (open) return;
    if (peer.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`peer did not listen on ${port}: ${peer.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("TLS peers against server.ts --tls", () => {
  let server: RunningScript;
  let port: number;

  before(async () => ({ server, port } = await startServer("server.ts", ["--port", "0", "--tls"])));
  after(async () => await server.kill());

  test("openssl s_client gets each line echoed", { skip: noOpenssl }, async () => {
    const result = await talk(
      "openssl",
      ["s_client", "-quiet", "-connect", `127.0.0.1:${port}`],
      "one\ntwo\n",
      /one\ntwo\n/,
    );
    assert.equal(result.stdout, "one\ntwo\n");
  });

  test("ncat --ssl gets each line echoed", { skip: noNcat }, async () => {
    const result = await talk("ncat", ["--ssl", "127.0.0.1", String(port)], "one\ntwo\n", /two\n/);
    assert.equal(result.stdout, "one\ntwo\n");
  });

  test("socat OPENSSL: gets each line echoed", { skip: noSocat }, async () => {
    const result = await talk(
      "socat",
      ["-", `OPENSSL:127.0.0.1:${port},verify=0`],
      "one\ntwo\n",
      /two\n/,
    );
    assert.equal(result.stdout, "one\ntwo\n");
  });
});

describe("client.ts --tls against TLS peers", { skip: noOpenssl }, () => {
  let dir: string;
  let cert: string;
  let key: string;
  let fingerprint: string;

  // Files are made and removed by child processes: the tests are granted no write access.
  before(() => {
    dir = spawnSync("mktemp", ["-d"], { encoding: "utf8" }).stdout.trim();
    assert.ok(dir.startsWith("/"), "mktemp -d gave no directory");
    cert = join(dir, "cert.pem");
    key = join(dir, "key.pem");
    const made = spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ], { encoding: "utf8", timeout: 20_000 });
    assert.equal(made.status, 0, made.stderr);
    // openssl's own form, "sha256 Fingerprint=AB:CD:...", is what a student copies.
    fingerprint = spawnSync("openssl", ["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"], {
      encoding: "utf8",
    }).stdout.trim();
    assert.match(fingerprint, /Fingerprint=/);
  });
  after(() => void spawnSync("rm", ["-rf", dir]));

  /** Runs `client.ts --tls` with `trust` flags against a peer echo server on `port`. */
  async function askEcho(port: number, trust: string[]): Promise<void> {
    const result = await runScript("client.ts", [
      "--port",
      String(port),
      "--tls",
      ...trust,
      "hello",
      "world",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "hello\nworld\n");
  }

  test(
    "an ncat --ssl echo server, pinned with openssl's fingerprint line",
    { skip: noNcat },
    async () => {
      const port = await freePort();
      const peer = new RunningScript("ncat", [
        "--ssl",
        "--ssl-cert",
        cert,
        "--ssl-key",
        key,
        "-l",
        "-k",
        "127.0.0.1",
        String(port),
        "--exec",
        "/bin/cat",
      ]);
      try {
        await acceptsOn(port, peer);
        await askEcho(port, ["--fingerprint", fingerprint]);
        await askEcho(port, ["--ca", cert]);
      } finally {
        await peer.kill();
      }
    },
  );

  test("a socat OPENSSL-LISTEN echo server, trusted with --ca", { skip: noSocat }, async () => {
    const port = await freePort();
    const peer = new RunningScript("socat", [
      `OPENSSL-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,cert=${cert},key=${key},verify=0`,
      "EXEC:cat",
    ]);
    try {
      await acceptsOn(port, peer);
      await askEcho(port, ["--ca", cert]);
      await askEcho(port, ["--fingerprint", fingerprint.split("=")[1]!.toLowerCase()]);
    } finally {
      await peer.kill();
    }
  });

  test("an openssl s_server with another certificate is refused with its fingerprint", async () => {
    const port = await freePort();
    const peer = new RunningScript("openssl", [
      "s_server",
      "-quiet",
      "-accept",
      `127.0.0.1:${port}`,
      "-cert",
      cert,
      "-key",
      key,
    ]);
    try {
      await acceptsOn(port, peer);
      const result = await runScript("client.ts", [
        "--port",
        String(port),
        "--tls",
        "--fingerprint",
        "00".repeat(32),
        "hello",
      ]);
      assert.equal(result.code, 1);
      assert.ok(result.stderr.includes(fingerprint.split("=")[1]!), result.stderr);
    } finally {
      await peer.kill();
    }
  });
});
