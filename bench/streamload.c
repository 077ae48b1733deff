/*
 * streamload: consumer-group load on one stream, for bench/bench.py.
 *
 * A producer connection appends entries with
 *     XADD <key> MAXLEN ~ <maxlen> * ts <send time, ns> data <32 bytes>
 * sending up to <pipeline> commands before reading their replies. <consumers> connections
 * in one group loop on
 *     XREADGROUP GROUP <group> c<i> COUNT <count> BLOCK <block ms> STREAMS <key> >
 * and acknowledge each batch they get with one XACK. The producer runs for <seconds>, as
 * fast as it can (rate 0) or paced at <rate> entries/s; then the consumers drain what is left.
 *
 * It measures entries delivered and acknowledged per second, and the latency from the
 * producer's send (the ts field, CLOCK_MONOTONIC on this host) to the consumer's receipt.
 * The producer keeps at most <window> entries un-acknowledged, so MAXLEN ~ trimming never
 * removes an entry before a consumer has read it (keep window < maxlen).
 *
 * Prints one JSON object on stdout; exit status 0 on success, 1 when the server failed or
 * answered an error (the JSON then says which), 2 on bad usage.
 *
 * Build: cc -O2 bench/streamload.c -o streamload -lhiredis -lpthread   (bench/bench.sh does it;
 * it includes bench/loadgen.h, next to it)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"

/* ---- options ---- */

static const char* opt_host = "127.0.0.1";
static int opt_port = 6379;
static double opt_seconds = 5.0;
static double opt_rate = 0.0; /* entries/s; 0 = as fast as possible */
static int opt_consumers = 5;
static int opt_pipeline = 50;
static long opt_maxlen = 100000;
static long opt_window = 20000;
static int opt_count = 100;
static int opt_block_ms = 1000;
static double opt_drain_seconds = 10.0;
static const char* opt_key = "bench:cg";
static const char* opt_group = "bench";

enum { kPayloadBytes = 32 };

/* ---- shared state ---- */

static atomic_long entries_sent;  /* XADDs the server has answered */
static atomic_long entries_acked; /* sum of XACK replies */
static atomic_int stop_consumers;
static atomic_long last_ack_ns;

static pthread_mutex_t error_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int failed;
static char error_text[256];

static void sleep_ns(uint64_t ns) {
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Records the first failure; later ones are consequences of it. */
static void set_failed(const char* fmt, ...) {
  pthread_mutex_lock(&error_lock);
  if (!atomic_load(&failed)) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
    atomic_store(&failed, 1);
  }
  pthread_mutex_unlock(&error_lock);
}

static redisContext* open_connection(double read_timeout_s) {
  struct timeval connect_timeout = {5, 0};
  redisContext* c = redisConnectWithTimeout(opt_host, opt_port, connect_timeout);
  if (c == NULL || c->err) {
    set_failed("connect to %s:%d: %s", opt_host, opt_port, c ? c->errstr : "out of memory");
    if (c) redisFree(c);
    return NULL;
  }
  struct timeval rt = {(time_t)read_timeout_s,
                       (suseconds_t)((read_timeout_s - (time_t)read_timeout_s) * 1e6)};
  redisSetTimeout(c, rt);
  return c;
}

/* Latency: a histogram (loadgen.h) per consumer; they are added up at the end. */

/* ---- producer ---- */

