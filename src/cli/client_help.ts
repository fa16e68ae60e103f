/** `client.ts --help`: the three ways to use it, every flag with its default, and examples. */
export const CLIENT_HELP = `Usage: client.ts [options] [MESSAGE...]

A TCP client for network labs, for server.ts or any server that speaks
lines (or 4-byte length prefixes with --framing length). Runs the same under
Deno and Bun. Three ways to use it:

  client.ts MESSAGE...   send each message, print each reply on its own line
  client.ts              full duplex: lines typed (or piped) go out, messages
                         from the server print as they arrive; at the end of
                         input it half-closes and prints every remaining reply
  client.ts --count N    ping over one connection: time N round trips, then
                         print sent, received, loss and rtt min/avg/max/mdev

Options:
  --host HOST          server address or name (default 127.0.0.1)
  -p, --port PORT      server port (default 9000)
  -t, --timeout SECS   how long to wait to connect and for each reply;
                       fractions allowed (default 5)
  -c, --count N        ping mode: number of probes
  -i, --interval MS    ping mode: time between probes (default 1000)
  --framing FRAMING    line (default) or length; must match the server
  --max-frame BYTES    largest message sent or accepted (default 65536)
  -v, --verbose        narrate the connection on stderr: connect, each write
                       and read with byte and message counts, FIN, RST, close
  --json               the same events as JSON Lines on stderr
  --hex                every byte sent and received as hex and ASCII on stderr
  -h, --help           show this help

Replies go to stdout, with control characters shown as \\xNN; status and
errors go to stderr. Exit status: 0 ok, 1 network failure or missing reply,
2 bad command line.

Examples:
  deno run -P client.ts hello world            two requests, two replies
  bun client.ts --host 192.168.1.20 --port 9000
                                               chat with a server on another PC
  deno run -P client.ts < requests.txt         every line of a file, every reply
  bun client.ts --count 5 --interval 200       five timed round trips
  deno run -P client.ts --timeout 0.5 ping     fail fast if no reply comes
`;
