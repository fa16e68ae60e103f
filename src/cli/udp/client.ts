import { formatAddress } from "../../address/mod.ts";
import { delay, settlesWithin, Waiters } from "../../async/mod.ts";
import { countOf, displayBytes } from "../../bytes/mod.ts";
import { toBytes } from "../../message/mod.ts";
import { NetError } from "../../net/mod.ts";
import type { Datagram, UdpFaults } from "../../udp/mod.ts";
import { EXIT, printError, printLine, printStatus, programName, stdinLines } from "../mod.ts";
import { silenceExplanation, tooLargeText } from "./explain.ts";
import { faultSummary, startFaults } from "./fault_text.ts";
import { udpNarrator } from "./narrator.ts";
import type { UdpClientOptions } from "./options.ts";
import { openUdpTarget, type UdpTarget } from "./target.ts";

// Read when a message is printed: the compiled executable renames itself after imports.
const script = () => programName("udp.ts");

// Replies nobody waits for (a flood, or late duplicates) are not kept beyond this.
const MAX_QUEUED_REPLIES = 1024;

/**
 * Runs `udp.ts client`: each message (or stdin line) goes out as one
 * datagram and each reply from the server is printed on its own line.
 * @returns The exit code: 0 when every datagram was answered, 1 otherwise.
 */
export async function runUdpClient(options: UdpClientOptions): Promise<number> {
  let exchange: MessageExchange | StdinExchange | undefined;
  const faults = startFaults(options.faults, options);
  const target = await openUdpTarget(
    options.host,
    options.port,
    options.verbose,
    (datagram) => exchange?.reply(datagram),
    udpNarrator(options),
    faults,
    // Messages end the run on a port unreachable, and say it then; stdin lines go on regardless.
    { refusalIsFinal: options.messages.length > 0 },
  );
  try {
    exchange = options.messages.length > 0
      ? new MessageExchange(target, options)
      : new StdinExchange(target, options, faults);
    return await exchange.run();
  } finally {
    await target.endpoint.close();
    if (faults) printStatus(faultSummary(faults));
  }
}

/**
 * Command-line messages go out one at a time; each is sent again while no
 * reply comes, up to `--retries` times.
 */
class MessageExchange {
  readonly #target: UdpTarget;
  readonly #options: UdpClientOptions;
  readonly #replies: Datagram[] = [];
  readonly #arrived = new Waiters();
  #refusal: NetError | undefined;

  constructor(target: UdpTarget, options: UdpClientOptions) {
    this.#target = target;
    this.#options = options;
    void target.refused.then((refusal) => {
      this.#refusal = refusal;
      this.#arrived.release();
    });
  }

