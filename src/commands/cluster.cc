// The cluster family as Redis 7.2 answers with cluster mode disabled: CLUSTER and every one of
// its subcommands (HELP included), READONLY, READWRITE and ASKING all reply
// "ERR This instance has cluster support disabled". The subcommands are still registered one by
// one with Redis's arity and flags, so COMMAND INFO lists them, an unknown one is "unknown
// subcommand", a wrong argument count is that subcommand's arity error, and a script calling a
// noscript one (CLUSTER RESET) is refused as in Redis.
#include <string_view>

#include "commands/registry.h"

namespace weir::commands {
namespace {

void CmdClusterDisabled(CommandContext& ctx) {
  ctx.reply.Error("ERR This instance has cluster support disabled");
}

// A CLUSTER subcommand's row (Redis 7.2's cluster-*.json); none takes keys, none locks.
struct ClusterSubcommand {
  std::string_view name;
  int arity;
  uint32_t flags;
  std::string_view tips;
  std::string_view summary;
  std::string_view since;
  std::string_view complexity;
};

// The subcommands that change the cluster's configuration.
constexpr uint32_t kConfigures = kNoAsyncLoading | kAdmin | kStale;
constexpr std::string_view kNondeterministic = "nondeterministic_output";
constexpr std::string_view kPerSlotArg = "O(N) where N is the total number of hash slot arguments";
constexpr std::string_view kPerSlotInRanges =
    "O(N) where N is the total number of the slots between the start slot and end slot "
    "arguments.";
constexpr std::string_view kPerNode = "O(N) where N is the total number of Cluster nodes";

constexpr ClusterSubcommand kClusterSubcommands[] = {
    {"addslots", -3, kConfigures, "", "Assigns new hash slots to a node.", "3.0.0", kPerSlotArg},
    {"addslotsrange", -4, kConfigures, "", "Assigns new hash slot ranges to a node.", "7.0.0",
     kPerSlotInRanges},
    {"bumpepoch", 2, kConfigures, kNondeterministic, "Advances the cluster config epoch.", "3.0.0",
     "O(1)"},
    {"count-failure-reports", 3, kAdmin | kStale, kNondeterministic,
     "Returns the number of active failure reports active for a node.", "3.0.0",
     "O(N) where N is the number of failure reports"},
    {"countkeysinslot", 3, kStale, "", "Returns the number of keys in a hash slot.", "3.0.0",
     "O(1)"},
    {"delslots", -3, kConfigures, "", "Sets hash slots as unbound for a node.", "3.0.0",
     kPerSlotArg},
    {"delslotsrange", -4, kConfigures, "", "Sets hash slot ranges as unbound for a node.", "7.0.0",
     kPerSlotInRanges},
    {"failover", -2, kConfigures, "",
     "Forces a replica to perform a manual failover of its master.", "3.0.0", "O(1)"},
    {"flushslots", 2, kConfigures, "", "Deletes all slots information from a node.", "3.0.0",
     "O(1)"},
    {"forget", 3, kConfigures, "", "Removes a node from the nodes table.", "3.0.0", "O(1)"},
    {"getkeysinslot", 4, kStale, kNondeterministic, "Returns the key names in a hash slot.",
     "3.0.0", "O(N) where N is the number of requested keys"},
    {"help", 2, kLoading | kStale, "", "Returns helpful text about the different subcommands.",
     "5.0.0", "O(1)"},
    {"info", 2, kStale, kNondeterministic, "Returns information about the state of a node.",
     "3.0.0", "O(1)"},
    {"keyslot", 3, kStale, "", "Returns the hash slot for a key.", "3.0.0",
     "O(N) where N is the number of bytes in the key"},
    {"links", 2, kStale, kNondeterministic,
     "Returns a list of all TCP links to and from peer nodes.", "7.0.0", kPerNode},
    {"meet", -4, kConfigures, "", "Forces a node to handshake with another node.", "3.0.0", "O(1)"},
    {"myid", 2, kStale, "", "Returns the ID of a node.", "3.0.0", "O(1)"},
    {"myshardid", 2, kStale, kNondeterministic, "Returns the shard ID of a node.", "7.2.0", "O(1)"},
    {"nodes", 2, kStale, kNondeterministic, "Returns the cluster configuration for a node.",
     "3.0.0", kPerNode},
    {"replicas", 3, kAdmin | kStale, kNondeterministic, "Lists the replica nodes of a master node.",
     "5.0.0", "O(N) where N is the number of replicas."},
    {"replicate", 3, kConfigures, "", "Configure a node as replica of a master node.", "3.0.0",
     "O(1)"},
    {"reset", -2, kAdmin | kStale | kNoScript, "", "Resets a node.", "3.0.0",
     "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side "
     "effect."},
    {"saveconfig", 2, kConfigures, "", "Forces a node to save the cluster configuration to disk.",
     "3.0.0", "O(1)"},
    {"set-config-epoch", 3, kConfigures, "", "Sets the configuration epoch for a new node.",
     "3.0.0", "O(1)"},
    {"setslot", -4, kConfigures, "", "Binds a hash slot to a node.", "3.0.0", "O(1)"},
    {"shards", 2, kLoading | kStale, kNondeterministic,
     "Returns the mapping of cluster slots to shards.", "7.0.0",
     "O(N) where N is the total number of cluster nodes"},
    {"slaves", 3, kAdmin | kStale, kNondeterministic, "Lists the replica nodes of a master node.",
     "3.0.0", "O(N) where N is the number of replicas."},
    {"slots", 2, kLoading | kStale, kNondeterministic,
     "Returns the mapping of cluster slots to nodes.", "3.0.0", kPerNode},
};

}  // namespace

void RegisterClusterCommands(CommandRegistry& r) {
  r.Add({"cluster",
         -2,
         kNoLock,
         "",
         {},
         nullptr,
         "A container for Redis Cluster commands.",
         "3.0.0",
         "cluster",
         "Depends on subcommand."});
  for (const ClusterSubcommand& sub : kClusterSubcommands) {
    r.AddSubcommand("cluster", {sub.name,
                                sub.arity,
                                sub.flags | kNoLock,
                                "",
                                {},
                                CmdClusterDisabled,
                                sub.summary,
                                sub.since,
                                "cluster",
                                sub.complexity,
                                nullptr,
                                sub.tips});
  }
  r.Add({"readonly",
         1,
         kFast | kLoading | kStale | kNoLock,
         "connection",
         {},
         CmdClusterDisabled,
         "Enables read-only queries for a connection to a Redis Cluster replica node.",
         "3.0.0",
         "cluster",
         "O(1)"});
  // "Reids" is Redis 7.2's own spelling in this summary.
  r.Add({"readwrite",
         1,
         kFast | kLoading | kStale | kNoLock,
         "connection",
         {},
         CmdClusterDisabled,
         "Enables read-write queries for a connection to a Reids Cluster replica node.",
         "3.0.0",
         "cluster",
         "O(1)"});
  r.Add({"asking",
         1,
         kFast | kNoLock,
         "connection",
         {},
         CmdClusterDisabled,
         "Signals that a cluster client is following an -ASK redirect.",
         "3.0.0",
         "cluster",
         "O(1)"});
}

}  // namespace weir::commands
