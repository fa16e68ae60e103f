import { formatAddress } from "../address.ts";
import { escapeControl } from "../cli/terminal_text.ts";
import type { Message } from "../message.ts";
import type { Client } from "../tcp_server.ts";
import type { ModeContext, ServerMode } from "./types.ts";

const OPERATOR_NAME = "server";
const MAX_NAME_CHARS = 24;
// Letters and digits of any script, so students can use their own names, but
// nothing that could pass for a notice, a bracket or a terminal control.
const NAME_RULE = /^[\p{L}\p{N}_.-]+$/u;
// Generated names are handed out by connection number; nobody may take one by /nick.
const GUEST_NAME = /^guest-\d+$/i;
const HELP = "/nick NAME renames you, /who lists who is here, /quit leaves";
const utf8 = new TextEncoder();

/**
 * A chat room: each message goes to every other client as `<name> message`,
 * joins, leaves and renames are announced as `* ...` notices, and the
 * operator's lines go to everyone as `<server> ...`. Text from clients is
 * relayed with control characters escaped, so plain `nc` users are safe too.
 */
export function chatMode(context: ModeContext): ServerMode {
  return new ChatRoom(context);
}

class ChatRoom implements ServerMode {
  readonly #context: ModeContext;
  // Insertion order is join order, which /who lists.
  readonly #names = new Map<Client, string>();
  // Clients that said /quit: what they pipelined after it is not relayed.
  readonly #quitting = new WeakSet<Client>();

  constructor(context: ModeContext) {
    this.#context = context;
  }

  readonly handler = (message: Message, client: Client): string | undefined => {
    if (this.#quitting.has(client)) return undefined;
    const text = message.text;
    if (text.trim() === "") return undefined;
    if (text.startsWith("//")) return this.#say(client, text.slice(1));
    if (!text.startsWith("/")) return this.#say(client, text);
    const [command = "", ...rest] = text.trim().split(/\s+/);
    switch (command.toLowerCase()) {
      case "/nick":
        return this.#rename(client, rest.join(" "));
      case "/who":
        return this.#who();
      case "/quit":
        this.#quitting.add(client);
        client.send("* bye");
        void client.close();
        return undefined;
      default:
        return `error: unknown command '${escapeControl(command)}'; ${HELP}, //text sends /text`;
    }
  };

  onConnect(client: Client): void {
    const name = this.#nameOf(client);
    client.send(`* welcome, you are ${name}; ${HELP}`);
    this.#announce(`* ${name} joined from ${formatAddress(client.remoteAddress)}`, client);
  }

  onDisconnect(client: Client): void {
    const name = this.#names.get(client);
    if (name === undefined) return;
    this.#names.delete(client);
    this.#announce(`* ${name} left`, client);
  }

  operatorLine(text: string): void {
    if (text.trim() === "") return;
    if (text.trim().toLowerCase() === "/who") {
      this.#context.show(this.#who());
      return;
    }
    const line = `<${OPERATOR_NAME}> ${escapeControl(text)}`;
    if (this.#fits(line)) this.#broadcast(line);
    else this.#context.show(`* not sent: ${this.#tooLong(line)}`);
  }

  // A client's first message may arrive before onConnect on some runtimes, so names are made on demand.
  #nameOf(client: Client): string {
    let name = this.#names.get(client);
    if (name === undefined) {
      name = `guest-${client.id}`;
      this.#names.set(client, name);
    }
    return name;
  }

  #say(client: Client, text: string): string | undefined {
    const line = `<${this.#nameOf(client)}> ${escapeControl(text)}`;
    // Refused whole rather than cut, so nobody reads half a message as if it were all.
    if (!this.#fits(line)) return `error: not relayed: ${this.#tooLong(line)}`;
    this.#announce(line, client);
    return undefined;
  }

  #rename(client: Client, wanted: string): string {
    const old = this.#nameOf(client);
    if (wanted === "") return `error: usage: /nick NAME (you are ${old})`;
    const problem = this.#nameProblem(wanted, client);
    if (problem) return `error: ${problem}`;
    this.#names.set(client, wanted);
    if (wanted !== old) this.#announce(`* ${old} is now ${wanted}`, client);
    return `* you are now ${wanted}`;
  }

  #nameProblem(wanted: string, client: Client): string | undefined {
    const shown = escapeControl(wanted);
    if ([...wanted].length > MAX_NAME_CHARS || !NAME_RULE.test(wanted)) {
      return `a name is 1 to ${MAX_NAME_CHARS} letters, digits, '.', '_' or '-', got '${shown}'`;
    }
    const folded = wanted.toLowerCase();
    if (folded === OPERATOR_NAME || (GUEST_NAME.test(wanted) && wanted !== this.#nameOf(client))) {
      return `the name '${shown}' is reserved, pick another`;
    }
    for (const [other, name] of this.#names) {
      if (other !== client && name.toLowerCase() === folded) {
        return `the name '${shown}' is taken, pick another`;
      }
    }
    return undefined;
  }

  #who(): string {
    const here = [...this.#names].map(([client, name]) =>
      `${name} (${formatAddress(client.remoteAddress)})`
    );
    return `* ${here.length} here besides the server: ${here.join(", ") || "nobody"}`;
  }

  // To everyone but `from` (a client never gets its own words back), and to the operator.
  #announce(line: string, from: Client): void {
    this.#context.show(line);
    // Encoded once for everyone, not once per recipient.
    const bytes = utf8.encode(line);
    for (const client of this.#names.keys()) {
      if (client !== from) client.send(bytes);
    }
  }

  #broadcast(line: string): void {
    const bytes = utf8.encode(line);
    for (const client of this.#names.keys()) client.send(bytes);
  }

  #fits(line: string): boolean {
    return utf8.encode(line).length <= this.#context.maxFrameBytes;
  }

  #tooLong(line: string): string {
    return `the line would be ${
      utf8.encode(line).length
    } bytes, over the server's limit of ${this.#context.maxFrameBytes} (--max-frame)`;
  }
}
