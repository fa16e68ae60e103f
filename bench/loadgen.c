/*
 * socklab's load generator: one program drives every server in a benchmark
 * run, so differences come from the servers. Single-threaded epoll, so it
 * leaves the other core to the server under test.
 *
 *   loadgen pingpong HOST PORT CONNS SECONDS SIZE FRAMING   (FRAMING: line|length|raw)
 *   loadgen stream   HOST PORT SECONDS SIZE FRAMING
 *   loadgen udp      HOST PORT CLIENTS SECONDS SIZE
 *   loadgen fanout   HOST PORT CLIENTS MESSAGES
 *   loadgen idle     HOST PORT CONNS
 *
 * Prints one JSON object on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_LATENCY_US 1000000
static uint32_t histogram[MAX_LATENCY_US + 1];
static uint64_t histogram_count;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void record_latency(double seconds) {
  long us = (long)(seconds * 1e6);
  if (us > MAX_LATENCY_US) us = MAX_LATENCY_US;
  if (us < 0) us = 0;
  histogram[us]++;
  histogram_count++;
}

static double percentile_us(double p) {
  uint64_t target = (uint64_t)(p * histogram_count), seen = 0;
  for (long us = 0; us <= MAX_LATENCY_US; us++) {
    seen += histogram[us];
    if (seen > target) return (double)us;
  }
  return (double)MAX_LATENCY_US;
}

static struct sockaddr_storage target;
static socklen_t target_len;

static void resolve(const char *host, const char *port, int socktype) {
  struct addrinfo hints = {0}, *res;
  hints.ai_socktype = socktype;
  hints.ai_flags = AI_NUMERICHOST;
  if (getaddrinfo(host, port, &hints, &res) != 0) {
    fprintf(stderr, "loadgen: bad address %s\n", host);
    exit(1);
  }
  memcpy(&target, res->ai_addr, res->ai_addrlen);
  target_len = res->ai_addrlen;
  freeaddrinfo(res);
}

static int tcp_connect(void) {
  int fd = socket(target.ss_family, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&target, target_len) < 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

/* Fills buf with one framed message of `size` payload bytes; returns its wire length. */
static size_t frame(char *buf, size_t size, const char *framing) {
  if (strcmp(framing, "length") == 0) {
    uint32_t n = htonl((uint32_t)size);
    memcpy(buf, &n, 4);
    memset(buf + 4, 'x', size);
    return size + 4;
  }
  memset(buf, 'x', size);
  if (strcmp(framing, "line") == 0) {
    buf[size] = '\n';
    return size + 1;
  }
  return size;
}

static void write_all_blocking(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      die("write");
    }
    buf += n;
    len -= (size_t)n;
  }
}

struct conn {
  int fd;
  size_t received;
  double sent_at;
};

static int pingpong(int conns, double seconds, size_t size, const char *framing) {
  char *msg = malloc(size + 8), rbuf[65536];
  size_t wire = frame(msg, size, framing);
  int ep = epoll_create1(0);
  struct conn *cs = calloc((size_t)conns, sizeof *cs);
  for (int i = 0; i < conns; i++) {
    cs[i].fd = tcp_connect();
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }
  double start = now_s(), end = start + seconds;
  uint64_t done = 0;
  for (int i = 0; i < conns; i++) {
    cs[i].sent_at = now_s();
    write_all_blocking(cs[i].fd, msg, wire);
  }
  struct epoll_event events[256];
  double t = start;
  while (t < end) {
    int n = epoll_wait(ep, events, 256, 100);
    t = now_s();
    for (int k = 0; k < n; k++) {
      struct conn *c = &cs[events[k].data.u32];
      for (;;) {
        ssize_t r = read(c->fd, rbuf, sizeof rbuf);
        if (r < 0) {
          if (errno == EAGAIN) break;
          die("read");
        }
        if (r == 0) {
          fprintf(stderr, "loadgen: server closed a connection\n");
          exit(1);
        }
        c->received += (size_t)r;
        while (c->received >= wire) {
          c->received -= wire;
          record_latency(t - c->sent_at);
          done++;
          if (t < end) {
            c->sent_at = t;
            write_all_blocking(c->fd, msg, wire);
          }
        }
        /* Level-triggered epoll reports the rest; a second read would only return EAGAIN. */
        if ((size_t)r < sizeof rbuf) break;
      }
    }
  }
  double elapsed = now_s() - start;
  printf("{\"mode\":\"pingpong\",\"conns\":%d,\"messages\":%llu,\"seconds\":%.3f,"
         "\"msgs_per_s\":%.0f,\"p50_us\":%.0f,\"p99_us\":%.0f}\n",
         conns, (unsigned long long)done, elapsed, done / elapsed, percentile_us(0.5),
         percentile_us(0.99));
  return 0;
}

