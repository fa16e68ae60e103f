import net from "node:net";
import type tls from "node:tls";
import { deadline, settlesWithin, Waiters } from "../async/mod.ts";
import type { FrameDecoder, Framing } from "../framing/mod.ts";
import {
  NetError,
  nodeTlsHandshake,
  type SocketAddress,
  startsWithTlsRecord,
  toNetError,
  verifyServerCertificate,
} from "../net/mod.ts";
import type { TlsConnectOptions, TlsSession } from "../tcp/mod.ts";
import { WireWindow } from "./wire_window.ts";

// No check needs more than a 16 KiB reply and a few short ones back: a server
// that sent a megabyte on one connection has been judged, and what it sends
// beyond is not read. A hostile one then fills no more than this.
const READ_LIMIT_BYTES = 1024 * 1024;
// What a report card shows of a connection's bytes: the head of them, and the
// count. Past the largest honest reply, so an honest card is shown whole.
const EVIDENCE_BYTES = 64 * 1024;
// Replies kept for the checks to judge (they compare at most 3); more are counted.
const KEPT_FRAMES = 16;

/** How a wait for replies ended. */
export type WaitEnd = "arrived" | "closed" | "timeout";

/**
 * A TCP connection that does what a checker needs and a normal client never
 * does: writes a message in pieces, reads replies as frames while keeping
 * the first raw bytes for the report, and resets (SO_LINGER 0). It reads at
 * most about a megabyte, so a server that floods it costs little memory. It
 * sits on `node:net`, which both runtimes ship, because only its `resetAndDestroy()`
 * can send a reset on both: Deno's own sockets offer no linger control.
 * With TLS, `node:tls` runs over that same socket, so the reset is still a
 * TCP RST under the TLS session (a TLSSocket's own `resetAndDestroy()` sent
 * none on Deno 2.9).
 */
export class ProbeSocket {
  /** What is read and written: the TCP socket, or the TLS session over it. */
  readonly #socket: net.Socket;
  /** The TCP socket, which alone can reset. */
  readonly #tcp: net.Socket;
  readonly #decoder: FrameDecoder;
  readonly #changed = new Waiters();
  readonly #received = new WireWindow(EVIDENCE_BYTES);
  readonly #closed: Promise<void>;
  /** The first whole replies, in order: all of them up to 16, then `frameCount` counts on. */
  readonly frames: Uint8Array[] = [];
  /** Whole replies so far. */
  frameCount = 0;
  /** True once the server sent more than any check reads, and reading stopped. */
  stoppedReading = false;
  /** True once the server sent FIN, reset, or the connection otherwise ended. */
  peerClosed = false;
  /** True when the connection ended with a reset or another error. */
  reset = false;
  /** True when the server closed after bytes that did not end a frame (a line with no newline). */
  unterminated = false;
  /** Set when the server's bytes could not be framed (a line over the limit, say). */
  framingError: Error | undefined;
  /** What TLS negotiated, when the probe speaks it. */
  readonly tls: TlsSession | undefined;
  /** True when a probe without TLS got a TLS record first: the server speaks TLS. */
  spokeTls = false;

