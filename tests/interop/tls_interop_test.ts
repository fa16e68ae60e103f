// server.ts --tls and client.ts --tls against TLS peers nobody here wrote:
// openssl s_client, ncat --ssl and socat OPENSSL, in both directions.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { acceptsOn, freePort, peerMissing, startNcatEcho } from "../helpers/peers.ts";
import { RunningScript, runScript, type ScriptResult, startServer } from "../helpers/scripts.ts";
import {
  type CertificateFiles,
  makeCertificateFiles,
  opensslFingerprintLine,
} from "../helpers/tls_files.ts";

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
  let files: CertificateFiles;
  let cert: string;
  let key: string;
  let fingerprint: string;

  before(() => {
    ({ cert, key } = files = makeCertificateFiles());
    // openssl's own form, "sha256 Fingerprint=AB:CD:...", is what a student copies.
    fingerprint = opensslFingerprintLine(cert);
    assert.match(fingerprint, /Fingerprint=/);
  });
  after(() => files?.remove());

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
      const { peer, port } = await startNcatEcho(["--ssl", "--ssl-cert", cert, "--ssl-key", key]);
      try {
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
