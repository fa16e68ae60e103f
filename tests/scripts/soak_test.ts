// Soak through the real server.ts on the runtime running the tests: 100
// concurrent clients x 200 random payloads in both framings, and a 20-client
// chat. bench/soak.ts runs the full 100 x 1,000 and prints the figures.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, test } from "node:test";
import type { FramingName } from "../../src/framing/mod.ts";
import { chatSoak, echoSoak, type SoakFigures } from "../helpers/fault_soak.ts";
import { startServer } from "../helpers/scripts.ts";

const CLIENTS = 100;
const MESSAGES = 200;
const MAX_SIZE = 2048;
// bun test gives a test 5 s by default; a soak on a loaded 2-core machine needs more.
const PATIENT = { timeout: 120_000 };

function assertNoneLost(figures: SoakFigures, sent: number): void {
  const detail = `${JSON.stringify(figures)}`;
  assert.equal(figures.sent, sent, detail);
  assert.equal(figures.wrong, 0, detail);
  assert.equal(figures.lost, 0, detail);
  assert.equal(figures.received, sent, detail);
}

describe("server.ts soak", () => {
  for (const framing of ["line", "length"] as FramingName[]) {
    test(
      `server.ts echoes ${CLIENTS} concurrent clients x ${MESSAGES} random messages (${framing}) in order, none lost`,
      PATIENT,
      async () => {
        const { server, port } = await startServer("server.ts", [
          "--port",
          "0",
          "--framing",
          framing,
        ]);
        try {
          const figures = await echoSoak({
            port,
            framing,
            clients: CLIENTS,
            messages: MESSAGES,
            maxSize: MAX_SIZE,
          });
          assertNoneLost(figures, CLIENTS * MESSAGES);
          process.kill(server.child.pid!, "SIGINT");
          const result = await server.exited;
          assert.equal(result.code, 0, result.stderr);
          const total = CLIENTS * MESSAGES;
          assert.match(
            result.stderr,
            new RegExp(
              `^server stopped: ${CLIENTS} connections served, ${total} messages in, ${total} messages out, `,
            ),
          );
        } finally {
          await server.kill();
        }
      },
    );
  }

  test(
    "server.ts chat with 20 clients delivers every message to every other client once, in order",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", ["--port", "0", "--mode", "chat"]);
      try {
        const clients = 20;
        const messages = 100;
        const figures = await chatSoak({ port, clients, messages });
        assertNoneLost(figures, clients * messages * (clients - 1));
      } finally {
        await server.kill();
      }
    },
  );
});
