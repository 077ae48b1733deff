// Shard routing, ordered locking, lazy and active expiry, and the write commit path.
#include "engine/engine.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "common/crc16.h"
#include "common/memory.h"

namespace weir::engine {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t RandomU64() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng();
}

uint32_t LruClock() { return static_cast<uint32_t>(NowMs() / 1000); }

// ---- Engine ----

Engine::Engine(int num_shards, int num_dbs) : num_dbs_(num_dbs), shard_bits_(0) {
  while ((1 << shard_bits_) < num_shards) ++shard_bits_;
  shards_.reserve(num_shards);
  for (int i = 0; i < num_shards; ++i) shards_.push_back(std::make_unique<Shard>(num_dbs));
  expire_cursor_db_.assign(num_shards, 0);
}

Engine::~Engine() {
  if (lazyfree_thread_.joinable()) {
    {
      std::lock_guard lock(lazyfree_mu_);
      lazyfree_stop_ = true;
    }
    lazyfree_cv_.notify_one();
    lazyfree_thread_.join();
  }
}

int Engine::ShardOf(std::string_view key) const {
  return static_cast<int>(KeyHashSlot(key) & (shards_.size() - 1));
}

void Engine::LazyFreeLoop() {
  std::unique_lock lock(lazyfree_mu_);
  for (;;) {
    lazyfree_cv_.wait(lock, [this] { return lazyfree_stop_ || !lazyfree_queue_.empty(); });
    if (lazyfree_queue_.empty()) return;
    std::vector<std::function<void()>> jobs;
    jobs.swap(lazyfree_queue_);
    lock.unlock();
    for (auto& job : jobs) {
      job();
      lazyfree_pending_.fetch_sub(1, std::memory_order_relaxed);
      lazyfreed_.fetch_add(1, std::memory_order_relaxed);
    }
    lock.lock();
  }
}

void Engine::FreeInBackground(std::vector<Table> tables) {
  auto owned = std::make_shared<std::vector<Table>>(std::move(tables));
  std::lock_guard lock(lazyfree_mu_);
  if (!lazyfree_thread_.joinable()) lazyfree_thread_ = std::thread([this] { LazyFreeLoop(); });
  lazyfree_pending_.fetch_add(1, std::memory_order_relaxed);
  lazyfree_queue_.push_back([owned] { owned->clear(); });
  lazyfree_cv_.notify_one();
}

void Engine::FreeInBackground(Entry* e) {
  std::lock_guard lock(lazyfree_mu_);
  if (!lazyfree_thread_.joinable()) lazyfree_thread_ = std::thread([this] { LazyFreeLoop(); });
  lazyfree_pending_.fetch_add(1, std::memory_order_relaxed);
  lazyfree_queue_.push_back([e] { Entry::Destroy(e); });
  lazyfree_cv_.notify_one();
}

int64_t Engine::KeyCount(int db) {
  int64_t n = 0;
  for (auto& s : shards_) n += static_cast<int64_t>(s->db(db).keys.size());
  return n;
}

int64_t Engine::ExpiresCount(int db) {
  int64_t n = 0;
  for (auto& s : shards_) n += static_cast<int64_t>(s->db(db).expires.size());
  return n;
}

