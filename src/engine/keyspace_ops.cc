// Keyspace-wide engine operations: per-shard SCAN steps, whole-database iteration, random
// keys, SWAPDB, and the non-blocking shard lock SCAN needs inside EXEC.
#include <utility>

#include "engine/engine.h"

namespace weir::engine {

void Engine::SwapDbs(int a, int b) {
  if (a == b) return;
  for (auto& s : shards_) {
    DbTable& x = s->db(a);
    DbTable& y = s->db(b);
    // Each expiry index moves with its table, so the entries' index positions stay valid.
    std::swap(x.keys, y.keys);
    std::swap(x.expires, y.expires);
  }
}

Engine::BlockingKeys Engine::CountBlockingKeys() {
  BlockingKeys out;
  for (int s = 0; s < num_shards(); ++s) {
    for (int db = 0; db < num_dbs_; ++db) {
      for (const auto& [key, queue] : shards_[s]->db(db).waiters) {
        ++out.keys;
        bool nokey = false;
        for (const auto& w : queue) nokey |= w->wake_on_missing;
        out.keys_on_nokey += nokey;
      }
    }
  }
  return out;
}

bool Engine::TryLockShard(int shard) { return shards_[shard]->TryLock(); }

void Engine::UnlockShard(int shard) { shards_[shard]->Unlock(); }

uint64_t DbView::ScanShard(int shard, uint64_t cursor, const std::function<void(Entry*)>& fn) {
  return engine_.shard(shard).db(db_).keys.Scan(cursor, fn);
}

void DbView::ForEachEntry(const std::function<void(Entry*)>& fn) {
  for (int s = 0; s < engine_.num_shards(); ++s) engine_.shard(s).db(db_).keys.ForEach(fn);
}

Entry* DbView::RandomEntry() {
  for (;;) {
    // Pick a shard in proportion to its key count, so every key is about equally likely.
    uint64_t total = 0;
    for (int s = 0; s < engine_.num_shards(); ++s) total += engine_.shard(s).db(db_).keys.size();
    if (total == 0) return nullptr;
    uint64_t pick = RandomU64() % total;
    int s = 0;
    for (;; ++s) {
      uint64_t n = engine_.shard(s).db(db_).keys.size();
      if (pick < n) break;
      pick -= n;
    }
    DbTable& t = engine_.shard(s).db(db_);
    Entry* e = t.keys.Random(&RandomU64);
    // An expired pick is deleted and another drawn, as Redis's dbRandomKey does: each round
    // removes a key, so this ends.
    if (ExpireIfNeeded(t, s, e) != nullptr) return e;
  }
}

}  // namespace weir::engine
