// TLS record content types (RFC 8446, 5.1) a server sends first: an alert
// when it could not read our plain text as a ClientHello, a handshake record
// when it has one to send.
const ALERT = 0x15;
const HANDSHAKE = 0x16;

/**
 * Whether `chunk`, the first bytes from a server, is the start of a TLS record
 * (an alert or a handshake, legacy version 3.x): the sign of a TLS server
 * reached without TLS. No line or length-prefixed reply starts so.
 */
export function startsWithTlsRecord(chunk: Uint8Array): boolean {
  return chunk.length >= 3 && (chunk[0] === ALERT || chunk[0] === HANDSHAKE)
    && chunk[1] === 0x03 && chunk[2]! <= 0x04;
}
