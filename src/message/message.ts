import { lenientText } from "../bytes/mod.ts";
import { FramingError } from "../framing/mod.ts";

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** What can be sent: text (sent as UTF-8) or raw bytes. */
export type Payload = string | Uint8Array;

/** Returns the bytes that carry `payload`. */
export function toBytes(payload: Payload): Uint8Array {
  return typeof payload === "string" ? utf8.encode(payload) : payload;
}

/** One received message: its bytes, and its text when it is valid UTF-8. */
export class Message {
  /**
   * The payload exactly as it arrived, without framing. It is a view of the
   * memory the runtime read into, shared with messages that arrived around it:
   * to keep many messages for a long time, keep `bytes.slice()` copies, so each
   * holds only its own bytes.
   */
  readonly bytes: Uint8Array;
  #text: string | undefined;

  /**
   * Wraps `bytes` as a message without copying them.
   *
   * @param bytes The payload, without framing.
   * @example
   * ```ts
   * import { Message } from "../../mod.ts";
   * const message = new Message(new TextEncoder().encode("héllo"));
   * if (message.text !== "héllo" || message.size !== 6) throw new Error("unexpected message");
   * ```
   */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /**
   * The payload decoded as UTF-8.
   * @throws {FramingError} `INVALID_UTF8` when the bytes are not valid UTF-8.
   */
  get text(): string {
    if (this.#text === undefined) {
      try {
        // Decoding without `fatal` ran about 2.5 times as fast on Deno; only text that
        // then shows a replacement character is decoded again strictly, to tell a
        // real U+FFFD from an invalid byte.
        const text = lenientText(this.bytes);
        this.#text = text.includes("\uFFFD") ? strictUtf8.decode(this.bytes) : text;
      } catch {
        throw new FramingError(
          "INVALID_UTF8",
          `message of ${this.bytes.length} bytes is not valid UTF-8 text`,
        );
      }
    }
    return this.#text;
  }

  /** Payload size in bytes. */
  get size(): number {
    return this.bytes.length;
  }
}
