// The engine: the sharded keyspace, the ordered shard locking every command runs under, and
// DbView, the one API through which commands read and write keys. Every write goes through
// DbView's commit path (Modified), which is where WATCH invalidation, dirtiness and (in later
// issues) keyspace notifications, propagation and blocked-client wake-ups happen.
#pragma once

#include <absl/container/inlined_vector.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/keyspace_events.h"
#include "common/per_thread_counter.h"
#include "engine/shard.h"

namespace weir::engine {

// Redis's LFU_INIT_VAL: new keys start here so they are not evicted before a second access.
inline constexpr uint8_t kLfuInitial = 5;

int64_t NowMs();
int64_t NowUs();
uint64_t RandomU64();

// Where the commit path of writes hands the events notify-keyspace-events lets out (the
// keyspace notifier publishes them). Called on the writing thread with the key's shard locked,
// so the events of one key arrive in the order its writes happened.
class KeyEventListener {
 public:
  virtual ~KeyEventListener() = default;
  virtual void OnKeyEvent(int db, std::string_view key, const KeyEvent& event) = 0;
};

// Where the commit path hands writes for client-side caching (the tracking table, which sends
// invalidation messages). Called on the writing thread with the key's shard locked; only while
// active() (some client tracks, or the table still holds keys), so a write costs one relaxed
// load when nobody tracks.
class InvalidationListener {
 public:
  virtual ~InvalidationListener() = default;
  // key was written; expired: removed by expiry (no client made the change).
  virtual void OnKeyModified(std::string_view key, bool expired) = 0;
  // FLUSHDB / FLUSHALL: every tracked key is invalid.
  virtual void OnFlush(bool async) = 0;
  bool active() const { return active_.load(std::memory_order_relaxed) != 0; }

 protected:
  std::atomic<int64_t> active_{0};
};

class Engine {
 public:
  // num_shards must be a power of two.
  Engine(int num_shards, int num_dbs);
  ~Engine();

  int num_shards() const { return static_cast<int>(shards_.size()); }
  int num_dbs() const { return num_dbs_; }
  int shard_bits() const { return shard_bits_; }
  Shard& shard(int i) { return *shards_[i]; }
  // shard = CRC16 hash slot mod num_shards, so keys sharing a {tag} share a shard.
  int ShardOf(std::string_view key) const;

  // Count of writes since the last save (Redis's server.dirty).
  void AddDirty(int64_t n) { dirty_.Add(0, n); }
  int64_t dirty() const { return dirty_.Sum(0); }

  // Frees entries on the lazy-free thread (FLUSHALL ASYNC, UNLINK of big values), never on an
  // event loop.
  void FreeInBackground(std::vector<Table> tables);
  void FreeInBackground(Entry* e);
  // Objects handed to the lazy-free thread and not freed yet / freed so far (INFO).
  int64_t lazyfree_pending() const { return lazyfree_pending_.load(std::memory_order_relaxed); }
  int64_t lazyfreed() const { return lazyfreed_.load(std::memory_order_relaxed); }

  // One bounded round of active expiry over the shards [first, first+count) with a step
  // (each event loop owns every step-th shard). Stops at deadline_us. Returns keys expired.
  int64_t ActiveExpireCycle(int first, int step, int64_t deadline_us, int effort);

  // Access tracking and active expiry switches, set from the configuration (and DEBUG).
  bool lfu_enabled() const { return lfu_enabled_.load(std::memory_order_relaxed); }
  int lfu_log_factor() const { return lfu_log_factor_.load(std::memory_order_relaxed); }
  int lfu_decay_time() const { return lfu_decay_time_.load(std::memory_order_relaxed); }
  void SetLfu(bool enabled, int log_factor, int decay_time) {
    lfu_enabled_ = enabled;
    lfu_log_factor_ = log_factor;
    lfu_decay_time_ = decay_time;
  }
  // While clients are paused for writes, expired keys read as missing but are not deleted
  // (deleting is a write), as in Redis.
  void set_expire_paused_until(int64_t ms) { expire_paused_until_ms_ = ms; }
  bool expire_paused(int64_t now_ms) const {
    return now_ms < expire_paused_until_ms_.load(std::memory_order_relaxed);
  }
  bool active_expire_enabled() const { return active_expire_.load(std::memory_order_relaxed); }
  void set_active_expire_enabled(bool v) { active_expire_ = v; }

