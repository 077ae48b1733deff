#include "commands/eviction.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/keyspace_events.h"
#include "common/memory.h"
#include "engine/shard.h"

namespace weir::commands {

namespace {

// Redis's evictionTimeLimitUs: 50us per tenacity step up to 10, then +15% per step, unlimited
// at 100.
int64_t TimeLimitUs(int tenacity) {
  if (tenacity <= 10) return 50LL * tenacity;
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return std::numeric_limits<int64_t>::max();
}

bool IsVolatile(int policy) { return policy <= Evictor::kVolatileTtl; }

}  // namespace

int64_t Evictor::current_exceeded_us() const {
  int64_t since = over_since_us_.load(std::memory_order_relaxed);
  return since == 0 ? 0 : std::max<int64_t>(0, engine::NowUs() - since);
}

int64_t Evictor::total_exceeded_us() const {
  return total_exceeded_us_.load(std::memory_order_relaxed) + current_exceeded_us();
}

void Evictor::NoteUnder() {
  if (over_since_us_.load(std::memory_order_relaxed) == 0) return;
  last_failed_.store(false, std::memory_order_relaxed);
  int64_t since = over_since_us_.exchange(0);
  if (since != 0) total_exceeded_us_.fetch_add(std::max<int64_t>(0, engine::NowUs() - since));
}

void Evictor::PoolInsert(uint64_t idle, std::string_view key, int db, int shard) {
  for (auto it = pool_.begin(); it != pool_.end(); ++it) {
    if (it->db == db && it->key == key) {
      pool_.erase(it);
      break;
    }
  }
  if (pool_.size() >= kPoolSize && idle <= pool_.front().idle) return;
  if (pool_.size() >= kPoolSize) pool_.erase(pool_.begin());  // drop the worst candidate
  auto pos = std::upper_bound(pool_.begin(), pool_.end(), idle,
                              [](uint64_t v, const PoolEntry& p) { return v < p.idle; });
  pool_.insert(pos, PoolEntry{idle, std::string(key), db, shard});
}

bool Evictor::PopulatePool(int policy, int samples, int64_t now_ms) {
  const int n = engine_.num_shards();
  const bool volatile_only = IsVolatile(policy);
  for (int i = 0; i < n; ++i) {
    const int s = next_shard_;
    next_shard_ = (next_shard_ + 1) % n;
    engine::LockSet locks(engine_);
    locks.AddShard(s);
    if (!locks.LockUnlessBusy()) return false;
    engine::Shard& shard = engine_.shard(s);
    bool sampled = false;
    for (int d = 0; d < engine_.num_dbs(); ++d) {
      engine::DbTable& t = shard.db(d);
      const size_t size = volatile_only ? t.expires.size() : t.keys.size();
      if (size == 0) continue;
      engine::DbView view(engine_, d, now_ms);
      const uint32_t now_s = view.LruNow();
      for (int k = 0; k < samples; ++k) {
        engine::Entry* e = volatile_only ? t.expires[engine::RandomU64() % size]
                                         : t.keys.Random(&engine::RandomU64);
        if (e == nullptr) continue;
        uint64_t idle = 0;
        switch (policy) {
          case kVolatileLru:
          case kAllkeysLru:
            idle = now_s > e->lru ? now_s - e->lru : 0;
            break;
          case kVolatileLfu:
          case kAllkeysLfu:
            idle = 255 - static_cast<uint64_t>(view.LfuDecayed(e));
            break;
          case kVolatileTtl:
            idle = std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(e->expire_at());
            break;
          default:
            break;
        }
        PoolInsert(idle, e->key(), d, s);
        sampled = true;
      }
    }
    if (sampled) return true;
  }
  return false;
}

bool Evictor::DeleteLocked(engine::DbView& db, std::string_view key) {
  if (!db.Delete(key, KeyEvent{kNotifyEvicted, "evicted"}, lazy_)) return false;
  evicted_keys_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool Evictor::EvictFromPool(int policy, int64_t now_ms) {
  while (!pool_.empty()) {
    PoolEntry best = std::move(pool_.back());
    pool_.pop_back();
    engine::LockSet locks(engine_);
    locks.AddShard(best.shard);
    if (!locks.LockUnlessBusy()) return false;
    engine::DbView view(engine_, best.db, now_ms);
    engine::Entry* e = view.Peek(best.key);
    // Gone since it was sampled (or, for volatile-*, no longer has a TTL): the next one.
    if (e == nullptr || (IsVolatile(policy) && !e->has_expire())) continue;
    if (DeleteLocked(view, best.key)) return true;
  }
  return false;
}

bool Evictor::EvictRandom(int policy, int64_t now_ms) {
  const int n = engine_.num_shards();
  const int dbs = engine_.num_dbs();
  const bool volatile_only = IsVolatile(policy);
  for (int i = 0; i < n; ++i) {
    const int s = next_shard_;
    next_shard_ = (next_shard_ + 1) % n;
    engine::LockSet locks(engine_);
    locks.AddShard(s);
    if (!locks.LockUnlessBusy()) return false;
    engine::Shard& shard = engine_.shard(s);
    for (int j = 0; j < dbs; ++j) {
      const int d = (next_db_ + j) % dbs;
      engine::DbTable& t = shard.db(d);
      engine::Entry* e = nullptr;
      if (volatile_only) {
        if (!t.expires.empty()) e = t.expires[engine::RandomU64() % t.expires.size()];
      } else {
        e = t.keys.Random(&engine::RandomU64);
      }
      if (e == nullptr) continue;
      next_db_ = (d + 1) % dbs;
      std::string key(e->key());
      engine::DbView view(engine_, d, now_ms);
      DeleteLocked(view, key);  // false: it had expired, which freed it just as well
      return true;
    }
  }
  return false;
}

Evictor::Result Evictor::Perform(int64_t maxmemory, int policy, int samples, int tenacity,
                                 bool lazy, bool* evicted_any) {
  *evicted_any = false;
  if (mem::UsedMemory() <= maxmemory) {
    NoteUnder();
    return Result::kOk;
  }
  if (over_since_us_.load(std::memory_order_relaxed) == 0) {
    int64_t expected = 0;
    over_since_us_.compare_exchange_strong(expected, engine::NowUs());
  }
  if (policy == kNoEviction) return Result::kFail;
  std::unique_lock token(token_, std::try_to_lock);
  if (!token.owns_lock()) {
    return last_failed_.load(std::memory_order_relaxed) ? Result::kFail : Result::kRunning;
  }
  lazy_ = lazy;
  const int64_t start_us = engine::NowUs();
  const int64_t limit_us = TimeLimitUs(tenacity);
  const bool random = policy == kAllkeysRandom || policy == kVolatileRandom;
  int64_t keys = 0;
  for (;;) {
    if (mem::UsedMemory() <= maxmemory) {
      last_failed_.store(false, std::memory_order_relaxed);
      NoteUnder();
      return Result::kOk;
    }
    const int64_t now_ms = engine::NowMs();
    bool found = false;
    if (random) {
      found = EvictRandom(policy, now_ms);
    } else {
      // A pool whose candidates were all deleted meanwhile is refilled a few times.
      for (int tries = 0; tries < 4 && !found; ++tries) {
        bool sampled = PopulatePool(policy, samples, now_ms);
        found = EvictFromPool(policy, now_ms);
        if (!sampled && !found) break;
      }
    }
    if (!found) {
      last_failed_.store(true, std::memory_order_relaxed);
      return Result::kFail;
    }
    *evicted_any = true;
    // Values handed to the lazy-free thread still count until it frees them: rather than
    // evict everything meanwhile, let the command run and go on before the next one.
    if (lazy_ && engine_.lazyfree_pending() > 0) {
      last_failed_.store(false, std::memory_order_relaxed);
      return Result::kRunning;
    }
    // Bounded time per command: the next command goes on where this one stopped.
    if (++keys % 16 == 0 && engine::NowUs() - start_us > limit_us) {
      last_failed_.store(false, std::memory_order_relaxed);
      return Result::kRunning;
    }
  }
}

}  // namespace weir::commands