int64_t Engine::ActiveExpireCycle(int first, int step, int64_t deadline_us, int effort) {
  // As Redis's activeExpireCycle: walk the keys with a TTL with a cursor (so every key is
  // visited within a bounded number of ticks, as Redis scans its expires dict), delete the
  // expired ones, and keep going in a database while more than an (effort-dependent) share of
  // the keys checked had expired.
  const int sample = 20 + 5 * (effort - 1);
  const int acceptable_stale_perc = 10 - effort + 1;
  int64_t expired_total = 0;
  int64_t now = NowMs();
  if (expire_paused(now)) return 0;
  for (int si = first; si < num_shards(); si += step) {
    Shard& shard = *shards_[si];
    // A shard that is busy (a long script, a big command) is skipped until the next cycle:
    // the event loop running this must not wait for it.
    LockSet lock(*this);
    if (!lock.TryAcquire(si)) continue;
    for (int n = 0; n < num_dbs_; ++n) {
      int db = (expire_cursor_db_[si] + n) % num_dbs_;
      DbTable& t = shard.db(db);
      DbView view(*this, db, now);
      for (int round = 0; !t.expires.empty(); ++round) {
        int checked = 0, expired = 0;
        for (int i = 0; i < sample && !t.expires.empty(); ++i) {
          if (t.expire_cursor >= t.expires.size()) t.expire_cursor = 0;
          Entry* e = t.expires[t.expire_cursor];
          ++checked;
          if (e->expire_at() < now) {  // Redis expires when now > when
            // RemoveExpire moves the last entry into this slot: the cursor stays to check it.
            std::string key(e->key());
            t.RemoveExpire(e);
            t.keys.Unlink(key);
            Entry::Destroy(e);
            shard.stats().expired_keys.fetch_add(1, std::memory_order_relaxed);
            view.Modified(key, {kNotifyExpired, "expired"});
            ++expired;
          } else {
            ++t.expire_cursor;
          }
        }
        expired_total += expired;
        if (checked == 0 || expired * 100 / checked <= acceptable_stale_perc) break;
        if ((round & 15) == 15 && NowUs() > deadline_us) return expired_total;
      }
    }
    expire_cursor_db_[si] = (expire_cursor_db_[si] + 1) % num_dbs_;
    if (NowUs() > deadline_us) break;
  }
  return expired_total;
}

// ---- LockSet ----

void LockSet::AddShard(int shard) {
  if (all_) return;
  if (std::find(shards_.begin(), shards_.end(), shard) == shards_.end()) shards_.push_back(shard);
}

void LockSet::AddAll() { all_ = true; }

bool LockSet::Holds(int shard) const {
  if (!locked_) return false;
  return all_ || std::find(shards_.begin(), shards_.end(), shard) != shards_.end();
}

void LockSet::SortShards() {
  if (all_) {
    shards_.resize(engine_.num_shards());
    for (int i = 0; i < engine_.num_shards(); ++i) shards_[i] = i;
  } else {
    std::sort(shards_.begin(), shards_.end());
  }
}

void LockSet::Lock() {
  SortShards();
  for (int s : shards_) engine_.shard(s).Lock();
  locked_ = true;
}

bool LockSet::LockUnlessBusy() {
  SortShards();
  for (size_t i = 0; i < shards_.size(); ++i) {
    Shard& shard = engine_.shard(shards_[i]);
    if (shard.TryLock()) continue;
    if (engine_.running_scripts() == 0) {
      // No script anywhere: the holder is a command, done in microseconds.
      shard.Lock();
      continue;
    }
    // A script runs somewhere and may turn busy: poll instead of sleeping in the mutex, and
    // give up once one is busy.
    bool got = false;
    for (int attempt = 0; !got; ++attempt) {
      if (engine_.busy_scripts() > 0) break;
      if (attempt < 64) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      got = shard.TryLock();
    }
    if (!got) {
      for (size_t j = i; j-- > 0;) engine_.shard(shards_[j]).Unlock();
      return false;
    }
  }
  locked_ = true;
  return true;
}

bool LockSet::TryAcquire(int shard) {
  if (Holds(shard)) return true;
  // An unlocked set may only grow this way from empty (it then holds just this shard).
  assert(locked_ || shards_.empty());
  if (!engine_.shard(shard).TryLock()) return false;
  shards_.insert(std::upper_bound(shards_.begin(), shards_.end(), shard), shard);
  locked_ = true;
  return true;
}

void LockSet::Acquire(int shard) {
  if (Holds(shard)) return;
  assert(locked_ || shards_.empty());
  engine_.shard(shard).Lock();
  shards_.insert(std::upper_bound(shards_.begin(), shards_.end(), shard), shard);
  locked_ = true;
}

int LockSet::max_held() const {
  if (!locked_ || shards_.empty()) return -1;
  return shards_.back();
}

void LockSet::Unlock() {
  if (!locked_) return;
  for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) engine_.shard(*it).Unlock();
  locked_ = false;
}

// ---- DbView ----

