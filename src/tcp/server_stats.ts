/** Counters a server keeps over its life. */
export interface ServerStats {
  /** Connections accepted (refused ones not counted); also the last client `id` given. */
  connections: number;
  /** Complete messages received from all clients. */
  messagesIn: number;
  /** Messages queued for clients: replies, error lines and `Client.send` messages. */
  messagesOut: number;
  /** Bytes read from clients, framing included. */
  bytesIn: number;
  /** Bytes written to clients, framing included. */
  bytesOut: number;
  /** Connections turned away: too many clients, or not allowed by the allow and deny lists. */
  refused: number;
}