static int stream(double seconds, size_t size, const char *framing) {
  /* A batch of framed messages written back to back, as fast as the socket takes them. */
  size_t per = size + 4, batch_count = (size >= 65536 ? 4 : 256);
  char *batch = malloc(per * batch_count), rbuf[262144];
  size_t wire = 0, frame_wire = 0;
  for (size_t i = 0; i < batch_count; i++) wire += frame_wire = frame(batch + wire, size, framing);
  int fd = tcp_connect();
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = 0};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  double start = now_s(), end = start + seconds;
  uint64_t sent = 0, received = 0;
  size_t offset = 0;
  int writing = 1;
  while (1) {
    double t = now_s();
    /* Stop only between frames: a framed server would rightly reject half a frame. */
    if (writing && t >= end && offset % frame_wire == 0) {
      writing = 0;
      shutdown(fd, SHUT_WR);
      struct epoll_event in = {.events = EPOLLIN, .data.u32 = 0};
      epoll_ctl(ep, EPOLL_CTL_MOD, fd, &in);
    }
    if (!writing && (received >= sent || t > end + 10)) break;
    struct epoll_event events[4];
    int n = epoll_wait(ep, events, 4, 100);
    for (int k = 0; k < n; k++) {
      if (events[k].events & EPOLLIN) {
        for (;;) {
          ssize_t r = read(fd, rbuf, sizeof rbuf);
          if (r <= 0) break;
          received += (uint64_t)r;
        }
      }
      if (writing && (events[k].events & EPOLLOUT)) {
        for (;;) {
          /* Past the deadline, finish the frame in progress and no more. */
          size_t limit = t >= end ? frame_wire - offset % frame_wire : wire - offset;
          if (t >= end && offset % frame_wire == 0) break;
          ssize_t w = write(fd, batch + offset, limit);
          if (w <= 0) break;
          sent += (uint64_t)w;
          offset = (offset + (size_t)w) % wire;
        }
      }
    }
  }
  double elapsed = now_s() - start;
  printf("{\"mode\":\"stream\",\"bytes_sent\":%llu,\"bytes_echoed\":%llu,\"seconds\":%.3f,"
         "\"mib_per_s\":%.1f}\n",
         (unsigned long long)sent, (unsigned long long)received, elapsed,
         received / elapsed / 1048576.0);
  close(fd);
  return received == sent ? 0 : 1;
}

static int udp(int clients, double seconds, size_t size) {
  char *msg = malloc(size), rbuf[65536];
  memset(msg, 'x', size);
  int ep = epoll_create1(0);
  struct conn *cs = calloc((size_t)clients, sizeof *cs);
  for (int i = 0; i < clients; i++) {
    cs[i].fd = socket(target.ss_family, SOCK_DGRAM, 0);
    if (connect(cs[i].fd, (struct sockaddr *)&target, target_len) < 0) die("connect udp");
    fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }
  double start = now_s(), end = start + seconds;
  uint64_t done = 0, sent = 0, lost = 0;
  for (int i = 0; i < clients; i++) {
    cs[i].sent_at = start;
    if (send(cs[i].fd, msg, size, 0) > 0) sent++;
  }
  struct epoll_event events[256];
  double t = start;
  while (t < end) {
    int n = epoll_wait(ep, events, 256, 20);
    t = now_s();
    for (int k = 0; k < n; k++) {
      struct conn *c = &cs[events[k].data.u32];
      if (recv(c->fd, rbuf, sizeof rbuf, 0) > 0) {
        record_latency(t - c->sent_at);
        done++;
        if (t < end) {
          c->sent_at = t;
          if (send(c->fd, msg, size, 0) > 0) sent++;
        }
      }
    }
    /* A datagram unanswered for 200 ms counts as lost and the client sends again. */
    for (int i = 0; i < clients && t < end; i++) {
      if (t - cs[i].sent_at > 0.2) {
        lost++;
        cs[i].sent_at = t;
        if (send(cs[i].fd, msg, size, 0) > 0) sent++;
      }
    }
  }
  double elapsed = now_s() - start;
  printf("{\"mode\":\"udp\",\"clients\":%d,\"datagrams\":%llu,\"sent\":%llu,\"lost\":%llu,"
         "\"seconds\":%.3f,\"msgs_per_s\":%.0f,\"p50_us\":%.0f,\"p99_us\":%.0f}\n",
         clients, (unsigned long long)done, (unsigned long long)sent, (unsigned long long)lost,
         elapsed, done / elapsed, percentile_us(0.5), percentile_us(0.99));
  return 0;
}