DbTable& DbView::Table(std::string_view key, int* shard_index) {
  int s = engine_.ShardOf(key);
  if (shard_index != nullptr) *shard_index = s;
  return engine_.shard(s).db(db_);
}

void DbView::DeleteEntry(DbTable& t, Entry* e) {
  if (e->has_expire()) t.RemoveExpire(e);
  std::string_view key = e->key();
  t.keys.Unlink(key);
  Entry::Destroy(e);
}

Entry* DbView::ExpireIfNeeded(DbTable& t, int shard, Entry* e) {
  if (e == nullptr || !IsExpired(e)) return e;
  if (engine_.expire_paused(now_ms_)) return nullptr;
  std::string key(e->key());
  DeleteEntry(t, e);
  engine_.shard(shard).stats().expired_keys.fetch_add(1, std::memory_order_relaxed);
  Modified(key, {kNotifyExpired, "expired"});
  return nullptr;
}

Entry* DbView::Find(std::string_view key) {
  int s;
  DbTable& t = Table(key, &s);
  Entry* e = ExpireIfNeeded(t, s, t.keys.Find(key));
  auto& stats = engine_.shard(s).stats();
  if (e == nullptr) {
    stats.keyspace_misses.fetch_add(1, std::memory_order_relaxed);
    Notify(key, {kNotifyKeyMiss, "keymiss"});
  } else {
    stats.keyspace_hits.fetch_add(1, std::memory_order_relaxed);
    if (!no_touch_) Touch(e);
  }
  return e;
}

Entry* DbView::FindForWrite(std::string_view key) {
  int s;
  DbTable& t = Table(key, &s);
  Entry* e = ExpireIfNeeded(t, s, t.keys.Find(key));
  if (e != nullptr && !no_touch_) Touch(e);
  return e;
}

Entry* DbView::FindQuiet(std::string_view key) {
  int s;
  DbTable& t = Table(key, &s);
  return ExpireIfNeeded(t, s, t.keys.Find(key));
}

Entry* DbView::Peek(std::string_view key) { return Table(key).keys.Find(key); }

Entry* DbView::FindToReplace(DbTable& t, int shard, std::string_view key) {
  Entry* old = t.keys.Find(key);
  // As Redis's setKey (lookupKeyWrite): a key that has expired is deleted ("expired") before
  // the new value is added ("new"). While expiry is paused it stays and is overwritten.
  if (old != nullptr && IsExpired(old) && !engine_.expire_paused(now_ms_)) {
    old = ExpireIfNeeded(t, shard, old);
  }
  return old;
}

Entry* DbView::SetString(std::string_view key, std::string_view value, ExpireMode mode,
                         int64_t expire_at_ms, const KeyEvent& event) {
  int s;
  DbTable& t = Table(key, &s);
  Entry* old = FindToReplace(t, s, key);
  const bool created = old == nullptr || IsExpired(old);
  Encoding enc = StringEncodingFor(value);
  bool want_expire = mode == ExpireMode::kSet || (mode == ExpireMode::kKeep && old != nullptr &&
                                                  old->has_expire() && !IsExpired(old));
  int64_t at = mode == ExpireMode::kSet ? expire_at_ms : (want_expire ? old->expire_at() : -1);
  Entry* e;
  // Overwrite in place only when the allocation fits the new value snugly: keeping a 1 KiB
  // allocation for a 3-byte value would waste memory and spread the table over more cache.
  size_t capacity = old != nullptr ? old->ValueCapacity() : 0;
  if (old != nullptr && old->type == ObjType::kString && old->has_expire() == want_expire &&
      capacity >= value.size() && capacity <= value.size() * 2 + 32) {
    // Overwrite in place: the hot path of SET on an existing key allocates nothing.
    e = old;
    std::memcpy(e->val_data(), value.data(), value.size());
    e->val_len = static_cast<uint32_t>(value.size());
    e->encoding = enc;
    if (want_expire) e->expire_info()->at_ms = at;
  } else {
    e = Entry::NewString(key, value, want_expire, enc);
    if (want_expire) e->expire_info()->at_ms = at;
    if (old != nullptr) {
      if (old->has_expire()) t.RemoveExpire(old);
      t.keys.Replace(old, e);
      Entry::Destroy(old);
    } else {
      t.keys.Insert(e);
    }
    if (want_expire) t.AddExpire(e);
  }
  e->lru = LruNow();  // a write sets the access time but, as in Redis, not the LFU count
  if (created) Notify(key, {kNotifyNew, "new"});
  Modified(key, event);
  return e;
}

