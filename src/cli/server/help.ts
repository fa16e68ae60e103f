/** `server.ts --help`: what it does, every flag with its default, and examples to copy. */
export const SERVER_HELP = `Usage: server.ts [options]

A TCP server for network labs: answers every message (echo, upper) or runs a
chat room. Messages are lines by default; --framing length speaks 4-byte
big-endian length prefixes instead. Runs the same under Deno and Bun.

Options:
  --host HOST          address to listen on (default 127.0.0.1, this PC only;
                       0.0.0.0 or :: lets other PCs connect, and lists the
                       addresses they can use)
  -p, --port PORT      port to listen on, 0 picks a free one (default 9000)
  -m, --mode MODE      echo: answer each message with itself (default)
                       upper: answer with the message in upper case
                       chat: relay each message to everyone else as
                       <name> message; clients type /nick NAME, /who, /quit,
                       and lines typed here go to everyone as <server>
  --framing FRAMING    line (default) or length
  --max-frame BYTES    largest message accepted; a longer one gets an error
                       line and that connection is closed (default 65536)
  --max-conns N        most clients at once; one more is told the server is
                       full and closed (default: no limit)
  --idle-timeout SECS  close a client that completes no message for SECS
                       seconds, with a notice; stops slow-drip clients
  --allow CIDR         only peers in this range may connect (repeatable;
                       10.0.0.0/8, 192.168.1.7, fd00::/8)
  --deny CIDR          peers in this range are closed at once (repeatable;
                       wins over --allow)
  -v, --verbose        narrate every connection on stderr: connect, each read
                       and write with byte and message counts, FIN, RST, close
  --json               the same events as JSON Lines on stderr (time,
                       protocol, event, local, remote, bytes, messages, error)
  --hex                every byte in and out as hex and ASCII on stderr
  -h, --help           show this help

The first line on stdout is "listening on tcp://HOST:PORT" with the real port.
Ctrl-C stops the server within a second and prints a summary on stderr.

Examples:
  deno run -qP server.ts                        echo server on 127.0.0.1:9000
  bun server.ts --mode upper --port 0          upper-case server on any free port
  deno run -qP server.ts --host 0.0.0.0 --mode chat -v
                                               a chat the whole lab can join
  bun server.ts --framing length --max-frame 1048576
                                               binary-safe echo of up to 1 MiB
  bun server.ts --max-conns 30 --idle-timeout 120 --deny 10.0.0.66
                                               a lab server that keeps serving
  deno run -qP server.ts --hex                  see the newline framing each message
  printf 'hello\\n' | nc -N 127.0.0.1 9000       talk to it with netcat
`;
