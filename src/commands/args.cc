// Argument parsing helpers with Redis's error replies.
#include "commands/args.h"

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