  // Keys that blocked clients wait on, and those of them with a waiter that a deletion also
  // wakes (INFO total_blocking_keys / total_blocking_keys_on_nokey). Every shard must be locked.
  struct BlockingKeys {
    int64_t keys = 0;
    int64_t keys_on_nokey = 0;
  };
  BlockingKeys CountBlockingKeys();

  int64_t KeyCount(int db);
  int64_t ExpiresCount(int db);

  // Keyspace-wide operations (keyspace_ops.cc).
  // SWAPDB: exchanges the keys and expiry indexes of databases a and b in every shard; WATCH
  // registrations stay with their database index. Every shard must be locked.
  void SwapDbs(int a, int b);
  // Takes a shard's lock only if it is free, for a caller that already holds other shards and
  // so must not block out of order (SCAN inside EXEC). Release with UnlockShard.
  bool TryLockShard(int shard);
  void UnlockShard(int shard);

  // Keyspace notifications: the classes notify-keyspace-events enables (K/E included) and the
  // listener that publishes them. With no class enabled a write costs one relaxed load here.
  void SetKeyEventListener(KeyEventListener* listener) { key_event_listener_ = listener; }
  void set_notify_classes(uint32_t classes) { notify_classes_ = classes; }
  uint32_t notify_classes() const { return notify_classes_.load(std::memory_order_relaxed); }
  // Hands event on key to the listener when its class (and K or E) is enabled.
  void NotifyKeyEvent(int db, std::string_view key, const KeyEvent& event) {
    const uint32_t enabled = notify_classes();
    if ((enabled & event.cls) != 0 && (enabled & (kNotifyKeyspace | kNotifyKeyevent)) != 0 &&
        event.name != nullptr && key_event_listener_ != nullptr) {
      key_event_listener_->OnKeyEvent(db, key, event);
    }
  }

  // Client-side caching: the listener every write (and flush) is handed to while it is active.
  void SetInvalidationListener(InvalidationListener* listener) {
    invalidation_listener_ = listener;
  }
  void NotifyModified(std::string_view key, const KeyEvent& event) {
    if (invalidation_listener_ != nullptr && invalidation_listener_->active()) {
      invalidation_listener_->OnKeyModified(key,
                                            (event.cls & (kNotifyExpired | kNotifyEvicted)) != 0);
    }
  }
  // Called once per FLUSHDB / FLUSHALL (not per database flushed).
  void NotifyFlushed(bool async) {
    if (invalidation_listener_ != nullptr && invalidation_listener_->active()) {
      invalidation_listener_->OnFlush(async);
    }
  }

  // Scripts past busy-reply-threshold, on any thread. While there is one, commands get -BUSY
  // instead of waiting for its shards (LockSet::LockUnlessBusy).
  int busy_scripts() const { return busy_scripts_.load(std::memory_order_acquire); }
  void AddBusyScript(int delta) { busy_scripts_.fetch_add(delta, std::memory_order_acq_rel); }
  // Scripts running now, busy or not: while there is one, a waiter for a shard polls.
  int running_scripts() const { return running_scripts_.load(std::memory_order_acquire); }
  void AddRunningScript(int delta) { running_scripts_.fetch_add(delta, std::memory_order_acq_rel); }

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  int num_dbs_;
  int shard_bits_;
  PerThreadCounter dirty_;
  std::atomic<bool> lfu_enabled_{false};
  std::atomic<int> lfu_log_factor_{10};
  std::atomic<int> lfu_decay_time_{1};
  std::atomic<bool> active_expire_{true};
  std::atomic<int64_t> expire_paused_until_ms_{0};
  std::atomic<int> busy_scripts_{0};
  std::atomic<int> running_scripts_{0};
  std::atomic<uint32_t> notify_classes_{0};
  KeyEventListener* key_event_listener_ = nullptr;
  InvalidationListener* invalidation_listener_ = nullptr;
  std::vector<int> expire_cursor_db_;  // per shard: which db active expiry looks at next

  void LazyFreeLoop();
  std::mutex lazyfree_mu_;
  std::condition_variable lazyfree_cv_;
  std::vector<std::function<void()>> lazyfree_queue_;
  bool lazyfree_stop_ = false;
  std::atomic<int64_t> lazyfree_pending_{0};
  std::atomic<int64_t> lazyfreed_{0};
  std::thread lazyfree_thread_;
};

// The shards one command (or one EXEC / script) holds, locked in ascending order: the only
// place shard mutexes are taken, so no two commands can deadlock.
class LockSet {
 public:
  explicit LockSet(Engine& engine) : engine_(engine) {}
  ~LockSet() { Unlock(); }
  LockSet(const LockSet&) = delete;
  LockSet& operator=(const LockSet&) = delete;

