import { formatAddress } from "../address/mod.ts";
import { escapeControl, noticeBytes } from "../bytes/mod.ts";
import type { Client, Message } from "../message/mod.ts";
import { chooseName, OPERATOR_NAME } from "./chat_names.ts";
import type { ModeContext, ServerMode } from "./types.ts";

const HELP = "/nick NAME renames you, /who lists who is here, /quit leaves";
const utf8 = new TextEncoder();

/**
 * A chat room: each message goes to every other client as `<name> message`,
 * joins, leaves and renames are announced as `* ...` notices, and the
 * operator's lines go to everyone as `<server> ...`. Text from clients is
 * relayed with control characters escaped, so plain `nc` users are safe too.
 * Names follow `chat_names.ts`, so nobody can pass for the server, a guest or
 * another member. What the chat says itself (welcome, notices, errors, the
 * /who list) is cut to fit the server's frame limit; a member's message that
 * does not fit is refused whole instead.
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
  // Counts changes to #names, so the /who reply is rebuilt only when it changed.
  #namesVersion = 0;
  #whoCache: { version: number; reply: Uint8Array } | undefined;

  constructor(context: ModeContext) {
    this.#context = context;
  }

  readonly handler = (message: Message, client: Client): Uint8Array | undefined => {
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
        return this.#whoReply();
      case "/quit":
        this.#quitting.add(client);
        // nc and ncat keep running after the server closes, until their own input ends.
        client.send(this.#fit("* bye (connection closed; nc and ncat: press Ctrl-D to exit)"));
        void client.close();
        return undefined;
      default:
        return this.#fit(
          `error: unknown command '${escapeControl(command)}'; ${HELP}, //text sends /text`,
        );
    }
  };

  onConnect(client: Client): void {
    const name = this.#nameOf(client);
    client.send(this.#fit(`* welcome, you are ${name}; ${HELP}`));
    this.#announce(`* ${name} joined from ${formatAddress(client.remoteAddress)}`, client);
  }

  onDisconnect(client: Client): void {
    const name = this.#names.get(client);
    if (name === undefined) return;
    this.#names.delete(client);
    this.#namesVersion++;
    this.#announce(`* ${name} left`, client);
  }

  operatorLine(text: string): void {
    const trimmed = text.trim();
    if (trimmed === "") return;
    // A command the operator types is never broadcast as text, as a client's is not.
    if (trimmed.startsWith("/") && !trimmed.startsWith("//")) {
      const command = escapeControl(trimmed.split(/\s+/, 1)[0]!.toLowerCase());
      const refusal = `* not sent: ${command} is a client command (the operator is always `
        + `'${OPERATOR_NAME}'); /who lists who is here, //text sends /text`;
      this.#context.show(command === "/who" ? this.#who() : refusal);
      return;
    }
    const said = trimmed.startsWith("//") ? text.trimStart().slice(1) : text;
    const line = `<${OPERATOR_NAME}> ${escapeControl(said)}`;
    const bytes = utf8.encode(line);
    if (bytes.length <= this.#context.maxFrameBytes) this.#broadcast(bytes);
    else this.#context.show(`* not sent: ${this.#tooLong(bytes.length)}`);
  }

  // A client's first message may arrive before onConnect on some runtimes, so names are made on demand.
  #nameOf(client: Client): string {
    let name = this.#names.get(client);
    if (name === undefined) {
      name = `guest-${client.id}`;
      this.#names.set(client, name);
      this.#namesVersion++;
    }
    return name;
  }

  #say(client: Client, text: string): Uint8Array | undefined {
    const line = `<${this.#nameOf(client)}> ${escapeControl(text)}`;
    const bytes = utf8.encode(line);
    // Refused whole rather than cut, so nobody reads half a message as if it were all.
    if (bytes.length > this.#context.maxFrameBytes) {
      return this.#fit(`error: not relayed: ${this.#tooLong(bytes.length)}`);
    }
    this.#announce(line, client, bytes);
    return undefined;
  }

  #rename(client: Client, wanted: string): Uint8Array {
    const old = this.#nameOf(client);
    if (wanted === "") return this.#fit(`error: usage: /nick NAME (you are ${old})`);
    const others: string[] = [];
    for (const [other, name] of this.#names) if (other !== client) others.push(name);
    const choice = chooseName(wanted, old, others);
    if (choice.problem !== undefined) return this.#fit(`error: ${choice.problem}`);
    const { name } = choice;
    this.#names.set(client, name);
    this.#namesVersion++;
    if (name !== old) this.#announce(`* ${old} is now ${name}`, client);
    return this.#fit(`* you are now ${name}`);
  }

  #who(): string {
    const here = [...this.#names].map(([client, name]) =>
      `${name} (${formatAddress(client.remoteAddress)})`
    );
    return `* ${here.length} here besides the server: ${here.join(", ") || "nobody"}`;
  }

  // Built once per change of who is here: a member pipelining /who by the
  // thousand otherwise made the server build and encode the list each time.
  #whoReply(): Uint8Array {
    if (this.#whoCache?.version !== this.#namesVersion) {
      this.#whoCache = { version: this.#namesVersion, reply: this.#fit(this.#who()) };
    }
    return this.#whoCache.reply;
  }

  // To everyone but `from` (a client never gets its own words back), and to
  // the operator, who is shown the whole line: no frame limit applies there.
  #announce(line: string, from: Client, bytes: Uint8Array = this.#fit(line)): void {
    this.#context.show(line);
    // Encoded once for everyone, not once per recipient.
    for (const client of this.#names.keys()) {
      if (client !== from) client.send(bytes);
    }
  }

  #broadcast(bytes: Uint8Array): void {
    for (const client of this.#names.keys()) client.send(bytes);
  }

  #tooLong(bytes: number): string {
    return `the line would be ${bytes} bytes, over the server's limit of ${this.#context.maxFrameBytes} bytes`;
  }

  // What the chat says itself is cut to the frame limit: a notice that did not fit
  // would fail to send (the welcome goes out before the client has said
  // anything), so it is cut rather than lost.
  #fit(line: string): Uint8Array {
    return noticeBytes(line, this.#context.maxFrameBytes);
  }
}
