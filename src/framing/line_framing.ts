import { concatBytes, joinBytes } from "../bytes/mod.ts";
import { encodeTextInto } from "./encode_text.ts";
import { beginChunkSearch, findByte, findInChunk } from "./find_byte.ts";
import { FramingError, tooLarge } from "./framing_error.ts";
import type { FrameDecoder, FrameSink, Framing, WireSink } from "./types.ts";

const LF = 0x0a;
const CR = 0x0d;

/**
 * Newline-terminated messages, the framing nc, telnet and Python's
 * `readline()` already speak. A CR right before the LF is dropped so CRLF
 * clients (telnet, `nc -C`) are understood.
 */
export class LineFraming implements Framing {
  readonly name = "line";
  /** The newline. */
  readonly overheadBytes = 1;
  readonly maxFrameBytes: number;

  /**
   * Creates the line framing. `maxFrameBytes` is not checked here:
   * {@linkcode createFraming} checks it.
   *
   * @param maxFrameBytes Largest line, not counting its CR LF.
   * @example
   * ```ts
   * import { LineFraming } from "../../mod.ts";
   * const wire = new LineFraming(1024).encode("hi");
   * if (new TextDecoder().decode(wire) !== "hi\n") throw new Error("unexpected encoding");
   * ```
   */
  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  encode(payload: Uint8Array | string): Uint8Array {
    if (typeof payload === "string") return this.#encodeText(payload);
    checkSize(payload.length, this.maxFrameBytes);
    // A newline inside, or a CR at the end, would arrive as something other than what was sent.
    if (payload.includes(LF) || payload[payload.length - 1] === CR) throw notALine();
    return this.reframe(payload);
  }

  #encodeText(text: string): Uint8Array {
    if (text.includes("\n") || text.endsWith("\r")) throw notALine();
    const { frame, size } = encodeTextInto(text, 0, 1);
    checkSize(size, this.maxFrameBytes);
    frame[size] = LF;
    return frame;
  }

  reframe(frame: Uint8Array): Uint8Array {
    // An echoed line usually still sits in the received chunk with its LF right
    // behind it: those bytes are already the encoding, so reuse them uncopied.
    if (frame.byteOffset + frame.length < frame.buffer.byteLength) {
      const wider = new Uint8Array(frame.buffer, frame.byteOffset, frame.length + 1);
      if (wider[frame.length] === LF) return wider;
    }
    return withLf(frame);
  }

  createDecoder(): FrameDecoder {
    return new LineDecoder(this.maxFrameBytes);
  }
}

