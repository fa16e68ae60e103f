// server.ts --tls and client.ts --tls on the runtime running the tests: the
// fingerprint ritual, every mode over TLS, and the one-line errors of the
// mistakes a lab makes (no verification, a wrong fingerprint, TLS on one side only).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { certificateFingerprint, parseFingerprint } from "../../src/net/tls_fingerprint.ts";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";
import { serve } from "../../src/tcp/tcp_server.ts";
import { makeSelfSignedCertificate } from "../../src/tls/self_signed.ts";
import { closeAll, echoes, interrupted } from "../helpers/connections.ts";
import { peerMissing } from "../helpers/peers.ts";
import { type RunningScript, runScript, startServer } from "../helpers/scripts.ts";
import {
  type CertificateFiles,
  makeCertificateFiles,
  opensslFingerprintLine,
} from "../helpers/tls_files.ts";
import { startTlsServer } from "../helpers/tls_server.ts";

const REPLY_MS = 10_000;

/** Runs `client.ts --port PORT --tls` with `args`. */
function tlsClient(port: number, ...args: string[]) {
  return runScript("client.ts", ["--port", String(port), "--tls", ...args]);
}

function oneLine(text: string): string {
  const lines = text.trim().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${text}`);
  return lines[0]!;
}

describe("fingerprints", () => {
  test("parseFingerprint takes colons or none, any case, and openssl's prefix", () => {
    const colons = "AB:".repeat(31) + "CD";
    assert.equal(parseFingerprint(colons), colons);
    assert.equal(parseFingerprint(colons.replaceAll(":", "").toLowerCase()), colons);
    assert.equal(parseFingerprint(`sha256 Fingerprint=${colons}`), colons);
    assert.equal(parseFingerprint(`SHA256:${colons.toLowerCase()}`), colons);
    assert.equal(parseFingerprint("AB".repeat(31)), undefined);
    assert.equal(parseFingerprint("XY".repeat(32)), undefined);
  });

  test("certificateFingerprint agrees with node:crypto's X509Certificate.fingerprint256", async () => {
    const { certificate } = await makeSelfSignedCertificate({ names: [] });
    const x509 = new X509Certificate(certificate);
    assert.equal(await certificateFingerprint(new Uint8Array(x509.raw)), x509.fingerprint256);
  });
});

describe("the self-signed certificate", () => {
  test("names localhost, the loopback addresses and the names asked for", async () => {
    const { certificate } = await makeSelfSignedCertificate({ names: ["192.0.2.7", "lab-pc"] });
    const san = new X509Certificate(certificate).subjectAltName ?? "";
    for (
      const name of ["DNS:localhost", "IP Address:127.0.0.1", "DNS:lab-pc", "IP Address:192.0.2.7"]
    ) {
      assert.ok(san.includes(name), `${name} missing from ${san}`);
    }
    assert.match(san, /IP Address:(?:::1|0:0:0:0:0:0:0:1)\b/i);
  });

  test("a client that trusts it as a CA reaches the server by 127.0.0.1, ::1 and localhost", async () => {
    const tls = await makeSelfSignedCertificate({ names: [] });
    for (const host of ["127.0.0.1", "::1"]) {
      const server = await serve({ host, port: 0, tls }, (message) => message.text);
      let connection: Connection | undefined;
      try {
        for (const serverName of [host, "localhost"]) {
          connection = await connect({
            host,
            port: server.address.port,
            tls: { ca: [tls.certificate], serverName },
          });
          await echoes(connection, `via ${serverName}`);
          await closeAll(connection);
        }
      } finally {
        await closeAll(connection);
        await server.close();
      }
    }
  });
});

describe("server.ts --tls and client.ts --tls", () => {
  let server: RunningScript;
  let port: number;
  let fingerprint: string;

  before(async () => ({ server, port, fingerprint } = await startTlsServer()));
  after(async () => await server.kill());

  test("client.ts --fingerprint pinned to the banner's fingerprint gets every reply", async () => {
    const plainHex = fingerprint.replaceAll(":", "").toLowerCase();
    const result = await tlsClient(port, "--fingerprint", plainHex, "hello", "world");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "hello\nworld\n");
    assert.match(
      result.stderr,
      new RegExp(`TLSv1\\.[23], server certificate SHA-256 ${fingerprint}, matches --fingerprint`),
    );
  });

  test("client.ts --tls with no way to verify refuses in one line naming --insecure and the fingerprint seen", async () => {
    const result = await tlsClient(port, "hello");
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    const line = oneLine(result.stderr);
    assert.ok(line.includes(fingerprint), line);
    assert.match(line, /--insecure/);
    assert.match(line, /--fingerprint/);
  });

  test("client.ts --tls with a wrong --fingerprint is refused, exit 1", async () => {
    const wrong = fingerprint.startsWith("00") ? "11".repeat(32) : "00".repeat(32);
    const result = await tlsClient(port, "--fingerprint", wrong, "hello");
    assert.equal(result.code, 1);
    const line = oneLine(result.stderr);
    assert.match(line, /not the 00:00|not the 11:11/);
    assert.ok(line.includes(fingerprint), line);
  });

  test("client.ts --tls --insecure is served and says the certificate was not verified", async () => {
    const result = await tlsClient(port, "--insecure", "hi");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "hi\n");
    assert.match(result.stderr, /NOT verified \(--insecure\)/);
  });

  test("a plaintext client gets one line naming --tls, exit 1, and the server stays up", async () => {
    const plain = await runScript("client.ts", ["--port", String(port), "hello"]);
    assert.equal(plain.code, 1);
    assert.equal(plain.stdout, "");
    assert.match(oneLine(plain.stderr), /speaks TLS.*--tls/);
    await server.waitFor(/TLS handshake failed.*client\.ts --tls/, { stream: "stderr" });
    const after = await tlsClient(port, "--insecure", "still");
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "still\n");
  });

  test("a client that names the server (SNI) and pins its fingerprint is served", async () => {
    const connection = await connect({ port, tls: { fingerprint, serverName: "localhost" } });
    try {
      await echoes(connection, "by name");
      assert.equal(connection.tls?.fingerprint, fingerprint);
    } finally {
      await closeAll(connection);
    }
  });

  test("a reply still comes after the client half-closes (close_notify, then FIN)", async () => {
    const connection = await connect({ port, tls: { fingerprint } });
    try {
      connection.send("before the FIN");
      await connection.end();
      assert.equal((await connection.receive(REPLY_MS))?.text, "before the FIN");
      assert.equal(await connection.receive(REPLY_MS), null);
    } finally {
      await closeAll(connection);
    }
  });
});

describe("every mode over TLS", () => {
  test("upper answers in upper case over TLS", async () => {
    const { server, port, fingerprint } = await startTlsServer(["--mode", "upper"]);
    try {
      const result = await tlsClient(port, "--fingerprint", fingerprint, "shout");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "SHOUT\n");
    } finally {
      await interrupted(server);
    }
  });

  test("chat relays between two TLS clients", async () => {
    const { server, port, fingerprint } = await startTlsServer(["--mode", "chat"]);
    let alice: Connection | undefined;
    let bob: Connection | undefined;
    try {
      alice = await connect({ port, tls: { fingerprint } });
      assert.match((await alice.receive(REPLY_MS))!.text, /welcome/);
      bob = await connect({ port, tls: { fingerprint } });
      assert.match((await bob.receive(REPLY_MS))!.text, /welcome/);
      assert.match((await alice.receive(REPLY_MS))!.text, /joined/);
      alice.send("over TLS");
      assert.match((await bob.receive(REPLY_MS))!.text, /^<[^>]+> over TLS$/);
    } finally {
      await closeAll(alice, bob);
      await server.kill();
    }
  });
});

describe("TLS on one side only", () => {
  test("client.ts --tls against a plain server fails in one line naming --tls, exit 1", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0"]);
    try {
      const result = await tlsClient(port, "--insecure", "--timeout", "2", "hello");
      assert.equal(result.code, 1);
      assert.match(oneLine(result.stderr), /TLS.*both sides need --tls, or neither/);
    } finally {
      await server.kill();
    }
  });
});

describe("--cert and --key", { skip: peerMissing("openssl", "openssl") }, () => {
  let files: CertificateFiles;
  before(() => void (files = makeCertificateFiles()));
  after(() => files?.remove());

  test("server.ts serves the given certificate and client.ts --ca trusts it", async () => {
    const { cert, key } = files;
    const { server, port, fingerprint } = await startTlsServer(["--cert", cert, "--key", key]);
    try {
      const expected = opensslFingerprintLine(cert).split("=")[1];
      assert.equal(fingerprint, expected);
      assert.match(server.stderr, /from --cert/);
      const result = await tlsClient(port, "--ca", cert, "trusted");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "trusted\n");
      assert.match(result.stderr, /signed by the CA in --ca/);
    } finally {
      await server.kill();
    }
  });

  test("client.ts --ca with another CA refuses in one line, exit 1", async () => {
    const { server, port } = await startTlsServer();
    try {
      const result = await tlsClient(port, "--ca", files.cert, "hello");
      assert.equal(result.code, 1);
      assert.match(oneLine(result.stderr), /certificate not trusted.*--fingerprint/);
    } finally {
      await server.kill();
    }
  });

  test("a --cert file that does not exist is a usage error, exit 2", async () => {
    spawnSync("cp", ["/etc/hostname", join(files.dir, "not-pem.txt")]);
    for (const cert of [join(files.dir, "missing.pem"), join(files.dir, "not-pem.txt")]) {
      const result = await runScript("server.ts", [
        "--port",
        "0",
        "--tls",
        "--cert",
        cert,
        "--key",
        cert,
      ]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(oneLine(result.stderr), /--cert/);
    }
  });
});

describe("TLS usage errors", () => {
  const cases: [string, string[], RegExp][] = [
    ["client.ts", ["--fingerprint", "00".repeat(32), "x"], /--fingerprint only applies with --tls/],
    ["client.ts", ["--insecure", "x"], /--insecure only applies with --tls/],
    ["client.ts", ["--tls", "--fingerprint", "12:34", "x"], /64 hex digits/],
    ["client.ts", ["--tls", "--insecure", "--fingerprint", "00".repeat(32), "x"], /give one of/],
    ["server.ts", ["--cert", "a.pem", "--key", "b.pem"], /--cert only applies with --tls/],
    ["server.ts", ["--tls", "--cert", "a.pem"], /--cert and --key go together/],
  ];
  for (const [script, args, message] of cases) {
    test(`${script} ${args.join(" ")} is a one-line usage error, exit 2`, async () => {
      const result = await runScript(script, args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(oneLine(result.stderr), message);
    });
  }
});
