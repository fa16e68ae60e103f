/** `client.ts --help`: the three ways to use it, every flag with its default, and examples. */
export const CLIENT_HELP = `Usage: client.ts [options] [MESSAGE...]

A TCP client for network labs, for server.ts or any server that speaks
lines (or 4-byte length prefixes with --framing length). Runs the same under
Deno and Bun. Five ways to use it:

  client.ts MESSAGE...   send each message, print each reply on its own line
  client.ts              full duplex: lines typed (or piped) go out, messages
                         from the server print as they arrive; at the end of
                         input it half-closes and prints every remaining reply
  client.ts --count N    ping over one connection: time N round trips, then
                         print sent, received, loss and rtt min/avg/max/mdev
  client.ts --bench TIME throughput lab, like iperf3: move bytes for TIME,
                         print each second's transfer and bitrate per stream,
                         then a sender and receiver summary. --direction up
                         writes 128 KiB blocks to a discard server
                         (server.ts --mode discard) and, at the end,
                         half-closes and waits for its FIN, so the receiver
                         line counts what the server read; down reads from a
                         chargen server (--mode chargen) or any byte source;
                         both (default) streams numbered messages through an
                         echo server and checks every echoed byte (a
                         difference exits 1). Ctrl-C stops early, still
                         summarising.
  client.ts --check      judge a server (your own, in any language) by its
                         behaviour: run named checks (reply, reconnect,
                         sequence, split, pipelined, large, half-close,
                         concurrent, crosstalk, reset) and print a report
                         card: what was sent, what came back and, for each
                         failure, the likely bug and its fix. Exit 0 when
                         all passed.
  client.ts --find       list the socklab servers on the LAN (DNS-SD over
                         multicast DNS, udp port 5353): name, host, addresses,
                         port, mode, framing, TLS fingerprint and the command
                         to connect; waits --timeout (default 2s here); with
                         --json, one JSON array on stdout. A server found as
                         "Ani" on host lab-pc-07.local is reached with
                         --host Ani (its port comes with the name),
                         --host lab-pc-07.local, or the address it lists

Options:
  --host HOST          server address or name (default 127.0.0.1); HOST:PORT
                       or [IPV6]:PORT sets the port too. A NAME.local is
                       asked for on the LAN by multicast DNS (2s) when the
                       system cannot resolve it; any other name the system
                       does not know, such as Ani or "lab-pc-07 echo", is
                       a server's name as --find lists it (quote a name
                       with spaces); its port is used unless --port is given
  -p, --port PORT      server port (default 9000)
  -t, --timeout TIME   how long to wait to connect and for each reply
                       (default 5s)
  -c, --count N        ping mode: number of probes
  -i, --interval TIME  ping mode: time between probes (default 1s)
  --bench TIME         bench mode: how long to send
  -d, --direction DIR  bench mode: up (like iperf3), down (like iperf3 -R) or
                       both (default: through an echo server, so each byte
                       crosses twice and the figure is about half)
  -P, --parallel N     bench mode: N connections at once, a line for each
                       and a [SUM] line per interval, as iperf3 -P (default 1)
  --check              check mode: the report card (with --json, one JSON
                       object on stdout instead, for grading); each reply is
                       waited for up to --timeout, all checks at most 25s
  --expect WHAT        check mode: what a reply must be: echo (the message
                       back), upper (in upper case) or any (default: one reply
                       line per message, in the server's own words)
  --lang en|id         check mode: the cards, hints, table and report in
                       English or Bahasa Indonesia (default: from LC_ALL,
                       LC_MESSAGES or LANG, e.g. id_ID.UTF-8; else English);
                       check names and --json's identifiers stay as they are
  --class FILE         check mode: judge a whole class, one student a line
                       (NAME HOST[:PORT]; # comments), --parallel N at once
                       (default 8): a table with a row per student, a column
                       per check; an unreachable server says why. Exit 0 only
                       when every student passed every check
  --report FILE        with --class: also write FILE.html (one page, cards a
                       click away), FILE.csv (for the grade sheet) or FILE.json
                       (on Deno add --allow-write=. after deno run -qP)
  --watch TIME         with --class: check again TIME after each round,
                       redraw the table and the report (the page reloads
                       itself) until Ctrl-C
  --size BYTES         bench mode: bytes per message, framing not counted
                       (default 1024 with line framing, 65536 with length;
                       at least 16, at most --max-frame); with --direction
                       up, bytes per write (default 131072, as iperf3 -l)
  --framing FRAMING    line (default) or length; must match the server
  --max-frame BYTES    largest message sent or accepted (default 65536)
  --chunk BYTES        write each message in pieces of BYTES, each its own
                       write, so the server's -v shows partial reads and a
                       capture shows small segments (not with --bench or
                       --check); with MESSAGE, each reply's --timeout starts
                       after the last piece
  --chunk-delay TIME   with --chunk: pause between pieces (default 200ms,
                       longer than a delayed ACK, so each piece is its own
                       segment even with --nagle; 0 for back-to-back writes)
  --nagle              turn Nagle's algorithm on: a small write waits while
                       earlier data is unacknowledged, and waiting writes
                       leave joined in one segment. By default socklab sets
                       TCP_NODELAY: each write goes out at once. -v says which
                       (not with --bench or --check)
  --tls                speak TLS to a server started with --tls (or openssl
                       s_server, ncat --ssl -l), with --check and --bench too
                       (--check's reset is a TCP RST under the TLS session).
                       The server's certificate must be checked one way:
  --fingerprint HEX    with --tls: the certificate's SHA-256 fingerprint, as
                       the server's banner prints it (colons optional)
  --ca FILE            with --tls: trust certificates signed by this CA (PEM);
                       the certificate must name --host
  --insecure           with --tls: check nothing; encrypted, but nobody knows
                       with whom (lab only)
  -v, --verbose        narrate the connection on stderr: connect, each write
                       and read with byte and message counts, FIN, RST, close
  --json               the same events as JSON Lines on stderr; with --bench,
                       instead one JSON object on stdout at the end, with
                       iperf3 -J's fields (start, intervals[].streams[],
                       intervals[].sum, end.sum_sent, end.sum_received);
                       start.socklab.tls says whether it ran over TLS
  --hex                every byte sent and received as hex and ASCII on stderr
  -h, --help           show this help

TIME is a duration: 500ms, 2s, 1.5 or 1m; a bare number is seconds, as in
ping, nc and iperf3.

Bench figures count TCP payload bytes (framing included), transfers in binary
units (MBytes) and bitrates in decimal ones (Mbits/sec) as iperf3 prints them;
while stdout is a terminal a live progress line updates in place. --verbose
and --hex do not combine with --bench. After the run a bench waits at most
5 s (or a longer --timeout) for the server's FIN or last echoes: a server
that stopped reading, or sent no FIN, is named on stderr after the summary
of what was measured, and the bench exits 1.

Replies go to stdout, with control characters shown as \\xNN; status and
errors go to stderr. With MESSAGE... each message must get one reply: more
lines than messages, a missing reply, an "error: " line followed by the
server closing (said on stderr, not stdout), or a reply that starts with a
4-byte length prefix (the server uses --framing length) exit 1. After the last reply the
client half-closes and reads until the server closes too (it waits through
up to 1 s of silence), so it does not reset the server with unread bytes. A
ping that the server cuts short says so and exits 1. Exit status: 0 ok,
1 network failure or a server that did not answer as asked, 2 bad command
line.

Examples:
  deno run -qP client.ts hello world            two requests, two replies
  bun client.ts --host 192.168.1.20 --port 9000
                                               chat with a server on another PC
  deno run -qP client.ts < requests.txt         every line of a file, every reply
  bun client.ts --count 5 --interval 200ms     five timed round trips
  deno run -qP client.ts --timeout 500ms ping   fail fast if no reply comes
  bun client.ts --bench 10                     10 s of 1 KiB lines, iperf-style
  deno run -qP client.ts --bench 10 -d up -P 4  upload on 4 streams to a discard
                                               server, like iperf3 -P 4
  bun client.ts --bench 10 --direction down    download from a chargen server
  deno run -qP client.ts --framing length --bench 5 --size 16384 --json
                                               16 KiB frames; a JSON report
  bun client.ts --chunk 3 -v hello            "hello" in 3-byte pieces, 200ms
                                               apart: watch the server's -v
  deno run -qP client.ts --nagle --chunk 1 --chunk-delay 0 hello
                                               Nagle joins back-to-back writes
  bun client.ts --check --port 9000 --expect echo
                                               judge your own echo server
  deno run -qP --allow-write=. client.ts --check --class class.txt --report class.html --watch 30s
                                               the whole class, live on the projector
  bun client.ts --tls --fingerprint 6C:23:...:01
                                               chat with a server.ts --tls,
                                               checking the fingerprint it printed
  deno run -qP client.ts --check --tls --fingerprint 6C:23:...:01
                                               judge a TLS server the same way
`;
