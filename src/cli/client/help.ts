/** `client.ts --help`: the three ways to use it, every flag with its default, and examples. */
export const CLIENT_HELP = `Usage: client.ts [options] [MESSAGE...]

A TCP client for network labs, for server.ts or any server that speaks
lines (or 4-byte length prefixes with --framing length). Runs the same under
Deno and Bun. Four ways to use it:

  client.ts MESSAGE...   send each message, print each reply on its own line
  client.ts              full duplex: lines typed (or piped) go out, messages
                         from the server print as they arrive; at the end of
                         input it half-closes and prints every remaining reply
  client.ts --count N    ping over one connection: time N round trips, then
                         print sent, received, loss and rtt min/avg/max/mdev
  client.ts --bench SECS throughput lab, like iperf: stream numbered messages
                         to an echo server (server.ts --mode echo) for SECS
                         seconds while reading the echoes back; print each
                         second's bytes and Mbit/s both ways, then a sender
                         and receiver summary. Every echoed byte is checked
                         against what was sent (a difference exits 1). At the
                         end it half-closes and waits up to --timeout for the
                         last echoes. Ctrl-C stops early, still summarising.

Options:
  --host HOST          server address or name (default 127.0.0.1)
  -p, --port PORT      server port (default 9000)
  -t, --timeout SECS   how long to wait to connect and for each reply;
                       fractions allowed (default 5)
  -c, --count N        ping mode: number of probes
  -i, --interval MS    ping mode: time between probes (default 1000)
  --bench SECS         bench mode: how long to send; fractions allowed
  --size BYTES         bench mode: bytes per message, framing not counted
                       (default 1024 with line framing, 65536 with length;
                       at least 16, at most --max-frame)
  --framing FRAMING    line (default) or length; must match the server
  --max-frame BYTES    largest message sent or accepted (default 65536)
  -v, --verbose        narrate the connection on stderr: connect, each write
                       and read with byte and message counts, FIN, RST, close
  --json               the same events as JSON Lines on stderr; with --bench,
                       instead one JSON object on stdout at the end (intervals
                       and summary) for scripts, and no narration
  --hex                every byte sent and received as hex and ASCII on stderr
  -h, --help           show this help

Bench figures count bytes on the wire (framing included), in MiB and in
decimal Mbit/s as iperf does; while stdout is a terminal a live progress line
updates in place. --verbose and --hex do not combine with --bench.

Replies go to stdout, with control characters shown as \\xNN; status and
errors go to stderr. Exit status: 0 ok, 1 network failure or missing reply,
2 bad command line.

Examples:
  deno run -qP client.ts hello world            two requests, two replies
  bun client.ts --host 192.168.1.20 --port 9000
                                               chat with a server on another PC
  deno run -qP client.ts < requests.txt         every line of a file, every reply
  bun client.ts --count 5 --interval 200       five timed round trips
  deno run -qP client.ts --timeout 0.5 ping     fail fast if no reply comes
  bun client.ts --bench 10                     10 s of 1 KiB lines, iperf-style
  deno run -qP client.ts --framing length --bench 5 --size 16384 --json
                                               16 KiB frames; a JSON report
`;
