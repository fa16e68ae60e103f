// --host HOST:PORT and --host [IPV6]:PORT (issue 15 item 4): the port may be
// written into the address on every script, and a bare IPv6 address stays one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { endpointFlags } from "../../src/cli/endpoint_flags.ts";
import { UsageError } from "../../src/errors/usage_error.ts";
import { connect } from "../../src/tcp/tcp_client.ts";
import { serveUdp } from "../../src/udp/udp_endpoint.ts";
import { runScript, startServer } from "../helpers/scripts.ts";

describe("endpointFlags", () => {
  test("endpointFlags takes the port from HOST:PORT and [IPV6]:PORT", () => {
    assert.deepEqual(endpointFlags("10.0.0.1:9001", "9000", false, 1), {
      host: "10.0.0.1",
      port: 9001,
    });
    assert.deepEqual(endpointFlags("labpc:80", "9000", false, 1), { host: "labpc", port: 80 });
    assert.deepEqual(endpointFlags("[::1]:9001", "9000", false, 1), { host: "::1", port: 9001 });
    assert.deepEqual(endpointFlags("[fe80::1%eth0]:7", "9000", false, 1), {
      host: "fe80::1%eth0",
      port: 7,
    });
    assert.deepEqual(endpointFlags("0.0.0.0:0", "9000", false, 0), { host: "0.0.0.0", port: 0 });
  });

  test("endpointFlags keeps a bare address or name and uses --port", () => {
    for (const host of ["127.0.0.1", "labpc", "::1", "::", "fe80::1%eth0", "::1:9000"]) {
      assert.deepEqual(endpointFlags(host, "9000", false, 1), { host, port: 9000 }, host);
    }
    assert.deepEqual(endpointFlags("[::1]", "9002", true, 1), { host: "::1", port: 9002 });
  });

  test("endpointFlags accepts the same port in --host and --port, not two different ones", () => {
    assert.deepEqual(endpointFlags("10.0.0.1:9001", "9001", true, 1), {
      host: "10.0.0.1",
      port: 9001,
    });
    assert.throws(
      () => endpointFlags("10.0.0.1:9001", "9000", true, 1),
      new UsageError(
        "--host '10.0.0.1:9001' names port 9001 but --port says 9000: give the port once",
      ),
    );
  });

  test("endpointFlags says exactly what is wrong with a malformed --host", () => {
    const cases: [string, number, string][] = [
      ["pc1:", 1, "--host 'pc1:': the port after ':' must be an integer from 1 to 65535, got ''"],
      [
        "pc1:70000",
        0,
        "--host 'pc1:70000': the port after ':' must be an integer from 0 to 65535, got '70000'",
      ],
      [
        "[::1]:-1",
        1,
        "--host '[::1]:-1': the port after ':' must be an integer from 1 to 65535, got '-1'",
      ],
      [
        "[::1",
        1,
        "--host '[::1' is not an address: write an IPv6 address with its port as [ADDRESS]:PORT, such as [::1]:9000",
      ],
      [
        "[]:9000",
        1,
        "--host '[]:9000' is not an address: write an IPv6 address with its port as [ADDRESS]:PORT, such as [::1]:9000",
      ],
      [":9000", 1, "--host ':9000' has no address before the port, such as 127.0.0.1:9000"],
      ["", 1, "--host needs an address or host name, such as 127.0.0.1, got ''"],
    ];
    for (const [host, minPort, message] of cases) {
      assert.throws(() => endpointFlags(host, "9000", false, minPort), new UsageError(message));
    }
  });

  test("endpointFlags checks --port when --host has no port", () => {
    assert.throws(
      () => endpointFlags("10.0.0.1", "0", true, 1),
      new UsageError("--port must be an integer from 1 to 65535, got '0'"),
    );
  });
});

describe("udp.ts --host HOST:PORT", () => {
  for (const address of ["127.0.0.1", "::1"]) {
    const withPort = (port: number) =>
      address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;

    test(`udp.ts client and ping --host ${withPort(0).replace(":0", ":PORT")} reach the server`, async () => {
      const echo = await serveUdp({ host: address }, (message) => message.bytes);
      try {
        const host = withPort(echo.localAddress.port);
        const client = await runScript("udp.ts", ["client", "--host", host, "hi"]);
        assert.equal(client.code, 0, client.stderr);
        assert.equal(client.stdout, "hi\n");
        const ping = await runScript("udp.ts", ["ping", "--host", host, "--count", "1"]);
        assert.equal(ping.code, 0, ping.stderr);
        assert.match(ping.stdout, /1 sent, 1 received, 0% loss/);
      } finally {
        await echo.close();
      }
    });

    test(`udp.ts server --host ${withPort(0)} listens on ${address} at a port it picks`, async () => {
      const { server, port } = await startServer("udp.ts", ["server", "--host", withPort(0)]);
      try {
        const shown = address.includes(":") ? `[${address}]` : address;
        assert.match(server.stdout, new RegExp(`listening on udp://${escape(shown)}:${port}\\b`));
        const client = await runScript("udp.ts", ["client", "--host", withPort(port), "back"]);
        assert.equal(client.code, 0, client.stderr);
        assert.equal(client.stdout, "back\n");
      } finally {
        await server.kill();
      }
    });
  }

  test("udp.ts bench --host 127.0.0.1:PORT measures that server", async () => {
    const echo = await serveUdp({ host: "127.0.0.1" }, (message) => message.bytes);
    try {
      const result = await runScript("udp.ts", [
        "bench",
        "--host",
        `127.0.0.1:${echo.localAddress.port}`,
        "--rate",
        "1M",
        "--time",
        "0.2",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, new RegExp(`udp://127\\.0\\.0\\.1:${echo.localAddress.port}\\b`));
    } finally {
      await echo.close();
    }
  });

  test("udp.ts ping --host HOST:PORT with a different --port is a usage error (exit 2)", async () => {
    const result = await runScript("udp.ts", ["ping", "--host", "127.0.0.1:9001", "-p", "9002"]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      "udp.ts: --host '127.0.0.1:9001' names port 9001 but --port says 9002: give the port once (see udp.ts --help)\n",
    );
  });
});

describe("server.ts --host HOST:PORT", () => {
  test("server.ts --host [::1]:0 listens on ::1 and a client reaches it with [::1]:PORT", async () => {
    const { server, port } = await startServer("server.ts", ["--host", "[::1]:0"]);
    try {
      assert.match(server.stdout, new RegExp(`listening on tcp://\\[::1\\]:${port}\\b`));
      const connection = await connect({ host: "::1", port });
      try {
        connection.send("direct");
        assert.equal((await connection.receive(10_000))?.text, "direct");
      } finally {
        await connection.close();
      }
      const result = await runScript("client.ts", ["--host", `[::1]:${port}`, "via client"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "via client\n");
    } finally {
      await server.kill();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.[\]]/g, "\\$&");
}
