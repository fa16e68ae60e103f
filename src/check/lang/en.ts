/**
 * Everything the checker writes, in English: the shape every other language
 * must fill. `{name}` marks a value filled in at run time (see `say`).
 * @module
 */

/** The checker's texts in English. */
export const EN = {
  meta: {
    /** The HTML report's `lang` attribute. */
    htmlLang: "en",
  },
  status: { passed: "PASS", failed: "FAIL", notRun: "SKIP" },
  cell: { passed: "pass", failed: "FAIL", notRun: "skip" },
  label: {
    result: "result",
    note: "note",
    sent: "sent",
    received: "received",
    expected: "expected",
    why: "why",
  },
  card: {
    head: "socklab check of {url}{overTls} ({framing}--expect {expect})",
    overTls: " over TLS",
    framing: "{framing} framing, ",
    cannotCheck: "cannot check: {error}",
    notRun: "not run: {detail}",
    more: "... and {count} more",
    summary: "{passed} passed, {failed} failed, {notRun} not run: {verdict}",
    allPassed: "every check passed",
    notChecked: "the server could not be checked",
    seeWhy: "see \"why\" under each FAIL",
  },
  wire: {
    nothing: "nothing",
    oneByte: "(1 byte)",
    bytes: "({count} bytes)",
    hex: "hex",
  },
  noun: {
    reply: "reply",
    replies: "replies",
    datagram: "datagram",
    datagrams: "datagrams",
  },
  about: {
    reply: "one message gets one reply",
    reconnect: "{clients} clients one after another are each answered",
    sequence: "{count} messages on one connection, one at a time, get a reply each, in order",
    split: "a message written in {pieces} pieces with pauses gets the same reply as written whole",
    pipelined: "{count} messages in one write get the same replies as one at a time",
    large: "a 16 KiB message gets its whole reply",
    halfClose: "when the client sends FIN after a reply, the server closes its side",
    concurrent: "a second client is answered while the first stays connected and silent",
    crosstalk:
      "a client that speaks after a newer one connected gets its own reply, and only its own",
    reset: "after a client resets in the middle of a message, a new client is still answered",
    udpReply: "one datagram gets one reply, from the address it was sent to",
    udpTwoClients: "two clients on different ports each get their own reply, at their own address",
    udpLarge: "a {bytes}-byte datagram comes back whole",
  },
  evidence: {
    client: "client {n}: ",
    udpClient: "client {n} (port {port}): ",
    piece: "piece {n}: ",
    oneWrite: "one write: ",
    fin: "FIN",
    silentFirst: "client 1: connects and sends nothing",
    bothConnect: "client 1, then client 2: connect",
    reset: "client 1: RST (reset)",
  },
  battery: {
    needs: "needs {check} to pass first",
    timeUp: "the battery's time limit of {seconds} s ran out",
    serverGone: "the server no longer accepts connections ({reason})",
    serverGoneSince: "the server no longer accepts connections ({reason}) since the {check} check",
    checkFailed: "the check itself failed: {error}",
  },
  unreachable: {
    tlsFailed: "the TLS handshake failed",
    untrusted: "the server's certificate is not trusted",
    cannotReach: "the server cannot be reached",
    speaksTls: "the server speaks TLS: check it with --tls",
  },
  missing: {
    stoppedReading:
      "{what}: the server sent {bytes} bytes without a whole reply, and the check stopped reading",
    timeout: "{what} within {seconds}",
    timeoutPartial: "{what} within {seconds} ({bytes} bytes came, but no whole reply)",
    closedFirst: "{what}: the server closed the connection first",
    resetFirst: "{what}: the server reset the connection first",
  },
  detail: {
    noReply: "no reply",
    repliesForOne: "{replies} came for 1 message",
    repliesForOneSecondEmpty: "{replies} came for 1 message, the second one empty",
    oneReply: "1 reply: {reply}",
    reconnectRefused:
      "client {n} of {total} could not connect after the previous client left: {reason}",
    reconnectNoReply: "client {n} of {total} got no reply",
    reconnectPassed: "all {total} clients were answered",
    noReplyToMessage: "no reply to message {n}",
    repliesForMessages: "{replies} came for {count} messages",
    replyNumbered: "reply {n}: {why}",
    inOrder: "{count} replies, in order",
    sameReplies: "the same {replies} as {how}",
    repliesCameOtherGot: "{replies} came; {how} got {count}",
    replyDiffers: "reply {n} is not the one {how} got",
    howWhole: "the same message written whole (check reply)",
    howOneAtATime: "the same messages sent one at a time (check sequence)",
    noWholeReply: "no whole reply to {bytes} bytes",
    largeReplies: "{replies} came for 1 message of {bytes} bytes",
    largePassed: "1 reply of {bytes} bytes",
    keptSending:
      "the server kept sending after the client's FIN ({bytes} bytes in all) and did not close",
    notClosed: "the server did not close within {seconds} of the client's FIN",
    closedAfterFin: "the server closed after the FIN",
    secondNotConnected: "a second client could not connect: {reason}",
    secondNoReply: "the second client got no reply",
    whileFirstConnected: "{detail} while the first stayed connected",
    cameLate: "{detail}; it came only after client 1 closed",
    secondAnswered: "the second client was answered",
    newNotConnected: "a new client could not connect after the reset: {reason}",
    newNoReply: "a new client got no reply after the reset",
    newAnswered: "a new client was answered after the reset",
    crossedToOlder: "client 2's reply came on client 1's connection, and client 2 got none",
    newerNoReply: "client 2 got no reply while client 1 was connected",
    olderGotNewers: "client 1 also got the reply to client 2, before it sent anything",
    crossedToNewer: "client 1's reply came on client 2's connection, and client 1 got none",
    olderNoReply: "client 1 got no reply after client 2 connected and was answered",
    newerGotOlders: "client 2 also got the reply to client 1",
    repliesForItsOne: "{label}{replies} came for its 1 message",
    ownRepliesOnly: "each client got its own reply, and nothing of the other's",
  },
  udp: {
    flooded: "{received} datagrams came back for {sent} sent, and the client stopped reading",
    noReplyWithin: "no reply within {seconds}",
    otherSender: "the reply came from {host} port {port}",
    oneReply: "1 reply",
    wentToFirst: "client 2's reply went to client 1's address (port {first}), not to port {second}",
    firstGotBoth: "client 1 also got the reply to client 2 ({count} datagrams for its 1)",
    ownReplies: "each client got its own reply",
    largeNotCompared:
      "1 reply of {bytes} bytes (not compared: the server answers in its own words)",
    largeWhole: "1 reply of {bytes} bytes, whole",
  },
  expect: {
    echo: "the message back unchanged",
    upper: "the message in upper case",
    likeFirst: ", as the server did with the first message",
    flag: " (--expect {name})",
    mismatch: "expected {what}{why}",
    mismatchSized: "expected {what}{why}: {expected} bytes, got {got}",
    asciiOnly:
      "only A-Z were upper-cased: {letters} came back unchanged, where upper case gives {upper} (as socklab's --mode upper does); your server upper-cases bytes: decode them, upper-case the text, encode it (line.decode().upper().encode())",
  },
  framing: {
    readLine: "read until the newline",
    readLength: "read the 4-byte length, then exactly that many bytes",
    endingLine: "ending in \\n",
    endingLength: "behind its own 4-byte big-endian length",
  },
  hint: {
    noReply:
      "your server did not answer: it must {read} and then send one reply {ending} (is it reading from this connection, and does it send with sendall()?)",
    noNewlineLine:
      "your server's reply does not end with a newline: send the reply followed by \\n",
    noNewlineLength:
      "your server's reply is shorter than its length prefix says: send the 4-byte length and then the whole reply",
    closedWithoutReply:
      "your server closed the connection before replying: {read}, send the reply, and close only when recv() returns b'' (the client's FIN)",
    extraReplies:
      "your server sent more than one reply for one message (a greeting, or a reply per recv()?): send exactly one reply {ending} per message",
    keptNewline:
      "your server's reply still ends in the request's newline, so an empty line follows it: strip it first (line.rstrip(b\"\\n\")), then add one \\n to the reply",
    unreadableLine:
      "your server's reply could not be read as a line (too long, or not UTF-8 lines at all): is it speaking --framing length?",
    unreadableLength:
      "your server's reply could not be read as a length-prefixed frame: is it speaking lines (drop --framing length)?",
    wrongContent: "your server's reply is not what --expect asks for: compare the two lines above",
    exitsAfterOneClient:
      "your server stopped accepting after a client left: put accept() in a loop and keep the listening socket open",
    closesAfterOneMessage:
      "your server closes the connection after one message: keep reading in a loop until recv() returns b'' (the client's FIN)",
    stopsAnswering:
      "your server stopped answering after the first message on a connection: loop, {read} each time, and reply to every message",
    recvAsMessage:
      "your server takes each recv() as one message; TCP is a byte stream: {read}, and keep what is left over for the next message",
    notWhole:
      "your server did not send back the whole large message: one recv() returns only part of it, so {read}; and send with sendall(), not send()",
    ignoresFin:
      "your server never closed the connection after the client's FIN: when recv() returns b'' the client is done, so close the socket",
    oneClientAtATime:
      "your server serves one client at a time: while it waits on the first, the second is not answered; use a thread per client (threading, socketserver.ThreadingTCPServer) or selectors/asyncio",
    diesOnReset:
      "your server stopped answering after a client reset its connection: catch ConnectionResetError (OSError) around recv() and send() for that client, close it, and keep serving the others",
    crossedReplies:
      "your server sent a reply on another client's connection: reply on the socket the message came in on, not a shared variable (a global conn that accept() has since pointed at the newest client, or a list of every client)",
  },
  udpHint: {
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
    truncatedOrTooLarge:
      "your server reads datagrams with a buffer smaller than the datagram, and the rest is lost: call recvfrom(65535) (or it cannot send a reply this large)",
    wrongContent: "your server's reply is not what --expect asks for: compare the two lines above",
    extraReplies:
      "your server sent more than one datagram for one datagram: send exactly one reply",
    toEveryPeer:
      "your server sends every reply to every client it heard from: send each reply only with sendto(reply, addr), to the addr that recvfrom() returned with that very datagram",
  },
  reason: {
    refused: "refused",
    noHost: "no host",
    timeout: "timeout",
    noRoute: "no route",
    tls: "tls",
    error: "error",
  },
  table: {
    student: "student",
    server: "server",
    total: "total",
    unreachable: "unreachable ({reason})",
    passedOf: "{passed}/{total} passed",
    legend:
      "pass / FAIL / skip (not run: an earlier check it needs failed); - the server was not reached",
    classLine: "class: {outcome} ({seconds} s)",
    everyonePassed: "every student passed every check",
    outcome:
      "{perfect} of {all} passed every check, {failing} with failures, {unreachable} unreachable",
    checking: "checking {count} servers, {parallel} at once...",
    checked: "checked {done}/{total}: {name}",
    stoppedEarly: "stopped before the first round ended: no student was judged",
  },
  html: {
    title: "socklab check of the class ({protocol}, --expect {expect})",
    checkedAt: "Checked {time}.",
    clickName: "Click a name for that student's cards.",
    sentAndReceived: "sent and received",
    cannotCheck: "cannot check:",
    backToClass: "back to the class",
  },
};

/** The shape of a catalogue: every group and text of the English one, each a string. */
export type Catalogue = {
  readonly [Group in keyof typeof EN]: {
    readonly [Key in keyof (typeof EN)[Group]]: string;
  };
};