  void AddKey(std::string_view key) { AddShard(engine_.ShardOf(key)); }
  void AddShard(int shard);
  void AddAll();
  void Lock();
  // As Lock, but gives up (holding nothing, returning false) instead of waiting for a shard
  // while a script is busy: a connection never waits out a long script in a mutex.
  bool LockUnlessBusy();
  void Unlock();
  bool locked() const { return locked_; }
  bool Holds(int shard) const;
  bool holds_all() const { return locked_ && all_; }

  // Growing a locked set (scripts touching keys they did not declare). TryAcquire never waits,
  // so it is safe whatever is held; Acquire waits, which is deadlock-free only for a shard above
  // every held one (the ascending order). Both are no-ops for a shard already held.
  bool TryAcquire(int shard);
  void Acquire(int shard);
  // The highest shard held (-1 when none).
  int max_held() const;

 private:
  // The shards to lock, in the order they are taken: ascending (every shard for AddAll).
  void SortShards();

  Engine& engine_;
  // Inline storage: a command's lock set is built on the hot path and must not allocate.
  absl::InlinedVector<int, 8> shards_;
  bool all_ = false;
  bool locked_ = false;
};

enum class ExpireMode { kClear, kKeep, kSet };

// A command's view of one database, valid while its LockSet is locked. Not thread-safe.
class DbView {
 public:
  DbView(Engine& engine, int db, int64_t now_ms) : engine_(engine), db_(db), now_ms_(now_ms) {}

  Engine& engine() { return engine_; }
  int index() const { return db_; }
  int64_t now_ms() const { return now_ms_; }
  DbView WithDb(int db) const { return DbView(engine_, db, now_ms_); }
  void set_no_touch(bool v) { no_touch_ = v; }

  // Read lookup: expires the key lazily, counts a hit or miss, refreshes the access clock.
  Entry* Find(std::string_view key);
  // Lookup for a write: expires lazily; no hit/miss accounting.
  Entry* FindForWrite(std::string_view key);
  // Lookup without side effects except lazy expiry (EXISTS-like checks, TYPE, OBJECT).
  Entry* FindQuiet(std::string_view key);
  // Lookup with no side effect at all, expired keys included (WATCH bookkeeping).
  Entry* Peek(std::string_view key);

  // Every write below records itself through Modified with the KeyEvent it is (Redis's event
  // name for the command, e.g. {kNotifyString, "set"}); creating a key also records "new".

  // Creates or overwrites key with a string. ExpireMode kKeep keeps an existing TTL, kSet sets
  // expire_at_ms, kClear removes any TTL. Returns the entry now stored.
  Entry* SetString(std::string_view key, std::string_view value, ExpireMode mode,
                   int64_t expire_at_ms, const KeyEvent& event);
  // Creates or replaces key with the structure of a non-string type, taking ownership of obj.
  // ExpireMode as SetString. Returns the entry now stored.
  Entry* SetObject(std::string_view key, ObjType type, types::Object* obj, ExpireMode mode,
                   int64_t expire_at_ms, const KeyEvent& event);
  Entry* SetObject(std::string_view key, ObjType type, types::Object* obj, const KeyEvent& event) {
    return SetObject(key, type, obj, ExpireMode::kClear, -1, event);
  }
  // Replaces the value of an existing string entry (keeps its TTL); returns the entry.
  Entry* UpdateString(Entry* e, std::string_view value);
  // Writes value into the string entry, growing it to new_len; returns the entry. The value's
  // bytes are valid to modify through Entry::val_data() until the next call.
  Entry* ResizeString(Entry* e, size_t new_len);

  // Deletes key, recording event ({kNotifyGeneric, "del"} for DEL; a collection a pop emptied
  // records "del" after its pop); lazy hands a big structure to the lazy-free thread (UNLINK,
  // lazyfree-*).
  bool Delete(std::string_view key, const KeyEvent& event, bool lazy = false);
  // Sets (at_ms >= 0) or removes (-1) the TTL of e; returns the (possibly moved) entry.
  Entry* SetExpire(Entry* e, int64_t at_ms);

