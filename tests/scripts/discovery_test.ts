// DNS-SD pieces that need no network: the DNS message codec, which records answer
// which question, and the flags (issue 24). The LAN behaviour is in discovery_netns_test.ts.
import fc from "fast-check";
import assert from "node:assert/strict";
import process from "node:process";
import { describe, test } from "node:test";
import { answerQuery } from "../../src/discovery/answer.ts";
import { arrivalLink, withZone } from "../../src/discovery/arrival_link.ts";
import {
  decodeMessage,
  type DnsMessage,
  encodeMessage,
  MalformedDnsMessage,
  RR,
  sameName,
} from "../../src/discovery/dns_message.ts";
import type { MdnsLink } from "../../src/discovery/local_host.ts";
import { conflicts, renamed } from "../../src/discovery/probe.ts";
import { instanceName, serviceRecords } from "../../src/discovery/service_records.ts";
import { runScript, startServer } from "../helpers/scripts.ts";

const SERVICE = {
  protocol: "tcp",
  instance: "Ani's PC. Room 2",
  hostLabel: "lab-pc-07",
  port: 9000,
  addresses: ["10.0.0.7", "fe80::1", "2001:db8::a:0:0:1"],
  txt: { mode: "echo", framing: "line", version: "0.1.0" },
} as const;

const response = (answers: DnsMessage["answers"]): DnsMessage => ({
  id: 0,
  isResponse: true,
  questions: [],
  answers,
  additionals: [],
});

