// A line client that meets a length-framed server reads the server's frames as
// lines: 4 bytes of length, then the payload. Those 4 bytes counting exactly
// what follows them is too unlikely by chance to be anything else.

const PREFIX_BYTES = 4;

/**
 * The payload of `reply` when its first 4 bytes are a big-endian length that
 * counts the rest of it, or the rest and the newline that line framing took
 * away; `undefined` when they are not.
 */
export function lengthPrefixedPayload(reply: Uint8Array): Uint8Array | undefined {
  if (reply.length <= PREFIX_BYTES) return undefined;
  const announced = new DataView(reply.buffer, reply.byteOffset, PREFIX_BYTES).getUint32(0);
  const rest = reply.length - PREFIX_BYTES;
  if (announced !== rest && announced !== rest + 1) return undefined;
  return reply.subarray(PREFIX_BYTES);
}
