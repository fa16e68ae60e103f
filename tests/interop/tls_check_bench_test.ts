// client.ts --check --tls and client.ts --bench --tls against server.ts --tls,
// on the runtime running the tests: the battery judges a TLS server as the
// client trusts one (a reset is a TCP RST under the session), and every bench
// direction moves bytes through TLS. No speed is asserted: that is a benchmark's job.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { peerMissing } from "../helpers/peers.ts";
import { type RunningScript, runScript, startServer, stdoutJson } from "../helpers/scripts.ts";
import { makeCertificateFiles } from "../helpers/tls_files.ts";
import { startTlsServer } from "../helpers/tls_server.ts";

const CHECK_NAMES = [
  "reply",
  "reconnect",
  "sequence",
  "split",
  "pipelined",
  "large",
  "half-close",
  "concurrent",
  "crosstalk",
  "reset",
];
const RUN_LIMIT_MS = 40_000;

function check(port: number, ...args: string[]) {
  // English whatever the machine's locale: the tests read the card's words.
  return runScript("client.ts", ["--port", String(port), "--check", "--lang", "en", ...args], {
    timeoutMs: RUN_LIMIT_MS,
  });
}

/** Asserts that the report lists every check as not run, for `why`. */
function assertNoneRan(stdout: string, why: string): void {
  for (const name of CHECK_NAMES) {
    assert.match(stdout, new RegExp(`^SKIP +${name} .*\\n +result: +not run: ${why}`, "m"), name);
  }
  assert.match(stdout, /^0 passed, 0 failed, 10 not run: the server could not be checked$/m);
}

describe("client.ts --check --tls against server.ts --tls", () => {
  let server: RunningScript;
  let port: number;
  let fingerprint: string;

  // -v: the server's own account shows what the battery did under TLS.
  before(
    async () => ({ server, port, fingerprint } = await startTlsServer(["--mode", "upper", "-v"])),
  );
  after(async () => await server.kill());

  test("--fingerprint from the banner passes every check, resetting and half-closing under TLS", async () => {
    const result = await check(port, "--tls", "--fingerprint", fingerprint, "--expect", "upper");
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^socklab check of tcp://127\\.0\\.0\\.1:${port} over TLS`),
    );
    assert.match(
      result.stdout,
      new RegExp(
        `^tls: TLSv1\\.[23], server certificate SHA-256 ${fingerprint}, matches --fingerprint$`,
        "m",
      ),
    );
    for (const name of CHECK_NAMES) assert.match(result.stdout, new RegExp(`^PASS +${name} `, "m"));
    assert.match(result.stdout, /^10 passed, 0 failed, 0 not run: every check passed$/m);
    // What the server saw: a TCP reset under the session, and a FIN it answered.
    await server.waitFor(/reset by peer \(RST\)/, { stream: "stderr" });
    await server.waitFor(/peer half-closed \(FIN received\)/, { stream: "stderr" });
  });

  test("--json names TLS, its version, the fingerprint and how it was trusted", async () => {
    const result = await check(port, "--tls", "--insecure", "--json");
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.protocol, "tcp");
    assert.equal(report.tls.trust, "insecure");
    assert.equal(report.tls.fingerprint, fingerprint);
    assert.match(report.tls.version, /^TLSv1\.[23]$/);
    assert.equal(report.passed, CHECK_NAMES.length);
  });

  test("a wrong --fingerprint exits 1 with the fingerprint message and runs no check", async () => {
    const wrong = fingerprint.startsWith("00") ? "11".repeat(32) : "00".repeat(32);
    const reads = (server.stderr.match(/ read \d+ bytes/g) ?? []).length;
    const result = await check(port, "--tls", "--fingerprint", wrong);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `^cannot check: .*server certificate has SHA-256 fingerprint ${fingerprint}, not the (00|11):.* expected .*--fingerprint`,
        "m",
      ),
    );
    assertNoneRan(result.stdout, "the server's certificate is not trusted");
    assert.equal(
      (server.stderr.match(/ read \d+ bytes/g) ?? []).length,
      reads,
      "a message was sent",
    );
  });

  test("--tls with no way to trust refuses as client.ts --tls does, naming --insecure", async () => {
    const result = await check(port, "--tls");
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^cannot check: .*not verified: its SHA-256 fingerprint is .*--insecure/m,
    );
    assertNoneRan(result.stdout, "the server's certificate is not trusted");
  });

  test("--check without --tls stops at the first TLS record and names --tls", async () => {
    const result = await check(port);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^cannot check: .*the server speaks TLS.*--tls/m);
    assertNoneRan(result.stdout, "the server speaks TLS: check it with --tls");
  });

  test("--fingerprint with --insecure is the client's usage error (exit 2)", async () => {
    const result = await check(port, "--tls", "--fingerprint", fingerprint, "--insecure");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /give one of --fingerprint, --ca and --insecure/);
  });
});

