// V8's Uint8Array.prototype.indexOf checks one byte at a time, and scanning
// for newlines took a third of a Deno line echo's CPU; four bytes at a time
// through an Int32Array view is faster there (each LF of 1 KiB lines found at
// 3.1 GB/s against indexOf's 2.0). JavaScriptCore's indexOf is the fast one:
// on Bun the same search ran at 6.7 GB/s through indexOf and 1.2 through the
// word view, whose scan was 43% of a line echo's CPU when streaming 1 KiB
// lines. So the runtime picks the scanner. On Deno, a decoder searching a long
// chunk for every LF copies it once into WebAssembly memory and searches it
// 16 bytes at a time (`simd_search.ts`); on Bun that ran at 3.4 GB/s, below
// indexOf's 6.
import { runtime } from "../net/mod.ts";
import { simdByteSearch } from "./simd_search.ts";

// Below this many bytes to search, the native call is cheaper than setting up.
const WORDWISE_FROM_BYTES = 128;
// Deno's indexOf costs about 190 ns a call on a 64-byte line, however soon it
// finds the byte; a plain loop, about 2 ns a byte. On Bun a micro-benchmark
// put indexOf ahead (60 ns against 100), yet in the echo server the loop cost
// 3.5% less CPU per message (pinned A/B of 64-byte lines, 10 rounds): the
// native call costs more among a server's work than alone.
const LOOP_BELOW_BYTES = 96;

// Rebuilding the word view costs an allocation; reads land in the same slab many times over.
let wordsBuffer: ArrayBufferLike | undefined;
let words = new Int32Array(0) as Int32Array<ArrayBufferLike>;

/**
 * Returns the index of the first `byte` in `bytes` at or after `from`, or -1;
 * the same as `bytes.indexOf(byte, from)`, faster on long inputs: through
 * {@linkcode findByteNative} or {@linkcode findByteWordwise}, whichever is
 * faster on this runtime.
 */
export const findByte: (bytes: Uint8Array, byte: number, from: number) => number =
  runtime.fastIndexOf ? findByteNative : findByteWordwise;

/** {@linkcode findByte} with the runtime's indexOf, after a plain loop for short inputs. */
export function findByteNative(bytes: Uint8Array, byte: number, from: number): number {
  if (bytes.length - from < LOOP_BELOW_BYTES) return findByteLoop(bytes, byte, from);
  return bytes.indexOf(byte, from);
}

function findByteLoop(bytes: Uint8Array, byte: number, from: number): number {
  for (let i = from; i < bytes.length; i++) if (bytes[i] === byte) return i;
  return -1;
}

/** {@linkcode findByte} four bytes at a time through an Int32Array view, for long inputs. */
export function findByteWordwise(bytes: Uint8Array, byte: number, from: number): number {
  const end = bytes.length;
  if (end - from < LOOP_BELOW_BYTES) return findByteLoop(bytes, byte, from);
  if (end - from < WORDWISE_FROM_BYTES) return bytes.indexOf(byte, from);
  const base = bytes.byteOffset;
  let i = from;
  while (((base + i) & 3) !== 0) {
    if (bytes[i] === byte) return i;
    i++;
  }
  let word = (base + i) >>> 2;
  const endWord = (base + end) >>> 2;
  if (bytes.buffer !== wordsBuffer || words.length < endWord) {
    wordsBuffer = bytes.buffer;
    words = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >>> 2);
    // A buffer that shrank under a fixed view leaves it empty: search the plain way.
    if (words.length < endWord) return bytes.indexOf(byte, i);
  }
  const pattern = byte * 0x01010101;
  // Two words per step; (x - 0x01..) & ~x & 0x80.. is non-zero exactly when
  // some byte of x is zero, that is, some byte of the word equals `byte`.
  while (word + 1 < endWord) {
    const x = words[word]! ^ pattern;
    const y = words[word + 1]! ^ pattern;
    if ((((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) break;
    word += 2;
  }
  // The hit (or the unaligned tail) is within a few bytes, too few for a native
  // call, which costs Deno about 190 ns however soon it finds the byte.
  return findByteLoop(bytes, byte, (word << 2) - base);
}

// Below this, a chunk is not worth copying for the SIMD search.
const SIMD_FROM_BYTES = 4096;
let searches = 0;
// The search whose chunk the WebAssembly memory holds.
let loadedSearch = -1;

/**
 * Starts searches of `bytes` with {@linkcode findInChunk}, for a caller that
 * searches it again and again from later offsets and, until it is done, writes
 * nothing into it and runs no code that could. Where the runtime's indexOf is
 * slow (Deno), a long chunk is copied once into WebAssembly memory and
 * searched there 16 bytes at a time. Returns the search's number, for
 * `findInChunk`: a search started meanwhile (a decoder used inside another's
 * callback) replaces the copy, and the earlier search goes on without it.
 */
export function beginChunkSearch(bytes: Uint8Array): number {
  const search = ++searches;
  if (bytes.length < SIMD_FROM_BYTES || runtime.fastIndexOf) return search;
  if (simdByteSearch()?.load(bytes)) loadedSearch = search;
  return search;
}

/** {@linkcode findByte} within the chunk of `search`, which {@linkcode beginChunkSearch} started. */
export function findInChunk(bytes: Uint8Array, byte: number, from: number, search: number): number {
  if (search !== loadedSearch) return findByte(bytes, byte, from);
  if (bytes.length - from < LOOP_BELOW_BYTES) return findByteLoop(bytes, byte, from);
  return simdByteSearch()!.find(from, bytes.length, byte);
}
