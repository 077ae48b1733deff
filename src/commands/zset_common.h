// What the sorted set family (zsets.cc) shares with the commands built on sorted sets (geo.cc:
// GEOADD is ZADD with scores computed from coordinates, GEOSEARCHSTORE stores a sorted set).
#pragma once

#include <absl/functional/function_ref.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/command.h"
#include "types/zset.h"

namespace weir::commands::zsets {

using ScoredPairs = std::vector<std::pair<std::string, double>>;

// zset-max-listpack-entries / -value.
types::ZSetLimits Limits(CommandContext& ctx);

// Redis counts sorted set writes per element (members added or updated, removed, stored),
// while Modified/Delete/SetObject count one per key: adds the difference.
void CountChanges(CommandContext& ctx, int64_t elements);

// Writes the result of a store command: the set (announced as event, e.g. "zunionstore"), or
// nothing (deleting the destination, announced as "del" when it existed); replies its size.
void StoreResult(CommandContext& ctx, std::string_view dst, ScoredPairs pairs,
                 const KeyEvent& event);

// ZADD's work once its arguments are checked: adds or updates member_at(j) with scores[j]
// under the types::ZAddFlag flags, then replies as ZADD (the number added, or added and
// updated with ch; the member's score with kZAddIncr). Announces "zadd" ("zincr" with
// kZAddIncr) when a member was added or updated.
void AddMembers(CommandContext& ctx, std::string_view key, uint32_t flags, bool ch,
                std::span<const double> scores,
                absl::FunctionRef<std::string_view(size_t)> member_at);

}  // namespace weir::commands::zsets