describe("DNS message codec", () => {
  test("every record of a service survives encoding and decoding, dots and spaces in the name included", () => {
    const records = serviceRecords({ ...SERVICE });
    const decoded = decodeMessage(encodeMessage(response(records)));
    assert.deepEqual(decoded, response(records));
    const names = decoded.answers.map((r) => r.name.join("|"));
    assert.ok(names.includes("Ani's PC. Room 2|_socklab|_tcp|local"), names.join("\n"));
    const addresses = decoded.answers.flatMap((r) => "address" in r.data ? [r.data.address] : []);
    assert.deepEqual(addresses, ["10.0.0.7", "fe80::1", "2001:db8::a:0:0:1"]);
  });

  test("serviceRecords with goodbye gives every record TTL 0", () => {
    const goodbye = serviceRecords({ ...SERVICE }, true);
    assert.deepEqual(goodbye.map((r) => r.ttl), goodbye.map(() => 0));
    assert.equal(goodbye.length, serviceRecords({ ...SERVICE }).length);
  });

  test("compressed names (what avahi and Apple send) are followed", () => {
    // A response with one PTR: _socklab._tcp.local -> Ani.<pointer to offset 12>.
    const bytes = Uint8Array.from([
      0,
      0,
      0x84,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      8,
      ..."_socklab".split("").map((c) => c.charCodeAt(0)),
      4,
      ..."_tcp".split("").map((c) => c.charCodeAt(0)),
      5,
      ..."local".split("").map((c) => c.charCodeAt(0)),
      0,
      0,
      12,
      0,
      1,
      0,
      0,
      0x11,
      0x94,
      0,
      6,
      3,
      65,
      110,
      105,
      0xc0,
      12,
    ]);
    const { answers } = decodeMessage(bytes);
    assert.deepEqual(answers[0]?.name, ["_socklab", "_tcp", "local"]);
    assert.deepEqual(answers[0]?.data, {
      type: RR.PTR,
      target: ["Ani", "_socklab", "_tcp", "local"],
    });
    assert.equal(answers[0]?.ttl, 4500);
  });

  test("hostile bytes are refused with MalformedDnsMessage: loops, truncation, lying lengths", () => {
    const header = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    const cases = {
      "pointer to itself": [...header, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0],
      "truncated record": [...header, 0, 0, 1, 0, 1, 0, 0],
      "length past the end": [...header, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 9, 1, 2],
      "PTR name longer than its record length": [
        ...header,
        0,
        0,
        12,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        1,
        3,
        97,
        98,
        99,
        0,
      ],
      "label of 64 bytes": [...header, 64, ...Array(64).fill(97), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0],
    };
    for (const [name, bytes] of Object.entries(cases)) {
      assert.throws(() => decodeMessage(Uint8Array.from(bytes)), MalformedDnsMessage, name);
    }
  });

  test("random bytes either decode or throw MalformedDnsMessage, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeMessage(bytes);
        } catch (error) {
          if (!(error instanceof MalformedDnsMessage)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("answering queries", () => {
  const records = serviceRecords({ ...SERVICE });
  const query = (name: string[], type: number, known: DnsMessage["answers"] = []): DnsMessage => ({
    id: 0,
    isResponse: false,
    questions: [{ name, type, unicastResponse: false }],
    answers: known,
    additionals: [],
  });
  const kinds = (list: DnsMessage["answers"]) => list.map((r) => `${r.name[0]} ${r.data.type}`);

  test("a browse gets the PTR, with SRV, TXT and the addresses as additional records", () => {
    const { answers, additionals } = answerQuery(
      records,
      query(["_socklab", "_TCP", "local"], RR.PTR),
    );
    assert.deepEqual(kinds(answers), ["_socklab 12"]);
    assert.deepEqual(kinds(additionals), [
      `Ani's PC. Room 2 ${RR.SRV}`,
      `Ani's PC. Room 2 ${RR.TXT}`,
      `lab-pc-07 ${RR.A}`,
      `lab-pc-07 ${RR.AAAA}`,
      `lab-pc-07 ${RR.AAAA}`,
    ]);
  });

  test("HOST.local gets its addresses; other names, other types and responses get nothing", () => {
    assert.deepEqual(kinds(answerQuery(records, query(["LAB-PC-07", "local"], RR.A)).answers), [
      `lab-pc-07 ${RR.A}`,
    ]);
    assert.deepEqual(answerQuery(records, query(["lab-pc-08", "local"], RR.A)).answers, []);
    assert.deepEqual(
      answerQuery(records, query(["_socklab", "_udp", "local"], RR.PTR)).answers,
      [],
    );
    assert.deepEqual(
      answerQuery(records, { ...query(["lab-pc-07", "local"], RR.A), isResponse: true }).answers,
      [],
    );
  });

  test("a PTR the asker already holds with more than half its TTL is not sent again", () => {
    const ptr = records[0]!;
    const fresh = answerQuery(records, query(["_socklab", "_tcp", "local"], RR.PTR, [ptr]));
    assert.deepEqual(fresh.answers, []);
    const stale = answerQuery(
      records,
      query(["_socklab", "_tcp", "local"], RR.PTR, [{ ...ptr, ttl: 100 }]),
    );
    assert.deepEqual(kinds(stale.answers), ["_socklab 12"]);
  });
});

describe("probing for the instance name", () => {
  const instance = instanceName({ ...SERVICE });
  const own = (records: DnsMessage["answers"]) => records.filter((r) => sameName(r.name, instance));
  const ours = own(serviceRecords({ ...SERVICE }));
  const elsewhere = own(serviceRecords({ ...SERVICE, hostLabel: "lab-pc-08", port: 9100 }));
  const probe = (records: DnsMessage["answers"]): DnsMessage => ({
    id: 0,
    isResponse: false,
    questions: [{ name: instance, type: RR.ANY, unicastResponse: false }],
    answers: [],
    authorities: records,
    additionals: [],
  });

  test("a probe's proposal survives encoding and decoding", () => {
    assert.deepEqual(decodeMessage(encodeMessage(probe(ours))), probe(ours));
  });

  test("another host's answer for the name is a conflict; our own probe, heard back, is not", () => {
    assert.ok(ours.length >= 2 && elsewhere.length === ours.length);
    assert.equal(conflicts(response(elsewhere), instance, ours), true);
    assert.equal(
      conflicts(response(elsewhere.map((r) => ({ ...r, ttl: 0 }))), instance, ours),
      false,
    );
    assert.equal(conflicts(probe(ours), instance, ours), false);
  });

  test("of two hosts probing at once, exactly one gives way", () => {
    const a = conflicts(probe(elsewhere), instance, ours);
    const b = conflicts(probe(ours), instance, elsewhere);
    assert.notEqual(a, b);
  });

  test("renamed names count up and stay within a DNS label", () => {
    assert.equal(renamed("Ani", 2), "Ani (2)");
    const long = renamed("é".repeat(40), 10);
    assert.ok(new TextEncoder().encode(long).length <= 63, long);
    assert.ok(long.endsWith(" (10)"), long);
  });
});

describe("the interface a message came by", () => {
  const eth0: MdnsLink = {
    name: "eth0",
    ipv4: ["10.0.0.2"],
    ipv6: ["fe80::2"],
    cidrs: ["10.0.0.2/24", "fe80::2/64"],
    answered: ["10.0.0.2"],
  };
  const wlan0: MdnsLink = {
    name: "wlan0",
    ipv4: ["192.168.1.5"],
    ipv6: ["fe80::5", "2001:db8::5"],
    cidrs: ["192.168.1.5/24", "fe80::5/64", "2001:db8::5/64"],
    answered: ["192.168.1.5"],
  };

  test("by prefix for IPv4 and global IPv6, by zone for link-local, unknown when a zoneless link-local could be either", () => {
    assert.equal(arrivalLink("10.0.0.9", [eth0, wlan0]), eth0);
    assert.equal(arrivalLink("::ffff:192.168.1.77", [eth0, wlan0]), wlan0);
    assert.equal(arrivalLink("2001:db8::77", [eth0, wlan0]), wlan0);
    assert.equal(arrivalLink("fe80::9%wlan0", [eth0, wlan0]), wlan0);
    assert.equal(arrivalLink("fe80::9", [eth0, wlan0]), undefined);
    assert.equal(arrivalLink("fe80::9", [eth0]), eth0);
    assert.equal(arrivalLink("172.16.0.1", [eth0, wlan0]), undefined);
    assert.equal(withZone("fe80::9", eth0), "fe80::9%eth0");
    assert.equal(withZone("10.0.0.9", eth0), "10.0.0.9");
  });
});

describe("announce flags", () => {
  test(
    "a server on loopback announces nothing and says nothing about it",
    { timeout: 90_000 },
    async () => {
      const { server } = await startServer("server.ts", ["--port", "0", "--name", "Ani"]);
      process.kill(server.child.pid!, "SIGINT");
      const result = await server.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /announce/);
    },
  );

  test("names DNS-SD cannot carry, and --find with a message, are usage errors", {
    timeout: 90_000,
  }, async () => {
    const runs = await Promise.all([
      runScript("server.ts", ["--port", "0", "--name", "x".repeat(64)]),
      runScript("server.ts", ["--port", "0", "--name", "a\u0007b"]),
      runScript("udp.ts", ["server", "--port", "0", "--no-announce", "--name", "Ani"]),
      runScript("client.ts", ["--find", "hello"]),
    ]);
    const [tooLong, control, both, findWithMessage] = runs;
    for (const run of runs) assert.equal(run.code, 2, run.stderr);
    assert.match(tooLong!.stderr, /--name must be 1 to 63 bytes/);
    assert.match(control!.stderr, /--name must be 1 to 63 bytes of printable text/);
    assert.match(both!.stderr, /drop --no-announce/);
    assert.match(findWithMessage!.stderr, /--find only lists the servers on the LAN/);
  });
});
