// Proof on the wire for the guide's "TLS on the wire": tshark on loopback sees
// a plain chat's words, and only a TLS handshake and encrypted records once
// both sides use --tls.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { describe, test } from "node:test";
import { bindUdp, type UdpEndpoint } from "../../mod.ts";
import { connect } from "../../src/tcp/tcp_client.ts";
import { captureUnavailable } from "../helpers/capture.ts";
import { closeAll } from "../helpers/connections.ts";
import { runScript, startServer } from "../helpers/scripts.ts";

const skip = captureUnavailable();
// A hard limit on the tshark we start, so a stuck capture cannot hang the suite.
const CAPTURE_LIMIT_MS = 30_000;
const WAIT_MS = 15_000;
const MARK_INTERVAL_MS = 100;
// TLS record content types and handshake message types (RFC 8446, 5.1 and 4).
const HANDSHAKE_RECORD = "22";
const APPLICATION_DATA = "23";
const CLIENT_HELLO = "1";
const SERVER_HELLO = "2";

/** One captured packet: the payload of a TCP segment and what tshark's TLS dissector read in it. */
interface Packet {
  marker: boolean;
  payloadHex: string;
  recordTypes: string[];
  handshakeTypes: string[];
  serverName: string;
}

/**
 * tshark on `lo`, told that `port` speaks TLS, printing payloads and TLS
 * fields. UDP marks sent to ourselves prove when it is live and, later, that
 * every packet sent before a mark has been printed (loopback keeps order).
 */
class TlsCapture {
  readonly #child: ChildProcess;
  readonly #marker: UdpEndpoint;
  readonly #limit: ReturnType<typeof setTimeout>;
  readonly #exited: Promise<void>;
  #stdout = "";
  #stderr = "";

  private constructor(port: number, marker: UdpEndpoint) {
    this.#marker = marker;
    const markerPort = marker.localAddress.port;
    this.#child = spawn("tshark", [
      "-i",
      "lo",
      "-f",
      `tcp port ${port} or udp port ${markerPort}`,
      "-d",
      `tcp.port==${port},tls`,
      "-l",
      "-n",
      "-T",
      "fields",
      "-E",
      "separator=/t",
      "-e",
      "udp.dstport",
      "-e",
      "tcp.payload",
      "-e",
      "tls.record.content_type",
      "-e",
      "tls.record.opaque_type",
      "-e",
      "tls.handshake.type",
      "-e",
      "tls.handshake.extensions_server_name",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child.stdout!.setEncoding("utf8");
    this.#child.stderr!.setEncoding("utf8");
    this.#child.stdout!.on("data", (text: string) => (this.#stdout += text));
    this.#child.stderr!.on("data", (text: string) => (this.#stderr += text));
    this.#exited = new Promise((resolve) => this.#child.on("close", () => resolve()));
    this.#child.on("error", (error) => (this.#stderr += `\n${error.message}`));
    this.#limit = setTimeout(() => this.#child.kill("SIGKILL"), CAPTURE_LIMIT_MS);
  }

  static async start(port: number): Promise<TlsCapture> {
    const marker = await bindUdp({ host: "127.0.0.1", port: 0, onDatagram() {} });
    const capture = new TlsCapture(port, marker);
    try {
      await capture.#mark();
      return capture;
    } catch (error) {
      await capture.stop();
      throw error;
    }
  }

