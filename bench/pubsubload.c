/*
 * pubsubload: Pub/Sub fan-out load, for bench/bench.py.
 *
 * One publisher connection sends
 *     PUBLISH bench:ch:<j> <payload>
 * round-robin over <channels> channels (j = 0 .. channels-1), pipelined up to <pipeline>
 * commands a write, as fast as it can (rate 0) or paced at <rate> messages/s. The payload is
 * <size> bytes: the send time (CLOCK_MONOTONIC, ns, 20 decimal digits) padded with 'x'.
 *
 * <subscribers> connections each listen to one group of channels: subscriber i is in group
 * i % <groups>, channel j in group j % <groups>. With -P (patterns) each subscriber sends one
 * PSUBSCRIBE, of bench:ch:* (one group) or bench:ch:*<g> (ten groups: the channels whose
 * number ends in digit g); otherwise one SUBSCRIBE of all its group's channels. A message on
 * channel j thus reaches every subscriber of group j % groups.
 *
 * Everything runs on one thread: one epoll loop over the publisher's and the subscribers'
 * non-blocking sockets, with its own minimal RESP scanner (hiredis only sets the connections
 * up), so that the generator is not what limits the server. The publisher keeps at most
 * <window> deliveries outstanding (published x receivers, minus those the subscribers have
 * read), so no server buffers an unbounded backlog and no output-buffer limit drops a
 * subscriber.
 *
 * It measures deliveries (messages x receivers, counted by the subscribers) per second, and
 * the latency from the publisher's send to the subscriber's read() that returned the message,
 * of the messages sent after the first <warmup> seconds (a tenth of the run by default): at
 * full speed the first window's worth goes out at once, into fresh connections, and would
 * otherwise set the p99 of a short run by itself.
 * It checks that every subscriber got every message meant for it, and that the PUBLISH replies
 * add up to the same number of receivers.
 *
 * Prints one JSON object on stdout; exit status 0 on success, 1 when the server failed, lost a
 * message or answered an error (the JSON then says which), 2 on bad usage.
 *
 * Build: cc -O2 bench/pubsubload.c -o pubsubload -lhiredis   (bench/bench.sh does it;
 * it includes bench/loadgen.h, next to it)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"

/* ---- options ---- */

static const char* opt_host = "127.0.0.1";
static int opt_port = 6379;
static double opt_seconds = 5.0;
static double opt_rate = 0.0; /* messages/s; 0 = as fast as possible */
static int opt_subscribers = 50;
static int opt_channels = 1;
static int opt_groups = 1;
static int opt_patterns = 0;
static int opt_pipeline = 50;
static long opt_window = 100000; /* deliveries outstanding */
static int opt_size = 32;
static double opt_drain_seconds = 10.0;
static double opt_warmup = -1; /* s; < 0: a tenth of opt_seconds */

enum { kTimestampDigits = 20, kReadChunk = 256 * 1024 };

static int failed;
static char error_text[256];

/* Records the first failure; later ones are consequences of it. */
static void set_failed(const char* fmt, ...) {
  if (failed) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_text, sizeof error_text, fmt, ap);
  va_end(ap);
  failed = 1;
}

/* ---- latency (the histogram is in loadgen.h) ---- */

static histogram latency;

/* -v: the worst latency of the messages sent in each 10 ms slice, printed on stderr. */
enum { kSlices = 6000 };
static int opt_verbose;
static uint64_t run_start;
static uint64_t latency_from; /* messages sent before this are left out of the percentiles */
static uint64_t slice_max[kSlices];

/* ---- connections ---- */

typedef struct {
  int fd;
  int index; /* -1: the publisher */
  char* in;
  size_t in_len, in_cap;
  long delivered;   /* messages this subscriber read */
  long expected;    /* messages published to its group */
  redisContext* ctx; /* kept open for its fd */
} conn;

static conn publisher;
static conn* subs;
static long total_delivered;
static long expected_deliveries; /* sum over sent messages of their receivers */
static long replies, reply_receivers;
static long sent;
static long* group_members; /* subscribers per group */

static redisContext* open_connection(void) {
  struct timeval timeout = {10, 0};
  redisContext* c = redisConnectWithTimeout(opt_host, opt_port, timeout);
  if (c == NULL || c->err) {
    set_failed("connect to %s:%d: %s", opt_host, opt_port, c ? c->errstr : "out of memory");
    if (c) redisFree(c);
    return NULL;
  }
  redisSetTimeout(c, timeout);
  return c;
}

