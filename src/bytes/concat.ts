/** Joins `parts` (whose lengths add up to `total`) into one new array. */
export function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Joins `parts` (whose lengths add up to `total`) into one array: a view when
 * they lie back to back in one buffer, as successive reads into one slab do,
 * else a copy.
 */
export function joinBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  return isContiguous(parts)
    ? new Uint8Array(parts[0]!.buffer, parts[0]!.byteOffset, total)
    : concatBytes(parts, total);
}

/** Whether `b` starts in the same buffer right where `a` ends. */
export function followsOn(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset + a.length === b.byteOffset;
}

function isContiguous(parts: readonly Uint8Array[]): boolean {
  for (let i = 1; i < parts.length; i++) if (!followsOn(parts[i - 1]!, parts[i]!)) return false;
  return true;
}