  // Takes the entry out of this database (for RENAME / MOVE / COPY targets) without freeing it.
  Entry* Detach(std::string_view key);
  // Inserts a detached entry under new_key (its key bytes are rewritten when they differ). The
  // caller records the write (RENAME: "rename_to"; MOVE: "move_to"), Attach records "new".
  Entry* Attach(Entry* e, std::string_view new_key, int64_t expire_at_ms);
  // A detached deep copy of e (its structure too), without TTL.
  Entry* Clone(const Entry* e);

  // The commit path of every write: dirtiness, WATCH invalidation, blocked-client wake-ups, the
  // keyspace notification of event and client-side caching's invalidation (later: AOF
  // propagation). One call per write of a key.
  void Modified(std::string_view key, const KeyEvent& event);
  // A second event of a write already recorded (SET ... EX: "set" then "expire"; a pop that
  // emptied its key: "lpop" then "del"): notified only, not counted again.
  void Notify(std::string_view key, const KeyEvent& event) {
    engine_.NotifyKeyEvent(db_, key, event);
  }

  // Blocked clients: queues w on key (dropping waiters that are no longer waiting), or takes
  // it off. Waiters(key) is null when nobody waits there.
  void AddWaiter(std::string_view key, std::shared_ptr<Waiter> w);
  void RemoveWaiter(std::string_view key, const Waiter* w);
  std::vector<std::shared_ptr<Waiter>>* Waiters(std::string_view key);
  // Lets the clients blocked on key check it again without counting a write (XGROUP DESTROY,
  // which must end XREADGROUP waits but, as in Redis, does not touch WATCH).
  void WakeWaiters(std::string_view key);
  // After SWAPDB or FLUSHDB replaced this database's keys wholesale: every key someone waits on
  // here is checked again (all shards locked).
  void NoteWaitedKeysReady();

  // WATCH registration on key in this database; expired_at_watch as Redis's watchedKey.expired.
  void Watch(std::string_view key, WatchClient* client);
  void Unwatch(std::string_view key, WatchClient* client);
  // EXEC's check: the key exists, has logically expired, and was not expired when watched.
  bool WatchedKeyExpired(std::string_view key, const WatchClient* client);
  // FLUSHDB / FLUSHALL / SWAPDB: marks every watcher of a key that exists (logically) in this
  // database dirty, as Redis's touchAllWatchedKeysInDb. Call before the change.
  void TouchAllWatched(const DbView* other = nullptr);
  // Drops all keys of this database in every shard (the LockSet must hold all shards).
  void Flush(bool async);

  // As Redis: a key expires once now is past its time (now > when).
  bool IsExpired(const Entry* e) const { return e->has_expire() && e->expire_at() < now_ms_; }
  // Records an access: the LRU clock, and the LFU counter when an LFU policy is set.
  void Touch(Entry* e);
  // The LFU counter after decay for the time since the last access (OBJECT FREQ).
  int LfuDecayed(const Entry* e) const;
  // The access clock in seconds, from the command's time snapshot (no clock read per key).
  uint32_t LruNow() const { return static_cast<uint32_t>(now_ms_ / 1000); }

  // Keyspace-wide operations (keyspace_ops.cc).
  // One step of a SCAN over this database's table in one (locked) shard: calls fn on the
  // entries of the bucket(s) at cursor, expired ones included, and returns the next cursor (0
  // when the shard is done). fn must not modify the table.
  uint64_t ScanShard(int shard, uint64_t cursor, const std::function<void(Entry*)>& fn);
  // Calls fn on every entry of this database, expired ones included (all shards locked).
  void ForEachEntry(const std::function<void(Entry*)>& fn);
  // A random key that has not expired, deleting the expired ones it meets; nullptr when the
  // database is empty (all shards locked).
  Entry* RandomEntry();

 private:
  DbTable& Table(std::string_view key, int* shard_index = nullptr);
  Entry* ExpireIfNeeded(DbTable& t, int shard, Entry* e);
  // The entry a Set* call replaces: an expired one is deleted first (unless expiry is paused).
  Entry* FindToReplace(DbTable& t, int shard, std::string_view key);
  void NoteReady(DbTable& t, std::string_view key);
  void DeleteEntry(DbTable& t, Entry* e);

  Engine& engine_;
  int db_;
  int64_t now_ms_;
  bool no_touch_ = false;
};

uint32_t LruClock();

}  // namespace weir::engine
