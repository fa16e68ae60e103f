// What server.ts tells students about reaching it from another PC, when the truth
// is not a plain list of addresses: only link-local ones, or no permission to look.
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { detectRuntime } from "../../src/net/runtime.ts";
import { PROJECT_ROOT } from "../../tools/script_command.ts";
import {
  createTwoPcs,
  runScriptIn,
  startScriptIn,
  type TwoPcs,
  twoPcsUnavailable,
} from "../helpers/netns.ts";
import { listeningOn, RunningScript } from "../helpers/scripts.ts";

const BANNER_END = /to watch the packets.*\n/;

describe("the listen banner on a PC with only link-local addresses", {
  skip: twoPcsUnavailable(),
}, () => {
  let pcs: TwoPcs;
  before(() => {
    pcs = createTwoPcs();
    // pc1 keeps only fe80::1: what a lab PC has on a link with no DHCP server.
    pcs.sh(pcs.pc1, "ip", "-4", "addr", "flush", "dev", pcs.link1);
  });
  after(() => pcs?.remove());

  test("server.ts --host :: lists fe80 addresses with their %interface, and the command works", async () => {
    const { server, port } = await listeningOn(
      startScriptIn(pcs.pc1, "server.ts", ["--host", "::", "--port", "0"]),
    );
    try {
      await server.waitFor(BANNER_END, { stream: "stderr" });
      assert.doesNotMatch(server.stderr, /no network address found/);
      assert.match(server.stderr, /only link-local addresses/);
      const listed = server.stderr.match(
        new RegExp(
          `^ {2}on ${pcs.link1}:\\n {4}(\\S.*client\\.ts) --host fe80::1%${pcs.link1} --port ${port}$`,
          "m",
        ),
      );
      assert.ok(listed, server.stderr);
      // The other PC names the same link by its own interface.
      const result = await runScriptIn(pcs.pc2, "client.ts", [
        "--host",
        `fe80::1%${pcs.link2}`,
        "--port",
        String(port),
        "hi",
      ]);
      assert.equal(result.stdout, "hi\n", result.stderr);
    } finally {
      await server.kill();
    }
  });

  test("server.ts --host 0.0.0.0 says there is no IPv4 address and how to use the link-local ones", async () => {
    const { server } = await listeningOn(
      startScriptIn(pcs.pc1, "server.ts", ["--host", "0.0.0.0", "--port", "0"]),
    );
    try {
      await server.waitFor(BANNER_END, { stream: "stderr" });
      assert.doesNotMatch(server.stderr, /no network address found/);
      assert.match(server.stderr, /no IPv4 address but loopback.*--host ::/);
    } finally {
      await server.kill();
    }
  });
});

describe("the listen banner without the permission to list interfaces", {
  skip: detectRuntime() === "deno" ? false : "only Deno has permissions to withhold",
}, () => {
  test("deno run -N server.ts --host 0.0.0.0 says the list is not permitted and how to allow it", async () => {
    // -N grants the network alone: the form a user types who skips deno.json's set.
    const server = new RunningScript(process.execPath, [
      "run",
      "-N",
      `${PROJECT_ROOT}server.ts`,
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      // The banner is what is tested; an announcement would leave this machine's namespace.
      "--no-announce",
    ]);
    try {
      await listeningOn(server);
      await server.waitFor(BANNER_END, { stream: "stderr" });
      assert.doesNotMatch(server.stderr, /no network address found/);
      assert.match(server.stderr, /not permitted \(deno run -qP .*--allow-sys=networkInterfaces/);
    } finally {
      await server.kill();
    }
  });
});