Entry* DbView::SetObject(std::string_view key, ObjType type, types::Object* obj, ExpireMode mode,
                         int64_t expire_at_ms, const KeyEvent& event) {
  int s;
  DbTable& t = Table(key, &s);
  Entry* old = FindToReplace(t, s, key);
  const bool created = old == nullptr || IsExpired(old);
  bool want_expire = mode == ExpireMode::kSet || (mode == ExpireMode::kKeep && old != nullptr &&
                                                  old->has_expire() && !IsExpired(old));
  int64_t at = mode == ExpireMode::kSet ? expire_at_ms : (want_expire ? old->expire_at() : -1);
  Entry* e = Entry::NewObject(key, type, obj, want_expire);
  if (want_expire) e->expire_info()->at_ms = at;
  if (old != nullptr) {
    if (old->has_expire()) t.RemoveExpire(old);
    t.keys.Replace(old, e);
    Entry::Destroy(old);
  } else {
    t.keys.Insert(e);
  }
  if (want_expire) t.AddExpire(e);
  e->lru = LruNow();
  if (created) Notify(key, {kNotifyNew, "new"});
  Modified(key, event);
  return e;
}

Entry* DbView::UpdateString(Entry* e, std::string_view value) {
  Entry* out = ResizeString(e, value.size());
  std::memcpy(out->val_data(), value.data(), value.size());
  out->encoding = StringEncodingFor(value);
  return out;
}

Entry* DbView::ResizeString(Entry* e, size_t new_len) {
  if (e->ValueCapacity() >= new_len) {
    e->val_len = static_cast<uint32_t>(new_len);
    return e;
  }
  DbTable& t = Table(e->key());
  // Grow geometrically so APPEND loops stay amortised O(1), as sds does.
  size_t want = new_len < 1024 * 1024 ? new_len * 2 : new_len + 1024 * 1024;
  void* mem = mem::Allocate(Entry::SizeFor(e->key_len, want, e->has_expire()));
  size_t header = Entry::SizeFor(e->key_len, e->val_len, e->has_expire());
  std::memcpy(mem, e, header);
  Entry* fresh = static_cast<Entry*>(mem);
  fresh->val_len = static_cast<uint32_t>(new_len);
  t.keys.Replace(e, fresh);
  if (fresh->has_expire()) t.UpdateExpire(fresh);
  mem::Free(e);
  return fresh;
}

bool DbView::Delete(std::string_view key, const KeyEvent& event, bool lazy) {
  int s;
  DbTable& t = Table(key, &s);
  Entry* e = ExpireIfNeeded(t, s, t.keys.Find(key));
  if (e == nullptr) return false;
  std::string k(key);
  // As Redis's LAZYFREE_THRESHOLD: freeing up to 64 elements inline is cheaper than a hand-off.
  constexpr size_t kLazyFreeThreshold = 64;
  if (lazy && e->is_object() && e->object()->Size() > kLazyFreeThreshold) {
    if (e->has_expire()) t.RemoveExpire(e);
    t.keys.Unlink(k);
    engine_.FreeInBackground(e);
  } else {
    DeleteEntry(t, e);
  }
  Modified(k, event);
  return true;
}

Entry* DbView::SetExpire(Entry* e, int64_t at_ms) {
  DbTable& t = Table(e->key());
  bool want = at_ms >= 0;
  if (want && e->has_expire()) {
    e->expire_info()->at_ms = at_ms;
    return e;
  }
  if (!want && !e->has_expire()) return e;
  // Adding or removing the ExpireInfo moves the key bytes: rebuild the entry around them.
  size_t tail = e->key_len + e->val_len;
  void* mem = mem::Allocate(Entry::SizeFor(e->key_len, e->val_len, want));
  Entry* fresh = static_cast<Entry*>(mem);
  std::memcpy(fresh, e, sizeof(Entry));
  fresh->flags = want ? (e->flags | Entry::kHasExpire) : (e->flags & ~Entry::kHasExpire);
  std::memcpy(fresh->key_data(), e->key_data(), tail);
  if (e->has_expire()) t.RemoveExpire(e);
  t.keys.Replace(e, fresh);
  if (want) {
    fresh->expire_info()->at_ms = at_ms;
    t.AddExpire(fresh);
  }
  mem::Free(e);
  return fresh;
}

