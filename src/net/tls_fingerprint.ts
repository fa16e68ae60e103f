/**
 * The SHA-256 fingerprint of a DER certificate as openssl, Wireshark and
 * browsers print it: upper-case hex pairs joined by colons.
 *
 * @param der The certificate, DER.
 * @returns 32 colon-separated hex pairs, such as `A1:7B:...:74`.
 * @example
 * ```ts
 * import { certificateFingerprint } from "./tls_fingerprint.ts";
 * const fingerprint = await certificateFingerprint(new Uint8Array([1, 2, 3]));
 * if (!fingerprint.startsWith("03:90:58:C6")) throw new Error(fingerprint);
 * ```
 */
export async function certificateFingerprint(der: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", der as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/**
 * Reads a SHA-256 fingerprint as people copy it: with or without colons (or
 * spaces), any case, an optional `SHA256:` or `sha256 Fingerprint=` in front.
 *
 * @param text The fingerprint as typed.
 * @returns The fingerprint in {@linkcode certificateFingerprint}'s form, or
 *   `undefined` when `text` is not 32 bytes of hex.
 */
export function parseFingerprint(text: string): string | undefined {
  const hex = text.trim().replace(/^sha-?256(?: fingerprint)?\s*[:=]?\s*/i, "").replace(
    /[:\s]/g,
    "",
  );
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  return hex.toUpperCase().match(/../g)!.join(":");
}
