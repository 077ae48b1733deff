// The dispatcher: from a parsed request to a reply. It resolves the command, applies Redis's
// pre-execution checks in processCommand's order (existence, arity, auth, pause, MULTI
// queueing), locks the shards of the command's keys, runs the handler and counts stats.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "commands/blocking.h"
#include "commands/eviction.h"
#include "commands/registry.h"
#include "commands/scripting.h"
#include "pubsub/broker.h"
#include "pubsub/keyspace_notifier.h"
#include "pubsub/monitors.h"
#include "pubsub/tracking.h"

namespace weir::commands {

class Dispatcher {
 public:
  // kBlocked: a blocking command found nothing to serve; session.blocked holds the waiter and
  // nothing was replied yet.
  enum class Outcome { kDone, kPaused, kBlocked };

  Dispatcher(CommandRegistry& registry, ServerApi& server);

  // Runs one request. kPaused: clients are paused for this command; nothing was replied and
  // the caller retries the same request later.
  Outcome Execute(Session& session, ArgList args, protocol::ReplyBuilder& reply);

  // Runs an already-validated command under locks the caller holds (EXEC, scripts later).
  // block: where a blocking command may ask to block (null: it must not block).
  void ExecuteLocked(Session& session, const CommandSpec& spec, ArgList args,
                     protocol::ReplyBuilder& reply, engine::LockSet& locks,
                     BlockRequest* block = nullptr);

  // Runs a blocked client's command again under locks the caller holds, its reply into out.
  // False when it would block again (out is then meaningless).
  bool RunBlocked(const BlockedClient& b, engine::LockSet& locks, std::string* out);
  // A blocked command that ended without being served (timeout, CLIENT UNBLOCK) is counted
  // once then, as Redis's updateStatsOnUnblock; failed: it ended with an error.
  void CountUnblocked(const BlockedClient& b, bool failed);
  // The same on the client's own thread, taking the command's locks itself; a client that
  // would block again goes back to waiting, in its place.
  bool RetryBlocked(BlockedClient& b, std::string* out);

  // Adds the shards of the command's keys (or all shards) to locks.
  void CollectLocks(const CommandSpec& spec, ArgList args, engine::LockSet& locks) const;

  const CommandRegistry& registry() const { return registry_; }
  ServerApi& server() { return server_; }
  ScriptingState& scripting() { return scripting_; }
  Evictor& evictor() { return evictor_; }
  // Set (on the thread running CONFIG SET maxmemory) to evict right after the command, once
  // its locks are released.
  static bool& EvictionRequested();
  pubsub::Broker& broker() { return broker_; }
  pubsub::Tracker& tracker() { return tracker_; }
  // tracking-table-max-keys, from the server's periodic tick (no current client).
  void LimitTrackingTable();
  // DEBUG PAUSE-CRON: the periodic tick does nothing while set.
  bool cron_paused() const { return cron_paused_.load(std::memory_order_relaxed); }
  void set_cron_paused(bool v) { cron_paused_.store(v, std::memory_order_relaxed); }
  pubsub::Monitors& monitors() { return monitors_; }
  // Shows the command to the monitors, as Redis's replicationFeedMonitors (commands/monitor.cc):
  // the caller checked monitors().active().
  void FeedMonitors(Session& session, const CommandSpec& spec, ArgList args);

  // Client pause state, shared by every event loop.
  void SetPause(int64_t until_ms, bool writes_only);
  void ClearPause();
  bool IsPaused(const CommandSpec& spec, const Session& session, int64_t now_ms) const;
  int64_t pause_end_ms() const { return pause_until_ms_.load(std::memory_order_relaxed); }

  int64_t total_commands() const { return counters_.Sum(kTotalCommands); }
  int64_t rejected_commands() const { return counters_.Sum(kRejectedCommands); }
  // INFO errorstats: counts by error prefix ("ERR", "WRONGTYPE"...).
  void CountError(std::string_view error_text);
  std::vector<std::pair<std::string, int64_t>> ErrorStats();
  void ResetStats();

 private:
  // maxmemory: evicts by maxmemory-policy while used memory is over the limit; false when it is
  // still over and nothing could be evicted. DeniedOnOom: whether this command is refused then
  // (deny-oom, a deny-oom script, EXEC of one, anything queued in MULTI). Invalidations the
  // evictions send this client go into its output now (before the command's reply).
  bool EnforceMaxmemory(Session& session, protocol::ReplyBuilder& reply);
  // Pushes for the running client that must precede its reply: appended to the output now (or
  // delivered as pushes when its replies are silenced).
  void PushBeforeReply(Session& session, protocol::ReplyBuilder& reply, std::string_view pushes);
  bool DeniesOom(const CommandSpec& spec, ArgList args);
  bool DeniedOnOom(const CommandSpec& spec, const Session& session, ArgList args);

  // A protected command (DEBUG, MODULE LOAD...) is allowed by its enable-*-command directive.
  bool ProtectedAllowed(const CommandSpec& spec, const Session& session);

  // After a read-only command: the keys it read are remembered for the tracking client it ran
  // for (the script's or transaction's caller too).
  void RememberTrackedKeys(const CommandSpec& spec, ArgList args);
  int64_t TrackingMaxKeys();

  // args: the request (a rejected EXEC is shown to monitors with them).
  void Reject(Session& session, protocol::ReplyBuilder& reply, const CommandSpec* spec,
              std::string_view error, ArgList args = {});

  CommandRegistry& registry_;
  ServerApi& server_;
  ScriptingState scripting_;
  Evictor evictor_;
  pubsub::Broker broker_;
  pubsub::KeyspaceNotifier notifier_;
  pubsub::Tracker tracker_;
  pubsub::Monitors monitors_;
  std::atomic<int64_t> pause_until_ms_{0};
  std::atomic<bool> pause_writes_only_{false};
  std::atomic<bool> cron_paused_{false};
  enum Counter { kTotalCommands = 0, kRejectedCommands = 1 };
  PerThreadCounters<2> counters_;
  std::mutex error_mu_;
  std::vector<std::pair<std::string, int64_t>> error_counts_;
};

}  // namespace weir::commands