Entry* DbView::Detach(std::string_view key) {
  int s;
  DbTable& t = Table(key, &s);
  Entry* e = ExpireIfNeeded(t, s, t.keys.Find(key));
  if (e == nullptr) return nullptr;
  if (e->has_expire()) t.RemoveExpire(e);
  t.keys.Unlink(key);
  return e;
}

Entry* DbView::Attach(Entry* e, std::string_view new_key, int64_t expire_at_ms) {
  DbTable& t = Table(new_key);
  bool want = expire_at_ms >= 0;
  Entry* out = e;
  if (e->key() != new_key || e->has_expire() != want) {
    void* mem = mem::Allocate(Entry::SizeFor(new_key.size(), e->val_len, want));
    out = static_cast<Entry*>(mem);
    std::memcpy(out, e, sizeof(Entry));
    out->flags = want ? (e->flags | Entry::kHasExpire) : (e->flags & ~Entry::kHasExpire);
    out->key_len = static_cast<uint32_t>(new_key.size());
    std::memcpy(out->key_data(), new_key.data(), new_key.size());
    std::memcpy(out->val_data(), e->val_data(), e->val_len);
    mem::Free(e);
  }
  out->next = nullptr;
  if (want) out->expire_info()->at_ms = expire_at_ms;
  t.keys.Insert(out);
  if (want) t.AddExpire(out);
  Notify(new_key, {kNotifyNew, "new"});
  return out;
}

Entry* DbView::Clone(const Entry* e) {
  if (e->is_object()) return Entry::NewObject(e->key(), e->type, e->object()->Clone(), false);
  return Entry::NewString(e->key(), e->value(), false, e->encoding);
}

void DbView::Touch(Entry* e) {
  uint32_t now_s = LruNow();
  if (engine_.lfu_enabled()) {
    e->lfu_counter = static_cast<uint8_t>(LfuDecayed(e));
    // Redis's logarithmic counter: the higher it is, the less likely an access increments it.
    if (e->lfu_counter < 255) {
      double base = e->lfu_counter > kLfuInitial ? e->lfu_counter - kLfuInitial : 0;
      double p = 1.0 / (base * engine_.lfu_log_factor() + 1);
      if (static_cast<double>(RandomU64() % 1000000) / 1000000.0 < p) ++e->lfu_counter;
    }
  }
  e->lru = now_s;
}

int DbView::LfuDecayed(const Entry* e) const {
  int decay = engine_.lfu_decay_time();
  if (decay <= 0) return e->lfu_counter;
  int64_t idle_min = (static_cast<int64_t>(LruNow()) - e->lru) / 60;
  int64_t periods = idle_min > 0 ? idle_min / decay : 0;
  return periods >= e->lfu_counter ? 0 : e->lfu_counter - static_cast<int>(periods);
}

std::vector<ReadyKey>& ThreadReadyKeys() {
  thread_local std::vector<ReadyKey> ready;
  return ready;
}

void DbView::AddWaiter(std::string_view key, std::shared_ptr<Waiter> w) {
  Table(key).waiters[std::string(key)].push_back(std::move(w));
}

void DbView::RemoveWaiter(std::string_view key, const Waiter* w) {
  DbTable& t = Table(key);
  auto it = t.waiters.find(absl::string_view(key.data(), key.size()));
  if (it == t.waiters.end()) return;
  std::erase_if(it->second, [w](const auto& q) { return q.get() == w; });
  if (it->second.empty()) t.waiters.erase(it);
}