class LineDecoder implements FrameDecoder {
  readonly #maxFrameBytes: number;
  #parts: Uint8Array[] = [];
  #pendingBytes = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  push(chunk: Uint8Array, emit: FrameSink): number {
    let start = 0;
    while (start < chunk.length) {
      const lf = findByte(chunk, LF, start);
      if (lf === -1) {
        this.#hold(chunk.subarray(start));
        break;
      }
      let line: Uint8Array;
      if (this.#pendingBytes === 0) {
        line = chunk.subarray(start, lf);
      } else {
        // Checked before joining, so an oversize line is never copied.
        const size = this.#pendingBytes + lf - start;
        if (size > this.#maxFrameBytes + 1) throw tooLarge(size, this.#maxFrameBytes, "line");
        this.#parts.push(chunk.subarray(start, lf));
        line = joinBytes(this.#parts, size);
        this.#parts = [];
        this.#pendingBytes = 0;
      }
      start = lf + 1;
      if (emit(checkedLine(line, this.#maxFrameBytes)) === true) return start;
    }
    return chunk.length;
  }

  pushWire(chunk: Uint8Array, sink: WireSink): void {
    const max = this.#maxFrameBytes;
    // The sink only queues what it is given: nothing writes into the chunk meanwhile.
    const search = beginChunkSearch(chunk);
    let start = 0;
    let runStart = 0;
    let runFrames = 0;
    while (start < chunk.length) {
      const lf = findInChunk(chunk, LF, start, search);
      if (lf === -1) break;
      // The common line: nothing held before it, no CR to drop, so it goes back as it came.
      if (this.#pendingBytes === 0 && chunk[lf - 1] !== CR) {
        if (lf - start > max) {
          emitRun(chunk, runStart, start, runFrames, sink);
          throw tooLarge(lf - start, max, "line");
        }
        runFrames++;
        start = lf + 1;
        continue;
      }
      // A line begun in an earlier chunk (so this is the chunk's first) goes back
      // as the pieces it came in, uncopied, its last piece opening the run.
      const lastByte = lf > start ? chunk[lf - 1] : this.#parts[this.#parts.length - 1]?.at(-1);
      if (lastByte !== CR) {
        const size = this.#pendingBytes + lf - start;
        if (size > max) throw tooLarge(size, max, "line");
        for (const piece of this.#parts) sink(piece, 0);
        this.#parts = [];
        this.#pendingBytes = 0;
        runFrames = 1;
        start = lf + 1;
        continue;
      }
      // A CRLF line goes back with a bare LF, so it is rebuilt.
      emitRun(chunk, runStart, start, runFrames, sink);
      this.push(chunk.subarray(start, lf + 1), (line) => {
        sink(withLf(line), 1);
      });
      start = lf + 1;
      runStart = start;
      runFrames = 0;
    }
    emitRun(chunk, runStart, start, runFrames, sink);
    if (start < chunk.length) this.#hold(chunk.subarray(start));
  }

  wholeFrames(chunk: Uint8Array): number {
    const end = chunk.length;
    // A chunk that stops inside a line is settled by its last byte, without a scan.
    if (this.#pendingBytes !== 0 || chunk[end - 1] !== LF) return 0;
    const search = beginChunkSearch(chunk);
    let frames = 0;
    for (let start = 0; start < end; frames++) {
      const lf = findInChunk(chunk, LF, start, search);
      // A CRLF line is rebuilt and an oversize one refused: pushWire does both.
      if (lf - start > this.#maxFrameBytes || chunk[lf - 1] === CR) return 0;
      start = lf + 1;
    }
    return frames;
  }

  detach(maxBytes: number): boolean {
    if (this.#pendingBytes > maxBytes) return false;
    if (this.#pendingBytes > 0) this.#parts = [concatBytes(this.#parts, this.#pendingBytes)];
    return true;
  }

  finish(): Uint8Array | undefined {
    if (this.#pendingBytes === 0) return undefined;
    // nc and printf often leave the last line unterminated; it is still a message the user sent.
    const line = joinBytes(this.#parts, this.#pendingBytes);
    this.#parts = [];
    this.#pendingBytes = 0;
    return checkedLine(line, this.#maxFrameBytes);
  }

  #hold(rest: Uint8Array): void {
    // One byte of slack: the held bytes may end in the CR of a CRLF that is not part of the line.
    if (this.#pendingBytes + rest.length > this.#maxFrameBytes + 1) {
      throw tooLarge(this.#pendingBytes + rest.length, this.#maxFrameBytes, "line");
    }
    this.#parts.push(rest);
    this.#pendingBytes += rest.length;
  }
}

function emitRun(
  chunk: Uint8Array,
  start: number,
  end: number,
  frames: number,
  sink: WireSink,
): void {
  if (frames === 0) return;
  sink(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end), frames);
}

function withLf(line: Uint8Array): Uint8Array {
  const out = new Uint8Array(line.length + 1);
  out.set(line);
  out[line.length] = LF;
  return out;
}

function notALine(): FramingError {
  return new FramingError(
    "INVALID_FRAME",
    "a line message cannot contain a newline or end in CR",
  );
}

function checkedLine(line: Uint8Array, maxFrameBytes: number): Uint8Array {
  const content = line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
  if (content.length > maxFrameBytes) throw tooLarge(content.length, maxFrameBytes, "line");
  return content;
}

function checkSize(size: number, maxFrameBytes: number): void {
  if (size > maxFrameBytes) throw tooLarge(size, maxFrameBytes, "message");
}
