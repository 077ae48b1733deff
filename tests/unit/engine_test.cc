// The keyspace: hash table against a reference map, scan guarantees across resizes, expiry
// index, lazy and active expiry, ordered locking, WATCH invalidation.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "engine/table.h"

namespace {
// The events the tests' writes record (Redis's names for SET and DEL).
const weir::KeyEvent kSetEvent{weir::kNotifyString, "set"};
const weir::KeyEvent kDelEvent{weir::kNotifyGeneric, "del"};
}  // namespace

namespace weir::engine {
namespace {

Entry* MakeEntry(const std::string& k, const std::string& v) {
  return Entry::NewString(k, v, false, StringEncodingFor(v));
}

TEST(Table, MatchesReferenceModel) {
  Table t;
  std::map<std::string, std::string> model;
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string k = "k" + std::to_string(rng() % 3000);
    if (rng() % 3 == 0) {
      Entry* e = t.Unlink(k);
      EXPECT_EQ(e != nullptr, model.erase(k) == 1);
      if (e) Entry::Destroy(e);
    } else if (t.Find(k) == nullptr) {
      std::string v = std::to_string(i);
      t.Insert(MakeEntry(k, v));
      model[k] = v;
    }
    ASSERT_EQ(t.size(), model.size());
  }
  for (auto& [k, v] : model) {
    Entry* e = t.Find(k);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->value(), v);
  }
}

TEST(Table, ScanVisitsEveryKeyAcrossResizes) {
  Table t;
  for (int i = 0; i < 1000; ++i) t.Insert(MakeEntry("base" + std::to_string(i), "v"));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = t.Scan(cursor, [&](Entry* e) { seen.insert(std::string(e->key())); });
    // Grow and shrink the table while scanning: keys present throughout must still be seen.
    if (step == 5) {
      for (int i = 0; i < 5000; ++i) t.Insert(MakeEntry("extra" + std::to_string(i), "v"));
    }
    if (step == 40) {
      for (int i = 0; i < 5000; ++i) Entry::Destroy(t.Unlink("extra" + std::to_string(i)));
    }
    ++step;
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("base" + std::to_string(i))) << i;
}

TEST(Engine, ShardFollowsHashTag) {
  Engine engine(64, 16);
  EXPECT_EQ(engine.ShardOf("{user1}.a"), engine.ShardOf("{user1}.b"));
  EXPECT_EQ(engine.ShardOf("foo"), 12182 % 64);
}

TEST(Engine, SetGetDeleteAndExpiry) {
  Engine engine(16, 16);
  LockSet locks(engine);
  locks.AddAll();
  locks.Lock();
  int64_t now = NowMs();
  DbView db(engine, 0, now);
  db.SetString("a", "1", ExpireMode::kClear, -1, kSetEvent);
  db.SetString("b", "2", ExpireMode::kSet, now + 100000, kSetEvent);
  db.SetString("c", "3", ExpireMode::kSet, now - 1, kSetEvent);  // already expired
  EXPECT_EQ(engine.KeyCount(0), 3);
  EXPECT_EQ(engine.ExpiresCount(0), 2);
  ASSERT_NE(db.Find("a"), nullptr);
  EXPECT_EQ(db.Find("a")->value(), "1");
  EXPECT_EQ(db.Find("b")->expire_at(), now + 100000);
  EXPECT_EQ(db.Find("c"), nullptr);  // lazily expired
  EXPECT_EQ(engine.KeyCount(0), 2);
  // KEEPTTL keeps, a plain SET clears.
  db.SetString("b", "22", ExpireMode::kKeep, -1, kSetEvent);
  EXPECT_EQ(db.Find("b")->expire_at(), now + 100000);
  db.SetString("b", "222", ExpireMode::kClear, -1, kSetEvent);
  EXPECT_EQ(db.Find("b")->expire_at(), -1);
  EXPECT_EQ(engine.ExpiresCount(0), 0);
  EXPECT_TRUE(db.Delete("a", kDelEvent));
  EXPECT_FALSE(db.Delete("a", kDelEvent));
  // Other databases are separate.
  EXPECT_EQ(db.WithDb(1).Find("b"), nullptr);
}

TEST(Engine, ActiveExpiryRemovesExpiredKeysWithoutReads) {
  Engine engine(16, 16);
  int64_t now = NowMs();
  {
    LockSet locks(engine);
    locks.AddAll();
    locks.Lock();
    DbView db(engine, 0, now);
    for (int i = 0; i < 20000; ++i) {
      db.SetString("k" + std::to_string(i), "v", ExpireMode::kSet, now - 1, kSetEvent);
    }
    for (int i = 0; i < 100; ++i)
      db.SetString("live" + std::to_string(i), "v", ExpireMode::kClear, -1, kSetEvent);
  }
  auto key_count = [&engine] {
    LockSet locks(engine);
    locks.AddAll();
    locks.Lock();
    return engine.KeyCount(0);
  };
  for (int round = 0; round < 100 && key_count() > 100; ++round) {
    engine.ActiveExpireCycle(0, 1, NowUs() + 25000, 1);
  }
  LockSet locks(engine);
  locks.AddAll();
  locks.Lock();
  EXPECT_EQ(engine.KeyCount(0), 100);
  EXPECT_EQ(engine.ExpiresCount(0), 0);
}

TEST(Engine, ValueGrowthKeepsExpiryIndexConsistent) {
  Engine engine(16, 16);
  LockSet locks(engine);
  locks.AddAll();
  locks.Lock();
  int64_t now = NowMs();
  DbView db(engine, 0, now);
  Entry* e = db.SetString("k", "x", ExpireMode::kSet, now + 5000, kSetEvent);
  for (int i = 0; i < 10; ++i) e = db.ResizeString(e, e->val_len * 2 + 100);
  EXPECT_EQ(db.Find("k"), e);
  e = db.SetExpire(e, -1);
  EXPECT_EQ(engine.ExpiresCount(0), 0);
  e = db.SetExpire(e, now + 1);
  EXPECT_EQ(engine.ExpiresCount(0), 1);
  EXPECT_EQ(db.Find("k")->expire_at(), now + 1);
}

