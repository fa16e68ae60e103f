// Two places where node:tls on Deno 2.9 differs from Node's, mended through
// the TLS socket's native TCP handle (TLSWrap's _nativeTcpHandle). Where a
// TLS socket has no such handle (another runtime, a later Deno), both leave
// it as it is.
import process from "node:process";
import type { TLSSocket } from "node:tls";
import { NetError } from "./net_error.ts";

interface NativeHandle {
  onread?: ReadCallback;
  readStop?(): number;
  readStart?(): number;
}

function nativeHandleOf(socket: TLSSocket): NativeHandle | undefined {
  return (socket as unknown as { _handle?: { _nativeTcpHandle?: NativeHandle } })._handle
    ?._nativeTcpHandle;
}

// libuv's read status for a clean end of stream, and for a reset.
const UV_EOF = -4095;
const UV_ECONNRESET = -104;

interface ReadState {
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
}

type ReadCallback = (this: unknown, ...args: unknown[]) => unknown;

function readState(): ReadState | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<ReadState> })
      .binding("stream_wrap");
    const { streamBaseState, kReadBytesOrError } = binding;
    return streamBaseState && kReadBytesOrError !== undefined
      ? { streamBaseState, kReadBytesOrError }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deno 2.9's node:tls turns every failed read under a TLS socket into an end
 * of stream, so a peer's reset would be narrated as its FIN: a false lesson
 * on the wire. The read status it acted on is public (process.binding), so
 * a failed read is caught there and the socket destroyed with it. Where the
 * TLS socket has no such handle (another runtime, a later Deno), nothing
 * changes; tests/interop/tls_check_bench_test.ts asserts the RST is narrated.
 */
export function surfaceReadErrors(socket: TLSSocket): void {
  const native = nativeHandleOf(socket);
  const onread = native?.onread;
  const state = onread && readState();
  if (!native || !onread || !state) return;
  native.onread = function(this: unknown, ...args: unknown[]) {
    const status = state.streamBaseState[state.kReadBytesOrError]!;
    if (status < 0 && status !== UV_EOF) {
      socket.destroy(
        status === UV_ECONNRESET
          ? new NetError("CONNECTION_RESET", "connection reset by peer")
          : new Error(`read failed (system error ${-status})`),
      );
    }
    return onread.apply(this, args);
  };
}

/** Stops and restarts reading from the network under a TLS socket. */
export interface ReadSwitch {
  stop(): void;
  start(): void;
}

/**
 * Deno 2.9's TLSSocket.pause() stops its data events but not its reads from
 * the network: a peer that keeps sending to a paused socket grew a process
 * by 2.5 GB in 4 s (measured). Stopping the native handle's reads too lets
 * TCP's window tell the peer to wait, as a paused socket does on Node.
 */
export function readSwitchOf(socket: TLSSocket): ReadSwitch | undefined {
  const native = nativeHandleOf(socket);
  if (!native?.readStop || !native.readStart) return undefined;
  return { stop: () => native.readStop!(), start: () => native.readStart!() };
}
