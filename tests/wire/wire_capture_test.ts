// Proof on the real stack: captures loopback with tshark while a client sends
// a request and reads the response, and checks what docs/lab.md tells
// students they will see in Wireshark.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, test } from "node:test";
import {
  captureUnavailable,
  LoopbackCapture,
  type Segment,
  TCP_FLAGS,
} from "../helpers/capture.ts";
import { peerMissing } from "../helpers/peers.ts";
import { runScript, startServer } from "../helpers/scripts.ts";

const { FIN, SYN, RST, PSH, ACK } = TCP_FLAGS;
const captureSkip = captureUnavailable();

const has = (segment: Segment, ...bits: number[]) => bits.every((bit) => segment.flags & bit);

function show(segments: Segment[]): string {
  const names = (flags: number) =>
    Object.entries(TCP_FLAGS).filter(([, bit]) => flags & bit).map(([name]) => name).join(",");
  return segments.map((s) => `${s.srcPort} -> ${s.dstPort} [${names(s.flags)}] len=${s.length}`)
    .join("\n");
}

/** True once both sides have sent FIN and the last FIN has been acknowledged. */
function tornDown(segments: Segment[]): boolean {
  const fins = segments.flatMap((s, index) => (has(s, FIN) ? [index] : []));
  const last = fins.at(-1);
  if (last === undefined) return false;
  const senders = new Set(fins.map((index) => segments[index]!.srcPort));
  const lastSender = segments[last]!.srcPort;
  return senders.size === 2
    && segments.slice(last + 1).some((s) => s.srcPort !== lastSender && has(s, ACK));
}

/** One captured connection, split by direction, with a printable trace for failure messages. */
interface Conversation {
  segments: Segment[];
  fromClient: (s: Segment) => boolean;
  fromServer: (s: Segment) => boolean;
  trace: string;
}

/**
 * Starts `server.ts` (line framing, echo) on a free loopback port, captures while
 * `exchange(port)` runs one client connection, and returns that connection's
 * segments once it is fully closed.
 */
async function captureConnection(exchange: (port: number) => Promise<void>): Promise<Conversation> {
  const { server, port } = await startServer("server.ts", ["--host", "127.0.0.1", "--port", "0"]);
  let capture: LoopbackCapture | undefined;
  try {
    capture = await LoopbackCapture.start(port);
    await exchange(port);
    await capture.waitForSegments(tornDown);
    const segments = await capture.stop();
    const clientPort = segments[0]?.srcPort;
    return {
      segments,
      fromClient: (s) => s.srcPort === clientPort && s.dstPort === port,
      fromServer: (s) => s.srcPort === port && s.dstPort === clientPort,
      trace: `\n${show(segments)}`,
    };
  } finally {
    await capture?.stop();
    await server.kill();
  }
}

/** Runs `command` with `input` on stdin, killed after `timeoutMs`; resolves with stdout. */
function runPeer(command: string, args: string[], input: string, timeoutMs = 10_000) {
  return new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "ignore"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => (stdout += text));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
    child.stdin.end(input);
  });
}

describe("TCP on the wire (tshark on lo)", () => {
  test(
    "client.ts request and response: SYN, SYN/ACK, ACK, then PSH/ACK each way, then FIN",
    { skip: captureSkip, timeout: 45_000 },
    async () => {
      const request = "hello wire";
      const framedBytes = request.length + 1; // line framing adds the newline
      const { segments, fromClient, fromServer, trace } = await captureConnection(async (port) => {
        const client = await runScript("client.ts", [
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          request,
        ]);
        assert.equal(client.code, 0, client.stderr);
        assert.equal(client.stdout, `${request}\n`);
      });

      // The three-way handshake opens the capture, in order.
      const [syn, synAck, ack] = segments;
      assert.ok(syn && synAck && ack, `fewer than three segments:${trace}`);
      assert.ok(fromClient(syn) && syn.flags === SYN, `1st is not the client's SYN:${trace}`);
      assert.ok(fromServer(synAck) && synAck.flags === (SYN | ACK), `2nd is not SYN/ACK:${trace}`);
      assert.ok(fromClient(ack) && ack.flags === ACK && ack.length === 0, `3rd not ACK:${trace}`);

      // With Nagle off, the request and the response each go out as one segment marked PSH.
      const requests = segments.filter((s) => fromClient(s) && s.length > 0);
      const responses = segments.filter((s) => fromServer(s) && s.length > 0);
      assert.equal(requests.length, 1, `one request segment expected:${trace}`);
      assert.equal(responses.length, 1, `one response segment expected:${trace}`);
      const [request1, response1] = [requests[0]!, responses[0]!];
      assert.equal(request1.length, framedBytes, trace);
      assert.equal(response1.length, framedBytes, trace);
      assert.ok(has(request1, PSH, ACK), `request lacks PSH/ACK:${trace}`);
      assert.ok(has(response1, PSH, ACK), `response lacks PSH/ACK:${trace}`);
      assert.ok(segments.indexOf(request1) < segments.indexOf(response1), trace);

      // Teardown: the client's FIN after the response, then the server's; no reset.
      const fins = segments.filter((s) => has(s, FIN));
      assert.equal(fins.length, 2, `two FINs expected:${trace}`);
      assert.ok(
        fromClient(fins[0]!) && fromServer(fins[1]!),
        `client FIN then server FIN:${trace}`,
      );
      assert.ok(fins.every((s) => has(s, ACK)), trace);
      assert.ok(segments.indexOf(response1) < segments.indexOf(fins[0]!), trace);
      const last = segments.at(-1)!;
      assert.ok(fromClient(last) && last.flags === ACK, `last is not the client's ACK:${trace}`);
      assert.ok(segments.every((s) => !has(s, RST)), `unexpected RST:${trace}`);
    },
  );

  test(
    "nc writes two lines at once: one segment carries both messages, one carries both replies",
    { skip: captureSkip || peerMissing("nc", "netcat-openbsd"), timeout: 45_000 },
    async () => {
      const { segments, fromClient, fromServer, trace } = await captureConnection(async (port) => {
        const nc = await runPeer("nc", ["-N", "127.0.0.1", String(port)], "one\ntwo\n");
        assert.equal(nc.code, 0);
        assert.equal(nc.stdout, "one\ntwo\n");
      });
      const requests = segments.filter((s) => fromClient(s) && s.length > 0);
      const responses = segments.filter((s) => fromServer(s) && s.length > 0);
      assert.deepEqual(requests.map((s) => s.length), [8], `one 8-byte request segment:${trace}`);
      assert.deepEqual(responses.map((s) => s.length), [8], `one 8-byte response segment:${trace}`);
      assert.ok(has(requests[0]!, PSH, ACK) && has(responses[0]!, PSH, ACK), trace);
      // The server closes only after the client's FIN, even when that FIN came before the replies.
      const fins = segments.filter((s) => has(s, FIN));
      assert.ok(fins.length === 2 && fromClient(fins[0]!) && fromServer(fins[1]!), trace);
      assert.ok(segments.indexOf(responses[0]!) < segments.indexOf(fins[1]!), trace);
      assert.ok(segments.every((s) => !has(s, RST)), `unexpected RST:${trace}`);
    },
  );
});