  reply(datagram: Datagram): void {
    if (this.#replies.length >= MAX_QUEUED_REPLIES) return;
    this.#replies.push(datagram);
    this.#arrived.release();
  }

  async run(): Promise<number> {
    const { address, endpoint } = this.#target;
    const { messages, retries, timeoutMs, verbose } = this.#options;
    const datagrams = messages.map((text) => toBytes(text));
    // All checked first, so a refused message never leaves the others half sent.
    const limit = endpoint.limitFor(address);
    for (const bytes of datagrams) {
      if (bytes.length > limit) {
        throw new NetError("MESSAGE_TOO_LARGE", tooLargeText(bytes.length, limit, address));
      }
    }
    const tries = retries + 1;
    for (const [index, bytes] of datagrams.entries()) {
      // UDP replies carry no request id: a late reply to an earlier try must
      // not pass for the answer to this message.
      const stale = this.#replies.splice(0).length;
      if (stale > 0 && verbose) {
        printStatus(`dropped ${countOf(stale, "late reply", "late replies")}`);
      }
      let reply: Datagram | undefined;
      for (let attempt = 1; attempt <= tries && !reply && !this.#refusal; attempt++) {
        if (attempt > 1) {
          printStatus(
            `no reply within ${timeoutMs} ms, sending again (try ${attempt} of ${tries})`,
          );
        }
        endpoint.send(bytes, address);
        if (verbose) {
          printStatus(`sent ${countOf(bytes.length, "byte")} to ${formatAddress(address)}`);
        }
        reply = await this.#nextReply(Date.now() + timeoutMs);
      }
      if (!reply && this.#refusal) {
        // Unlike silence, an ICMP answer tells: sending again would only be refused again.
        printError(
          `${script()}: no reply from ${formatAddress(address)}: ${
            refusalWords(address.port)
          } (is the server running? is the port right? a firewall that rejects looks the same)`,
        );
        return EXIT.failure;
      }
      if (!reply) {
        const tried = `after ${countOf(tries, "try", "tries")} of ${timeoutMs} ms`;
        printError(
          index === 0
            ? `${script()}: no reply from ${
              formatAddress(address)
            } ${tried}; ${silenceExplanation()}`
            : `${script()}: no reply to message ${index + 1} from ${
              formatAddress(address)
            } ${tried}; the datagram or its reply was lost, or the server stopped`,
        );
        return EXIT.failure;
      }
      printLine(displayBytes(reply.message.bytes));
    }
    return EXIT.ok;
  }

  async #nextReply(deadline: number): Promise<Datagram | undefined> {
    for (;;) {
      const reply = this.#replies.shift();
      if (reply || this.#refusal || Date.now() >= deadline) return reply;
      await settlesWithin(this.#arrived.wait(), deadline - Date.now());
    }
  }
}

/**
 * Stdin lines become datagrams as they are typed or piped; replies print as
 * they arrive. No retries here: a line may already have been answered late,
 * and sending it twice would be worse than reporting it missing.
 */
class StdinExchange {
  readonly #target: UdpTarget;
  readonly #options: UdpClientOptions;
  readonly #faults: UdpFaults | undefined;
  readonly #arrived = new Waiters();
  #sent = 0;
  #answered = 0;
  #refused = 0;
  #portUnreachable = false;

  constructor(target: UdpTarget, options: UdpClientOptions, faults: UdpFaults | undefined) {
    this.#target = target;
    this.#options = options;
    this.#faults = faults;
    void target.refused.then(() => (this.#portUnreachable = true));
  }

  reply(datagram: Datagram): void {
    this.#answered++;
    printLine(displayBytes(datagram.message.bytes));
    this.#arrived.release();
  }

  async run(): Promise<number> {
    const { address, endpoint } = this.#target;
    const limit = endpoint.limitFor(address);
    for await (const line of stdinLines()) {
      if (line.length > limit) {
        printError(`${script()}: ${tooLargeText(line.length, limit, address)}`);
        this.#refused++;
        continue;
      }
      endpoint.send(line, address);
      this.#sent++;
      if (this.#options.verbose) {
        printStatus(`sent ${countOf(line.length, "byte")} to ${formatAddress(address)}`);
      }
      // One timer turn per datagram: sent in one burst, a piped file overruns
      // the socket buffers (of 2,000 lines on loopback only about 300 came back).
      await delay(0);
    }
    // Lines delayed or held back are still to go: the wait starts once they have.
    await this.#faults?.finish();
    const deadline = Date.now() + this.#options.timeoutMs;
    while (this.#answered < this.#sent && Date.now() < deadline) {
      await settlesWithin(this.#arrived.wait(), deadline - Date.now());
    }
    return this.#verdict();
  }

  #verdict(): number {
    const missing = this.#sent - this.#answered;
    const where = formatAddress(this.#target.address);
    if (missing > 0 && this.#answered === 0) {
      printError(
        `${script()}: no reply from ${where} to ${countOf(this.#sent, "datagram")}; ${
          this.#portUnreachable
            ? "nothing listens on that UDP port there (the port unreachable above)"
            : silenceExplanation()
        }`,
      );
    } else if (missing > 0) {
      printError(
        `${script()}: ${missing} of ${
          countOf(this.#sent, "datagram")
        } got no reply from ${where} within ${this.#options.timeoutMs} ms after the end of input (lost, or the server stopped)`,
      );
    }
    return missing > 0 || this.#refused > 0 ? EXIT.failure : EXIT.ok;
  }
}

function refusalWords(port: number): string {
  return `the host answered port unreachable (ICMP), so nothing listens on UDP port ${port} there`;
}
