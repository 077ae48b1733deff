// The replication family as Redis 7.2 answers on a master without replicas: WAIT, WAITAOF, ROLE,
// REPLICAOF / SLAVEOF, FAILOVER, and the commands only replicas send (PSYNC, SYNC, REPLCONF).
// Weir has no replication yet, so nothing ever acknowledges a write: WAIT answers 0, at once
// when that is enough, else when its timeout ends the wait (a per-loop timer, like the blocking
// pops' deadlines). Becoming a replica, or serving one, is refused with an error that says so,
// rather than a fake OK.
#include <cstdint>
#include <string>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"

namespace weir::commands {
namespace {

constexpr std::string_view kCannotBeReplica =
    "ERR replication is not supported yet: this server cannot become a replica (REPLICAOF NO "
    "ONE is accepted)";
constexpr std::string_view kCannotServeReplicas =
    "ERR replication is not supported yet: this server cannot serve replicas";

// ---- WAIT, WAITAOF ----

// WAIT numreplicas timeout: the replicas that acknowledged this client's writes, always 0.
// Redis answers at once when that is enough (numreplicas <= 0) or when the client may not block
// (MULTI, scripts); otherwise it waits for the timeout (0: forever, until CLIENT UNBLOCK or a
// disconnect).
void CmdWait(CommandContext& ctx) {
  int64_t numreplicas;
  int64_t deadline_ms;
  if (!IntArg(ctx, ctx.arg(1), &numreplicas)) return;
  if (!TimeoutMillisArg(ctx, ctx.arg(2), &deadline_ms)) return;
  constexpr int64_t kAcknowledged = 0;
  if (kAcknowledged >= numreplicas || !BlockUntilDeadline(ctx, deadline_ms, ":0\r\n")) {
    ctx.reply.Integer(kAcknowledged);
  }
}

// WAITAOF numlocal numreplicas timeout: [fsynced locally, replicas that fsynced], always
// [0, 0]. appendonly can only be off, so asking for the local fsync (numlocal 1) is an error.
void CmdWaitAof(CommandContext& ctx) {
  int64_t numlocal;
  int64_t numreplicas;
  int64_t deadline_ms;
  if (!IntArg(ctx, ctx.arg(1), &numlocal)) return;
  if (numlocal < 0 || numlocal > 1) {
    return ctx.reply.Error("ERR value is out of range, value must between 0 and 1");
  }
  // Redis's getPositiveLongFromObjectOrReply: one text for "not a number" and "negative".
  if (!IntArgInRange(ctx, ctx.arg(2), 0, INT64_MAX, &numreplicas,
                     "ERR value is out of range, must be positive")) {
    return;
  }
  if (!TimeoutMillisArg(ctx, ctx.arg(3), &deadline_ms)) return;
  if (numlocal > 0 && !ctx.server.config().Bool("appendonly")) {
    return ctx.reply.Error(
        "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
  }
  constexpr std::string_view kNothingAcknowledged = "*2\r\n:0\r\n:0\r\n";
  if (numreplicas > 0 && BlockUntilDeadline(ctx, deadline_ms, std::string(kNothingAcknowledged))) {
    return;
  }
  ctx.reply.ArrayLen(2);
  ctx.reply.Integer(0);
  ctx.reply.Integer(0);
}

// ---- Roles ----

// ROLE: a master at replication offset 0 with no replicas.
void CmdRole(CommandContext& ctx) {
  ctx.reply.ArrayLen(3);
  ctx.reply.Bulk("master");
  ctx.reply.Integer(0);
  ctx.reply.ArrayLen(0);
}

// REPLICAOF host port / NO ONE. NO ONE keeps this master a master (OK, as Redis on a master);
// a master address is checked as Redis does (the port), then refused.
void CmdReplicaOf(CommandContext& ctx) {
  if (EqualsIgnoreCase(ctx.arg(1), "no") && EqualsIgnoreCase(ctx.arg(2), "one")) {
    return ctx.reply.Ok();
  }
  int64_t port;
  if (!IntArgInRange(ctx, ctx.arg(2), 0, 65535, &port, "ERR Invalid master port")) return;
  ctx.reply.Error(kCannotBeReplica);
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: the options are parsed as Redis does,
// and then there is no replica to fail over to.
void CmdFailover(CommandContext& ctx) {
  if (ctx.argc() == 2 && EqualsIgnoreCase(ctx.arg(1), "abort")) {
    return ctx.reply.Error("ERR No failover in progress.");
  }
  int64_t timeout_ms = 0;
  bool force = false;
  bool to = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    // Each option once; a repeated one is a syntax error (a TIMEOUT is never 0 once given).
    if (EqualsIgnoreCase(opt, "timeout") && i + 1 < ctx.argc() && timeout_ms == 0) {
      if (!IntArg(ctx, ctx.arg(i + 1), &timeout_ms)) return;
      if (timeout_ms <= 0) return ctx.reply.Error("ERR FAILOVER timeout must be greater than 0");
      ++i;
    } else if (EqualsIgnoreCase(opt, "to") && i + 2 < ctx.argc() && !to) {
      int64_t port;
      if (!IntArg(ctx, ctx.arg(i + 2), &port)) return;
      to = true;
      i += 2;
    } else if (EqualsIgnoreCase(opt, "force") && !force) {
      force = true;
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  ctx.reply.Error("ERR FAILOVER requires connected replicas.");
}

// ---- What replicas send ----

// SYNC, PSYNC replid offset: a replica asking for the replication stream.
void CmdSync(CommandContext& ctx) {
  // A failover handshake is refused by Redis on a master, before anything else.
  if (ctx.argc() > 3 && EqualsIgnoreCase(ctx.arg(0), "psync") &&
      EqualsIgnoreCase(ctx.arg(3), "failover")) {
    return ctx.reply.Error("ERR PSYNC FAILOVER can't be sent to a master.");
  }
  ctx.reply.Error(kCannotServeReplicas);
}

// REPLCONF option value ...: a replica's handshake options and acknowledgements.
void CmdReplConf(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) return ReplySyntaxError(ctx);
  ctx.reply.Error(kCannotServeReplicas);
}

}  // namespace

void RegisterReplicationCommands(CommandRegistry& r) {
  r.Add({"wait",
         3,
         kMayBlock | kNoLock,
         "connection",
         {},
         CmdWait,
         "Blocks until the asynchronous replication of all preceding write commands sent by the "
         "connection is completed.",
         "3.0.0",
         "generic",
         "O(1)",
         nullptr,
         "request_policy:all_shards response_policy:agg_min"});
  r.Add({"waitaof",
         4,
         kNoScript | kMayBlock | kNoLock,
         "connection",
         {},
         CmdWaitAof,
         "Blocks until all of the preceding write commands sent by the connection are written to "
         "the append-only file of the master and/or replicas.",
         "7.2.0",
         "generic",
         "O(1)",
         nullptr,
         "request_policy:all_shards response_policy:agg_min"});
  r.Add({"role",
         1,
         kNoScript | kLoading | kStale | kFast | kSentinel | kNoLock,
         "admin dangerous",
         {},
         CmdRole,
         "Returns the replication role.",
         "2.8.12",
         "server",
         "O(1)"});
  constexpr uint32_t kReplicaOfFlags = kNoAsyncLoading | kAdmin | kNoScript | kStale | kNoLock;
  r.Add({"replicaof",
         3,
         kReplicaOfFlags,
         "",
         {},
         CmdReplicaOf,
         "Configures a server as replica of another, or promotes it to a master.",
         "5.0.0",
         "server",
         "O(1)"});
  r.Add({"slaveof",
         3,
         kReplicaOfFlags,
         "",
         {},
         CmdReplicaOf,
         "Sets a Redis server as a replica of another, or promotes it to being a master.",
         "1.0.0",
         "server",
         "O(1)"});
  r.Add({"failover",
         -1,
         kAdmin | kNoScript | kStale | kNoLock,
         "",
         {},
         CmdFailover,
         "Starts a coordinated failover from a server to one of its replicas.",
         "6.2.0",
         "server",
         "O(1)"});
  constexpr uint32_t kSyncFlags = kNoAsyncLoading | kAdmin | kNoMulti | kNoScript | kNoLock;
  r.Add({"psync",
         -3,
         kSyncFlags,
         "",
         {},
         CmdSync,
         "An internal command used in replication.",
         "2.8.0",
         "server",
         ""});
  r.Add({"sync",
         1,
         kSyncFlags,
         "",
         {},
         CmdSync,
         "An internal command used in replication.",
         "1.0.0",
         "server",
         ""});
  r.Add({"replconf",
         -1,
         kAdmin | kNoScript | kLoading | kStale | kAllowBusy | kNoLock,
         "",
         {},
         CmdReplConf,
         "An internal command for configuring the replication stream.",
         "3.0.0",
         "server",
         "O(1)"});
}

}  // namespace weir::commands
