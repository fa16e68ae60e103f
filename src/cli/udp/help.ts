import {
  DEFAULT_MAX_DATAGRAM_BYTES,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
} from "../../udp_endpoint.ts";

/** `udp.ts --help`: every subcommand, its flags and defaults, and examples. */
export const UDP_HELP = `udp.ts: a UDP server, client, ping and throughput bench for networking labs

Usage:
  udp.ts server [--host 127.0.0.1] [--port 9000] [--mode echo|upper] [--max-datagram BYTES]
  udp.ts client [--host 127.0.0.1] [--port 9000] [--timeout MS] [--retries N] [MESSAGE...]
  udp.ts ping   [--host 127.0.0.1] [--port 9000] [--count N] [--interval MS] [--timeout MS]
  udp.ts bench  [--host 127.0.0.1] [--port 9000] [--time SECS] [--rate RATE] [--size BYTES] [--json]

UDP sends datagrams: each message arrives whole or not at all, there is no
connection, and nothing tells the sender whether a server is there.

Common flags:
  --host HOST         server: address to listen on; 0.0.0.0 (or ::) serves the whole
                      LAN and lists this PC's addresses. client, ping, bench: the server.
                      Names are resolved once. (default 127.0.0.1)
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
                      "error: ..." datagram) (default echo; chat is TCP only)
  --allow CIDR        answer only peers in this range (repeatable; 10.0.0.0/8,
                      192.168.1.7, fd00::/8); others are counted, not answered
  --deny CIDR         never answer peers in this range (repeatable; wins over
                      --allow)
  --max-datagram N    larger datagrams are counted and not answered; replies are
                      capped too (default ${DEFAULT_MAX_DATAGRAM_BYTES}; UDP itself carries at most
                      ${MAX_UDP_PAYLOAD_IPV4} bytes over IPv4, ${MAX_UDP_PAYLOAD_IPV6} over IPv6)

client: sends each MESSAGE as one datagram and prints each reply on its own line.
  With no MESSAGE, each stdin line becomes a datagram and replies print as they
  arrive; after the end of input it waits up to --timeout for the replies still
  owed (stdin lines are not retried).
  -t, --timeout MS    how long to wait for each reply (default 1000)
  -r, --retries N     times a MESSAGE is sent again when no reply comes (default 2)
  A datagram over the UDP limit is refused before anything is sent.
  Put -- before a MESSAGE that starts with "-".

ping: sends numbered probes ("socklab-ping SEQ SENDTIME") to an echo server and
  prints each reply with its round-trip time, then loss, duplicates, reordering
  and rtt min/avg/max/mdev. Ctrl-C stops early and still prints the summary.
  -c, --count N       probes to send (default 5)
  -i, --interval MS   time between probes (default 1000)
  -t, --timeout MS    how long to wait for a reply before reporting it missing;
                      later replies still count, marked (late) (default 1000)

bench: the throughput lab, like iperf -u: sends numbered, timestamped datagrams
  to an echo server (udp.ts server) at a target rate and reads the echoes. Each
  second it prints bytes and Mbit/s sent and echoed, jitter and loss; then a
  summary: sent, received, lost (%), duplicates, reordered (a datagram numbered
  below one already seen) and jitter (RFC 3550, from echo arrival spacing
  against send spacing). It waits 1 s for the last echoes. Loss counts both
  directions, since only echoes come back. A live progress line updates in
  place while stdout is a terminal. Ctrl-C stops early, still summarising.
  -t, --time SECS     how long to send; fractions allowed (default 10)
  -b, --rate RATE     target rate of datagram payload in bit/s, decimal units
                      like iperf -b: 500k, 10M, 1.5G; a bare number is Mbit/s
                      (default 10M)
  -l, --size BYTES    bytes per datagram, at least 20 (default 1470, which
                      fits one Ethernet frame; at most ${MAX_UDP_PAYLOAD_IPV4} over IPv4,
                      ${MAX_UDP_PAYLOAD_IPV6} over IPv6: a larger one is a usage error)
  --json              instead of text, one JSON object on stdout at the end
                      (intervals and summary), for scripts; no narration
  --verbose and --hex do not apply to bench.

Exit status:
  0  server: stopped by Ctrl-C or SIGTERM; client: every datagram got a reply;
     ping, bench: at least one reply (echo) came
  1  a network failure; client: some datagram got no reply (UDP cannot tell a
     stopped server from a lost datagram) or was too large; ping, bench: no reply
  2  a usage error (a wrong flag or value)

Examples:
  deno run -qP udp.ts server --port 9000                 # echo on this PC only
  deno run -qP udp.ts server --host 0.0.0.0 --mode upper # for the whole LAN
  deno run -qP udp.ts client --port 9000 hello world     # two datagrams, two replies
  printf 'a\\nb\\n' | deno run -qP udp.ts client --port 9000
  deno run -qP udp.ts ping --host 192.168.1.20 --count 10 --interval 200
  bun udp.ts client --host ::1 --port 9000 hi           # the same on Bun, over IPv6
  deno run -qP udp.ts bench --host 192.168.1.20 --rate 50M --time 5
                                                        # 50 Mbit/s for 5 s: loss, jitter
  bun udp.ts bench --rate 2M --size 512 --json          # a JSON report for scripts
  nc -u 127.0.0.1 9000                                  # nc or Python clients work too
`;
