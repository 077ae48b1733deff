// Argument parsing helpers with Redis's error replies.
#include "commands/args.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "commands/registry.h"
#include "common/numbers.h"
#include "common/strings.h"
#include "protocol/errors.h"

namespace weir::commands {

bool IntArg(CommandContext& ctx, std::string_view s, int64_t* out) {
  if (ParseInt64(s, out)) return true;
  ctx.reply.Error(protocol::errors::kNotInteger);
  return false;
}

bool IntArgInRange(CommandContext& ctx, std::string_view s, int64_t min, int64_t max, int64_t* out,
                   std::string_view err_text) {
  if (ParseInt64(s, out) && *out >= min && *out <= max) return true;
  ctx.reply.Error(err_text.empty() ? protocol::errors::kNotInteger : err_text);
  return false;
}

bool DoubleArg(CommandContext& ctx, std::string_view s, double* out) {
  if (ParseDouble(s, out)) return true;
  ctx.reply.Error(protocol::errors::kNotFloat);
  return false;
}

bool CheckType(CommandContext& ctx, const engine::Entry* e, engine::ObjType t) {
  if (e == nullptr || e->type == t) return true;
  ctx.reply.Error(protocol::errors::kWrongType);
  return false;
}

void ReplySyntaxError(CommandContext& ctx) { ctx.reply.Error(protocol::errors::kSyntax); }

std::string WrongArityError(std::string_view full_name) {
  return StrCat("ERR wrong number of arguments for '", full_name, "' command");
}

void ReplyWrongArity(CommandContext& ctx) { ctx.reply.Error(WrongArityError(ctx.spec.FullName())); }

void ReplySubcommandSyntaxError(CommandContext& ctx) {
  std::string command(ctx.arg(0));
  for (char& c : command) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  ctx.reply.Error(StrCat("ERR unknown subcommand or wrong number of arguments for '",
                         ctx.arg(1).substr(0, 128), "'. Try ", command, " HELP."));
}

// Redis reads the cursor with strtoul: an optional sign ('-' negates modulo 2^64) and decimal
// digits, nothing else; the empty string is cursor 0; leading whitespace and overflow are
// refused. The argument is read as a C string, up to its first NUL byte.
bool ScanCursorArg(CommandContext& ctx, std::string_view s, uint64_t* out) {
  s = s.substr(0, s.find('\0'));
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    i = 1;
  }
  bool ok = s.empty() || i < s.size();
  uint64_t v = 0;
  for (; ok && i < s.size(); ++i) {
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    ok = std::isdigit(static_cast<unsigned char>(s[i])) && v <= (UINT64_MAX - d) / 10;
    v = v * 10 + d;
  }
  if (!ok) {
    ctx.reply.Error("ERR invalid cursor");
    return false;
  }
  *out = negative ? 0 - v : v;
  return true;
}

bool ScanOptionsArg(CommandContext& ctx, size_t first, ScanOptions* out) {
  for (size_t i = first; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    bool has_value = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "count") && has_value) {
      if (!IntArg(ctx, ctx.arg(i + 1), &out->count)) return false;
      if (out->count < 1) {
        ReplySyntaxError(ctx);
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "match") && has_value) {
      out->pattern = ctx.arg(i + 1);
      out->use_pattern = out->pattern != "*";
    } else {
      ReplySyntaxError(ctx);
      return false;
    }
  }
  return true;
}

namespace {
bool DeadlineFromMillis(CommandContext& ctx, long double ms, int64_t* deadline_ms) {
  if (ms < 0) {
    ctx.reply.Error(protocol::errors::kTimeoutNegative);
    return false;
  }
  if (ms == 0) {
    *deadline_ms = 0;
    return true;
  }
  long double at = ms + static_cast<long double>(ctx.db.now_ms());
  if (at >= static_cast<long double>(INT64_MAX)) {
    ctx.reply.Error(protocol::errors::kTimeoutOutOfRange);
    return false;
  }
  // A fractional timeout below 1 ms still waits (Redis rounds it up to a whole ms).
  *deadline_ms = std::max<int64_t>(static_cast<int64_t>(at), ctx.db.now_ms() + 1);
  return true;
}
}  // namespace

bool TimeoutSecondsArg(CommandContext& ctx, std::string_view s, int64_t* deadline_ms) {
  long double secs;
  if (!ParseLongDouble(s, &secs) || std::isnan(secs)) {
    ctx.reply.Error(protocol::errors::kTimeoutNotFloat);
    return false;
  }
  return DeadlineFromMillis(ctx, secs * 1000, deadline_ms);
}

bool TimeoutMillisArg(CommandContext& ctx, std::string_view s, int64_t* deadline_ms) {
  int64_t ms;
  if (!ParseInt64(s, &ms)) {
    ctx.reply.Error(protocol::errors::kTimeoutNotInteger);
    return false;
  }
  return DeadlineFromMillis(ctx, static_cast<long double>(ms), deadline_ms);
}

bool Block(CommandContext& ctx, ArgList keys, engine::ObjType type, int64_t deadline_ms,
           bool wake_on_missing) {
  if (ctx.block == nullptr) return false;
  BlockRequest& b = *ctx.block;
  b.keys.assign(keys.begin(), keys.end());
  b.type = type;
  b.deadline_ms = deadline_ms;
  b.wake_on_missing = wake_on_missing;
  b.requested = true;
  return true;
}

bool BlockUntilDeadline(CommandContext& ctx, int64_t deadline_ms, std::string timeout_reply) {
  if (ctx.block == nullptr) return false;
  BlockRequest& b = *ctx.block;
  b.keys.clear();
  b.deadline_ms = deadline_ms;
  b.timeout_reply = std::move(timeout_reply);
  b.requested = true;
  return true;
}

void ReplyHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  std::string header(ctx.arg(0));
  for (char& c : header) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  ctx.reply.ArrayLen(static_cast<int64_t>(lines.size()) + 3);
  ctx.reply.SimpleString(
      StrCat(header, " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  for (std::string_view line : lines) ctx.reply.SimpleString(line);
  ctx.reply.SimpleString("HELP");
  ctx.reply.SimpleString("    Print this help.");
}

}  // namespace weir::commands
