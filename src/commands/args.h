// Argument helpers shared by every family: number parsing with Redis's error replies, and
// option matching. Each returns false after replying the error, so handlers can `return`.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "commands/command.h"
#include "common/glob.h"

namespace weir::commands {

// Parses a signed 64-bit integer; replies "ERR value is not an integer or out of range".
bool IntArg(CommandContext& ctx, std::string_view s, int64_t* out);
// As IntArg but also requires min <= value <= max, replying err_text (or the integer error).
bool IntArgInRange(CommandContext& ctx, std::string_view s, int64_t min, int64_t max, int64_t* out,
                   std::string_view err_text = {});
// Parses a double (ZADD-style: inf allowed, NaN refused); replies "ERR value is not a valid
// float".
bool DoubleArg(CommandContext& ctx, std::string_view s, double* out);

// Replies WRONGTYPE and returns false unless e is null or of type t.
bool CheckType(CommandContext& ctx, const engine::Entry* e, engine::ObjType t);

// The structure of type T that a lookup found: nullptr when e is null, or when e holds another
// type, after replying WRONGTYPE (*wrong_type tells the two apart).
template <class T>
T* TypedValue(CommandContext& ctx, engine::Entry* e, engine::ObjType type, bool* wrong_type) {
  *wrong_type = !CheckType(ctx, e, type);
  return e != nullptr && !*wrong_type ? e->As<T>() : nullptr;
}

void ReplySyntaxError(CommandContext& ctx);
// "ERR wrong number of arguments for '<command>' command": the dispatcher's arity check, and
// handlers whose argument count rule is more than an arity (pairs, numkeys...).
std::string WrongArityError(std::string_view full_name);
void ReplyWrongArity(CommandContext& ctx);
// A container's subcommand called with the wrong number of arguments (or unknown), as Redis's
// addReplySubcommandSyntaxError.
void ReplySubcommandSyntaxError(CommandContext& ctx);

// A SCAN/SSCAN/HSCAN/ZSCAN cursor, read as Redis reads it (strtoul); replies "ERR invalid
// cursor".
bool ScanCursorArg(CommandContext& ctx, std::string_view s, uint64_t* out);

// The options of SSCAN / HSCAN / ZSCAN: [MATCH pattern] [COUNT count] from argument `first` on.
struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;  // a lone "*" matches everything (GlobMatch refuses empty input)

  bool Matches(std::string_view s) const { return !use_pattern || GlobMatch(pattern, s); }
  // Table buckets one call may walk: ten per requested item, as Redis, so that a sparse table
  // cannot stall the loop.
  int64_t MaxSteps() const { return count > INT64_MAX / 10 ? INT64_MAX : count * 10; }
};
bool ScanOptionsArg(CommandContext& ctx, size_t first, ScanOptions* out);

// A scan's reply: the next cursor, then the items found (strings or string_views).
template <class Items>
void ReplyScan(CommandContext& ctx, uint64_t cursor, const Items& items) {
  ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(std::to_string(cursor));
  ctx.reply.ArrayLen(static_cast<int64_t>(items.size()));
  for (const auto& item : items) ctx.reply.Bulk(item);
}

// Blocking-command timeouts, as Redis's getTimeoutFromObjectOrReply: seconds as a float
// (BLPOP, BZPOPMIN...) or integer milliseconds (XREAD BLOCK). Sets *deadline_ms to the absolute
// deadline, or 0 for "forever" (a timeout of 0).
bool TimeoutSecondsArg(CommandContext& ctx, std::string_view s, int64_t* deadline_ms);
bool TimeoutMillisArg(CommandContext& ctx, std::string_view s, int64_t* deadline_ms);

// Asks to block the client on keys until a write leaves one of them of `type` (see
// BlockRequest). Returns false where blocking is not allowed (MULTI, scripts): the handler then
// replies as on timeout. On true the handler replies nothing.
bool Block(CommandContext& ctx, ArgList keys, engine::ObjType type, int64_t deadline_ms,
           bool wake_on_missing = false);

// Asks to block the client on nothing but a deadline (0: forever), answering timeout_reply (RESP
// bytes) when it passes or CLIENT UNBLOCK ends the wait: WAIT and WAITAOF, whose
// acknowledgements never come without replicas. False where blocking is not allowed (MULTI,
// scripts): the handler then replies at once.
bool BlockUntilDeadline(CommandContext& ctx, int64_t deadline_ms, std::string timeout_reply);

// Redis's help reply (addReplyHelp): a header naming the command as typed, uppercased, the
// lines, then the HELP entry, all as status replies.
void ReplyHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines);

}  // namespace weir::commands
