/*
 * loadgen.h: helpers shared by the bench load generators (streamload.c, pubsubload.c):
 * a monotonic clock in ns, the log-linear latency histogram, and JSON string output.
 * Header-only (static functions), so each generator still builds from its one .c file.
 */
#ifndef WEIR_BENCH_LOADGEN_H
#define WEIR_BENCH_LOADGEN_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- latency histogram ----
 * Log-linear buckets over nanoseconds: values below 64 get a bucket each; above, every
 * power of two is split into 64 buckets, so a bucket is at most 1/64 (1.6 %) wide. */

enum { kSubBits = 6, kSub = 1 << kSubBits, kBuckets = 64 * kSub };

typedef struct {
  uint64_t counts[kBuckets];
  uint64_t total;
  uint64_t max_ns;
} histogram;

static int bucket_of(uint64_t ns) {
  if (ns < kSub) return (int)ns;
  int msb = 63 - __builtin_clzll(ns);
  int shift = msb - kSubBits; /* ns >> shift lands in [kSub, 2 * kSub) */
  return (shift + 1) * kSub + (int)((ns >> shift) - kSub);
}

/* The middle of a bucket's range. */
static double bucket_value(int b) {
  if (b < kSub) return b;
  int shift = b / kSub - 1;
  uint64_t low = (uint64_t)(b % kSub + kSub) << shift;
  return (double)low + (double)((uint64_t)1 << shift) / 2.0;
}

static void histogram_add(histogram* h, uint64_t ns) {
  h->counts[bucket_of(ns)]++;
  h->total++;
  if (ns > h->max_ns) h->max_ns = ns;
}

static double histogram_percentile_ms(const histogram* h, double p) {
  if (h->total == 0) return -1.0;
  uint64_t rank = (uint64_t)(p * (double)h->total + 0.5);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; b++) {
    seen += h->counts[b];
    if (seen >= rank) return bucket_value(b) / 1e6;
  }
  return (double)h->max_ns / 1e6;
}

/* ---- report ---- */

/* Prints s as a JSON string literal on stdout. */
static void json_string(const char* s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      printf("\\%c", ch);
    else if (ch < 0x20)
      printf("\\u%04x", ch);
    else
      putchar(ch);
  }
  putchar('"');
}

#endif
