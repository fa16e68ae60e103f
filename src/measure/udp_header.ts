// "SLBN": tells a bench echo from anything else arriving on the socket.
const MAGIC = 0x534c424e;

/** Bytes of header at the start of every bench datagram; the smallest `--size`. */
export const UDP_BENCH_HEADER_BYTES = 20;

/** What a bench datagram carries, and its echo carries back unchanged. */
export interface BenchHeader {
  /** Random per run, so echoes of an earlier run still in flight are not counted. */
  readonly runId: number;
  readonly seq: number;
  /** `performance.now()` when it left, in ms: the echo comes back to the same clock. */
  readonly sentAtMs: number;
}

/**
 * Builds datagrams of `size` bytes: the header (magic, run id, sequence
 * number, send time, big-endian) then printable filler.
 * @throws {RangeError} when `size` cannot hold the header.
 */
export class BenchDatagrams {
  readonly #template: Uint8Array;

  /** @param size Bytes per datagram. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < UDP_BENCH_HEADER_BYTES) {
      throw new RangeError(
        `Cannot build bench datagrams as 'size' must be an integer of at least ${UDP_BENCH_HEADER_BYTES}: current value is ${size}`,
      );
    }
    this.#template = new Uint8Array(size);
    for (let i = UDP_BENCH_HEADER_BYTES; i < size; i++) this.#template[i] = 0x21 + (i % 94);
  }

  /** A fresh datagram stamped with `header`; fresh because a send may still hold the last one. */
  build(header: BenchHeader): Uint8Array {
    const bytes = this.#template.slice();
    const view = new DataView(bytes.buffer);
    view.setUint32(0, MAGIC);
    view.setUint32(4, header.runId);
    view.setUint32(8, header.seq);
    view.setFloat64(12, header.sentAtMs);
    return bytes;
  }
}

/**
 * The first four bytes of `bytes`, big-endian, as every bench message starts
 * with its magic; 0 when it is shorter. No DataView: it runs on every datagram
 * a server with faults sends or receives.
 */
export function magicOf(bytes: Uint8Array): number {
  if (bytes.length < 4) return 0;
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/** Reads the header back from an echo; `undefined` when it is not a bench datagram. */
export function readBenchHeader(bytes: Uint8Array): BenchHeader | undefined {
  if (bytes.length < UDP_BENCH_HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== MAGIC) return undefined;
  return { runId: view.getUint32(4), seq: view.getUint32(8), sentAtMs: view.getFloat64(12) };
}