  private constructor(socket: net.Socket, tcp: net.Socket, framing: Framing, session?: TlsSession) {
    this.#socket = socket;
    this.#tcp = tcp;
    this.tls = session;
    this.#decoder = framing.createDecoder();
    tcp.setNoDelay(true);
    // Errors surface as `reset`; a checker reports them, it does not throw them.
    for (const each of new Set([socket, tcp])) {
      each.on("error", () => {
        this.reset = true;
      });
    }
    socket.on("data", (chunk: Uint8Array) => this.#onData(new Uint8Array(chunk)));
    socket.once("end", () => this.#onEnd());
    this.#closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#onEnd();
        resolve();
      })
    );
  }

  /**
   * Connects to `address` (an IP literal) and, with `tls`, completes a TLS
   * handshake and checks the certificate as `client.ts --tls` does; all
   * within `timeoutMs`.
   * @throws {NetError} such as `CONNECTION_REFUSED` or `TIMED_OUT`; with TLS
   *   also `TLS_HANDSHAKE_FAILED` or `CERTIFICATE_UNTRUSTED`.
   */
  static async open(
    address: SocketAddress,
    framing: Framing,
    timeoutMs: number,
    tls?: TlsConnectOptions,
  ): Promise<ProbeSocket> {
    const context = { operation: "connect", address } as const;
    const stopAt = Date.now() + timeoutMs;
    const tcp = net.connect({ host: address.hostname, port: address.port, allowHalfOpen: true });
    // A failure after a race below was decided (a timeout, say) must not end the
    // process; the probe, once made, adds its own listener that notes failures.
    tcp.on("error", () => {});
    try {
      await deadline(
        connected(tcp, context),
        timeoutMs,
        () => new NetError("TIMED_OUT", `no answer within ${timeoutMs} ms`, context),
      );
      if (!tls) return new ProbeSocket(tcp, tcp, framing);
      const { socket, session } = await deadline(
        secured(tcp, address, tls),
        stopAt - Date.now(),
        // A plain server takes the ClientHello as the start of a message and waits for the rest.
        () =>
          new NetError("TLS_HANDSHAKE_FAILED", `no TLS handshake within ${timeoutMs} ms`, context),
      );
      return new ProbeSocket(socket, tcp, framing, session);
    } catch (error) {
      tcp.destroy();
      throw error;
    }
  }

  /** Bytes received so far. */
  get receivedBytes(): number {
    return this.#received.total;
  }

  /** The first of what was received (up to 64 KiB), as one buffer; `receivedBytes` says how much came. */
  received(): Uint8Array {
    return this.#received.head();
  }

  /** Writes `bytes` and resolves once they went to the operating system (or the connection failed). */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#socket.destroyed || this.#socket.writableEnded) return Promise.resolve();
    return new Promise((resolve) => this.#socket.write(bytes, () => resolve()));
  }

  /** Sends FIN after what was written; replies keep arriving. */
  halfClose(): void {
    if (!this.#socket.destroyed && !this.#socket.writableEnded) this.#socket.end();
  }

  /** Resolves at the next change: bytes came, or the connection ended. */
  changed(): Promise<void> {
    return this.#changed.wait();
  }

  /** Waits until `count` replies arrived, the server closed, or `ms` passed. */
  async waitForFrames(count: number, ms: number): Promise<WaitEnd> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.frameCount >= count) return "arrived";
      if (this.peerClosed || this.framingError || this.stoppedReading) return "closed";
      const left = deadline - Date.now();
      if (left <= 0) return "timeout";
      await settlesWithin(this.#changed.wait(), left);
    }
  }

  /** Waits up to `ms` for the server to close its side; true when it did, false once reading stopped. */
  async waitForClose(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.peerClosed) {
      if (this.stoppedReading) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await settlesWithin(this.#changed.wait(), left);
    }
    return true;
  }

  /**
   * Ends politely: FIN, then up to `graceMs` for the server's FIN while its
   * last bytes are read, so closing does not reset a server that is still
   * answering. Resolves once the socket is closed. A probe that stopped
   * reading closes at once: the server is judged, and waiting only lets it
   * send more.
   */
  async finish(graceMs: number): Promise<void> {
    this.halfClose();
    if (!this.stoppedReading) await this.waitForClose(graceMs);
    this.#socket.destroy();
    this.#tcp.destroy();
    await this.#closed;
  }

  /** Aborts with a TCP reset, as a crashed or killed client would. */
  async abort(): Promise<void> {
    this.#tcp.resetAndDestroy();
    this.#socket.destroy();
    await this.#closed;
  }

  #onData(chunk: Uint8Array): void {
    if (this.receivedBytes === 0 && !this.tls && startsWithTlsRecord(chunk)) this.spokeTls = true;
    // A chunk that was on its way when reading stopped is counted, not judged.
    const judged = !this.stoppedReading;
    this.#received.push(chunk);
    if (judged && !this.framingError) {
      try {
        this.#decoder.push(chunk, (frame) => this.#onFrame(frame));
      } catch (error) {
        this.framingError = error as Error;
      }
    }
    if (judged && this.receivedBytes >= READ_LIMIT_BYTES) this.#stopReading();
    this.#changed.release();
  }

  #onFrame(frame: Uint8Array): void {
    // The decoder may reuse the memory behind `frame`: a kept reply is a copy.
    if (this.frameCount < KEPT_FRAMES) this.frames.push(frame.slice());
    this.frameCount++;
  }

  // Pausing leaves the rest in the kernel's buffers, which are bounded; the
  // check's finish() then closes the connection without waiting.
  #stopReading(): void {
    this.stoppedReading = true;
    this.#socket.pause();
  }

  #onEnd(): void {
    if (this.peerClosed) return;
    this.peerClosed = true;
    try {
      const last = this.stoppedReading ? undefined : this.#decoder.finish();
      if (last) {
        this.#onFrame(last);
        this.unterminated = true;
      }
    } catch (error) {
      this.framingError ??= error as Error;
    }
    this.#changed.release();
  }
}

function connected(
  tcp: net.Socket,
  context: { operation: "connect"; address: SocketAddress },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(toNetError(error, context));
    tcp.once("error", failed);
    tcp.once("connect", () => {
      tcp.off("error", failed);
      resolve();
    });
  });
}

/**
 * Shakes hands over `tcp` and checks the certificate against `trust` as the
 * client does (tls_verify.ts); a certificate that fails closes the session.
 * @throws {NetError} `TLS_HANDSHAKE_FAILED` or `CERTIFICATE_UNTRUSTED`.
 */
async function secured(
  tcp: net.Socket,
  address: SocketAddress,
  trust: TlsConnectOptions,
): Promise<{ socket: tls.TLSSocket; session: TlsSession }> {
  const socket = await nodeTlsHandshake(
    address,
    { serverName: trust.serverName, caCertificates: trust.ca },
    tcp,
  );
  // Errors until the probe takes over are the probe's to report, not the process's.
  socket.on("error", () => {});
  const raw = socket.getPeerCertificate()?.raw as Uint8Array | undefined;
  const peerCertificate = raw ? new Uint8Array(raw) : new Uint8Array();
  const fingerprint = await verifyServerCertificate(
    { peerCertificate, close: () => socket.destroy() },
    trust,
    address,
  );
  return { socket, session: { version: socket.getProtocol() ?? "", fingerprint } };
}