std::vector<std::shared_ptr<Waiter>>* DbView::Waiters(std::string_view key) {
  DbTable& t = Table(key);
  auto it = t.waiters.find(absl::string_view(key.data(), key.size()));
  return it == t.waiters.end() ? nullptr : &it->second;
}

void DbView::NoteReady(DbTable& t, std::string_view key) {
  if (t.waiters.empty() || !t.waiters.contains(absl::string_view(key.data(), key.size()))) return;
  auto& ready = ThreadReadyKeys();
  for (const ReadyKey& r : ready) {
    if (r.db == db_ && r.key == key) return;
  }
  ready.push_back({db_, std::string(key)});
}

void DbView::WakeWaiters(std::string_view key) { NoteReady(Table(key), key); }

void DbView::Modified(std::string_view key, const KeyEvent& event) {
  engine_.AddDirty(1);
  DbTable& t = Table(key);
  NoteReady(t, key);
  engine_.NotifyKeyEvent(db_, key, event);
  engine_.NotifyModified(key, event);
  if (t.watched.empty()) return;
  auto it = t.watched.find(absl::string_view(key.data(), key.size()));
  if (it == t.watched.end()) return;
  bool exists = t.keys.Find(key) != nullptr;
  for (Watcher& w : it->second) {
    // A key that was already expired when watched and is still gone has not changed.
    if (w.expired_at_watch && !exists) continue;
    w.expired_at_watch = false;
    w.client->dirty.store(true, std::memory_order_relaxed);
  }
}

void DbView::Watch(std::string_view key, WatchClient* client) {
  DbTable& t = Table(key);
  Entry* e = t.keys.Find(key);
  auto& list = t.watched[std::string(key)];
  for (const Watcher& w : list) {
    if (w.client == client) return;
  }
  list.push_back({client, e != nullptr && IsExpired(e)});
}

void DbView::Unwatch(std::string_view key, WatchClient* client) {
  DbTable& t = Table(key);
  auto it = t.watched.find(absl::string_view(key.data(), key.size()));
  if (it == t.watched.end()) return;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const Watcher& w) { return w.client == client; }),
             list.end());
  if (list.empty()) t.watched.erase(it);
}

bool DbView::WatchedKeyExpired(std::string_view key, const WatchClient* client) {
  DbTable& t = Table(key);
  Entry* e = t.keys.Find(key);
  if (e == nullptr || !IsExpired(e)) return false;
  auto it = t.watched.find(absl::string_view(key.data(), key.size()));
  if (it == t.watched.end()) return false;
  for (const Watcher& w : it->second) {
    if (w.client == client) return !w.expired_at_watch;
  }
  return false;
}

void DbView::TouchAllWatched(const DbView* other) {
  for (int s = 0; s < engine_.num_shards(); ++s) {
    Shard& shard = engine_.shard(s);
    DbTable& t = shard.db(db_);
    for (auto& [key, list] : t.watched) {
      Entry* e = t.keys.Find(key);
      bool exists = e != nullptr && !IsExpired(e);
      if (!exists && other != nullptr) {
        Entry* o = shard.db(other->db_).keys.Find(key);
        exists = o != nullptr && !IsExpired(o);
      }
      for (Watcher& w : list) {
        if (exists) w.client->dirty.store(true, std::memory_order_relaxed);
      }
    }
  }
}

void DbView::NoteWaitedKeysReady() {
  auto& ready = ThreadReadyKeys();
  for (int s = 0; s < engine_.num_shards(); ++s) {
    for (const auto& [key, queue] : engine_.shard(s).db(db_).waiters) {
      ready.push_back({db_, key});
    }
  }
}

void DbView::Flush(bool async) {
  NoteWaitedKeysReady();
  std::vector<engine::Table> dropped;
  for (int s = 0; s < engine_.num_shards(); ++s) {
    DbTable& t = engine_.shard(s).db(db_);
    engine_.AddDirty(static_cast<int64_t>(t.keys.size()));
    t.expires.clear();
    t.expires.shrink_to_fit();
    if (async) {
      dropped.push_back(std::move(t.keys));
    } else {
      t.keys.Clear();
    }
  }
  if (async) engine_.FreeInBackground(std::move(dropped));
}

}  // namespace weir::engine
