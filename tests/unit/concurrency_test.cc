// Many threads on one engine: multi-shard operations under LockSet stay atomic (no lost or
// torn updates), and active expiry can run beside them. Run under TSan by `make tsan`.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/numbers.h"
#include "engine/engine.h"

namespace {
// The event the tests' writes record (Redis's name for SET).
const weir::KeyEvent kSetEvent{weir::kNotifyString, "set"};
}  // namespace

namespace weir::engine {
namespace {

constexpr int kAccounts = 64;

std::string Account(int i) { return "acct:" + std::to_string(i); }

int64_t Balance(DbView& db, const std::string& key) {
  Entry* e = db.Find(key);
  int64_t v = 0;
  if (e != nullptr) {
    EXPECT_TRUE(ParseInt64(e->value(), &v));
  }
  return v;
}

void Store(DbView& db, const std::string& key, int64_t v) {
  db.SetString(key, std::to_string(v), ExpireMode::kClear, -1, kSetEvent);
}

// Transfers between accounts that live on different shards: if two commands could interleave
// inside a transfer, money would be created or destroyed.
TEST(Concurrency, CrossShardTransfersConserveTheTotal) {
  Engine engine(32, 16);
  {
    LockSet locks(engine);
    locks.AddAll();
    locks.Lock();
    DbView db(engine, 0, NowMs());
    for (int i = 0; i < kAccounts; ++i) Store(db, Account(i), 1000);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&engine, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 5000; ++i) {
        std::string a = Account(rng() % kAccounts), b = Account(rng() % kAccounts);
        if (a == b) continue;
        LockSet locks(engine);
        locks.AddKey(a);
        locks.AddKey(b);
        locks.Lock();
        DbView db(engine, 0, NowMs());
        int64_t amount = rng() % 10;
        Store(db, a, Balance(db, a) - amount);
        Store(db, b, Balance(db, b) + amount);
      }
    });
  }
  // Active expiry and a reader that sums everything atomically run beside the writers.
  threads.emplace_back([&engine] {
    for (int i = 0; i < 200; ++i) engine.ActiveExpireCycle(0, 1, NowUs() + 1000, 1);
  });
  threads.emplace_back([&engine] {
    for (int i = 0; i < 200; ++i) {
      LockSet locks(engine);
      locks.AddAll();
      locks.Lock();
      DbView db(engine, 0, NowMs());
      int64_t total = 0;
      for (int a = 0; a < kAccounts; ++a) total += Balance(db, Account(a));
      ASSERT_EQ(total, kAccounts * 1000);
    }
  });
  for (auto& th : threads) th.join();
  LockSet locks(engine);
  locks.AddAll();
  locks.Lock();
  DbView db(engine, 0, NowMs());
  int64_t total = 0;
  for (int a = 0; a < kAccounts; ++a) total += Balance(db, Account(a));
  EXPECT_EQ(total, kAccounts * 1000);
}

// WATCH across threads: a write on another thread marks the watcher dirty.
TEST(Concurrency, WatchSeesWritesFromOtherThreads) {
  Engine engine(16, 16);
  WatchClient client;
  {
    LockSet locks(engine);
    locks.AddKey("w");
    locks.Lock();
    DbView(engine, 0, NowMs()).Watch("w", &client);
  }
  std::thread writer([&engine] {
    LockSet locks(engine);
    locks.AddKey("w");
    locks.Lock();
    DbView(engine, 0, NowMs()).SetString("w", "x", ExpireMode::kClear, -1, kSetEvent);
  });
  writer.join();
  EXPECT_TRUE(client.dirty.load());
  LockSet locks(engine);
  locks.AddKey("w");
  locks.Lock();
  DbView(engine, 0, NowMs()).Unwatch("w", &client);
}

}  // namespace
}  // namespace weir::engine
