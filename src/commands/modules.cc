// MODULE as Redis 7.2 answers when no module is loaded and none can be: LIST is empty, LOAD and
// LOADEX fail as a module that cannot be loaded does, UNLOAD finds no such module. LOAD, LOADEX
// and UNLOAD are protected commands: unless enable-module-command allows them the dispatcher
// refuses them first, with Redis's text (CommandSpec::protected_by).
#include <string>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/strings.h"

namespace weir::commands {
namespace {

constexpr int kLogWarning = 3;  // ServerApi::LogMessage's levels: debug, verbose, notice, warning

void CmdModuleHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "LIST",
                     "    Return a list of loaded modules.",
                     "LOAD <path> [<arg> ...]",
                     "    Load a module library from <path>, passing to it any optional arguments.",
                     "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
                     "    Load a module library from <path>, while passing it module "
                     "configurations and optional arguments.",
                     "UNLOAD <name>",
                     "    Unload a module.",
                 });
}

void CmdModuleList(CommandContext& ctx) { ctx.reply.ArrayLen(0); }

// MODULE LOAD / LOADEX path ...: Weir cannot load Redis modules, so every path fails as one
// that does not load, with the reason in the log as Redis logs it.
void CmdModuleLoad(CommandContext& ctx) {
  ctx.server.LogMessage(kLogWarning, StrCat("Module ", ctx.arg(2),
                                            " failed to load: this server cannot load modules"));
  ctx.reply.Error("ERR Error loading the extension. Please check the server logs.");
}

void CmdModuleUnload(CommandContext& ctx) {
  constexpr std::string_view kReason = "no such module with that name";
  ctx.server.LogMessage(kLogWarning, StrCat("Error unloading module ", ctx.arg(2), ": ", kReason));
  ctx.reply.Error(StrCat("ERR Error unloading module: ", kReason));
}

}  // namespace

void RegisterModuleCommands(CommandRegistry& r) {
  r.Add({"module",
         -2,
         kNoLock,
         "",
         {},
         nullptr,
         "A container for module commands.",
         "4.0.0",
         "server",
         "Depends on subcommand."});
  r.AddSubcommand("module", {"help",
                             2,
                             kLoading | kStale | kNoLock,
                             "",
                             {},
                             CmdModuleHelp,
                             "Returns helpful text about the different subcommands.",
                             "5.0.0",
                             "server",
                             "O(1)"});
  r.AddSubcommand("module", {"list",
                             2,
                             kAdmin | kNoScript | kNoLock,
                             "",
                             {},
                             CmdModuleList,
                             "Returns all loaded modules.",
                             "4.0.0",
                             "server",
                             "O(N) where N is the number of loaded modules.",
                             nullptr,
                             "nondeterministic_output_order"});
  constexpr uint32_t kLoadFlags = kNoAsyncLoading | kAdmin | kNoScript | kNoLock;
  r.AddSubcommand("module", {"load",
                             -3,
                             kLoadFlags,
                             "",
                             {},
                             CmdModuleLoad,
                             "Loads a module.",
                             "4.0.0",
                             "server",
                             "O(1)",
                             nullptr,
                             "",
                             "enable-module-command"});
  r.AddSubcommand("module", {"loadex",
                             -3,
                             kLoadFlags,
                             "",
                             {},
                             CmdModuleLoad,
                             "Loads a module using extended parameters.",
                             "7.0.0",
                             "server",
                             "O(1)",
                             nullptr,
                             "",
                             "enable-module-command"});
  r.AddSubcommand("module", {"unload",
                             3,
                             kLoadFlags,
                             "",
                             {},
                             CmdModuleUnload,
                             "Unloads a module.",
                             "4.0.0",
                             "server",
                             "O(1)",
                             nullptr,
                             "",
                             "enable-module-command"});
}

}  // namespace weir::commands
