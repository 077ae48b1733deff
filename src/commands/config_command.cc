// The CONFIG command: GET, SET, RESETSTAT, REWRITE and HELP over the server's Config.
#include <absl/strings/str_cat.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"

namespace weir::commands {
namespace {

void CmdConfigGet(CommandContext& ctx) {
  std::vector<std::string> patterns(ctx.args.begin() + 2, ctx.args.end());
  std::vector<std::pair<std::string, std::string>> found = ctx.server.config().Get(patterns);
  ctx.reply.MapLen(static_cast<int64_t>(found.size()));
  for (const auto& [name, value] : found) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

void CmdConfigSet(CommandContext& ctx) {
  // Pairs only: an odd count is a syntax error before any name is looked at.
  if (ctx.argc() % 2 != 0) return ReplySyntaxError(ctx);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) {
    pairs.emplace_back(std::string(ctx.arg(i)), std::string(ctx.arg(i + 1)));
  }
  std::string err;
  // The server hears of every directive that really changed through Config::OnChange (wired
  // to ServerApi::ConfigChanged), so nothing more to apply here.
  if (!ctx.server.config().SetMany(pairs, &err, ctx.server.IsLocalClient(ctx.session)))
    return ctx.reply.Error(err);
  ctx.reply.Ok();
}

void CmdConfigResetStat(CommandContext& ctx) {
  ctx.server.ResetStats();
  ctx.reply.Ok();
}

void CmdConfigRewrite(CommandContext& ctx) {
  std::string err;
  if (ctx.server.RewriteConfig(&err)) return ctx.reply.Ok();
  // Config's texts are Redis's without the prefix ("The server is running without a config
  // file", "Rewriting config file: <strerror>").
  ctx.reply.Error(err.starts_with("ERR ") ? err : absl::StrCat("ERR ", err));
}

void CmdConfigHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "GET <pattern>",
                     "    Return parameters matching the glob-like <pattern> and their values.",
                     "SET <directive> <value>",
                     "    Set the configuration <directive> to <value>.",
                     "RESETSTAT",
                     "    Reset statistics reported by the INFO command.",
                     "REWRITE",
                     "    Rewrite the configuration file.",
                 });
}

}  // namespace

void RegisterConfigCommands(CommandRegistry& r) {
  constexpr uint32_t kAdminConfig = kAdmin | kNoScript | kLoading | kStale | kNoLock;
  constexpr std::string_view kAllNodes = "request_policy:all_nodes response_policy:all_succeeded";
  r.Add({"config",
         -2,
         kNoLock,
         "slow",
         {},
         nullptr,
         "A container for server configuration commands.",
         "2.0.0",
         "server",
         "Depends on subcommand."});
  r.AddSubcommand("config", {"get",
                             -3,
                             kAdminConfig,
                             "admin slow dangerous",
                             {},
                             CmdConfigGet,
                             "Returns the effective values of configuration parameters.",
                             "2.0.0",
                             "server",
                             "O(N) when N is the number of configuration parameters provided"});
  r.AddSubcommand("config", {"set",
                             -4,
                             kAdminConfig,
                             "admin slow dangerous",
                             {},
                             CmdConfigSet,
                             "Sets configuration parameters in-flight.",
                             "2.0.0",
                             "server",
                             "O(N) when N is the number of configuration parameters provided",
                             nullptr,
                             kAllNodes});
  r.AddSubcommand("config", {"resetstat",
                             2,
                             kAdminConfig,
                             "admin slow dangerous",
                             {},
                             CmdConfigResetStat,
                             "Resets the server's statistics.",
                             "2.0.0",
                             "server",
                             "O(1)",
                             nullptr,
                             kAllNodes});
  r.AddSubcommand("config", {"rewrite",
                             2,
                             kAdminConfig,
                             "admin slow dangerous",
                             {},
                             CmdConfigRewrite,
                             "Persists the effective configuration to file.",
                             "2.8.0",
                             "server",
                             "O(1)",
                             nullptr,
                             kAllNodes});
  r.AddSubcommand("config", {"help",
                             2,
                             kLoading | kStale | kNoLock,
                             "slow",
                             {},
                             CmdConfigHelp,
                             "Returns helpful text about the different subcommands.",
                             "5.0.0",
                             "server",
                             "O(1)"});
}

}  // namespace weir::commands
