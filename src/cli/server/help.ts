/** `server.ts --help`: what it does, every flag with its default, and examples to copy. */
export const SERVER_HELP = `Usage: server.ts [options]

A TCP server for network labs: answers every message (echo, upper), runs a
chat room, or is the far end of a throughput lab (discard, chargen). Messages are lines by default; --framing length speaks 4-byte
big-endian length prefixes instead. Runs the same under Deno and Bun.

Options:
  --host HOST          address to listen on (default 127.0.0.1, this PC only;
                       0.0.0.0 or :: lets other PCs connect, and lists the
                       addresses they can use); HOST:PORT or [IPV6]:PORT
                       sets the port too
  -p, --port PORT      port to listen on, 0 picks a free one (default 9000)
  -m, --mode MODE      echo: answer each message with itself (default)
                       upper: answer with the message in upper case
                       chat: relay each message to everyone else as
                       <name> message; clients type /nick NAME, /who, /quit,
                       and lines typed here go to everyone as <server>
                       discard: read and drop everything, unframed (RFC 863);
                       with -v, each client's bytes and rate as it leaves
                       chargen: send the RFC 864 character lines, 72 a line,
                       as fast as each client reads, until it closes
  --framing FRAMING    line (default) or length
  --max-frame BYTES    largest message accepted; a longer one gets an error
                       line and that connection is closed (default 65536)
  --max-conns N        most clients at once; one more is told the server is
                       full and closed (default: no limit). With --tls,
                       clients still in the handshake count too, and one
                       more is closed before it (no words reach it then)
  --idle-timeout TIME  close a client that completes no message for TIME
                       (120, 2m, 500ms: a bare number is seconds), with a
                       notice; stops slow-drip clients. With --tls, also
                       the longest a handshake may take (at most 10 s)
  --allow CIDR         only peers in this range may connect (repeatable;
                       10.0.0.0/8, 192.168.1.7, fd00::/8)
  --deny CIDR          peers in this range are closed at once (repeatable;
                       wins over --allow)
  --tls                speak TLS (any mode); prints the certificate's SHA-256
                       fingerprint for clients to check. Without --cert and
                       --key a self-signed certificate is made at start, as
                       ncat --ssl does, naming this PC's addresses
  --cert FILE          with --tls: the certificate chain to present (PEM)
  --key FILE           with --tls: its private key (PEM)
  --delay TIME[±JIT]   hold each reply TIME before writing it (200ms, or
                       100ms±20ms; +- works too): latency without loss,
                       replies in order. Held replies count as queued, so a
                       client that sends without reading is paused
  --seed N             with --delay ±JIT: start the jitter here, so a class
                       gets the same run (default: random, printed at start)
  --name TEXT          the name other PCs find this server by (default: this
                       PC's host name and the mode, e.g. "lab-pc-07 echo").
                       On 0.0.0.0, :: or a LAN address the server announces
                       itself by DNS-SD over multicast DNS (udp port 5353) as
                       _socklab._tcp, and answers for HOSTNAME.local, so
                       client.ts --find lists it and --host HOSTNAME.local
                       reaches it; goodbye packets withdraw it at Ctrl-C.
                       A name another server already has becomes "NAME (2)"
                       (the banner says so). Nothing is announced on 127.0.0.1
  --no-announce        do not announce this server on the LAN
  --nagle              turn Nagle's algorithm on for replies: a small write
                       waits while earlier data is unacknowledged (default:
                       TCP_NODELAY, each write goes out at once)
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
  bun server.ts --tls --mode chat               the same chat, encrypted; clients
                                               add --tls --fingerprint HEX
  bun server.ts --delay 200ms -v                 replies 200 ms late, as over
                                               a long link
  bun server.ts --host 0.0.0.0 --name "Ani"    found by client.ts --find as Ani
  deno run -qP server.ts --host 0.0.0.0 --mode discard -v
                                               the far end of a throughput lab
  nc 127.0.0.1 9000 > /dev/null                 (against --mode chargen) a byte
                                               source for any client
`;
