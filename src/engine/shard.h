// A shard: the keys of every database whose hash slot maps here, their expiry indexes, the
// WATCH registrations on them and their statistics, all under one mutex.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/blocking.h"
#include "engine/table.h"

namespace weir::engine {

// The part of a client that WATCH needs: a flag that any thread writing a watched key sets.
struct WatchClient {
  std::atomic<bool> dirty{false};
};

struct Watcher {
  WatchClient* client;
  // The key was already logically expired when watched: its deletion alone is no change.
  bool expired_at_watch;
};

// One database's slice of the keyspace within a shard.
struct DbTable {
  Table keys;
  // Entries with a TTL; each knows its index here (Entry::ExpireInfo::index), so removal is
  // O(1), and active expiry walks it with a cursor.
  std::vector<Entry*> expires;
  size_t expire_cursor = 0;  // where active expiry resumes in `expires`
  absl::flat_hash_map<std::string, std::vector<Watcher>> watched;
  // Clients blocked on a key (BLPOP, XREAD BLOCK...), first come first served.
  absl::flat_hash_map<std::string, std::vector<std::shared_ptr<Waiter>>> waiters;

  void AddExpire(Entry* e);
  void RemoveExpire(Entry* e);
  // Points the expiry index at e after its entry was reallocated.
  void UpdateExpire(Entry* e) { expires[e->expire_info()->index] = e; }
};

struct ShardStats {
  std::atomic<int64_t> keyspace_hits{0};
  std::atomic<int64_t> keyspace_misses{0};
  std::atomic<int64_t> expired_keys{0};
  std::atomic<int64_t> expired_stale_perc{0};
};

// Debug and sanitizer builds check the lock discipline at run time: every access to a shard's
// tables asserts that the calling thread holds its lock, and locking a shard the thread already
// holds (a self-deadlock) aborts instead of hanging. Release builds compile the checks out.
#if !defined(NDEBUG) || defined(WEIR_SANITIZE)
#define WEIR_CHECK_LOCKS 1
#endif

// Lock rule: the lock is taken only by the engine's LockSet (and Engine::TryLockShard), in
// ascending shard order, never waiting while holding a higher shard's lock. Everything else
// here except stats() requires it held by the calling thread.
class Shard {
 public:
  explicit Shard(int num_dbs) : dbs_(num_dbs) {}

  void Lock();
  bool TryLock();
  void Unlock();
  // Whether the calling thread holds the lock (always true when checks are compiled out).
  bool HeldByMe() const;

  DbTable& db(int index) {
    AssertHeld();
    return dbs_[index];
  }
  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  // Atomic counters: readable without the lock.
  ShardStats& stats() { return stats_; }

 private:
  void AssertHeld() const;

  std::mutex mu_;
#ifdef WEIR_CHECK_LOCKS
  std::atomic<std::thread::id> owner_{};
#endif
  std::vector<DbTable> dbs_;
  ShardStats stats_;
};

#ifdef WEIR_CHECK_LOCKS
inline bool Shard::HeldByMe() const {
  return owner_.load(std::memory_order_relaxed) == std::this_thread::get_id();
}
#else
inline bool Shard::HeldByMe() const { return true; }
inline void Shard::AssertHeld() const {}
inline void Shard::Lock() { mu_.lock(); }
inline bool Shard::TryLock() { return mu_.try_lock(); }
inline void Shard::Unlock() { mu_.unlock(); }
#endif

}  // namespace weir::engine