  get packets(): Packet[] {
    return this.#stdout.split("\n").filter((line) => line.trim() !== "").map((line) => {
      // TLS 1.3 hides each record's real type: tshark shows the outer one as opaque_type.
      const fields = line.split("\t");
      const [
        udpPort = "",
        payload = "",
        records = "",
        opaque = "",
        handshakes = "",
        serverName = "",
      ] = fields;
      const list = (field: string) => field.split(",").filter((value) => value !== "");
      return {
        marker: udpPort !== "",
        payloadHex: payload.replaceAll(":", "").toLowerCase(),
        recordTypes: [...list(records), ...list(opaque)],
        handshakeTypes: list(handshakes),
        serverName,
      };
    });
  }

  /** Resolves once every packet sent before this call has been printed. */
  async flush(): Promise<void> {
    await this.#mark();
  }

  async #mark(): Promise<void> {
    const seen = this.packets.filter((packet) => packet.marker).length;
    const deadline = Date.now() + WAIT_MS;
    while (this.packets.filter((packet) => packet.marker).length === seen) {
      if (Date.now() > deadline || this.#child.exitCode !== null) {
        throw new Error(`tshark saw no mark:\n${this.describe()}`);
      }
      this.#marker.send("mark", this.#marker.localAddress);
      await new Promise((resolve) => setTimeout(resolve, MARK_INTERVAL_MS));
    }
  }

  async stop(): Promise<Packet[]> {
    this.#marker.close();
    if (this.#child.exitCode === null) this.#child.kill("SIGINT");
    await this.#exited;
    clearTimeout(this.#limit);
    return this.packets.filter((packet) => !packet.marker);
  }

  describe(): string {
    return `tshark stdout:\n${this.#stdout}\ntshark stderr:\n${this.#stderr}`;
  }
}

const hex = (text: string) =>
  Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, "0")).join("");

/**
 * Starts `server.ts --mode chat` (with `--tls` when asked), captures while one
 * client.ts joins, says `line` and leaves, and returns the packets.
 */
async function captureChat(tls: boolean, line: string): Promise<Packet[]> {
  const tlsFlags = tls ? ["--tls"] : [];
  const { server, port } = await startServer("server.ts", [
    "--port",
    "0",
    "--mode",
    "chat",
    ...tlsFlags,
  ]);
  let capture: TlsCapture | undefined;
  try {
    capture = await TlsCapture.start(port);
    const client = await runScript(
      "client.ts",
      ["--port", String(port), ...tlsFlags, ...(tls ? ["--insecure"] : [])],
      { input: `${line}\n` },
    );
    assert.equal(client.code, 0, client.stderr);
    await capture.flush();
    return await capture.stop();
  } finally {
    await capture?.stop();
    await server.kill();
  }
}

describe("TLS on the wire", { skip }, () => {
  const secret = `the exam answer is ${Math.floor(Math.random() * 1e9)}`;

  test("a chat line readable in a plain capture is not in a --tls one, which shows the handshake", async () => {
    // The plain run proves the search would find the words if they were there.
    const plain = await captureChat(false, secret);
    const plainPayloads = plain.map((packet) => packet.payloadHex).join("|");
    assert.ok(plainPayloads.includes(hex(secret)), "the chat line is not in the plain capture");
    assert.ok(plainPayloads.includes(hex("welcome")), "the welcome is not in the plain capture");
    assert.ok(
      plain.every((packet) => packet.recordTypes.length === 0),
      "plain text was read as TLS",
    );

    const packets = await captureChat(true, secret);
    const payloads = packets.map((packet) => packet.payloadHex).join("|");
    assert.ok(payloads.length > 0, "nothing captured");
    assert.ok(!payloads.includes(hex(secret)), "the chat line crossed the wire in the clear");
    assert.ok(!payloads.includes(hex("welcome")), "the welcome crossed the wire in the clear");
    assert.ok(!payloads.includes(hex("guest-")), "a chat name crossed the wire in the clear");
    const records = packets.flatMap((packet) => packet.recordTypes);
    const handshakes = packets.flatMap((packet) => packet.handshakeTypes);
    assert.ok(records.includes(HANDSHAKE_RECORD), `no handshake record in ${records}`);
    assert.ok(records.includes(APPLICATION_DATA), `no application data record in ${records}`);
    assert.ok(handshakes.includes(CLIENT_HELLO), `no ClientHello in ${handshakes}`);
    assert.ok(handshakes.includes(SERVER_HELLO), `no ServerHello in ${handshakes}`);
  });

  test("the ClientHello names the server the client asked for (SNI), in the clear", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--tls"]);
    let capture: TlsCapture | undefined;
    try {
      capture = await TlsCapture.start(port);
      const connection = await connect({
        port,
        tls: { insecure: true, serverName: "lab-server.example" },
      });
      await closeAll(connection);
      await capture.flush();
      const packets = await capture.stop();
      const hello = packets.find((packet) => packet.handshakeTypes.includes(CLIENT_HELLO));
      assert.equal(hello?.serverName, "lab-server.example");
    } finally {
      await capture?.stop();
      await server.kill();
    }
  });
});