static int set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Subscribes subscriber i to its group, waiting for every confirmation. 0 on success. */
static int subscribe(conn* s) {
  int g = s->index % opt_groups;
  char pattern[32];
  int argc;
  const char** argv;
  char** names = NULL;
  if (opt_patterns) {
    if (opt_groups == 1)
      snprintf(pattern, sizeof pattern, "bench:ch:*");
    else
      snprintf(pattern, sizeof pattern, "bench:ch:*%d", g);
    argc = 2;
    argv = malloc(2 * sizeof *argv);
    argv[0] = "PSUBSCRIBE";
    argv[1] = pattern;
  } else {
    int n = 0;
    for (int j = g; j < opt_channels; j += opt_groups) n++;
    argc = n + 1;
    argv = malloc((size_t)argc * sizeof *argv);
    names = malloc((size_t)n * sizeof *names);
    argv[0] = "SUBSCRIBE";
    n = 0;
    for (int j = g; j < opt_channels; j += opt_groups) {
      names[n] = malloc(24);
      snprintf(names[n], 24, "bench:ch:%d", j);
      argv[n + 1] = names[n];
      n++;
    }
  }
  int rc = 0;
  if (redisAppendCommandArgv(s->ctx, argc, argv, NULL) != REDIS_OK) {
    set_failed("subscriber %d: %s", s->index, s->ctx->errstr);
    rc = -1;
  }
  for (int k = 1; k < argc && rc == 0; k++) {
    redisReply* r;
    if (redisGetReply(s->ctx, (void**)&r) != REDIS_OK) {
      set_failed("subscriber %d: %s", s->index, s->ctx->errstr);
      rc = -1;
      break;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      set_failed("%s: %s", argv[0], r->str);
      rc = -1;
    } else if (r->type != REDIS_REPLY_ARRAY ||
               r->elements != 3 || r->element[2]->type != REDIS_REPLY_INTEGER ||
               r->element[2]->integer != k) {
      set_failed("%s: unexpected confirmation", argv[0]);
      rc = -1;
    }
    freeReplyObject(r);
  }
  if (names) {
    for (int k = 0; k < argc - 1; k++) free(names[k]);
    free(names);
  }
  free(argv);
  return rc;
}

/* ---- the scanners ---- */

/* Reads a decimal line "<digits>\r\n" at *p (below end); advances past it. -1: incomplete. */
static int read_number(const char** p, const char* end, long* out) {
  const char* q = *p;
  int neg = 0;
  long v = 0;
  if (q < end && *q == '-') neg = 1, q++;
  while (q < end && *q >= '0' && *q <= '9') v = v * 10 + (*q++ - '0');
  if (q + 1 >= end) return -1;
  if (q[0] != '\r' || q[1] != '\n') return -2;
  *p = q + 2;
  *out = neg ? -v : v;
  return 0;
}

/* One message frame: *3 / >3 (message) or *4 / >4 (pmessage) of bulk strings. Returns bytes
 * consumed, 0 if incomplete, -1 on a malformed or unexpected frame. */
static long scan_frame(const char* buf, const char* end, uint64_t received) {
  const char* p = buf;
  if (p >= end) return 0;
  if (*p == '-') {
    const char* nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return 0;
    set_failed("subscriber got an error: %.*s", (int)(nl - p - 1), p + 1);
    return -1;
  }
  if (*p != '*' && *p != '>') return -1;
  p++;
  long n;
  int rc = read_number(&p, end, &n);
  if (rc == -1) return 0;
  if (rc < 0 || n < 3 || n > 4) return -1;
  const char* payload = NULL;
  long payload_len = 0;
  int is_message = 0;
  for (long k = 0; k < n; k++) {
    if (p >= end) return 0;
    if (*p != '$') return -1;
    p++;
    long len;
    rc = read_number(&p, end, &len);
    if (rc == -1) return 0;
    if (rc < 0 || len < 0) return -1;
    if (end - p < len + 2) return 0;
    if (k == 0) is_message = (len == 7 && memcmp(p, "message", 7) == 0) ||
                             (len == 8 && memcmp(p, "pmessage", 8) == 0);
    if (k == n - 1) payload = p, payload_len = len;
    p += len + 2;
  }
  if (!is_message) return -1;
  if (payload_len >= kTimestampDigits) {
    uint64_t t = 0;
    for (int i = 0; i < kTimestampDigits; i++) t = t * 10 + (uint64_t)(payload[i] - '0');
    uint64_t ns = received > t ? received - t : 0;
    if (t >= latency_from) histogram_add(&latency, ns);
    if (opt_verbose && t >= run_start) {
      uint64_t slice = (t - run_start) / 10000000u;
      if (slice < kSlices && ns > slice_max[slice]) slice_max[slice] = ns;
    }
  }
  return p - buf;
}

