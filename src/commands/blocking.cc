// Blocked clients: registration on keys, serving after writes, unlinking.
#include "commands/blocking.h"

#include <algorithm>

#include "commands/dispatcher.h"

namespace weir::commands {

std::shared_ptr<BlockedClient> RegisterBlocked(engine::DbView& db, const Session& session,
                                               const CommandSpec& spec, ArgList args,
                                               BlockRequest& request) {
  auto b = std::make_shared<BlockedClient>();
  b->db = db.index();
  b->type = request.type;
  b->wake_on_missing = request.wake_on_missing;
  b->keys = std::move(request.keys);
  // A key named twice (BLPOP k k 0) is queued once.
  std::sort(b->keys.begin(), b->keys.end());
  b->keys.erase(std::unique(b->keys.begin(), b->keys.end()), b->keys.end());
  b->client_id = session.id;
  b->loop = session.loop;
  b->resp = session.resp;
  b->spec = &spec;
  if (request.rerun_args.empty()) {
    b->args.assign(args.begin(), args.end());
  } else {
    b->args = std::move(request.rerun_args);
  }
  b->arg_views.assign(b->args.begin(), b->args.end());
  std::vector<int> indexes;
  spec.KeyIndexes(b->arg_views, &indexes);
  for (int i : indexes) b->shards.push_back(db.engine().ShardOf(b->arg_views[i]));
  b->deadline_ms = request.deadline_ms;
  b->timeout_reply = std::move(request.timeout_reply);
  for (const std::string& key : b->keys) db.AddWaiter(key, b);
  return b;
}

namespace {

// Makes sure every shard the waiter's command touches is held: by the writer's LockSet, by an
// earlier try-lock (listed in extra), or by a try-lock now. False when one is busy.
bool HoldShardsOf(engine::Engine& engine, const BlockedClient& b, engine::LockSet& locks,
                  std::vector<int>& extra) {
  for (int shard : b.shards) {
    if (locks.Holds(shard) || std::find(extra.begin(), extra.end(), shard) != extra.end()) {
      continue;
    }
    // Never wait for a lock here: the writer already holds others, out of order.
    if (!engine.TryLockShard(shard)) return false;
    extra.push_back(shard);
  }
  return true;
}

std::shared_ptr<BlockedClient> Owned(const std::vector<std::shared_ptr<engine::Waiter>>& queue,
                                     size_t j) {
  return std::static_pointer_cast<BlockedClient>(queue[j]);
}

}  // namespace

void ServeReadyKeys(Dispatcher& dispatcher, engine::LockSet& locks) {
  auto& ready = engine::ThreadReadyKeys();
  if (ready.empty()) return;
  engine::Engine& engine = dispatcher.server().engine();
  std::vector<int> extra;
  // Keys whose shard is neither held nor free right now: served by ServePendingReadyKeys once
  // the caller has let go of its locks.
  std::vector<engine::ReadyKey> later;
  // Serving a waiter writes too (a pop, BLMOVE's push), which may append more ready keys.
  for (size_t i = 0; i < ready.size(); ++i) {
    engine::ReadyKey rk = ready[i];
    int key_shard = engine.ShardOf(rk.key);
    if (!locks.Holds(key_shard) &&
        std::find(extra.begin(), extra.end(), key_shard) == extra.end()) {
      // Never wait here: the caller holds other shards, possibly above this one.
      if (!engine.TryLockShard(key_shard)) {
        later.push_back(std::move(rk));
        continue;
      }
      extra.push_back(key_shard);
    }
    engine::DbView db(engine, rk.db, engine::NowMs());
    auto* queue = db.Waiters(rk.key);
    if (queue == nullptr) continue;
    // The queue cannot change while we hold its shard: waiters join it only when their own
    // command blocks and leave it only on their own thread, both under this lock.
    for (size_t j = 0; j < queue->size(); ++j) {
      auto* b = static_cast<BlockedClient*>((*queue)[j].get());
      if (b->state.load() != engine::Waiter::kWaiting) continue;
      if (!b->ReadyFor(db.FindQuiet(rk.key))) continue;
      if (!HoldShardsOf(engine, *b, locks, extra)) {
        if (b->TryClaim()) dispatcher.server().RetryBlocked(Owned(*queue, j));
        continue;
      }
      if (!b->TryClaim()) continue;
      std::string out;
      if (dispatcher.RunBlocked(*b, locks, &out)) {
        dispatcher.server().DeliverToBlocked(Owned(*queue, j), std::move(out));
      } else {
        b->Release();
      }
    }
  }
  ready.swap(later);
  for (int shard : extra) engine.UnlockShard(shard);
}

void ServePendingReadyKeys(Dispatcher& dispatcher) {
  auto& ready = engine::ThreadReadyKeys();
  // Each round holds the first key's shard, so it is served and the list shrinks; the others
  // are served in the same round when their shards are free.
  while (!ready.empty()) {
    engine::LockSet locks(dispatcher.server().engine());
    locks.AddKey(ready.front().key);
    locks.Lock();
    ServeReadyKeys(dispatcher, locks);
  }
}

void FinishWrites(Dispatcher& dispatcher, engine::LockSet& locks) {
  ServeReadyKeys(dispatcher, locks);
  if (engine::ThreadReadyKeys().empty()) return;
  locks.Unlock();
  ServePendingReadyKeys(dispatcher);
}

void UnlinkBlocked(engine::Engine& engine, const BlockedClient& b) {
  engine::LockSet locks(engine);
  for (const std::string& key : b.keys) locks.AddKey(key);
  locks.Lock();
  engine::DbView db(engine, b.db, engine::NowMs());
  for (const std::string& key : b.keys) db.RemoveWaiter(key, &b);
}

}  // namespace weir::commands
