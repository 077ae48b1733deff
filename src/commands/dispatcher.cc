// Request dispatch: Redis's processCommand checks, shard locking, handler call, stats.
#include "commands/dispatcher.h"

#include "commands/args.h"
#include "commands/transactions.h"
#include "common/config.h"
#include "common/memory.h"
#include "common/strings.h"
#include "protocol/errors.h"

namespace weir::commands {

Dispatcher::Dispatcher(CommandRegistry& registry, ServerApi& server)
    : registry_(registry),
      server_(server),
      evictor_(server.engine()),
      notifier_(server.engine(), broker_),
      tracker_([&server](uint64_t id, const pubsub::Tracker::ClientFn& fn) {
        return server.WithClient(id, [&fn](pubsub::Subscriber& s, const Session&) {
          // Subscribed to anything (Redis's CLIENT_PUBSUB), as published for other threads.
          fn(s, s.shown_channels.load(std::memory_order_relaxed) +
                        s.shown_patterns.load(std::memory_order_relaxed) +
                        s.shown_shard_channels.load(std::memory_order_relaxed) >
                    0);
        });
      }) {
  server.engine().SetKeyEventListener(&notifier_);
  server.engine().SetInvalidationListener(&tracker_);
}

namespace {

std::string UnknownCommandError(ArgList args) {
  std::string list;
  for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
    size_t room = 128 - list.size();
    StrAppend(&list, "'", UntilNul(args[i]).substr(0, room), "' ");
  }
  // Redis prints the names with %s: each ends at its first NUL byte.
  return StrCat("ERR unknown command '", UntilNul(args[0]).substr(0, 128),
                "', with args beginning with: ", list);
}

std::string UnknownSubcommandError(ArgList args) {
  std::string upper(args[0]);
  for (char& c : upper) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return StrCat("ERR unknown subcommand '", UntilNul(args[1]).substr(0, 128), "'. Try ", upper,
                " HELP.");
}

// CLIENT CACHING yes|no holds for the next command only (or the next transaction): Redis's
// resetClient drops it after any command but CLIENT's own subcommands, outside MULTI.
struct CachingReset {
  Session& session;
  const CommandSpec* spec = nullptr;
  bool ran = true;
  ~CachingReset() {
    if (!(session.tracking & pubsub::kTrackingCaching) || !ran || session.in_multi) return;
    if (spec != nullptr && spec->parent != nullptr && spec->parent->name == "client") return;
    session.tracking &= ~pubsub::kTrackingCaching;
  }
};

bool ArityOk(const CommandSpec& spec, size_t argc) {
  int n = static_cast<int>(argc);
  return spec.arity > 0 ? n == spec.arity : n >= -spec.arity;
}

// "DEBUG command not allowed...": the command is named after its directive
// (enable-debug-command -> DEBUG), as Redis names the only two it protects.
std::string ProtectedError(const CommandSpec& spec) {
  std::string_view directive = spec.protected_by;
  std::string_view name = directive;
  if (name.starts_with("enable-")) name.remove_prefix(7);
  if (name.ends_with("-command")) name.remove_suffix(8);
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return StrCat("ERR ", upper, " command not allowed. If the ", directive,
                " option is set to \"local\", you can run it from a local connection, otherwise "
                "you need to set this option in the configuration file, and then restart the "
                "server.");
}

}  // namespace

void Dispatcher::Reject(Session& session, protocol::ReplyBuilder& reply, const CommandSpec* spec,
                        std::string_view error, ArgList args) {
  counters_.Add(kRejectedCommands, 1);
  if (spec != nullptr) spec->stats.Add(CommandStats::kRejected, 1);
  if (spec != nullptr && (spec->flags & kExecutesQueue)) {
    // A rejected EXEC (wrong arity, NOAUTH) ends the transaction, in MULTI or not, and says
    // why: Redis's rejectCommand calls execCommandAbort, whose text drops the "ERR " prefix.
    DiscardTransaction(server_.engine(), session);
    if (error.starts_with("ERR ")) error.remove_prefix(4);
    std::string abort = StrCat("EXECABORT Transaction discarded because of: ", error);
    reply.Error(abort);
    CountError(abort);
    // Redis's execCommandAbort shows the EXEC to monitors, closing the MULTI they saw.
    if (monitors_.active()) {
      std::string_view name = spec->name;
      FeedMonitors(session, *spec, args.empty() ? ArgList(&name, 1) : args);
    }
    return;
  }
  reply.Error(error);
  CountError(error);
  // A rejected command inside MULTI makes EXEC fail with EXECABORT.
  if (session.in_multi) session.multi_error = true;
}

