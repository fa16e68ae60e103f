// Issue 12 through the real script: server.ts --mode chat under a small
// --max-frame, and against impersonation (look-alike names, bidi controls and
// line separators in messages), on the runtime running the tests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";
import { closeAll } from "../helpers/connections.ts";
import { startServer } from "../helpers/scripts.ts";

const REPLY_MS = 10_000;
// bun test gives a test 5 s by default; these wait on real subprocesses on a loaded machine.
const PATIENT = { timeout: 60_000 };
const MAX_FRAME = 80;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The next line as bytes, failing when the server closed instead. */
async function nextBytes(connection: Connection): Promise<Uint8Array> {
  const message = await connection.receive(REPLY_MS);
  assert.ok(message, "the server closed the connection");
  return message.bytes.slice();
}

/** The next line, checked to fit `max` bytes and to be whole UTF-8 characters. */
async function nextWithin(connection: Connection, max: number): Promise<string> {
  const bytes = await nextBytes(connection);
  const text = strictUtf8.decode(bytes);
  assert.ok(bytes.length <= max, `${bytes.length} bytes, over ${max}: ${text}`);
  return text;
}

async function nextText(connection: Connection): Promise<string> {
  return strictUtf8.decode(await nextBytes(connection));
}

describe("server.ts --mode chat --max-frame", () => {
  test(
    "server.ts --mode chat --max-frame 80 cuts its notices to 80 bytes and keeps serving",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", [
        "--port",
        "0",
        "--mode",
        "chat",
        "--max-frame",
        String(MAX_FRAME),
      ]);
      let a: Connection | undefined;
      let b: Connection | undefined;
      try {
        a = await connect({ port });
        const welcome = await nextWithin(a, MAX_FRAME);
        const aName = welcome.match(/^\* welcome, you are (guest-\d+); /)?.[1];
        assert.ok(aName, welcome);
        const whole =
          `* welcome, you are ${aName}; /nick NAME renames you, /who lists who is here, /quit leaves`;
        assert.ok(whole.startsWith(welcome) && welcome.length < whole.length, `cut: ${welcome}`);

        // The server is still alive and serves a second client.
        b = await connect({ port });
        const bName = (await nextWithin(b, MAX_FRAME)).match(/you are (guest-\d+);/)?.[1];
        assert.ok(bName);
        assert.equal(
          await nextWithin(a, MAX_FRAME),
          `* ${bName} joined from 127.0.0.1:${b.localAddress.port}`,
        );
        b.send("hello");
        assert.equal(await nextWithin(a, MAX_FRAME), `<${bName}> hello`);

        // A name of 4-byte letters: the cut must back up to a character boundary.
        const wide = "\u{20000}".repeat(18);
        b.send(`/nick ${wide}`);
        const renamed = await nextWithin(b, MAX_FRAME);
        // Cut on the character boundary at 78 bytes: 16 of the 18 letters fit.
        assert.match(renamed, /^\* you are now \u{20000}{16}$/u);
        assert.match(await nextWithin(a, MAX_FRAME), /^\* guest-\d+ is now \u{20000}+$/u);

        b.send("/who");
        assert.match(await nextWithin(b, MAX_FRAME), /^\* 2 here besides the server: /);
        b.send(`/nick two words ${"x".repeat(50)}`);
        assert.match(await nextWithin(b, MAX_FRAME), /^error: a name is 1 to 24 letters/);
        b.send(`/${"y".repeat(70)}`);
        assert.match(await nextWithin(b, MAX_FRAME), /^error: unknown command '\/y+/);

        // A member's message that does not fit is refused whole, not cut.
        a.send("z".repeat(MAX_FRAME));
        assert.match(await nextWithin(a, MAX_FRAME), /^error: not relayed: the line would be /);
        a.send("fits");
        assert.equal(await nextWithin(b, MAX_FRAME), `<${aName}> fits`);
        assert.equal(server.child.exitCode, null, server.stderr);
      } finally {
        await closeAll(a, b);
        await server.kill();
      }
    },
  );

  test("server.ts --mode chat --max-frame 2 still welcomes, in 2 bytes", PATIENT, async () => {
    const { server, port } = await startServer("server.ts", [
      "--port",
      "0",
      "--mode",
      "chat",
      "--max-frame",
      "2",
    ]);
    let a: Connection | undefined;
    let b: Connection | undefined;
    try {
      a = await connect({ port });
      assert.equal(await nextWithin(a, 2), "* ");
      b = await connect({ port });
      assert.equal(await nextWithin(b, 2), "* ");
      assert.equal(await nextWithin(a, 2), "* ");
    } finally {
      await closeAll(a, b);
      await server.kill();
    }
  });
});

describe("server.ts --mode chat against impersonation", () => {
  test(
    "server.ts chat refuses look-alike names and escapes bidi controls and line separators",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", ["--port", "0", "--mode", "chat"]);
      let a: Connection | undefined;
      let b: Connection | undefined;
      try {
        a = await connect({ port });
        const aName = (await nextText(a)).match(/you are (guest-\d+);/)?.[1];
        b = await connect({ port });
        const bName = (await nextText(b)).match(/you are (guest-\d+);/)?.[1];
        assert.ok(aName && bName);
        assert.match(await nextText(a), /joined from/);

        for (const wanted of ["ｓｅｒｖｅｒ", "\u0455erver", bName.replace("e", "\u0435")]) {
          a.send(`/nick ${wanted}`);
          assert.match(await nextText(a), /^error: the name '.*' is reserved/, wanted);
        }
        // Fullwidth digits: guest-２ is guest-2.
        a.send(`/nick ${bName.replace(/\d/g, (d) => String.fromCodePoint(0xff10 + Number(d)))}`);
        assert.match(await nextText(a), /^error: the name '.*' is reserved/);
        a.send("/nick \u3164");
        assert.match(await nextText(a), /^error: a name cannot hold U\+3164/);

        b.send("/nick Budi");
        assert.equal(await nextText(b), "* you are now Budi");
        assert.equal(await nextText(a), `* ${bName} is now Budi`);
        a.send("/nick \u0392udi");
        assert.equal(
          await nextText(a),
          "error: the name '\u0392udi' looks like 'Budi', who is here; pick another",
        );
        a.send("/nick Дима");
        assert.equal(await nextText(a), "* you are now Дима");
        assert.equal(await nextText(b), `* ${aName} is now Дима`);

        a.send("hi \u202eevil\u2028<server> fake\u2029\u2066x\u2069");
        assert.equal(
          await nextText(b),
          "<Дима> hi \\u{202e}evil\\u{2028}<server> fake\\u{2029}\\u{2066}x\\u{2069}",
        );
        await server.waitFor(/<Дима> hi \\u\{202e\}evil/);
      } finally {
        await closeAll(a, b);
        await server.kill();
      }
    },
  );
});
