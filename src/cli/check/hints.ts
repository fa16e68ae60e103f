import type { FramingName } from "../../framing/mod.ts";

/**
 * One sentence per likely bug, each with its fix, worded for the framing in
 * use: what a student reads under a failed check.
 */
export interface Hints {
  noReply: string;
  noNewline: string;
  closedWithoutReply: string;
  extraReplies: string;
  /** Line framing: every reply followed by an empty one, the request's newline kept. */
  keptNewline: string;
  unreadable: string;
  wrongContent: string;
  exitsAfterOneClient: string;
  closesAfterOneMessage: string;
  stopsAnswering: string;
  recvAsMessage: string;
  notWhole: string;
  ignoresFin: string;
  oneClientAtATime: string;
  diesOnReset: string;
  crossedReplies: string;
}

const READ = {
  line: "read until the newline",
  length: "read the 4-byte length, then exactly that many bytes",
} as const;

const ENDING = {
  line: "ending in \\n",
  length: "behind its own 4-byte big-endian length",
} as const;

/** The hints for a TCP server that speaks `framing`. */
export function tcpHints(framing: FramingName): Hints {
  const read = READ[framing];
  return {
    noReply: `your server did not answer: it must ${read} and then send one reply ${
      ENDING[framing]
    } (is it reading from this connection, and does it send with sendall()?)`,
    noNewline: framing === "line"
      ? "your server's reply does not end with a newline: send the reply followed by \\n"
      : "your server's reply is shorter than its length prefix says: send the 4-byte length and then the whole reply",
    closedWithoutReply:
      `your server closed the connection before replying: ${read}, send the reply, and close only when recv() returns b'' (the client's FIN)`,
    extraReplies:
      `your server sent more than one reply for one message (a greeting, or a reply per recv()?): send exactly one reply ${
        ENDING[framing]
      } per message`,
    keptNewline:
      "your server's reply still ends in the request's newline, so an empty line follows it: strip it first (line.rstrip(b\"\\n\")), then add one \\n to the reply",
    unreadable: framing === "line"
      ? "your server's reply could not be read as a line (too long, or not UTF-8 lines at all): is it speaking --framing length?"
      : "your server's reply could not be read as a length-prefixed frame: is it speaking lines (drop --framing length)?",
    wrongContent: "your server's reply is not what --expect asks for: compare the two lines above",
    exitsAfterOneClient:
      "your server stopped accepting after a client left: put accept() in a loop and keep the listening socket open",
    closesAfterOneMessage:
      "your server closes the connection after one message: keep reading in a loop until recv() returns b'' (the client's FIN)",
    stopsAnswering:
      `your server stopped answering after the first message on a connection: loop, ${read} each time, and reply to every message`,
    recvAsMessage:
      `your server takes each recv() as one message; TCP is a byte stream: ${read}, and keep what is left over for the next message`,
    notWhole:
      `your server did not send back the whole large message: one recv() returns only part of it, so ${read}; and send with sendall(), not send()`,
    ignoresFin:
      "your server never closed the connection after the client's FIN: when recv() returns b'' the client is done, so close the socket",
    oneClientAtATime:
      "your server serves one client at a time: while it waits on the first, the second is not answered; use a thread per client (threading, socketserver.ThreadingTCPServer) or selectors/asyncio",
    diesOnReset:
      "your server stopped answering after a client reset its connection: catch ConnectionResetError (OSError) around recv() and send() for that client, close it, and keep serving the others",
    crossedReplies:
      "your server sent a reply on another client's connection: reply on the socket the message came in on, not a shared variable (a global conn that accept() has since pointed at the newest client, or a list of every client)",
  };
}

/** One sentence per likely bug of a UDP server, each with its fix. */
export const UDP_HINTS = {
  noReply:
    "your server did not answer: it must recvfrom() the datagram and sendto() the reply to the address recvfrom() returned; check that it listens on this port",
  portUnreachable:
    "nothing listens on that UDP port here (ICMP port unreachable): start your server, or check --host and --port",
  wrongSender:
    "the reply came from another address or port than the one the datagram was sent to: reply from the socket that received it, or clients that connect() will drop it",
  firstPeerOnly:
    "your server sends every reply to the first client it heard from: reply with sendto(reply, addr) to the addr that recvfrom() returned with that very datagram",
  truncated:
    "your server reads datagrams with a buffer smaller than the datagram, and the rest is lost: call recvfrom(65535)",
  wrongContent: "your server's reply is not what --expect asks for: compare the two lines above",
  extraReplies: "your server sent more than one datagram for one datagram: send exactly one reply",
  toEveryPeer:
    "your server sends every reply to every client it heard from: send each reply only with sendto(reply, addr), to the addr that recvfrom() returned with that very datagram",
} as const;