bool Dispatcher::ProtectedAllowed(const CommandSpec& spec, const Session& session) {
  // The directive's values are no, yes, local.
  int64_t mode = server_.config().Int(spec.protected_by);
  return mode == 1 || (mode == 2 && server_.IsLocalClient(session));
}

Dispatcher::Outcome Dispatcher::Execute(Session& session, ArgList args,
                                        protocol::ReplyBuilder& reply) {
  pubsub::Tracker::Scope tracking_scope(session.id, &session.tracking);
  CachingReset caching_reset{session};
  if (tracker_.total_keys() > 0 && tracker_.OverLimit(TrackingMaxKeys())) {
    // Before the command, as Redis's processCommand: what this client is told goes before its
    // reply (a push the command itself causes waits until after it).
    std::string own;
    {
      pubsub::Tracker::Scope capture(session.id, &session.tracking, &own);
      tracker_.LimitUsedSlots(TrackingMaxKeys());
    }
    PushBeforeReply(session, reply, own);
  }
  bool unknown_sub = false;
  const CommandSpec* spec = registry_.Resolve(args, &unknown_sub);
  caching_reset.spec = spec;
  if (spec == nullptr) {
    Reject(session, reply, nullptr,
           unknown_sub ? UnknownSubcommandError(args) : UnknownCommandError(args));
    return Outcome::kDone;
  }
  if (!ArityOk(*spec, args.size())) {
    Reject(session, reply, spec, WrongArityError(spec->FullName()), args);
    return Outcome::kDone;
  }
  if (!spec->protected_by.empty() && !ProtectedAllowed(*spec, session)) {
    Reject(session, reply, spec, ProtectedError(*spec), args);
    return Outcome::kDone;
  }
  if (!session.authenticated && !(spec->flags & kNoAuth)) {
    Reject(session, reply, spec, protocol::errors::kNoAuth, args);
    return Outcome::kDone;
  }
  // A script past busy-reply-threshold: only what may run beside it (SCRIPT KILL...).
  if (server_.engine().busy_scripts() > 0 && !(spec->flags & kAllowBusy)) {
    Reject(session, reply, spec, scripting_.BusyError(), args);
    return Outcome::kDone;
  }
  // A monitor is a replica to Redis: it may not touch the keyspace, and is never paused.
  if (session.monitor && (spec->flags & (kWrite | kReadOnly | kMayReplicate))) {
    Reject(session, reply, spec, "ERR Replica can't interact with the keyspace", args);
    return Outcome::kDone;
  }
  if (pause_until_ms_.load(std::memory_order_relaxed) != 0 && !session.monitor &&
      IsPaused(*spec, session, engine::NowMs())) {
    caching_reset.ran = false;
    return Outcome::kPaused;
  }

  // maxmemory: evict first (no shard lock is held here), then refuse deny-oom commands when
  // memory is still over and nothing could be evicted.
  if (!EnforceMaxmemory(session, reply) && DeniedOnOom(*spec, session, args)) {
    Reject(session, reply, spec, protocol::errors::kOom, args);
    return Outcome::kDone;
  }

  // RESP2 subscribed mode (RESP3 has no such mode: pushes and replies interleave).
  if (session.subscribed_mode() && !(spec->flags & kSubscribedContext)) {
    Reject(session, reply, spec,
           StrCat("ERR Can't execute '", spec->FullName(),
                  "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                  "this context"));
    return Outcome::kDone;
  }

  if (session.in_multi && !(spec->flags & kRunsInMulti)) {
    if (spec->flags & kNoMulti) {
      Reject(session, reply, spec, protocol::errors::kNotSupportedInMulti, args);
      return Outcome::kDone;
    }
    std::vector<std::string> owned(args.begin(), args.end());
    session.queued.push_back(std::move(owned));
    reply.SimpleString("QUEUED");
    session.Publish();
    return Outcome::kDone;
  }

  engine::LockSet locks(server_.engine());
  CollectLocks(*spec, args, locks);
  if (!locks.LockUnlessBusy()) {
    Reject(session, reply, spec, scripting_.BusyError(), args);
    return Outcome::kDone;
  }
  if (!(spec->flags & (kBlocking | kMayBlock))) {
    ExecuteLocked(session, *spec, args, reply, locks);
    FinishWrites(*this, locks);
    if (EvictionRequested()) {
      // CONFIG SET maxmemory evicts at once, as Redis's updateMaxmemory, once no lock is held.
      locks.Unlock();
      EvictionRequested() = false;
      EnforceMaxmemory(session, reply);
    }
    return Outcome::kDone;
  }
  BlockRequest block;
  ExecuteLocked(session, *spec, args, reply, locks, &block);
  if (block.requested) {
    // A blocking command may still have written: lazy expiry of a key it looked at wakes that
    // key's other waiters (XREADGROUP's NOGROUP). They are served before this client queues, so
    // it cannot be handed its own expiry; its keys' shards are still held while it registers.
    ServeReadyKeys(*this, locks);
    engine::DbView db(server_.engine(), session.db, engine::NowMs());
    session.blocked = RegisterBlocked(db, session, *spec, args, block);
    locks.Unlock();
    ServePendingReadyKeys(*this);
    return Outcome::kBlocked;
  }
  FinishWrites(*this, locks);
  return Outcome::kDone;
}

bool Dispatcher::RunBlocked(const BlockedClient& b, engine::LockSet& locks, std::string* out) {
  // The client is parked, so its session is not running anything; the command sees a copy of
  // what it needs (id, database, protocol).
  Session session;
  session.id = b.client_id;
  session.db = b.db;
  session.resp = b.resp;
  session.authenticated = true;
  session.loop = b.loop;
  session.rerun = true;
  protocol::ReplyBuilder reply(out);
  reply.set_resp3(b.resp == 3);
  BlockRequest again;
  // The served client is the current one (NOLOOP, remembered reads); invalidations it gets
  // itself follow its reply, as Redis's pending tracking keys.
  std::string own_pushes;
  {
    pubsub::Tracker::Scope tracking_scope(b.client_id, nullptr, &own_pushes);
    ExecuteLocked(session, *b.spec, b.arg_views, reply, locks, &again);
  }
  if (again.requested) return false;
  out->append(own_pushes);
  return true;
}

void Dispatcher::CountUnblocked(const BlockedClient& b, bool failed) {
  b.spec->stats.Add(CommandStats::kCalls, 1);
  if (failed) b.spec->stats.Add(CommandStats::kFailed, 1);
  counters_.Add(kTotalCommands, 1);
}

bool Dispatcher::RetryBlocked(BlockedClient& b, std::string* out) {
  engine::LockSet locks(server_.engine());
  for (int shard : b.shards) locks.AddShard(shard);
  locks.Lock();
  bool served = RunBlocked(b, locks, out);
  // Released under the locks, so a write to one of its keys either came before the re-run
  // (and was seen) or comes after and finds the client waiting again.
  if (!served) b.Release();
  FinishWrites(*this, locks);
  return served;
}

void Dispatcher::CollectLocks(const CommandSpec& spec, ArgList args, engine::LockSet& locks) const {
  if (spec.flags & kNoLock) return;
  if (spec.flags & kAllShards) {
    locks.AddAll();
    return;
  }
  thread_local std::vector<int> indexes;
  indexes.clear();
  spec.KeyIndexes(args, &indexes);
  for (int i : indexes) locks.AddKey(args[i]);
}

void Dispatcher::ExecuteLocked(Session& session, const CommandSpec& spec, ArgList args,
                               protocol::ReplyBuilder& reply, engine::LockSet& locks,
                               BlockRequest* block) {
  int64_t start = engine::NowUs();
  engine::DbView db(server_.engine(), session.db,
                    session.frozen_now_ms != 0 ? session.frozen_now_ms : start / 1000);
  db.set_no_touch(session.no_touch && !(spec.flags & kAlwaysTouches));
  int64_t errors_before = reply.errors_emitted();
  CommandContext ctx{spec, *this, args, reply, session, db, locks, server_, block};
  // Published before running, as CLIENT LIST shows the command in progress (cmd=client|list).
  session.last_spec.store(&spec, std::memory_order_relaxed);
  // Scripts show themselves before the commands they run (Redis's evalCommand, fcallCommand).
  if ((spec.flags & kRunsScript) && monitors_.active()) FeedMonitors(session, spec, args);
  spec.handler(ctx);
  // As Redis's call(): after the command (a blocking one when it first runs, not when re-run),
  // unless it is too dangerous to show.
  if (monitors_.active() && !(spec.flags & (kSkipMonitor | kAdmin)) && !session.rerun) {
    FeedMonitors(session, spec, args);
  }
  // As Redis, a command that blocks is counted once, when it is finally served.
  if (block != nullptr && block->requested) return;
  if ((spec.flags & kReadOnly) && !(spec.flags & (kRunsScript | kPubSub)) &&
      tracker_.tracking_clients() > 0) {
    RememberTrackedKeys(spec, args);
  }
  int64_t elapsed = engine::NowUs() - start;
  spec.stats.Add(CommandStats::kCalls, 1);
  spec.stats.Add(CommandStats::kUsec, elapsed);
  counters_.Add(kTotalCommands, 1);
  if (reply.errors_emitted() != errors_before) {
    spec.stats.Add(CommandStats::kFailed, 1);
    if (reply.last_error_counts()) CountError(reply.last_error());
  }
  session.Publish();
}

void Session::Publish() {
  shown_db.store(db, std::memory_order_relaxed);
  shown_resp.store(resp, std::memory_order_relaxed);
  uint32_t f = 0;
  if (in_multi) f |= kShowMulti;
  if (watch.dirty.load(std::memory_order_relaxed)) f |= kShowDirtyCas;
  if (no_evict) f |= kShowNoEvict;
  if (no_touch) f |= kShowNoTouch;
  if (monitor) f |= kShowMonitor;
  shown_flags.store(f, std::memory_order_relaxed);
  shown_multi_count.store(in_multi ? static_cast<int>(queued.size()) : -1,
                          std::memory_order_relaxed);
}

void Dispatcher::RememberTrackedKeys(const CommandSpec& spec, ArgList args) {
  uint32_t flags = tracker_.CurrentFlags();
  if (!(flags & pubsub::kTrackingOn) || (flags & pubsub::kTrackingBcast)) return;
  // OPTIN: only after CLIENT CACHING yes; OPTOUT: unless CLIENT CACHING no.
  bool caching = (flags & pubsub::kTrackingCaching) != 0;
  if (((flags & pubsub::kTrackingOptin) && !caching) ||
      ((flags & pubsub::kTrackingOptout) && caching)) {
    return;
  }
  thread_local std::vector<int> indexes;
  indexes.clear();
  spec.KeyIndexes(args, &indexes);
  uint64_t id = pubsub::Tracker::current_id();
  for (int i : indexes) tracker_.Remember(id, args[i]);
}

int64_t Dispatcher::TrackingMaxKeys() {
  thread_local ConfigHandles<1> handles;
  return handles.Read(server_.config(), {"tracking-table-max-keys"})[0];
}

void Dispatcher::LimitTrackingTable() {
  if (tracker_.total_keys() == 0) return;
  pubsub::Tracker::Scope nobody(0, nullptr);
  tracker_.LimitUsedSlots(TrackingMaxKeys());
}

void Dispatcher::SetPause(int64_t until_ms, bool writes_only) {
  // Redis keeps the stricter of two overlapping pauses.
  bool was_all = pause_until_ms_.load() > engine::NowMs() && !pause_writes_only_.load();
  pause_writes_only_.store(writes_only && !was_all);
  int64_t cur = pause_until_ms_.load();
  pause_until_ms_.store(std::max(cur, until_ms));
}

void Dispatcher::ClearPause() { pause_until_ms_.store(0); }

bool Dispatcher::IsPaused(const CommandSpec& spec, const Session& session, int64_t now_ms) const {
  if (now_ms >= pause_until_ms_.load(std::memory_order_relaxed)) return false;
  if (!pause_writes_only_.load(std::memory_order_relaxed)) return true;
  // WRITE pauses hold commands that may change data; EXEC counts if it queued any.
  bool writes = (spec.flags & (kWrite | kMayReplicate)) != 0;
  if (spec.flags & kExecutesQueue) {
    for (const auto& q : session.queued) {
      bool unknown = false;
      std::vector<std::string_view> a(q.begin(), q.end());
      const CommandSpec* s = registry_.Resolve(a, &unknown);
      if (s != nullptr && (s->flags & (kWrite | kMayReplicate))) writes = true;
    }
  }
  return writes;
}

bool& Dispatcher::EvictionRequested() {
  thread_local bool requested = false;
  return requested;
}

void Dispatcher::PushBeforeReply(Session& session, protocol::ReplyBuilder& reply,
                                 std::string_view pushes) {
  if (pushes.empty()) return;
  if (session.reply_mode == Session::ReplyMode::kOn || session.subscriber == nullptr) {
    reply.buffer()->append(pushes);
  } else {
    session.subscriber->Deliver(pushes);
  }
}

bool Dispatcher::EnforceMaxmemory(Session& session, protocol::ReplyBuilder& reply) {
  thread_local ConfigHandles<5> handles;
  auto [maxmemory, policy, samples, tenacity, lazy] =
      handles.Read(server_.config(), {"maxmemory", "maxmemory-policy", "maxmemory-samples",
                                      "maxmemory-eviction-tenacity", "lazyfree-lazy-eviction"});
  if (maxmemory <= 0) {
    evictor_.NoteUnder();
    return true;
  }
  bool evicted = false;
  // The invalidations of evicted keys this client tracks go before its reply, as in Redis
  // (eviction happens before the command runs).
  std::string own;
  Evictor::Result r;
  {
    pubsub::Tracker::Scope capture(session.id, &session.tracking, &own);
    r = evictor_.Perform(maxmemory, static_cast<int>(policy), static_cast<int>(samples),
                         static_cast<int>(tenacity), lazy != 0, &evicted);
  }
  PushBeforeReply(session, reply, own);
  // A deletion may have listed keys that blocked clients wait on (XREADGROUP on a deleted
  // stream); they are served now, one shard at a time.
  if (evicted) ServePendingReadyKeys(*this);
  return r != Evictor::Result::kFail;
}

bool Dispatcher::DeniesOom(const CommandSpec& spec, ArgList args) {
  if (spec.flags & kDenyOom) return true;
  return (spec.flags & kRunsScript) && scripting_.ScriptDeniesOom(spec, args);
}

bool Dispatcher::DeniedOnOom(const CommandSpec& spec, const Session& session, ArgList args) {
  if (DeniesOom(spec, args)) return true;
  if (spec.flags & kExecutesQueue) {
    // EXEC is refused when it would run a deny-oom command; a queue of reads runs.
    for (const auto& q : session.queued) {
      bool unknown = false;
      std::vector<std::string_view> a(q.begin(), q.end());
      const CommandSpec* s = registry_.Resolve(a, &unknown);
      if (s != nullptr && DeniesOom(*s, a)) return true;
    }
    return false;
  }
  // Inside MULTI anything queued takes memory, so everything but the commands that end or
  // leave the transaction is refused, as Redis does.
  return session.in_multi && !(spec.flags & kRunsInMulti);
}

void Dispatcher::CountError(std::string_view error_text) {
  std::string_view prefix = error_text.substr(0, error_text.find(' '));
  std::lock_guard lock(error_mu_);
  for (auto& [name, count] : error_counts_) {
    if (name == prefix) {
      ++count;
      return;
    }
  }
  error_counts_.emplace_back(std::string(prefix), 1);
}

std::vector<std::pair<std::string, int64_t>> Dispatcher::ErrorStats() {
  std::lock_guard lock(error_mu_);
  return error_counts_;
}

void Dispatcher::ResetStats() {
  {
    std::lock_guard lock(error_mu_);
    error_counts_.clear();
  }
  counters_.Reset();
  evictor_.ResetStats();
  for (CommandSpec* spec : registry_.all()) {
    auto reset = [](const CommandSpec& s) { s.stats.Reset(); };
    reset(*spec);
    for (auto& sub : spec->subcommands) reset(*sub);
  }
}

}  // namespace weir::commands
