// maxmemory eviction, as Redis's evict.c: before a command runs while used memory is over
// maxmemory, keys chosen by maxmemory-policy are deleted until it is under, within a time bound
// set by maxmemory-eviction-tenacity.
//
// Locking: Perform is called with no shard lock held. It locks one shard at a time (an
// engine::LockSet of one shard) to sample keys or to delete the chosen one, never two at once.
// One thread evicts at a time (a try-locked token); the others go on (as Redis's EVICT_RUNNING)
// unless the last pass found nothing to evict.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace weir::commands {

class Evictor {
 public:
  enum class Result { kOk, kRunning, kFail };
  // maxmemory-policy's enumeration values (common/config.cc).
  enum Policy {
    kVolatileLru = 0,
    kVolatileLfu = 1,
    kVolatileRandom = 2,
    kVolatileTtl = 3,
    kAllkeysLru = 4,
    kAllkeysLfu = 5,
    kAllkeysRandom = 6,
    kNoEviction = 7,
  };

  explicit Evictor(engine::Engine& engine) : engine_(engine) {}

  // Evicts until used memory is under maxmemory (> 0). kFail: still over and nothing (more) can
  // be evicted, so deny-oom commands are refused. Returns whether any key was deleted in
  // *evicted_any (the caller then serves the ready keys the deletions listed).
  // lazy: lazyfree-lazy-eviction (big values are freed on the lazy-free thread).
  Result Perform(int64_t maxmemory, int policy, int samples, int tenacity, bool lazy,
                 bool* evicted_any);
  // Called while under the limit: ends an over-limit period (eviction exceeded time).
  void NoteUnder();

  // CONFIG RESETSTAT.
  void ResetStats() {
    evicted_keys_ = 0;
    total_exceeded_us_ = 0;
  }

  int64_t evicted_keys() const { return evicted_keys_.load(std::memory_order_relaxed); }
  // Microseconds spent over maxmemory in total (ended periods plus the current one), and in
  // the current period (0 when under).
  int64_t total_exceeded_us() const;
  int64_t current_exceeded_us() const;

 private:
  struct PoolEntry {
    uint64_t idle = 0;  // higher is a better candidate
    std::string key;
    int db = 0;
    int shard = 0;
  };
  static constexpr size_t kPoolSize = 16;

  // Samples the next non-empty shard(s) into the pool; false when no shard had a candidate.
  bool PopulatePool(int policy, int samples, int64_t now_ms);
  void PoolInsert(uint64_t idle, std::string_view key, int db, int shard);
  // Deletes the best candidate of the pool that still exists; false when the pool ran dry.
  bool EvictFromPool(int policy, int64_t now_ms);
  // allkeys-random / volatile-random: deletes one random key; false when none exists.
  bool EvictRandom(int policy, int64_t now_ms);
  bool DeleteLocked(engine::DbView& db, std::string_view key);

  engine::Engine& engine_;
  std::mutex token_;             // held by the one thread evicting
  std::vector<PoolEntry> pool_;  // ascending idle; guarded by token_
  int next_shard_ = 0;           // guarded by token_
  int next_db_ = 0;              // guarded by token_
  bool lazy_ = false;            // lazyfree-lazy-eviction; guarded by token_
  std::atomic<bool> last_failed_{false};
  std::atomic<int64_t> evicted_keys_{0};
  std::atomic<int64_t> over_since_us_{0};  // 0: not over
  std::atomic<int64_t> total_exceeded_us_{0};
};

}  // namespace weir::commands
