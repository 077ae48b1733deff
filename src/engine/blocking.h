// Blocked clients as the keyspace sees them: each key a client waits on lists the client's
// Waiter in its shard, in arrival order (FIFO per key, as Redis). Writes record the keys that
// have waiters in a per-thread ready list; the command layer serves them after the write while
// the writer still holds its shard locks (commands/blocking.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/entry.h"

namespace weir::engine {

struct Waiter {
  // kWaiting -> kClaimed by the one thread that serves it (under the key's shard lock), or
  // -> kCancelled by its own client (timeout, disconnect, CLIENT UNBLOCK). Whoever moves it out
  // of kWaiting owns the outcome; the client's own thread then unlinks it from every key.
  enum State : int { kWaiting = 0, kClaimed = 1, kCancelled = 2 };
  std::atomic<int> state{kWaiting};
  int db = 0;
  ObjType type = ObjType::kList;
  bool wake_on_missing = false;
  std::vector<std::string> keys;

  virtual ~Waiter() = default;

  bool TryClaim() {
    int expected = kWaiting;
    return state.compare_exchange_strong(expected, kClaimed);
  }
  bool TryCancel() {
    int expected = kWaiting;
    return state.compare_exchange_strong(expected, kCancelled);
  }
  // A served waiter that blocks again (nothing for it after all) goes back to waiting, keeping
  // its place in every queue.
  void Release() { state.store(kWaiting); }

  // Whether a key now holding e (null: missing) may let this waiter's command run.
  bool ReadyFor(const Entry* e) const {
    return (e != nullptr && e->type == type) || wake_on_missing;
  }
};

// A key with waiters that a write touched, in write order.
struct ReadyKey {
  int db;
  std::string key;
};

// The ready list of the calling thread: filled by DbView::Modified, drained by whoever runs the
// command that made the writes (the dispatcher), while its locks are still held.
std::vector<ReadyKey>& ThreadReadyKeys();

}  // namespace weir::engine
