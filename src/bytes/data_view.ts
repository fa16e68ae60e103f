/**
 * A DataView over exactly the bytes of `bytes`, wherever in its buffer they
 * lie: a received datagram is often a view into a larger slab.
 */
export function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
