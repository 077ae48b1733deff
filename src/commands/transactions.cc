// The transaction family: MULTI, EXEC, DISCARD, WATCH, UNWATCH. EXEC locks the union of the
// shards of every queued command's keys (and of the watched keys) once, then runs the queue:
// atomic across shards without a global lock.
#include "commands/transactions.h"

#include "commands/args.h"
#include "commands/blocking.h"
#include "commands/dispatcher.h"
#include "commands/registry.h"
#include "protocol/errors.h"

namespace weir::commands {

namespace errors = protocol::errors;

void UnwatchAll(engine::Engine& engine, Session& session, engine::LockSet* held) {
  if (session.watched_keys.empty()) return;
  engine::LockSet own(engine);
  bool covered = held != nullptr && held->locked();
  for (auto& [db, key] : session.watched_keys) {
    if (covered && !held->Holds(engine.ShardOf(key))) covered = false;
  }
  if (!covered) {
    for (auto& [db, key] : session.watched_keys) own.AddKey(key);
    own.Lock();
  }
  for (auto& [db, key] : session.watched_keys) {
    engine::DbView(engine, db, 0).Unwatch(key, &session.watch);
  }
  session.watched_keys.clear();
  session.watch.dirty.store(false);
}

void DiscardTransaction(engine::Engine& engine, Session& session, engine::LockSet* held) {
  session.in_multi = false;
  session.multi_error = false;
  session.queued.clear();
  session.queued.shrink_to_fit();
  UnwatchAll(engine, session, held);
}

namespace {

void CmdMulti(CommandContext& ctx) {
  if (ctx.session.in_multi) return ctx.reply.Error(errors::kMultiNested);
  ctx.session.in_multi = true;
  ctx.reply.Ok();
}

void CmdDiscard(CommandContext& ctx) {
  if (!ctx.session.in_multi) return ctx.reply.Error(errors::kDiscardNoMulti);
  DiscardTransaction(ctx.server.engine(), ctx.session);
  ctx.reply.Ok();
}

void CmdExec(CommandContext& ctx) {
  Session& s = ctx.session;
  if (!s.in_multi) return ctx.reply.Error(errors::kExecNoMulti);
  engine::Engine& engine = ctx.server.engine();
  if (s.multi_error) {
    DiscardTransaction(engine, s);
    return ctx.reply.Error(errors::kExecAbort);
  }

  // Resolve the queue once; lock everything it and the watched keys touch, in order.
  // The session stays in MULTI with its queue while the queue runs (CLIENT INFO inside EXEC
  // shows flags=x and multi=N, as in Redis); queued commands run through ExecuteLocked, so
  // nothing is re-queued and s.queued is not modified until the end.
  const std::vector<std::vector<std::string>>& queued = s.queued;
  std::vector<std::vector<std::string_view>> argvs(queued.size());
  std::vector<const CommandSpec*> specs(queued.size());
  engine::LockSet locks(engine);
  for (size_t i = 0; i < queued.size(); ++i) {
    argvs[i].assign(queued[i].begin(), queued[i].end());
    bool unknown = false;
    specs[i] = ctx.dispatcher.registry().Resolve(argvs[i], &unknown);
    ctx.dispatcher.CollectLocks(*specs[i], argvs[i], locks);
    if (specs[i]->flags & kRunsScript) locks.AddAll();
  }
  for (auto& [db, key] : s.watched_keys) locks.AddKey(key);
  if (!locks.LockUnlessBusy()) {
    DiscardTransaction(engine, s);
    return ctx.reply.Error(ctx.dispatcher.scripting().BusyError());
  }

  bool aborted = s.watch.dirty.load();
  for (auto& [db, key] : s.watched_keys) {
    if (aborted) break;
    aborted = engine::DbView(engine, db, ctx.db.now_ms()).WatchedKeyExpired(key, &s.watch);
  }
  UnwatchAll(engine, s, &locks);
  if (!aborted) {
    ctx.reply.ArrayLen(static_cast<int64_t>(queued.size()));
    for (size_t i = 0; i < queued.size(); ++i) {
      ctx.dispatcher.ExecuteLocked(s, *specs[i], argvs[i], ctx.reply, locks);
    }
  } else {
    ctx.reply.NullArray();
  }
  s.in_multi = false;
  s.queued.clear();
  // Clients blocked on keys the transaction wrote are served while its locks are still held,
  // so a pop that its push fed is atomic with it, as after any other write.
  FinishWrites(ctx.dispatcher, locks);
}

void CmdWatch(CommandContext& ctx) {
  Session& s = ctx.session;
  if (s.in_multi) return ctx.reply.Error(errors::kWatchInMulti);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view key = ctx.arg(i);
    bool already = false;
    for (auto& [db, k] : s.watched_keys) {
      if (db == s.db && k == key) already = true;
    }
    if (already) continue;
    ctx.db.Watch(key, &s.watch);
    s.watched_keys.emplace_back(s.db, std::string(key));
  }
  ctx.reply.Ok();
}

void CmdUnwatch(CommandContext& ctx) {
  UnwatchAll(ctx.server.engine(), ctx.session);
  ctx.reply.Ok();
}

}  // namespace

void RegisterTransactionCommands(CommandRegistry& r) {
  constexpr uint32_t kTx = kNoScript | kLoading | kStale | kFast | kAllowBusy | kRunsInMulti;
  r.Add({"multi",
         1,
         kTx | kNoLock,
         "fast transaction",
         {},
         CmdMulti,
         "Starts a transaction.",
         "1.2.0",
         "transactions",
         "O(1)"});
  r.Add({"exec",
         1,
         kNoScript | kLoading | kStale | kSkipSlowlog | kNoLock | kRunsInMulti | kExecutesQueue,
         "slow transaction",
         {},
         CmdExec,
         "Executes all commands in a transaction.",
         "1.2.0",
         "transactions",
         "Depends on commands in the transaction"});
  r.Add({"discard",
         1,
         kTx | kNoLock,
         "fast transaction",
         {},
         CmdDiscard,
         "Discards a transaction.",
         "2.0.0",
         "transactions",
         "O(N), when N is the number of queued commands"});
  r.Add({"watch",
         -2,
         kTx,
         "fast transaction",
         {{1, -1, 1, {"RO"}}},
         CmdWatch,
         "Monitors changes to keys to determine the execution of a transaction.",
         "2.2.0",
         "transactions",
         "O(1) for every key."});
  r.Add({"unwatch",
         1,
         (kTx & ~kRunsInMulti) | kNoLock,
         "fast transaction",
         {},
         CmdUnwatch,
         "Forgets about watched keys of a transaction.",
         "2.2.0",
         "transactions",
         "O(1)"});
}

}  // namespace weir::commands