static void produce(redisContext* c) {
  char maxlen[24], payload[kPayloadBytes + 1];
  snprintf(maxlen, sizeof maxlen, "%ld", opt_maxlen);
  memset(payload, 'x', kPayloadBytes);
  payload[kPayloadBytes] = '\0';

  const uint64_t start = now_ns();
  const uint64_t end = start + (uint64_t)(opt_seconds * 1e9);
  long sent = 0;
  for (uint64_t t = start; t < end && !atomic_load(&failed); t = now_ns()) {
    long batch = opt_pipeline;
    if (opt_rate > 0) {
      long due = (long)((double)(t - start) * opt_rate / 1e9) - sent;
      if (due <= 0) {
        uint64_t next = start + (uint64_t)((double)(sent + 1) * 1e9 / opt_rate);
        if (next > t) sleep_ns(next - t);
        continue;
      }
      if (due < batch) batch = due;
    }
    if (sent + batch - atomic_load(&entries_acked) > opt_window) {
      sleep_ns(50000); /* consumers are behind: let them catch up */
      continue;
    }
    for (long i = 0; i < batch; i++) {
      char ts[24];
      snprintf(ts, sizeof ts, "%llu", (unsigned long long)now_ns());
      const char* argv[] = {"XADD", opt_key, "MAXLEN", "~", maxlen, "*", "ts", ts, "data", payload};
      redisAppendCommandArgv(c, 10, argv, NULL);
    }
    for (long i = 0; i < batch; i++) {
      redisReply* r;
      if (redisGetReply(c, (void**)&r) != REDIS_OK) {
        set_failed("producer: %s", c->errstr);
        return;
      }
      int is_error = r->type == REDIS_REPLY_ERROR;
      if (is_error) set_failed("XADD: %s", r->str);
      freeReplyObject(r);
      if (is_error) return;
    }
    sent += batch;
    atomic_store(&entries_sent, sent);
  }
}

/* ---- consumers ---- */

typedef struct {
  int index;
  redisContext* conn;
  histogram latency;
  long delivered;
  long reads;
  long empty_reads;
} consumer;

/* Finds the "ts" field of one entry ([id, [field, value, ...]]); 0 when it has none. */
static uint64_t entry_send_time(const redisReply* entry) {
  const redisReply* fields = entry->element[1];
  if (fields->type != REDIS_REPLY_ARRAY) return 0;
  for (size_t k = 0; k + 1 < fields->elements; k += 2) {
    const redisReply* f = fields->element[k];
    if (f->type == REDIS_REPLY_STRING && f->len == 2 && memcmp(f->str, "ts", 2) == 0)
      return strtoull(fields->element[k + 1]->str, NULL, 10);
  }
  return 0;
}

static void* consume(void* arg) {
  consumer* me = arg;
  char name[16], count[16], block[16];
  snprintf(name, sizeof name, "c%d", me->index);
  snprintf(count, sizeof count, "%d", opt_count);
  snprintf(block, sizeof block, "%d", opt_block_ms);
  const char* read_argv[] = {"XREADGROUP", "GROUP", opt_group, name,    "COUNT", count,
                             "BLOCK",      block,   "STREAMS", opt_key, ">"};
  size_t ack_cap = (size_t)opt_count + 3;
  const char** ack_argv = malloc(ack_cap * sizeof *ack_argv);
  size_t* ack_len = malloc(ack_cap * sizeof *ack_len);

  while (!atomic_load(&stop_consumers) && !atomic_load(&failed)) {
    redisReply* r = redisCommandArgv(me->conn, 11, read_argv, NULL);
    if (r == NULL) {
      if (!atomic_load(&stop_consumers)) set_failed("consumer: %s", me->conn->errstr);
      break;
    }
    me->reads++;
    const uint64_t received = now_ns();
    if (r->type == REDIS_REPLY_ERROR) {
      set_failed("XREADGROUP: %s", r->str);
      freeReplyObject(r);
      break;
    }
    /* Nil after BLOCK timed out; else [[key, [entry, ...]]] (RESP2). */
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
      me->empty_reads++;
      freeReplyObject(r);
      continue;
    }
    const redisReply* stream = r->element[0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 ||
        stream->element[1]->type != REDIS_REPLY_ARRAY) {
      set_failed("XREADGROUP: unexpected reply shape");
      freeReplyObject(r);
      break;
    }
    const redisReply* entries = stream->element[1];
    if (entries->elements + 3 > ack_cap) {
      ack_cap = entries->elements + 3;
      ack_argv = realloc(ack_argv, ack_cap * sizeof *ack_argv);
      ack_len = realloc(ack_len, ack_cap * sizeof *ack_len);
    }
    ack_argv[0] = "XACK", ack_len[0] = 4;
    ack_argv[1] = opt_key, ack_len[1] = strlen(opt_key);
    ack_argv[2] = opt_group, ack_len[2] = strlen(opt_group);
    size_t ack_argc = 3;
    for (size_t i = 0; i < entries->elements; i++) {
      const redisReply* e = entries->element[i];
      if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
          e->element[0]->type != REDIS_REPLY_STRING)
        continue;
      uint64_t sent_at = entry_send_time(e);
      if (sent_at != 0) histogram_add(&me->latency, received > sent_at ? received - sent_at : 0);
      ack_argv[ack_argc] = e->element[0]->str;
      ack_len[ack_argc] = e->element[0]->len;
      ack_argc++;
    }
    me->delivered += (long)(ack_argc - 3);
    if (ack_argc > 3) {
      redisReply* a = redisCommandArgv(me->conn, (int)ack_argc, ack_argv, ack_len);
      if (a == NULL || a->type != REDIS_REPLY_INTEGER) {
        set_failed("XACK: %s", a == NULL                      ? me->conn->errstr
                               : a->type == REDIS_REPLY_ERROR ? a->str
                                                              : "reply is not an integer");
        if (a) freeReplyObject(a);
        freeReplyObject(r);
        break;
      }
      atomic_fetch_add(&entries_acked, (long)a->integer);
      atomic_store(&last_ack_ns, (long)now_ns());
      freeReplyObject(a);
    }
    freeReplyObject(r);
  }
  free(ack_argv);
  free(ack_len);
  return NULL;
}