static void ensure_room(conn* c, size_t want) {
  if (c->in_cap - c->in_len >= want) return;
  while (c->in_cap - c->in_len < want) c->in_cap = c->in_cap ? c->in_cap * 2 : kReadChunk;
  c->in = realloc(c->in, c->in_cap);
}

/* Reads what a subscriber's socket has and counts the messages in it. */
static void on_subscriber(conn* s) {
  for (;;) {
    ensure_room(s, kReadChunk);
    ssize_t n = read(s->fd, s->in + s->in_len, s->in_cap - s->in_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      set_failed("subscriber %d: read: %s", s->index, strerror(errno));
      return;
    }
    if (n == 0) {
      set_failed("subscriber %d: the server closed the connection", s->index);
      return;
    }
    const uint64_t received = now_ns();
    s->in_len += (size_t)n;
    const char* p = s->in;
    const char* end = s->in + s->in_len;
    long got = 0;
    for (;;) {
      long used = scan_frame(p, end, received);
      if (used == 0) break;
      if (used < 0) {
        set_failed("subscriber %d: unexpected frame", s->index);
        return;
      }
      p += used;
      got++;
    }
    s->delivered += got;
    total_delivered += got;
    size_t rest = (size_t)(end - p);
    if (rest) memmove(s->in, p, rest);
    s->in_len = rest;
    if ((size_t)n < kReadChunk) return;
  }
}

/* Reads the publisher's PUBLISH replies (":<receivers>\r\n"). */
static void on_publisher_input(void) {
  conn* c = &publisher;
  for (;;) {
    ensure_room(c, 64 * 1024);
    ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      set_failed("publisher: read: %s", strerror(errno));
      return;
    }
    if (n == 0) {
      set_failed("publisher: the server closed the connection");
      return;
    }
    c->in_len += (size_t)n;
    const char* p = c->in;
    const char* end = c->in + c->in_len;
    while (p < end) {
      if (*p == '-') {
        const char* nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        set_failed("PUBLISH: %.*s", (int)(nl - p - 1), p + 1);
        return;
      }
      if (*p != ':') {
        set_failed("PUBLISH: unexpected reply");
        return;
      }
      const char* q = p + 1;
      long v;
      int rc = read_number(&q, end, &v);
      if (rc == -1) break;
      if (rc < 0) {
        set_failed("PUBLISH: unexpected reply");
        return;
      }
      replies++;
      reply_receivers += v;
      p = q;
    }
    size_t rest = (size_t)(end - p);
    if (rest) memmove(c->in, p, rest);
    c->in_len = rest;
    if (n < 64 * 1024) return;
  }
}

/* ---- publishing ---- */

static char* out;
static size_t out_len, out_pos, out_cap;
static long next_channel;
static char* payload_pad;

static void append_publish(void) {
  char ch[24];
  int chlen = snprintf(ch, sizeof ch, "bench:ch:%ld", next_channel);
  size_t need = 64 + (size_t)chlen + (size_t)opt_size;
  if (out_cap - out_len < need) {
    while (out_cap - out_len < need) out_cap = out_cap ? out_cap * 2 : 64 * 1024;
    out = realloc(out, out_cap);
  }
  char* w = out + out_len;
  w += sprintf(w, "*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%020llu", chlen, ch, opt_size,
               (unsigned long long)now_ns());
  memcpy(w, payload_pad, (size_t)(opt_size - kTimestampDigits));
  w += opt_size - kTimestampDigits;
  *w++ = '\r', *w++ = '\n';
  out_len = (size_t)(w - out);
  expected_deliveries += group_members[next_channel % opt_groups];
  sent++;
  if (++next_channel == opt_channels) next_channel = 0;
}

/* Writes what is buffered; 1 when some is left (wait for EPOLLOUT). */
static int flush_publisher(void) {
  while (out_pos < out_len) {
    ssize_t n = write(publisher.fd, out + out_pos, out_len - out_pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return 1;
      set_failed("publisher: write: %s", strerror(errno));
      return 0;
    }
    out_pos += (size_t)n;
  }
  out_pos = out_len = 0;
  return 0;
}

/* ---- report ---- */

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

static void usage(void) {
  fprintf(stderr,
          "usage: pubsubload [-h host] [-p port] [-s seconds=5] [-r rate=0 (max)]\n"
          "                  [-c subscribers=50] [-C channels=1] [-g groups=1 (1 or 10 with -P)]\n"
          "                  [-P (PSUBSCRIBE)] [-b pipeline=50] [-w window=100000]\n"
          "                  [-d payload_bytes=32] [-W latency_warmup_s=seconds/10]\n"
          "                  [-v (worst latency per 10 ms on stderr)]\n");
  exit(2);
}

