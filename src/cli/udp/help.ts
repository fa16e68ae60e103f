import {
  DEFAULT_MAX_DATAGRAM_BYTES,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
} from "../../udp/mod.ts";

/** `udp.ts --help`: every subcommand, its flags and defaults, and examples. */
export const UDP_HELP = `udp.ts: a UDP server, client, ping and throughput bench for networking labs

Usage:
  udp.ts server [--host 127.0.0.1] [--port 9000] [--mode echo|upper|discard|chargen] [--max-datagram BYTES]
  udp.ts client [--host 127.0.0.1] [--port 9000] [--timeout TIME] [--retries N] [MESSAGE...]
  udp.ts ping   [--host 127.0.0.1] [--port 9000] [--count N] [--interval TIME] [--timeout TIME]
  udp.ts bench  [--host 127.0.0.1] [--port 9000] [--time TIME | --bytes N | --blockcount N]
                [--rate RATE] [--size BYTES] [--direction up|down|both] [--json]
  udp.ts check  [--host 127.0.0.1] [--port 9000] [--timeout TIME] [--expect echo|upper|any] [--json]
                [--lang en|id] [--class FILE [--parallel N] [--report FILE.html|.csv|.json] [--watch TIME]]
  udp.ts find   [--timeout TIME] [--json]
  server, client, ping and bench also take faults on purpose (see below):
         [--drop PCT] [--delay TIME[±JITTER]] [--dup PCT] [--reorder PCT] [--seed N]

UDP sends datagrams: each message arrives whole or not at all, there is no
connection, and nothing tells the sender whether a server is there.

Common flags:
  --host HOST         server: address to listen on; 0.0.0.0 (or ::) serves the whole
                      LAN and lists this PC's addresses. client, ping, bench: the server.
                      Names are resolved once. HOST:PORT or [IPV6]:PORT sets the
                      port too. (default 127.0.0.1)
  -p, --port PORT     UDP port; 0 lets the system pick (server) (default 9000)
  -v, --verbose       server: log each peer and datagram size; client, ping: log
                      what is sent and anything ignored (on stderr)
  --json              each datagram in and out as a JSON line on stderr
                      (time, protocol, event, local, remote, bytes); for bench,
                      the final report as JSON on stdout instead (see bench)
  --hex               every datagram in and out as hex and ASCII on stderr
  -h, --help          show this help

server: answers every datagram to its sender, so many clients work at once.
  The first line on stdout is "listening on udp://HOST:PORT". At Ctrl-C (or
  SIGTERM) it prints a table of peers on stderr: address, datagrams, bytes,
  first and last seen.
  -m, --mode MODE     echo: send each datagram back unchanged;
                      upper: send it back in upper case, as server.ts does
                      (a datagram that is not UTF-8 text is answered with an
                      "error: ..." datagram) (default echo; chat is TCP only);
                      discard: drop every datagram unanswered (RFC 863), the
                      peer table counting what arrived (it answers only bench
                      --direction up's report request, -v logs each report);
                      chargen: answer each datagram with RFC 864 pattern
                      characters, up to 512: pad a request to 152 bytes
                      or more for all 512 (an empty one gets 56); and
                      bench --direction down's paced stream, sent only to
                      an address that returned a cookie sent to it, while
                      it keeps asking (one per host, 4 at once, each at
                      most --stream-max). No mode
                      sends an address more than 3x the bytes it sent,
                      IP and UDP headers included (RFC 9000 section 8), so
                      a forged source cannot aim replies at a victim;
                      replies over that are counted, not sent
  --allow CIDR        answer only peers in this range (repeatable; 10.0.0.0/8,
                      192.168.1.7, fd00::/8); others are counted, not answered
  --deny CIDR         never answer peers in this range (repeatable; wins over
                      --allow)
  --name TEXT         the name udp.ts find lists this server by (default: the
                      host name and the mode). On 0.0.0.0, :: or a LAN address
                      the server announces itself as _socklab._udp by multicast
                      DNS (udp port 5353) and answers for HOSTNAME.local;
                      a name another server has becomes "NAME (2)";
                      nothing is announced on 127.0.0.1
  --no-announce       do not announce this server on the LAN
  --max-datagram N    larger datagrams are counted and not answered; replies are
                      capped too (default ${DEFAULT_MAX_DATAGRAM_BYTES}; UDP itself carries at most
                      ${MAX_UDP_PAYLOAD_IPV4} bytes over IPv4, ${MAX_UDP_PAYLOAD_IPV6} over IPv6)
  --stream-max RATE   chargen: the fastest stream a bench --direction down may
                      ask for, like iperf3 -s --server-bitrate-limit (default
                      10G); a bench asking more is refused and told this rate

client: sends each MESSAGE as one datagram and prints each reply on its own line.
  With no MESSAGE, each stdin line becomes a datagram and replies print as they
  arrive; after the end of input it waits up to --timeout for the replies still
  owed (stdin lines are not retried).
  -t, --timeout TIME  how long to wait for each reply (default 1s)
  -r, --retries N     times a MESSAGE is sent again when no reply comes (default 2)
  A datagram over the UDP limit is refused before anything is sent.
  Put -- before a MESSAGE that starts with "-".

ping: sends numbered probes ("socklab-ping SEQ SENDTIME") to an echo server and
  prints each reply with its round-trip time, then loss, duplicates, reordering
  and rtt min/avg/max/mdev. Ctrl-C stops early and still prints the summary.
  -c, --count N       probes to send (default 5)
  -i, --interval TIME time between probes (default 1s)
  -t, --timeout TIME  how long to wait for a reply before reporting it missing;
                      later replies still count, marked (late) (default 1s)

bench: the throughput lab, like iperf -u: sends numbered, timestamped datagrams
  to an echo server (udp.ts server) at a target rate and reads the echoes. Each
  second it prints bytes and Mbit/s sent and echoed, jitter and loss; then a
  summary: sent, received, lost (%), duplicates, reordered (a datagram numbered
  below one already seen) and jitter (RFC 3550, from echo arrival spacing
  against send spacing). It waits 1 s for the last echoes. Loss counts both
  directions, since only echoes come back. A live progress line updates in
  place while stdout is a terminal. Ctrl-C stops early, still summarising.
  -t, --time TIME     how long to send (default 10s). A timed run sends what
                      this PC manages in the time: a loaded PC sends fewer.
  -n, --bytes N       send N bytes instead (like iperf3 -n; K, M, G are 1024s),
                      rounded up to whole datagrams (down: N bytes streamed)
  -k, --blockcount N  send N datagrams instead (like iperf3 -k; down: N
                      streamed). A counted run sends the same datagrams on
                      every PC: with --seed the whole class gets the same run.
  -b, --rate RATE     target rate of datagram payload in bit/s, decimal units
                      like iperf -b: 500k, 10M, 1.5G; a bare number is Mbit/s
                      (default 10M)
  -l, --size BYTES    bytes per datagram (down: per datagram streamed, as
                      iperf3 -R -l), at least 20 (default 1470, which
                      fits one Ethernet frame; at most ${MAX_UDP_PAYLOAD_IPV4} over IPv4,
                      ${MAX_UDP_PAYLOAD_IPV6} over IPv6: a larger one is a usage error)
  -d, --direction DIR both (default): off an echo server, as above.
                      up (like iperf3 -u): the datagrams go to a discard server
                      (udp.ts server --mode discard) or any sink, nothing comes
                      back. At the end the bench sends a small report request;
                      socklab's discard server answers it with what arrived
                      (datagrams, bytes, jitter), which gives the receiver line
                      and the loss. Any other sink drops the request too: then
                      only the sender line prints, and loss and jitter cannot
                      be known from this side (the receiver's count is on the
                      server: udp.ts server prints it per peer at Ctrl-C).
                      down (like iperf3 -u -R): socklab's chargen server
                      (udp.ts server --mode chargen) streams numbered,
                      timestamped --size datagrams at --rate, once a cookie
                      round trip has shown it this address asked (so no one
                      can aim it at another); the bench asks again every
                      100 ms, and the stream stops 3 s after the asking does.
                      The sender line is the server's own count; lost =
                      datagrams it sent that never arrived; jitter from the
                      send times they carry. It serves one stream per host
                      and 4 at once: a busy or over-limit server says so, and
                      the bench exits 1. Another chargen (RFC 864) is asked
                      with one small request per answer, --rate counting 512
                      bytes per answer; lost = requests without an answer,
                      jitter n/a (the answers carry no send time).
                      up and down print iperf3's UDP layout, and their --json
                      follows iperf3 -u -J (end.sum, end.sum_sent,
                      end.sum_received with packets, lost_packets,
                      lost_percent, jitter_ms; null where this side cannot
                      know it). A link slower than --rate sets the pace: the
                      sender waits for room in the send buffer, as iperf3
                      does, and says how long. Loss is split where it can be:
                      sends that failed here (no room on the way out),
                      datagrams dropped by full receive buffers on this PC
                      (Linux RcvbufErrors; for down this PC is the receiver,
                      for up only a server on this PC shows there), and the
                      rest, lost on the path.
  --json              instead of text, one JSON object on stdout at the end
                      (intervals and summary), for scripts; no narration
  --verbose and --hex do not apply to bench.

check: judges a UDP server (your own, in any language) by its behaviour and
  prints a report card: reply (one datagram, one reply, from the address it was
  sent to), two-clients (two clients on different ports each get their own
  reply at their own address), large (a 1400-byte datagram comes back whole);
  for each failure, the likely bug and its fix. Exit 0 when all passed.
  -t, --timeout TIME  how long to wait for each reply (default 1s)
  --expect WHAT       echo (the datagram back), upper (in upper case) or any
                      (default: any one reply, in the server's own words)
  --lang en|id        the report in English or Bahasa Indonesia (default: from
                      LC_ALL, LC_MESSAGES or LANG, e.g. id_ID.UTF-8; else English)
  --json              instead of text, one JSON object on stdout, for grading
  --class FILE        judge a whole class, one student a line (NAME HOST[:PORT];
                      # comments), -P/--parallel N at once (default 8): a row per
                      student, a column per check; exit 0 only when all passed
  --report FILE       with --class: also write .html, .csv or .json (on Deno
                      add --allow-write=. after deno run -qP)
  --watch TIME        with --class: check again TIME after each round until Ctrl-C

find: lists the udp.ts servers on the LAN (DNS-SD over multicast DNS): name,
  host, addresses, port, mode and the command to reach each one. --host
  NAME.local works in every command: asked on the LAN when the system cannot.
  So does the name find lists (--host "lab-pc-07 echo", quoted for the space):
  client, ping, bench and check look it up (2s) and use its port unless --port
  is given.
  -t, --timeout TIME  how long to listen for answers (default 2s)
  --json              one JSON array on stdout, for scripts

faults on purpose (server, client, ping, bench): the loss, delay, duplication
  and reordering of a bad network, made by this program itself on what it
  sends (no root, no tc netem; the network and the other side are untouched).
  A dropped datagram never reaches the wire, so a capture never shows it; a
  delayed one shows up late. -v and --json mark every datagram dropped,
  delayed, duplicated or held back, and a last line on stderr counts them
  (bench marks none: its --json report gets a "faults" object instead).
  --drop PCT          drop this percentage of the datagrams sent, and also of
                      those received, each drawn on its own (default 0)
  --delay TIME[±JIT]  send each datagram TIME late, give or take up to JIT
                      (100ms±20ms, or 100ms+-20ms). Each waits on its own, so
                      a jitter larger than the gap between datagrams reorders
                      them, as netem's does (default 0)
  --dup PCT           send this percentage twice, the copy right after
                      (default 0)
  --reorder PCT       hold this percentage back: a held datagram goes right
                      after the next datagram that is not held (several held
                      ones follow it, in order), so the receiver sees it
                      overtaken. On a server that is the next reply to anyone.
                      One that nothing follows goes when sending ends (ping,
                      bench, client at the end of input) (default 0)
  --seed N            where the random decisions start: the same seed and
                      flags make the same decisions, so a class gets the same
                      run; for bench, bound it with --blockcount or --bytes,
                      not --time (default: random; the seed used is printed)
  Each datagram is dropped, delayed, held back, then duplicated, in that order.
  At most 10,000 datagrams (16 MiB) wait delayed or held back; more are
  dropped and counted. Under a flood that keeps them waiting, the program
  settles at most 48 MiB above what it uses without faults (those 16 MiB,
  and garbage its runtime has not collected yet), with brief peaks up to
  twice that, however long the flood lasts. What still waits when the
  program stops is not sent.

TIME is a duration: 500ms, 2s, 1.5 or 1m; a bare number is seconds, as in
ping, nc and iperf3.

Exit status:
  0  server: stopped by Ctrl-C or SIGTERM; client: every datagram got a reply;
     ping, bench: at least one reply (echo) came; check: every check passed
  1  a network failure; client: some datagram got no reply (UDP cannot tell a
     stopped server from a lost datagram) or was too large; ping, bench: no reply;
     check: a check failed or did not run
  2  a usage error (a wrong flag or value)

Examples:
  deno run -qP udp.ts server --port 9000                 # echo on this PC only
  deno run -qP udp.ts server --host 0.0.0.0 --mode upper # for the whole LAN
  deno run -qP udp.ts client --port 9000 hello world     # two datagrams, two replies
  printf 'a\\nb\\n' | deno run -qP udp.ts client --port 9000
  deno run -qP udp.ts ping --host 192.168.1.20 --count 10 --interval 200ms
  bun udp.ts client --host ::1 --port 9000 hi           # the same on Bun, over IPv6
  deno run -qP udp.ts bench --host 192.168.1.20 --rate 50M --time 5
                                                        # 50 Mbit/s for 5 s: loss, jitter
  bun udp.ts bench --rate 2M --size 512 --json          # a JSON report for scripts
  bun udp.ts bench --host 192.168.1.20 --rate 100M --direction up
                                                        # to udp.ts server --mode discard
  bun udp.ts bench --host 192.168.1.20 --rate 100M --direction down
                                                        # from udp.ts server --mode chargen
  nc -u 127.0.0.1 9000                                  # nc or Python clients work too
  bun udp.ts check --port 9000 --expect echo            # judge your own UDP server
  bun udp.ts check --class class.txt --report class.csv # the whole class, for the grade sheet
  bun udp.ts ping --count 50 --interval 10ms --drop 20 --seed 7
                                                        # 20% loss each way, the same every run
  deno run -qP udp.ts server --delay 100ms±20ms          # replies late, with jitter
`;