describe("client.ts --check --tls, other servers", () => {
  test("against a plaintext server says the TLS handshake failed, one cause, the rest not run", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0"]);
    try {
      const result = await check(port, "--tls", "--insecure", "--timeout", "1s");
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /^cannot check: .*TLS handshake.*both sides need --tls/m);
      assertNoneRan(result.stdout, "the TLS handshake failed");
    } finally {
      await server.kill();
    }
  });
});

describe("client.ts --check --tls --ca", { skip: peerMissing("openssl", "openssl") }, () => {
  test("--ca trusts a server.ts --tls --cert signed by it, by address and by name", async () => {
    const { cert, key, remove } = makeCertificateFiles();
    try {
      const { server, port } = await startTlsServer(["--cert", cert, "--key", key]);
      try {
        for (const host of ["127.0.0.1", "localhost"]) {
          const result = await check(port, "--host", host, "--tls", "--ca", cert);
          assert.equal(result.code, 0, result.stdout + result.stderr);
          assert.ok(result.stdout.includes(`signed by the CA in --ca ${cert}`), result.stdout);
        }
      } finally {
        await server.kill();
      }
    } finally {
      remove();
    }
  });
});

describe("client.ts --bench --tls", () => {
  const cases = [
    { direction: "up", mode: "discard", parallel: "1" },
    { direction: "up", mode: "discard", parallel: "2" },
    { direction: "down", mode: "chargen", parallel: "1" },
    { direction: "both", mode: "echo", parallel: "1" },
  ];
  for (const { direction, mode, parallel } of cases) {
    test(`--direction ${direction} -P ${parallel} --insecure to server.ts --tls --mode ${mode} moves bytes`, async () => {
      const { server, port } = await startTlsServer(["--mode", mode]);
      try {
        const result = await runScript("client.ts", [
          "--port",
          String(port),
          "--bench",
          "0.5",
          "--tls",
          "--insecure",
          "--direction",
          direction,
          "--parallel",
          parallel,
        ], { timeoutMs: RUN_LIMIT_MS });
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(
          result.stderr,
          /^tls: TLSv1\.[23], server certificate SHA-256 .*NOT verified \(--insecure\)$/m,
        );
        assert.match(result.stderr, /^bench: .* over TLS for 0\.5 s/m);
        const label = parallel === "1" ? (direction === "both" ? " {2}1\\]\\[RX" : " {2}1") : "SUM";
        const summary = new RegExp(
          `^\\[${label}\\]\\s+\\S+\\s+sec\\s+([\\d.]+) ([KMGT]?)Bytes .* receiver`,
          "m",
        )
          .exec(result.stdout);
        assert.ok(summary, result.stdout);
        assert.ok(Number(summary[1]) > 0 && summary[2] !== "", `too few bytes: ${summary[0]}`);
      } finally {
        await server.kill();
      }
    });
  }

  test("--json says the run was over TLS: version and the fingerprint the client saw", async () => {
    const { server, port } = await startTlsServer(["--mode", "discard"]);
    try {
      const result = await runScript("client.ts", [
        ...["--port", String(port), "--bench", "0.5", "--direction", "up"],
        ...["--tls", "--insecure", "--json"],
      ], { timeoutMs: RUN_LIMIT_MS });
      assert.equal(result.code, 0, result.stderr);
      type Report = { start: { socklab: { tls: { version: string; fingerprint: string } } } };
      const { tls } = stdoutJson<Report>(result).start.socklab;
      assert.match(tls.version, /^TLSv1\.[23]$/);
      const shown = /server certificate SHA-256 ([0-9A-F:]{95})/.exec(result.stderr);
      assert.ok(shown, result.stderr);
      assert.equal(tls.fingerprint, shown[1]);
    } finally {
      await server.kill();
    }
  });
});
