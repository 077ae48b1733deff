// Bounded memory per client: client-output-buffer-limit (Redis's checkClientOutputBufferLimits)
// and maxmemory-clients (Redis 7's client eviction), with the counters INFO shows.
//
// What a connection counts (Connection::PublishMemory, shown by CLIENT LIST):
//  * omem: Redis counts the reply list beyond its fixed 16 KiB reply buffer. Weir has one output
//    string; the first kFixedReplyBytes of its unsent bytes play the fixed buffer (obl) and the
//    rest is omem (oll: that rest in 16 KiB blocks), so a client whose pending reply fits 16 KiB
//    shows omem=0 and is never closed for its output, as in Redis (reply_bytes == 0).
//  * tot-mem: everything the connection holds: its input and output buffers' capacities, the
//    running command's arguments, the MULTI queue, and the connection object itself.
// Limits are checked whenever a reply or push is appended and on every tick (clientsCron);
// a client over them is closed after the current batch, never from inside the append.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

namespace weir::server {

// Redis's client classes for output-buffer limits (the order of the config directive).
enum class ClientClass { kNormal = 0, kReplica = 1, kPubsub = 2 };

// Redis's PROTO_REPLY_CHUNK_BYTES: the fixed reply buffer and the reply-list block size.
constexpr int64_t kFixedReplyBytes = 16 * 1024;

struct OutputLimit {
  int64_t hard = 0, soft = 0, soft_seconds = 0;
  bool any() const { return hard > 0 || soft > 0; }
};

// Redis's checkClientOutputBufferLimits: over the hard limit, or over the soft limit for longer
// than its seconds. *soft_since_s is the client's obuf_soft_limit_reached_time (0: not over).
bool OverOutputLimit(const OutputLimit& limit, int64_t used, int64_t now_s, int64_t* soft_since_s);

// maxmemory-clients in bytes (0: off): a negative value is a percentage of maxmemory (off when
// maxmemory is 0); at least 128 KiB, as Redis's getClientEvictionLimit.
int64_t ClientEvictionLimit(int64_t maxmemory_clients, int64_t maxmemory);

// Server-wide state: the parsed limits (written on CONFIG SET, read by every loop), the
// clients' memory as per-loop sums, and the counters.
class ClientLimits {
 public:
  explicit ClientLimits(int loops);

  // From client-output-buffer-limit's canonical text ("normal h s sec slave h s sec pubsub ...").
  void LoadOutputLimits(std::string_view canonical);
  OutputLimit output_limit(ClientClass c) const;

  // A connection's memory moved by delta; only from the loop's own thread (or once the loops
  // stopped), so each slot has one writer.
  void AddClientMemory(int loop, int64_t delta) {
    auto& v = slots_[loop].bytes;
    v.store(v.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  int64_t TotalClientMemory() const;

  void CountOutputLimitDisconnection() {
    obuf_disconnections_.fetch_add(1, std::memory_order_relaxed);
  }
  void CountQueryLimitDisconnection() {
    qbuf_disconnections_.fetch_add(1, std::memory_order_relaxed);
  }
  void CountEvicted() { evicted_.fetch_add(1, std::memory_order_relaxed); }
  int64_t output_limit_disconnections() const { return obuf_disconnections_.load(); }
  int64_t query_limit_disconnections() const { return qbuf_disconnections_.load(); }
  int64_t evicted_clients() const { return evicted_.load(); }
  void ResetStats() {
    obuf_disconnections_ = 0;
    qbuf_disconnections_ = 0;
    evicted_ = 0;
  }

 private:
  struct alignas(64) Slot {
    std::atomic<int64_t> bytes{0};
  };
  std::unique_ptr<Slot[]> slots_;
  int loops_;
  std::atomic<int64_t> limits_[3][3] = {};
  std::atomic<int64_t> obuf_disconnections_{0}, qbuf_disconnections_{0}, evicted_{0};
};

}  // namespace weir::server
