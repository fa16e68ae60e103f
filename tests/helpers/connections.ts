// Small steps the script tests share: close clients, check an echo, stop a server.
import assert from "node:assert/strict";
import process from "node:process";
import type { Connection } from "../../src/tcp/tcp_client.ts";
import type { RunningScript, ScriptResult } from "./scripts.ts";

// Generous: the server runs as a subprocess on a possibly loaded machine.
const REPLY_MS = 10_000;

/** Closes each connection given and waits until it is closed. */
export async function closeAll(...connections: (Connection | undefined)[]): Promise<void> {
  for (const connection of connections) {
    if (!connection) continue;
    connection.close();
    await connection.closed;
  }
}

/** Sends `text` and checks that the same text comes back. */
export async function echoes(connection: Connection, text: string): Promise<void> {
  connection.send(text);
  assert.equal((await connection.receive(REPLY_MS))?.text, text);
}

/** Sends SIGINT and returns what the script printed, checking the exit is clean. */
export async function interrupted(server: RunningScript): Promise<ScriptResult> {
  process.kill(server.child.pid!, "SIGINT");
  const result = await server.exited;
  assert.equal(result.code, 0, result.stderr);
  return result;
}
