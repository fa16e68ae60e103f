// Faults on purpose (udp.ts --drop, --delay, --dup, --reorder, --seed): the
// fault layer on its own, then through the real scripts, where ping and bench
// must report exactly what a model of the same seeded decisions predicts.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, test } from "node:test";
import { faultFlags, type FaultSettings } from "../../src/cli/udp/fault_flags.ts";
import type { TraceEvent } from "../../src/message/trace.ts";
import type { SocketAddress } from "../../src/net/types.ts";
import { FaultDecider, UdpFaults } from "../../src/udp/faults.ts";
import { type RunningScript, runScript, startServer } from "../helpers/scripts.ts";

const NONE: FaultSettings = {
  dropPercent: 0,
  delayMs: 0,
  jitterMs: 0,
  dupPercent: 0,
  reorderPercent: 0,
  seed: 1,
};
const faults = (changes: Partial<FaultSettings>): FaultSettings => ({ ...NONE, ...changes });
const PEER: SocketAddress = { hostname: "127.0.0.1", port: 9 };
const LOCAL: SocketAddress = { hostname: "127.0.0.1", port: 8 };

/** A fault layer whose wire is an array of the first byte of each datagram transmitted. */
function onWire(settings: FaultSettings, maxHeld?: number) {
  const wire: number[] = [];
  const events: Extract<TraceEvent, { type: "datagram-fault" }>[] = [];
  const layer = new UdpFaults(settings, (event) => {
    if (event.type === "datagram-fault") events.push(event);
  }, { maxHeld });
  layer.start(LOCAL, (data) => wire.push(data[0]!));
  const send = (n: number) => layer.outgoing(new Uint8Array([n]), PEER);
  return { wire, events, layer, send };
}

/**
 * What the wire carries for datagrams 1..count, by the rules the help states,
 * and then which of them a receiver with the same settings keeps: an
 * independent model of the fault layer over the same seeded decisions.
 */
function model(settings: FaultSettings, count: number) {
  const decider = new FaultDecider(settings);
  const wire: number[] = [];
  let held: number[] = [];
  const dup = new Set<number>();
  const emit = (n: number) => wire.push(...(dup.has(n) ? [n, n] : [n]));
  for (let n = 1; n <= count; n++) {
    const decision = decider.nextSend();
    if (decision.dup) dup.add(n);
    if (decision.drop) continue;
    if (decision.hold) held.push(n);
    else {
      emit(n);
      held.forEach(emit);
      held = [];
    }
  }
  held.forEach(emit);
  const kept = wire.filter(() => !decider.nextReceiveDrop());
  return { wire, kept, dropped: count - new Set(wire).size };
}

/** What a receiver counts, as ping and bench define it: distinct, duplicates, overtaken. */
function counted(arrivals: number[]) {
  const seen = new Set<number>();
  let highest = -Infinity;
  let reordered = 0;
  for (const n of arrivals) {
    if (seen.has(n)) continue;
    seen.add(n);
    if (n < highest) reordered++;
    highest = Math.max(highest, n);
  }
  return { received: seen.size, duplicates: arrivals.length - seen.size, reordered };
}