/* ---- set-up and report ---- */

/* Runs one command on the set-up connection; 0 on success. */
static int setup_command(redisContext* c, const char* what, int argc, const char** argv) {
  redisReply* r = redisCommandArgv(c, argc, argv, NULL);
  if (r == NULL || r->type == REDIS_REPLY_ERROR) {
    set_failed("%s: %s", what, r ? r->str : c->errstr);
    if (r) freeReplyObject(r);
    return -1;
  }
  freeReplyObject(r);
  return 0;
}

static void usage(void) {
  fprintf(
      stderr,
      "usage: streamload [-h host] [-p port] [-s seconds=5] [-r rate=0 (max)] [-c consumers=5]\n"
      "                  [-b producer_pipeline=50] [-m maxlen=100000] [-w window=20000]\n"
      "                  [-n count=100] [-B block_ms=1000] [-k key=bench:cg]\n");
  exit(2);
}

int main(int argc, char** argv) {
  int opt;
  while ((opt = getopt(argc, argv, "h:p:s:r:c:b:m:w:n:B:k:")) != -1) {
    switch (opt) {
      case 'h':
        opt_host = optarg;
        break;
      case 'p':
        opt_port = atoi(optarg);
        break;
      case 's':
        opt_seconds = atof(optarg);
        break;
      case 'r':
        opt_rate = atof(optarg);
        break;
      case 'c':
        opt_consumers = atoi(optarg);
        break;
      case 'b':
        opt_pipeline = atoi(optarg);
        break;
      case 'm':
        opt_maxlen = atol(optarg);
        break;
      case 'w':
        opt_window = atol(optarg);
        break;
      case 'n':
        opt_count = atoi(optarg);
        break;
      case 'B':
        opt_block_ms = atoi(optarg);
        break;
      case 'k':
        opt_key = optarg;
        break;
      default:
        usage();
    }
  }
  if (optind != argc || opt_port <= 0 || opt_seconds <= 0 || opt_rate < 0 || opt_consumers < 1 ||
      opt_pipeline < 1 || opt_window < opt_pipeline || opt_maxlen < opt_window || opt_count < 1 ||
      opt_block_ms < 1)
    usage();

  const double read_timeout = opt_block_ms / 1000.0 + 10.0;
  consumer* consumers = calloc((size_t)opt_consumers, sizeof *consumers);
  pthread_t* threads = calloc((size_t)opt_consumers, sizeof *threads);
  int started = 0;
  uint64_t start = now_ns(), end = start;
  long produced = 0, acked = 0;

  redisContext* admin = open_connection(10.0);
  redisContext* producer = admin ? open_connection(10.0) : NULL;
  const char* del_argv[] = {"DEL", opt_key};
  const char* create_argv[] = {"XGROUP", "CREATE", opt_key, opt_group, "$", "MKSTREAM"};
  if (producer && setup_command(admin, "DEL", 2, del_argv) == 0 &&
      setup_command(admin, "XGROUP CREATE", 6, create_argv) == 0) {
    for (; started < opt_consumers; started++) {
      consumers[started].index = started;
      consumers[started].conn = open_connection(read_timeout);
      if (consumers[started].conn == NULL) break;
    }
    if (started == opt_consumers) {
      start = now_ns();
      atomic_store(&last_ack_ns, (long)start);
      for (int i = 0; i < opt_consumers; i++)
        pthread_create(&threads[i], NULL, consume, &consumers[i]);
      produce(producer);
      produced = atomic_load(&entries_sent);
      const uint64_t drain_deadline = now_ns() + (uint64_t)(opt_drain_seconds * 1e9);
      while (atomic_load(&entries_acked) < produced && !atomic_load(&failed) &&
             now_ns() < drain_deadline)
        sleep_ns(1000000);
      acked = atomic_load(&entries_acked);
      if (acked < produced) set_failed("only %ld of %ld entries acknowledged", acked, produced);
      end = (uint64_t)atomic_load(&last_ack_ns);
      atomic_store(&stop_consumers, 1);
      /* Consumers may be parked in XREADGROUP BLOCK: closing the sockets wakes them. */
      for (int i = 0; i < opt_consumers; i++) shutdown(consumers[i].conn->fd, SHUT_RDWR);
      for (int i = 0; i < opt_consumers; i++) pthread_join(threads[i], NULL);
    }
  }
  if (admin && !admin->err) {
    redisReply* r = redisCommandArgv(admin, 2, del_argv, NULL); /* leave the server lean */
    if (r) freeReplyObject(r);
  }

  histogram* all = calloc(1, sizeof *all);
  long delivered = 0, reads = 0, empty_reads = 0;
  for (int i = 0; i < started; i++) {
    consumer* c = &consumers[i];
    for (int b = 0; b < kBuckets; b++) all->counts[b] += c->latency.counts[b];
    all->total += c->latency.total;
    if (c->latency.max_ns > all->max_ns) all->max_ns = c->latency.max_ns;
    delivered += c->delivered;
    reads += c->reads;
    empty_reads += c->empty_reads;
    redisFree(c->conn);
  }
  const double seconds = end > start ? (double)(end - start) / 1e9 : 0.0;
  printf("{\"ok\": %s, \"error\": ", atomic_load(&failed) ? "false" : "true");
  json_string(error_text);
  printf(
      ", \"rate\": %.0f, \"consumers\": %d, \"produced\": %ld, \"delivered\": %ld, "
      "\"acked\": %ld, \"seconds\": %.4f, \"entries_per_s\": %.1f, \"p50_ms\": %.4f, "
      "\"p99_ms\": %.4f, \"max_ms\": %.4f, \"latency_samples\": %llu, \"reads\": %ld, "
      "\"empty_reads\": %ld}\n",
      opt_rate, opt_consumers, produced, delivered, acked, seconds,
      seconds > 0 ? (double)acked / seconds : 0.0, histogram_percentile_ms(all, 0.50),
      histogram_percentile_ms(all, 0.99), (double)all->max_ns / 1e6, (unsigned long long)all->total,
      reads, empty_reads);
  if (producer) redisFree(producer);
  if (admin) redisFree(admin);
  free(all);
  free(consumers);
  free(threads);
  return atomic_load(&failed) ? 1 : 0;
}
