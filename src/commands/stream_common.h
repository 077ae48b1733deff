// What the two halves of the stream family share (streams.cc: entries, XREAD, XINFO;
// stream_groups.cc: consumer groups): ID arguments with Redis's errors, entry replies, and the
// XREAD / XREADGROUP argument parser. Internal to the family.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "types/stream.h"

namespace weir::commands {

class CommandRegistry;

namespace streams {

using types::Stream;
using types::StreamId;

inline constexpr std::string_view kInvalidId =
    "ERR Invalid stream ID specified as stream command argument";

// Redis's streamParseIDOrReply ("-" and "+" allowed) and streamParseStrictIDOrReply (they are
// not; "<ms>-*" is accepted when seq_given is not null).
bool ParseId(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, StreamId* id);
bool ParseStrictId(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, StreamId* id,
                   bool* seq_given = nullptr);
// A range bound: "(" makes it exclusive (the bound is then moved inwards), with Redis's
// "invalid start/end ID for the interval" errors at the edges.
bool ParseRangeStart(CommandContext& ctx, std::string_view arg, StreamId* id);
bool ParseRangeEnd(CommandContext& ctx, std::string_view arg, StreamId* id);

void ReplyId(CommandContext& ctx, StreamId id);
// [id, [field, value, ...]] for the iterator's current entry.
void ReplyEntry(CommandContext& ctx, const Stream::Iterator& it);
// The entry id as ReplyEntry does; false (nothing replied) when it does not exist.
bool ReplyEntryById(CommandContext& ctx, const Stream& s, StreamId id);

// stream-node-max-entries / stream-node-max-bytes.
Stream::Limits NodeLimits(CommandContext& ctx);

// XREAD and XREADGROUP arguments.
struct ReadArgs {
  int64_t deadline_ms = -1;  // -1: no BLOCK; 0: forever
  int64_t count = 0;         // 0: no limit
  bool noack = false;
  std::string_view group;
  std::string_view consumer;
  size_t first_key = 0;  // argument index of the first stream key
  size_t num_keys = 0;
};
// Parses the options up to STREAMS (with Redis's errors); false after replying.
bool ParseReadArgs(CommandContext& ctx, bool xreadgroup, ReadArgs* out);
// Key finders for the command table: the keys after STREAMS, found the way ParseReadArgs finds
// them, so the shards locked are exactly the ones the command reads.
void XReadKeys(ArgList args, std::vector<int>* out);
void XReadGroupKeys(ArgList args, std::vector<int>* out);

void RegisterStreamGroupCommands(CommandRegistry& r);

}  // namespace streams
}  // namespace weir::commands
