import { fstatSync } from "node:fs";
import { Socket } from "node:net";
import process from "node:process";
import { runtime, type RuntimeName } from "../net/mod.ts";
import type { OutputSink } from "./bounded_output.ts";

/** Standard output (1) or standard error (2). */
export type StdioFd = 1 | 2;

/** A stdio stream as output.ts uses it: written, drained, and ended at exit. */
export interface StdioSink extends OutputSink {
  end(done: () => void): unknown;
}

function standard(fd: StdioFd): StdioSink {
  return fd === 1 ? process.stdout : process.stderr;
}

function isPipeOrSocket(fd: StdioFd): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

// Measured with deno 2.9.6 and bun 1.4.5 on Linux, writing to a pipe nobody reads:
// - Deno's process.stdout/stderr write synchronously: once the pipe's 64 KiB are
//   full, write() blocks the whole event loop (no timers, no sockets, no signals)
//   until someone reads. So does node:fs write() on the fd. A node:net Socket on
//   the same fd is asynchronous (it sets O_NONBLOCK on the pipe), reports
//   backpressure with write() === false and 'drain', and needs no permission. It
//   only takes pipes and sockets ("Unsupported fd type: FILE"); files and
//   terminals keep process.stdout/stderr, where a write does not wait on a reader.
// - Bun's process.stdout/stderr never block: write() returns false once the pipe
//   is full, keeps the text in memory and emits 'drain' later. A node:net Socket
//   on the fd is the one that blocks there.
const NON_BLOCKING: Record<RuntimeName, (fd: StdioFd) => StdioSink> = {
  deno: (fd) =>
    isPipeOrSocket(fd) ? new Socket({ fd, readable: false, writable: true }) : standard(fd),
  bun: standard,
};

/**
 * A stream onto stdout or stderr whose writes never stop the event loop when
 * the reader falls behind, on the runtime running this code.
 * @param fd 1 for stdout, 2 for stderr.
 * @returns A stream whose `write` returns false while the reader is behind.
 */
export function nonBlockingStdio(fd: StdioFd): StdioSink {
  return NON_BLOCKING[runtime.name](fd);
}