int main(int argc, char** argv) {
  int opt;
  while ((opt = getopt(argc, argv, "h:p:s:r:c:C:g:Pb:w:d:W:v")) != -1) {
    switch (opt) {
      case 'h': opt_host = optarg; break;
      case 'p': opt_port = atoi(optarg); break;
      case 's': opt_seconds = atof(optarg); break;
      case 'r': opt_rate = atof(optarg); break;
      case 'c': opt_subscribers = atoi(optarg); break;
      case 'C': opt_channels = atoi(optarg); break;
      case 'g': opt_groups = atoi(optarg); break;
      case 'P': opt_patterns = 1; break;
      case 'b': opt_pipeline = atoi(optarg); break;
      case 'w': opt_window = atol(optarg); break;
      case 'd': opt_size = atoi(optarg); break;
      case 'v': opt_verbose = 1; break;
      case 'W': opt_warmup = atof(optarg); break;
      default: usage();
    }
  }
  if (optind != argc || opt_port <= 0 || opt_seconds <= 0 || opt_rate < 0 ||
      opt_subscribers < 1 || opt_channels < 1 || opt_groups < 1 || opt_groups > opt_channels ||
      opt_groups > opt_subscribers || (opt_patterns && opt_groups != 1 && opt_groups != 10) ||
      opt_pipeline < 1 || opt_window < 1 || opt_size < kTimestampDigits)
    usage();

  payload_pad = malloc((size_t)opt_size);
  memset(payload_pad, 'x', (size_t)opt_size);
  group_members = calloc((size_t)opt_groups, sizeof *group_members);
  for (int i = 0; i < opt_subscribers; i++) group_members[i % opt_groups]++;

  subs = calloc((size_t)opt_subscribers, sizeof *subs);
  int ep = epoll_create1(0);
  int tfd = -1;
  int ready = 0;
  uint64_t start = now_ns(), end = start;
  redisContext* pub_ctx = open_connection();
  if (pub_ctx) {
    publisher.ctx = pub_ctx;
    publisher.fd = pub_ctx->fd;
    publisher.index = -1;
    for (ready = 0; ready < opt_subscribers; ready++) {
      subs[ready].index = ready;
      subs[ready].ctx = open_connection();
      if (subs[ready].ctx == NULL) break;
      subs[ready].fd = subs[ready].ctx->fd;
      if (subscribe(&subs[ready]) != 0) {
        ready++;
        break;
      }
    }
  }
  if (!failed) {
    /* hiredis read nothing past the confirmations: nothing else was sent yet. */
    struct epoll_event ev;
    set_nonblocking(publisher.fd);
    ev.events = EPOLLIN;
    ev.data.ptr = &publisher;
    epoll_ctl(ep, EPOLL_CTL_ADD, publisher.fd, &ev);
    for (int i = 0; i < opt_subscribers; i++) {
      set_nonblocking(subs[i].fd);
      ev.events = EPOLLIN;
      ev.data.ptr = &subs[i];
      epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev);
    }
    if (opt_rate > 0) {
      /* Paced: a timer ticks every 100 us (or every message, if slower); each tick sends what
       * is due, in one write. */
      tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
      uint64_t interval = (uint64_t)(1e9 / opt_rate);
      if (interval < 100000) interval = 100000;
      struct timespec every = {(time_t)(interval / 1000000000u), (long)(interval % 1000000000u)};
      struct itimerspec its = {every, every};
      timerfd_settime(tfd, 0, &its, NULL);
      ev.events = EPOLLIN;
      ev.data.ptr = NULL;
      epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    }
    double cpu0 = cpu_seconds();
    start = run_start = now_ns();
    if (opt_warmup < 0) opt_warmup = opt_seconds / 10;
    latency_from = start + (uint64_t)(opt_warmup * 1e9);
    const uint64_t stop_at = start + (uint64_t)(opt_seconds * 1e9);
    uint64_t drain_deadline = 0;
    int want_out = 0, watching_out = 0;
    struct epoll_event events[128];
    while (!failed) {
      uint64_t t = now_ns();
      int publishing = t < stop_at;
      if (!publishing) {
        if (drain_deadline == 0) drain_deadline = t + (uint64_t)(opt_drain_seconds * 1e9);
        if (total_delivered >= expected_deliveries && replies == sent) break;
        if (t > drain_deadline) break;
      }
      /* As fast as it goes: top the pipeline up whenever the last batch is written and the
       * subscribers are within the window. */
      if (publishing && opt_rate == 0 && out_len == 0 &&
          expected_deliveries - total_delivered < opt_window) {
        for (int k = 0; k < opt_pipeline; k++) append_publish();
        want_out = flush_publisher();
      }
      int timeout = publishing ? (opt_rate == 0 && out_len == 0 ? 1 : 10) : 10;
      if (publishing && opt_rate == 0 && out_len == 0 &&
          expected_deliveries - total_delivered < opt_window)
        timeout = 0;
      if (want_out != watching_out) {
        struct epoll_event pev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0),
                                  .data.ptr = &publisher};
        epoll_ctl(ep, EPOLL_CTL_MOD, publisher.fd, &pev);
        watching_out = want_out;
      }
      int n = epoll_wait(ep, events, 128, timeout);
      for (int k = 0; k < n && !failed; k++) {
        conn* c = events[k].data.ptr;
        if (c == NULL) {
          uint64_t ticks;
          if (read(tfd, &ticks, sizeof ticks) < 0) continue;
          if (!publishing) continue;
          long due = (long)((double)(now_ns() - start) * opt_rate / 1e9) - sent;
          if (expected_deliveries - total_delivered >= opt_window) due = 0;
          for (long m = 0; m < due; m++) append_publish();
          if (due > 0 && !want_out) want_out = flush_publisher();
        } else if (c == &publisher) {
          if (events[k].events & EPOLLOUT) want_out = flush_publisher();
          if (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_publisher_input();
        } else {
          on_subscriber(c);
        }
      }
    }
    double client_cpu = cpu_seconds() - cpu0;
    end = now_ns();
    if (!failed && total_delivered < expected_deliveries)
      set_failed("only %ld of %ld deliveries arrived", total_delivered, expected_deliveries);
    if (!failed && replies < sent) set_failed("only %ld of %ld PUBLISH replies", replies, sent);
    if (!failed && reply_receivers != expected_deliveries)
      set_failed("PUBLISH replies count %ld receivers, expected %ld", reply_receivers,
                 expected_deliveries);
    for (int i = 0; i < opt_subscribers && !failed; i++) {
      long want = 0;
      int g = i % opt_groups;
      /* Messages sent to group g: channels j = g, g + groups, ... round-robin. */
      long full = sent / opt_channels, part = sent % opt_channels;
      for (int j = g; j < opt_channels; j += opt_groups) want += full + (j < part ? 1 : 0);
      subs[i].expected = want;
      if (subs[i].delivered != want)
        set_failed("subscriber %d got %ld messages, expected %ld", i, subs[i].delivered, want);
    }
    const double seconds = (double)(end - start) / 1e9;
    if (opt_verbose) {
      for (int k = 0; k < kSlices && k * 0.01 < seconds; k++)
        fprintf(stderr, "%s%.0f", k % 20 ? " " : k ? "\n" : "", slice_max[k] / 1e6);
      fprintf(stderr, "\n");
    }
    printf("{\"ok\": %s, \"error\": ", failed ? "false" : "true");
    json_string(error_text);
    printf(", \"rate\": %.0f, \"subscribers\": %d, \"channels\": %d, \"groups\": %d, "
           "\"patterns\": %s, \"published\": %ld, \"deliveries\": %ld, "
           "\"expected_deliveries\": %ld, \"seconds\": %.4f, \"messages_per_s\": %.1f, "
           "\"deliveries_per_s\": %.1f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"max_ms\": %.4f, "
           "\"latency_samples\": %llu, \"latency_warmup_s\": %.3f, \"client_cpu_s\": %.3f}\n",
           opt_rate, opt_subscribers, opt_channels, opt_groups, opt_patterns ? "true" : "false",
           sent, total_delivered, expected_deliveries, seconds,
           seconds > 0 ? (double)sent / seconds : 0.0,
           seconds > 0 ? (double)total_delivered / seconds : 0.0,
           histogram_percentile_ms(&latency, 0.50), histogram_percentile_ms(&latency, 0.99),
           (double)latency.max_ns / 1e6, (unsigned long long)latency.total, opt_warmup, client_cpu);
  } else {
    printf("{\"ok\": false, \"error\": ");
    json_string(error_text);
    printf("}\n");
  }
  for (int i = 0; i < ready; i++)
    if (subs[i].ctx) redisFree(subs[i].ctx);
  if (pub_ctx) redisFree(pub_ctx);
  return failed ? 1 : 0;
}