describe("FaultDecider", () => {
  test("FaultDecider repeats its decisions for the same seed, and not for another", () => {
    const settings = faults({ dropPercent: 30, dupPercent: 30, reorderPercent: 30, jitterMs: 9 });
    const run = (seed: number) => {
      const decider = new FaultDecider({ ...settings, seed });
      return Array.from({ length: 200 }, () => [decider.nextSend(), decider.nextReceiveDrop()]);
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });

  test("FaultDecider hits each percentage roughly over 10,000 decisions", () => {
    const decider = new FaultDecider(
      faults({
        dropPercent: 20,
        dupPercent: 10,
        reorderPercent: 30,
        delayMs: 100,
        jitterMs: 20,
        seed: 12345,
      }),
    );
    const n = 10_000;
    let drop = 0, dup = 0, hold = 0, receiveDrop = 0, delaySum = 0;
    for (let i = 0; i < n; i++) {
      const d = decider.nextSend();
      drop += Number(d.drop);
      dup += Number(d.dup);
      hold += Number(d.hold);
      delaySum += d.delayMs;
      assert.ok(d.delayMs >= 80 && d.delayMs <= 120, `delay ${d.delayMs} outside 100±20`);
      receiveDrop += Number(decider.nextReceiveDrop());
    }
    // Bands many standard deviations wide: a correct generator never fails them.
    assert.ok(drop > 1700 && drop < 2300, `drop ${drop}`);
    assert.ok(dup > 800 && dup < 1200, `dup ${dup}`);
    assert.ok(hold > 2650 && hold < 3350, `hold ${hold}`);
    assert.ok(receiveDrop > 1700 && receiveDrop < 2300, `receive drop ${receiveDrop}`);
    assert.ok(Math.abs(delaySum / n - 100) < 2, `mean delay ${delaySum / n}`);
  });

  test("FaultDecider: raising --dup does not change which datagrams --drop drops", () => {
    const drops = (dupPercent: number) => {
      const decider = new FaultDecider(faults({ dropPercent: 25, dupPercent, seed: 99 }));
      return Array.from({ length: 500 }, () => decider.nextSend().drop);
    };
    assert.deepEqual(drops(0), drops(60));
  });
});

describe("UdpFaults", () => {
  test("UdpFaults sends a held datagram right after the next one that is not held", async () => {
    const settings = faults({ reorderPercent: 30, dupPercent: 20, seed: 4 });
    const { wire, layer, send } = onWire(settings);
    for (let n = 1; n <= 60; n++) send(n);
    await layer.finish();
    const expected = model(settings, 60);
    assert.deepEqual(wire, expected.wire);
    assert.ok(layer.stats.held > 5, "the seed holds some back");
    // Each held datagram that a later one passed is one the receiver sees reordered.
    assert.equal(layer.stats.reordered, counted(wire).reordered);
    assert.equal(layer.stats.duplicated, counted(wire).duplicates);
  });

  test("UdpFaults drops what --drop decides, sent and received, and narrates each", () => {
    const settings = faults({ dropPercent: 40, seed: 11 });
    const { wire, events, layer, send } = onWire(settings);
    for (let n = 1; n <= 50; n++) send(n);
    const kept = wire.filter((n) => layer.incoming(new Uint8Array([n]), PEER));
    const expected = model(settings, 50);
    assert.deepEqual(wire, expected.wire);
    assert.deepEqual(kept, expected.kept);
    const dropped = (direction: string) =>
      events.filter((e) => e.fault === "dropped" && e.direction === direction).length;
    assert.equal(dropped("out"), expected.dropped);
    assert.equal(dropped("in"), wire.length - kept.length);
    assert.equal(layer.stats.droppedOnReceive, wire.length - kept.length);
  });

  test("UdpFaults keeps at most maxHeld datagrams waiting, drops and counts the excess", () => {
    const { wire, events, layer, send } = onWire(faults({ reorderPercent: 100 }), 5);
    for (let n = 1; n <= 20; n++) send(n);
    assert.equal(layer.waiting, 5);
    assert.equal(layer.stats.overflow, 15);
    assert.equal(events.filter((e) => e.fault === "overflow").length, 15);
    layer.close();
    assert.equal(wire.length, 0);
    assert.equal(layer.stats.unsent, 5);
    assert.equal(layer.waiting, 0);
  });

  test("UdpFaults delays each datagram on its own: a short delay overtakes a long one", async () => {
    const settings = faults({ delayMs: 60, jitterMs: 60, seed: 21 });
    const decider = new FaultDecider(settings);
    const delays = Array.from({ length: 20 }, () => decider.nextSend().delayMs);
    const { wire, layer, send } = onWire(settings);
    const handedAt = new Map<number, number>();
    const sentAt = new Map<number, number>();
    layer.start(LOCAL, (data) => {
      wire.push(data[0]!);
      sentAt.set(data[0]!, performance.now());
    });
    for (let n = 1; n <= 20; n++) {
      handedAt.set(n, performance.now());
      send(n);
    }
    assert.equal(wire.length, 0, "nothing goes at once");
    await layer.finish();
    assert.equal(wire.length, 20);
    for (let n = 1; n <= 20; n++) {
      // A timer may fire up to 1 ms before its time; never more.
      assert.ok(sentAt.get(n)! - handedAt.get(n)! >= delays[n - 1]! - 1, `datagram ${n}`);
    }
    // A datagram handed over later but due clearly earlier goes first: nothing waits in line.
    const due = (n: number) => handedAt.get(n)! + delays[n - 1]!;
    const position = (n: number) => wire.indexOf(n);
    let compared = 0;
    for (let a = 1; a <= 20; a++) {
      for (let b = a + 1; b <= 20; b++) {
        if (due(a) - due(b) > 5) {
          assert.ok(position(b) < position(a), `${b} (${delays[b - 1]} ms) before ${a}`);
          compared++;
        }
      }
    }
    assert.ok(compared > 0, "the seed gives some long delays before short ones");
  });

  test("faultFlags reads percentages, a delay with ± or +- jitter, and the seed", () => {
    const read = (delay: string) =>
      faultFlags({ drop: "0", delay, dup: "0", reorder: "0", seed: "3" });
    assert.deepEqual(read("100ms±20ms"), faults({ delayMs: 100, jitterMs: 20, seed: 3 }));
    assert.deepEqual(read("0.1+-0.02"), faults({ delayMs: 100, jitterMs: 20, seed: 3 }));
    assert.equal(read("0"), undefined);
    assert.deepEqual(
      faultFlags({ drop: "12.5%", delay: "0", dup: "1", reorder: "2" }),
      faults({ dropPercent: 12.5, dupPercent: 1, reorderPercent: 2, seed: undefined }),
    );
  });
});

/** Runs `udp.ts ping` with `args` against a plain echo server started for it. */
async function pingThrough(serverArgs: string[], args: string[]) {
  const { server, port } = await startServer("udp.ts", ["server", "--port", "0", ...serverArgs]);
  try {
    const ping = await runScript("udp.ts", ["ping", "--port", `${port}`, ...args]);
    return { ping, server: await stop(server) };
  } finally {
    await server.kill();
  }
}

async function stop(server: RunningScript) {
  process.kill(server.child.pid!, "SIGINT");
  const result = await server.exited;
  assert.equal(result.code, 0, result.stderr);
  return result;
}

const pingCounts = (stdout: string) => {
  const match = /(\d+) sent, (\d+) received, [\d.]+% loss, (\d+) duplicates, (\d+) reordered/
    .exec(stdout);
  assert.ok(match, stdout);
  const [sent, received, duplicates, reordered] = match.slice(1).map(Number);
  return { sent, received, duplicates, reordered };
};

describe("udp.ts ping and bench report the faults exactly", () => {
  test("udp.ts ping --drop 20 --seed 7 reports exactly the loss the seed dictates", async () => {
    const args = ["--count", "50", "--interval", "10ms", "--drop", "20", "--seed", "7"];
    const { ping } = await pingThrough([], args);
    assert.equal(ping.code, 0, ping.stderr);
    const expected = counted(model(faults({ dropPercent: 20, seed: 7 }), 50).kept);
    assert.ok(expected.received < 45, "the seed drops some");
    assert.deepEqual(pingCounts(ping.stdout), { sent: 50, ...expected });
    assert.match(ping.stderr, /faults on purpose: --drop 20% \(sent and received\); --seed 7 /);
  });

  test("udp.ts ping --dup reports each duplicate; --reorder each datagram overtaken", async () => {
    for (const settings of [{ dupPercent: 30, seed: 5 }, { reorderPercent: 25, seed: 6 }]) {
      const flag = "dupPercent" in settings
        ? ["--dup", `${settings.dupPercent}`]
        : ["--reorder", `${settings.reorderPercent}`];
      const args = ["--count", "50", "--interval", "10ms", ...flag, "--seed", `${settings.seed}`];
      const { ping } = await pingThrough([], args);
      assert.equal(ping.code, 0, ping.stderr);
      const expected = counted(model(faults(settings), 50).kept);
      assert.ok(expected.duplicates + expected.reordered > 3, "the seed does something");
      assert.deepEqual(pingCounts(ping.stdout), { sent: 50, ...expected }, args.join(" "));
    }
  });

  test("udp.ts ping -v and --json narrate every datagram dropped, duplicated and held back", async () => {
    const settings = faults({ dropPercent: 20, dupPercent: 20, reorderPercent: 20, seed: 8 });
    const flags = ["--drop", "20", "--dup", "20", "--reorder", "20", "--seed", "8"];
    const base = ["--count", "30", "--interval", "10ms", ...flags];
    const decider = new FaultDecider(settings);
    const decisions = Array.from({ length: 30 }, () => decider.nextSend());
    const sentDrops = decisions.filter((d) => d.drop).length;
    const dups = decisions.filter((d) => !d.drop && d.dup).length;
    const holds = decisions.filter((d) => !d.drop && d.hold).length;
    const { ping: verbose } = await pingThrough([], [...base, "-v"]);
    const lines = (pattern: RegExp) => verbose.stderr.split("\n").filter((l) => pattern.test(l));
    assert.equal(lines(/-> .* dropped on purpose \(--drop\): never sent/).length, sentDrops);
    assert.equal(lines(/duplicated on purpose \(--dup\)/).length, dups);
    assert.equal(lines(/held back on purpose \(--reorder\)/).length, holds);
    const { ping: json } = await pingThrough([], [...base, "--json"]);
    const faultsSeen = json.stderr.split("\n").filter((l) => l.includes("\"datagram-fault\""))
      .map((l) => JSON.parse(l));
    const kinds = (fault: string, direction = "out") =>
      faultsSeen.filter((e) => e.fault === fault && e.direction === direction).length;
    assert.equal(kinds("dropped"), sentDrops);
    assert.equal(kinds("duplicated"), dups);
    assert.equal(kinds("held"), holds);
    const wire = model(settings, 30);
    assert.equal(kinds("dropped", "in"), wire.wire.length - wire.kept.length);
  });

  test("udp.ts ping --delay shows in every round-trip time", async () => {
    const { ping } = await pingThrough([], [
      "--count",
      "3",
      "--interval",
      "10ms",
      "--delay",
      "200ms",
    ]);
    assert.equal(ping.code, 0, ping.stderr);
    const min = Number(/rtt min\/avg\/max\/mdev = ([\d.]+)\//.exec(ping.stdout)?.[1]);
    // A timer may fire a millisecond early; the lower bound is all that is certain.
    assert.ok(min >= 199, ping.stdout);
    assert.match(ping.stderr, /faults on purpose: --delay 200ms; --seed \d+ repeats them/);
  });

  test("udp.ts server --drop drops what it receives and what it sends, as its seed says", async () => {
    const settings = faults({ dropPercent: 30, seed: 5 });
    const { ping, server } = await pingThrough(
      ["--drop", "30", "--seed", "5"],
      ["--count", "50", "--interval", "10ms"],
    );
    const decider = new FaultDecider(settings);
    let droppedIn = 0, droppedOut = 0;
    for (let n = 1; n <= 50; n++) {
      if (decider.nextReceiveDrop()) droppedIn++;
      else if (decider.nextSend().drop) droppedOut++;
    }
    assert.ok(droppedIn > 0 && droppedOut > 0, "the seed drops both ways");
    assert.deepEqual(pingCounts(ping.stdout), {
      sent: 50,
      received: 50 - droppedIn - droppedOut,
      duplicates: 0,
      reordered: 0,
    });
    assert.match(server.stderr, new RegExp(`of 50 received, ${droppedIn} dropped`));
    assert.match(server.stderr, new RegExp(`of ${50 - droppedIn} to send, ${droppedOut} dropped`));
  });

  test("udp.ts bench --drop --dup --reorder reports loss, duplicates and reordering exactly", async () => {
    const { server, port } = await startServer("udp.ts", ["server", "--port", "0"]);
    try {
      const flags = ["--drop", "10", "--dup", "10", "--reorder", "10", "--seed", "3"];
      const result = await runScript("udp.ts", [
        "bench",
        "--port",
        `${port}`,
        "--rate",
        "200k",
        "--size",
        "100",
        "--time",
        "1",
        "--json",
        ...flags,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const { summary, faults: reported } = JSON.parse(result.stdout);
      const settings = faults({ dropPercent: 10, dupPercent: 10, reorderPercent: 10, seed: 3 });
      const expected = counted(model(settings, summary.sent).kept);
      assert.ok(summary.sent > 100, `sent ${summary.sent}`);
      assert.deepEqual(
        {
          received: summary.received,
          duplicates: summary.duplicates,
          reordered: summary.reordered,
        },
        expected,
      );
      assert.equal(summary.lost, summary.sent - expected.received);
      assert.equal(reported.toSend, summary.sent);
    } finally {
      await server.kill();
    }
  });

  test("udp.ts fault flags refuse bad values with one line and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["ping", "--drop", "120"], /--drop must be a number from 0 to 100, got '120'/],
      [["client", "--delay", "50ms±soon", "x"], /--delay must be a duration .*100ms±20ms/],
      [["bench", "--reorder", "-1"], /--reorder/],
      [["server", "--dup", "5", "--seed", "x"], /--seed must be an integer/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runScript("udp.ts", args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
  });
});