static int fanout(int clients, int messages) {
  char rbuf[65536];
  int ep = epoll_create1(0);
  int *fds = calloc((size_t)clients, sizeof *fds);
  for (int i = 0; i < clients; i++) {
    fds[i] = tcp_connect();
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  usleep(200000); /* let every join notice go out before timing */
  struct epoll_event events[256];
  while (epoll_wait(ep, events, 256, 50) > 0) {
    for (int k = 0; k < 256 && k < clients; k++) {
      while (read(fds[k], rbuf, sizeof rbuf) > 0) {
      }
    }
  }
  /* Every client sends `messages` lines marked with '#'; each must reach the other clients. */
  const char *line = "#fanout-message-0123456789012345678901234567890123456789\n";
  size_t line_len = strlen(line);
  uint64_t expected = (uint64_t)clients * (uint64_t)(clients - 1) * (uint64_t)messages, got = 0;
  double start = now_s();
  int *left = calloc((size_t)clients, sizeof *left);
  for (int i = 0; i < clients; i++) left[i] = messages;
  int sending = clients;
  while (got < expected && now_s() - start < 60) {
    for (int i = 0; i < clients && sending > 0; i++) {
      for (int burst = 0; burst < 16 && left[i] > 0; burst++) {
        ssize_t w = write(fds[i], line, line_len);
        if (w < (ssize_t)line_len) {
          if (w > 0) write_all_blocking(fds[i], line + w, line_len - (size_t)w);
          else break;
        }
        if (--left[i] == 0) sending--;
      }
    }
    int n = epoll_wait(ep, events, 256, sending > 0 ? 0 : 100);
    for (int k = 0; k < n; k++) {
      int fd = fds[events[k].data.u32];
      ssize_t r;
      while ((r = read(fd, rbuf, sizeof rbuf)) > 0) {
        for (ssize_t j = 0; j < r; j++) got += rbuf[j] == '#';
      }
    }
  }
  double elapsed = now_s() - start;
  printf("{\"mode\":\"fanout\",\"clients\":%d,\"deliveries\":%llu,\"expected\":%llu,"
         "\"seconds\":%.3f,\"deliveries_per_s\":%.0f}\n",
         clients, (unsigned long long)got, (unsigned long long)expected, elapsed, got / elapsed);
  return got == expected ? 0 : 1;
}

static int idle(int conns) {
  struct rlimit lim = {(rlim_t)conns + 64, (rlim_t)conns + 64};
  setrlimit(RLIMIT_NOFILE, &lim);
  double start = now_s();
  for (int i = 0; i < conns; i++) {
    int fd = socket(target.ss_family, SOCK_STREAM, 0);
    if (fd < 0) die("socket (raise ulimit -n)");
    if (connect(fd, (struct sockaddr *)&target, target_len) < 0) die("connect");
  }
  double elapsed = now_s() - start;
  printf("{\"mode\":\"idle\",\"conns\":%d,\"seconds\":%.3f,\"accepts_per_s\":%.0f}\n", conns,
         elapsed, conns / elapsed);
  fflush(stdout);
  /* Hold every connection open until told to stop (stdin closes). */
  char c;
  while (read(0, &c, 1) > 0) {
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: see the comment at the top of loadgen.c\n");
    return 2;
  }
  const char *mode = argv[1];
  int udp_mode = strcmp(mode, "udp") == 0;
  resolve(argv[2], argv[3], udp_mode ? SOCK_DGRAM : SOCK_STREAM);
  if (strcmp(mode, "pingpong") == 0 && argc == 8)
    return pingpong(atoi(argv[4]), atof(argv[5]), (size_t)atol(argv[6]), argv[7]);
  if (strcmp(mode, "stream") == 0 && argc == 7)
    return stream(atof(argv[4]), (size_t)atol(argv[5]), argv[6]);
  if (udp_mode && argc == 7) return udp(atoi(argv[4]), atof(argv[5]), (size_t)atol(argv[6]));
  if (strcmp(mode, "fanout") == 0 && argc == 6) return fanout(atoi(argv[4]), atoi(argv[5]));
  if (strcmp(mode, "idle") == 0 && argc == 5) return idle(atoi(argv[4]));
  fprintf(stderr, "loadgen: bad arguments for %s\n", mode);
  return 2;
}