TEST(Engine, OverwriteReusesOnlySnugAllocations) {
  Engine engine(16, 16);
  LockSet locks(engine);
  locks.AddAll();
  locks.Lock();
  DbView db(engine, 0, NowMs());
  Entry* a = db.SetString("k", "12345678", ExpireMode::kClear, -1, kSetEvent);
  Entry* b = db.SetString("k", "abcdefgh", ExpireMode::kClear, -1, kSetEvent);
  EXPECT_EQ(a, b);  // same size: overwritten in place, nothing allocated
  db.SetString("k", std::string(1024, 'x'), ExpireMode::kClear, -1, kSetEvent);
  Entry* small = db.SetString("k", "abc", ExpireMode::kClear, -1, kSetEvent);
  // A 3-byte value must not keep the 1 KiB allocation of the value it replaced.
  EXPECT_LT(small->ValueCapacity(), 64u);
  EXPECT_EQ(db.Find("k")->value(), "abc");
}

TEST(Engine, WatchIsInvalidatedByWrites) {
  Engine engine(16, 16);
  LockSet locks(engine);
  locks.AddAll();
  locks.Lock();
  DbView db(engine, 0, NowMs());
  WatchClient client;
  db.Watch("w", &client);
  db.SetString("other", "1", ExpireMode::kClear, -1, kSetEvent);
  EXPECT_FALSE(client.dirty.load());
  db.SetString("w", "1", ExpireMode::kClear, -1, kSetEvent);
  EXPECT_TRUE(client.dirty.load());
  db.Unwatch("w", &client);
}

TEST(Engine, WritesToWaitedKeysAreListedReadyOnceInOrder) {
  Engine engine(16, 16);
  LockSet locks(engine);
  locks.AddAll();
  locks.Lock();
  DbView db(engine, 0, NowMs());
  auto& ready = ThreadReadyKeys();
  ready.clear();
  auto w = std::make_shared<Waiter>();
  w->keys = {"a", "b"};
  db.AddWaiter("a", w);
  db.AddWaiter("b", w);
  db.SetString("unwaited", "1", ExpireMode::kClear, -1, kSetEvent);
  EXPECT_TRUE(ready.empty());
  db.SetString("b", "1", ExpireMode::kClear, -1, kSetEvent);
  db.SetString("a", "1", ExpireMode::kClear, -1, kSetEvent);
  db.SetString("b", "2", ExpireMode::kClear, -1, kSetEvent);
  // The same key in another database is another key.
  db.WithDb(1).SetString("a", "1", ExpireMode::kClear, -1, kSetEvent);
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].key, "b");
  EXPECT_EQ(ready[1].key, "a");
  ASSERT_NE(db.Waiters("a"), nullptr);
  EXPECT_EQ(db.Waiters("a")->front(), w);
  db.RemoveWaiter("a", w.get());
  db.RemoveWaiter("b", w.get());
  EXPECT_EQ(db.Waiters("a"), nullptr);
  EXPECT_EQ(db.Waiters("b"), nullptr);
  ready.clear();
}

TEST(Waiter, ExactlyOneOfClaimAndCancelWins) {
  Waiter w;
  EXPECT_TRUE(w.TryClaim());
  EXPECT_FALSE(w.TryCancel());
  w.Release();
  EXPECT_TRUE(w.TryCancel());
  EXPECT_FALSE(w.TryClaim());
}

TEST(LockSet, LocksInAscendingOrderAndUnlocks) {
  Engine engine(16, 16);
  {
    LockSet locks(engine);
    locks.AddShard(9);
    locks.AddShard(3);
    locks.AddShard(9);
    locks.Lock();
    EXPECT_TRUE(locks.Holds(3));
    EXPECT_TRUE(locks.Holds(9));
    EXPECT_FALSE(locks.Holds(4));
    // Asked from another thread: try-locking a mutex this thread holds would be undefined.
    std::thread([&engine] { EXPECT_FALSE(engine.TryLockShard(3)); }).join();
  }
  // Released on destruction: nothing stays locked.
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE(engine.TryLockShard(i));
    engine.UnlockShard(i);
  }
}

#ifdef WEIR_CHECK_LOCKS
// The lock discipline is checked in debug and sanitizer builds: touching a shard's keys without
// its lock, or locking a shard twice from one thread, aborts at once instead of racing.
TEST(LockSetDeathTest, AccessWithoutTheShardLockAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Engine engine(16, 16);
  EXPECT_DEATH(DbView(engine, 0, NowMs()).Find("k"), "shard lock violation");
  LockSet locks(engine);
  locks.AddKey("k");
  locks.Lock();
  DbView db(engine, 0, NowMs());
  EXPECT_EQ(db.Find("k"), nullptr);  // held: fine
  // A key of another shard is still off limits.
  std::string other = "a";
  while (engine.ShardOf(other) == engine.ShardOf("k")) other += "a";
  EXPECT_DEATH(db.Find(other), "shard lock violation");
  EXPECT_DEATH(engine.TryLockShard(engine.ShardOf("k")), "already holds");
  // Held by another thread is not held by this one.
  locks.Unlock();
  std::thread([&engine] {
    ASSERT_TRUE(engine.TryLockShard(engine.ShardOf("k")));
    engine.UnlockShard(engine.ShardOf("k"));
  }).join();
}
#endif

}  // namespace
}  // namespace weir::engine
