import { formatAddress } from "../../address/mod.ts";
import { displayBytes } from "../../bytes/mod.ts";
import { describeError } from "../../errors/mod.ts";
import { FramingError } from "../../framing/mod.ts";
import type { Connection } from "../../tcp/mod.ts";
import { printError, printLine, printStatus, programName, stdinLines } from "../mod.ts";

// Sending waits for the socket once this much is queued, so piping a huge file
// does not pile it all up in memory.
const SEND_HIGH_WATER_BYTES = 64 * 1024;

/**
 * Full duplex: stdin lines go out as they are typed, server messages print as
 * they arrive. At end of input it half-closes and prints until the server
 * closes, so no reply is lost.
 * @returns The exit code: 1 when a line could not be sent, else 0.
 */
export async function duplex(connection: Connection): Promise<number> {
  let inputDone = false;
  const printing = (async () => {
    for await (const message of connection) printLine(displayBytes(message.bytes));
  })();
  const sending = (async () => {
    const failed = await sendLines(connection);
    inputDone = true;
    await connection.end();
    return failed;
  })();
  // Whichever fails first is thrown below; the other must not surface later as an unhandled rejection.
  printing.catch(() => {});
  sending.catch(() => {});
  // Printing ends when the server closes; if that is before stdin ends, there is nobody left to send to.
  const first = await Promise.race([printing.then(() => "closed" as const), sending]);
  if (first === "closed") {
    if (!inputDone) printStatus(`${formatAddress(connection.remoteAddress)} closed the connection`);
    return 0;
  }
  await printing;
  return first ? 1 : 0;
}

async function sendLines(connection: Connection): Promise<boolean> {
  let failed = false;
  let lineNumber = 0;
  let unflushed = 0;
  for await (const line of stdinLines()) {
    lineNumber++;
    try {
      connection.send(line);
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      // One bad line is reported and skipped; the lines after it still go.
      const name = programName("client.ts");
      printError(`${name}: line ${lineNumber} not sent: ${describeError(error)}`);
      failed = true;
      continue;
    }
    unflushed += line.length;
    if (unflushed >= SEND_HIGH_WATER_BYTES) {
      await connection.flushed();
      unflushed = 0;
    }
  }
  return failed;
}
