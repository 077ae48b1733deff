// The functions family: FCALL, FCALL_RO and FUNCTION (LOAD, DELETE, FLUSH, LIST, DUMP,
// RESTORE, STATS, KILL, HELP). Libraries live in the shared registry
// (scripting/functions.h); a function runs in the calling thread's interpreter for functions
// through the same ScriptRun host as EVAL (commands/scripting.cc), so locking, atomicity and
// the busy/kill handling are EVAL's.
#include "scripting/functions.h"

#include <memory>

#include "commands/args.h"
#include "commands/dispatcher.h"
#include "commands/scripting.h"
#include "common/glob.h"
#include "common/strings.h"
#include "protocol/errors.h"

namespace weir::commands {

namespace {

// The calling thread's interpreter for functions (made again for another registry: unit tests
// run several servers in one process).
thread_local std::unique_ptr<scripting::ThreadFunctions> thread_functions;

scripting::ThreadFunctions& FunctionsFor(ScriptingState& state) {
  std::unique_ptr<scripting::ThreadFunctions>& t = thread_functions;
  if (!t || t->registry_id() != state.functions().id()) {
    t = std::make_unique<scripting::ThreadFunctions>(state.functions());
  }
  return *t;
}

// INFO memory's function figures (ScriptingState's fields, read by MemoryInfo): refreshed after
// every FUNCTION change and every FCALL (which may have synced this thread's interpreter).
void PublishFunctionInfo(ScriptingState& state) {
  const scripting::FunctionRegistry& registry = state.functions();
  state.function_vm_bytes.store(scripting::FunctionRegistry::VmBytes(), std::memory_order_relaxed);
  state.function_count.store(static_cast<int64_t>(registry.function_count()),
                             std::memory_order_relaxed);
  state.library_count.store(static_cast<int64_t>(registry.library_count()),
                            std::memory_order_relaxed);
  state.functions_bytes.store(registry.overhead_bytes(), std::memory_order_relaxed);
}

// What a library's code reaches while it loads: only redis.log, into the server log.
class LoadLogHost final : public scripting::ScriptHost {
 public:
  explicit LoadLogHost(ServerApi& server) : server_(server) {}
  bool Call(std::span<const std::string_view>, int, std::string*, std::string* error) override {
    *error = "redis.call is not available while a library loads";
    return false;
  }
  void Log(int level, std::string_view message) override { server_.LogMessage(level, message); }
  void SetRepl(int) override {}
  bool Interrupted() override { return false; }
  bool Aborted() override { return false; }

 private:
  ServerApi& server_;
};

// ---- FCALL / FCALL_RO ----

void RunFcall(CommandContext& ctx, bool ro) {
  ScriptingState& state = ctx.dispatcher.scripting();
  scripting::ThreadFunctions& functions = FunctionsFor(state);
  functions.Sync();
  const scripting::ThreadFunctions::Function* fn = functions.Find(ctx.arg(1));
  if (fn == nullptr) return ctx.reply.Error("ERR Function not found");
  std::span<const std::string_view> keys, args;
  if (!SplitKeysAndArgs(ctx, "ERR Bad number of keys provided", &keys, &args)) return;
  uint32_t flags = fn->info->flags;
  // A function that may write cannot run from FCALL_RO; one declared no-writes runs read-only
  // from either (Redis's scriptPrepareForRun).
  if (!(flags & scripting::kScriptNoWrites) && ro) {
    return ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
  }
  // Copied: the registry entry may be replaced by another thread while this one runs (the
  // interpreter keeps the function itself until this thread syncs again).
  std::string name = fn->info->name;
  int ref = fn->ref;
  ScriptRunOptions options{.eval_mode = false,
                           .name = name,
                           .read_only = ro || (flags & scripting::kScriptNoWrites),
                           .flags = flags};
  RunScriptBody(ctx, options, [&](scripting::ScriptHost* host, protocol::ReplyBuilder& reply) {
    functions.lua().PushFunction(ref);
    functions.lua().RunFunction({keys, args, host, name, false}, reply);
  });
  functions.PublishMemory();
  PublishFunctionInfo(state);
}

void CmdFcall(CommandContext& ctx) { RunFcall(ctx, false); }
void CmdFcallRo(CommandContext& ctx) { RunFcall(ctx, true); }

// ---- FUNCTION ----

void CmdFunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t pos = 2;
  while (pos < ctx.argc() - 1) {
    std::string_view option = ctx.arg(pos++);
    if (EqualsIgnoreCase(option, "replace")) {
      replace = true;
      continue;
    }
    return ctx.reply.Error(StrCat("ERR Unknown option given: ", UntilNul(option)));
  }
  if (pos >= ctx.argc()) return ctx.reply.Error("ERR Function code is missing");
  ScriptingState& state = ctx.dispatcher.scripting();
  scripting::ThreadFunctions& functions = FunctionsFor(state);
  LoadLogHost log_host(ctx.server);
  std::string result;
  bool ok = state.functions().Load(functions, ctx.arg(pos), replace,
                                   scripting::FunctionRegistry::kLoadTimeoutMs, &log_host, &result);
  functions.PublishMemory();
  PublishFunctionInfo(state);
  if (!ok) return ctx.reply.Error(StrCat("ERR ", result));
  ctx.server.engine().AddDirty(1);
  ctx.reply.Bulk(result);
}

void CmdFunctionDelete(CommandContext& ctx) {
  ScriptingState& state = ctx.dispatcher.scripting();
  if (!state.functions().Delete(ctx.arg(2))) return ctx.reply.Error("ERR Library not found");
  PublishFunctionInfo(state);
  ctx.server.engine().AddDirty(1);
  ctx.reply.Ok();
}

void CmdFunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3) return ReplySubcommandSyntaxError(ctx);
  // ASYNC and SYNC free the same way: libraries are small, and the interpreters drop their
  // functions on their own threads when they next sync.
  if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
      !EqualsIgnoreCase(ctx.arg(2), "async")) {
    return ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  ctx.dispatcher.scripting().functions().Flush();
  PublishFunctionInfo(ctx.dispatcher.scripting());
  ctx.server.engine().AddDirty(1);
  ctx.reply.Ok();
}

void ReplyLibrary(CommandContext& ctx, const scripting::LibraryInfo& library, bool with_code) {
  protocol::ReplyBuilder& r = ctx.reply;
  r.MapLen(with_code ? 4 : 3);
  r.Bulk("library_name");
  r.Bulk(library.name);
  r.Bulk("engine");
  r.Bulk(library.engine);
  r.Bulk("functions");
  r.ArrayLen(static_cast<int64_t>(library.functions.size()));
  for (const scripting::FunctionInfo& f : library.functions) {
    r.MapLen(3);
    r.Bulk("name");
    r.Bulk(f.name);
    r.Bulk("description");
    if (f.description) {
      r.Bulk(*f.description);
    } else {
      r.Null();
    }
    r.Bulk("flags");
    std::vector<std::string> names = scripting::ScriptFlagNames(f.flags);
    r.SetLen(static_cast<int64_t>(names.size()));
    for (const std::string& name : names) r.SimpleString(name);
  }
  if (with_code) {
    r.Bulk("library_code");
    r.Bulk(library.code);
  }
}

void CmdFunctionList(CommandContext& ctx) {
  bool with_code = false;
  bool has_pattern = false;
  std::string_view pattern;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view arg = ctx.arg(i);
    if (!with_code && EqualsIgnoreCase(arg, "withcode")) {
      with_code = true;
      continue;
    }
    if (!has_pattern && EqualsIgnoreCase(arg, "libraryname")) {
      if (i >= ctx.argc() - 1) return ctx.reply.Error("ERR library name argument was not given");
      pattern = ctx.arg(++i);
      has_pattern = true;
      continue;
    }
    return ctx.reply.Error(StrCat("ERR Unknown argument ", UntilNul(arg)));
  }
  std::shared_ptr<const scripting::LibraryMap> libraries =
      ctx.dispatcher.scripting().functions().Libraries();
  std::vector<const scripting::LibraryInfo*> shown;
  for (const auto& [name, library] : *libraries) {
    // Redis matches the pattern without case.
    if (has_pattern && !GlobMatch(pattern, name, true)) continue;
    shown.push_back(library.get());
  }
  ctx.reply.ArrayLen(static_cast<int64_t>(shown.size()));
  for (const scripting::LibraryInfo* library : shown) ReplyLibrary(ctx, *library, with_code);
}

void CmdFunctionDump(CommandContext& ctx) {
  ctx.reply.Bulk(ctx.dispatcher.scripting().functions().Dump());
}

void CmdFunctionRestore(CommandContext& ctx) {
  if (ctx.argc() > 4) return ReplySubcommandSyntaxError(ctx);
  scripting::RestorePolicy policy = scripting::RestorePolicy::kAppend;
  if (ctx.argc() == 4) {
    std::string_view p = ctx.arg(3);
    if (EqualsIgnoreCase(p, "append")) {
      policy = scripting::RestorePolicy::kAppend;
    } else if (EqualsIgnoreCase(p, "replace")) {
      policy = scripting::RestorePolicy::kReplace;
    } else if (EqualsIgnoreCase(p, "flush")) {
      policy = scripting::RestorePolicy::kFlush;
    } else {
      return ctx.reply.Error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  ScriptingState& state = ctx.dispatcher.scripting();
  scripting::ThreadFunctions& functions = FunctionsFor(state);
  std::string error;
  bool ok = state.functions().Restore(functions, ctx.arg(2), policy, &error);
  functions.PublishMemory();
  PublishFunctionInfo(state);
  if (!ok) return ctx.reply.Error(StrCat("ERR ", error));
  ctx.server.engine().AddDirty(1);
  ctx.reply.Ok();
}

void CmdFunctionStats(CommandContext& ctx) {
  ScriptingState& state = ctx.dispatcher.scripting();
  ScriptingState::Running running;
  bool busy = state.RunningInfo(&running);
  if (busy && running.eval_mode) return ctx.reply.Error(kBusyEval);
  protocol::ReplyBuilder& r = ctx.reply;
  r.MapLen(2);
  r.Bulk("running_script");
  if (!busy) {
    r.Null();
  } else {
    r.MapLen(3);
    r.Bulk("name");
    r.Bulk(running.name);
    r.Bulk("command");
    r.ArrayLen(static_cast<int64_t>(running.command.size()));
    for (const std::string& arg : running.command) r.Bulk(arg);
    r.Bulk("duration_ms");
    r.Integer(running.duration_ms);
  }
  r.Bulk("engines");
  r.MapLen(1);
  r.Bulk("LUA");
  r.MapLen(2);
  r.Bulk("libraries_count");
  r.Integer(static_cast<int64_t>(state.functions().library_count()));
  r.Bulk("functions_count");
  r.Integer(static_cast<int64_t>(state.functions().function_count()));
}

void CmdFunctionKill(CommandContext& ctx) {
  std::string err = ctx.dispatcher.scripting().Kill(false);
  if (err.empty()) return ctx.reply.Ok();
  ctx.reply.Error(err);
}

void CmdFunctionHelp(CommandContext& ctx) {
  static const char* kLines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME "
      "argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored "
      "using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a "
      "restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
      "abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
      "replace the old",
      "      libraries with the new libraries (notice that even on this option there is a "
      "chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Print this help."};
  ctx.reply.ArrayLen(static_cast<int64_t>(std::size(kLines)));
  for (const char* line : kLines) ctx.reply.SimpleString(line);
}

}  // namespace

void RegisterFunctionCommands(CommandRegistry& r) {
  const KeySpec fcall_keys{
      .begin_index = 2,
      .flags = {"RW", "ACCESS", "UPDATE"},
      .notes = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
      .keynum_index = 0,
      .first_key = 1};
  const KeySpec fcall_ro_keys{
      .begin_index = 2,
      .flags = {"RO", "ACCESS"},
      .notes = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
      .keynum_index = 0,
      .first_key = 1};
  r.Add({"fcall",
         -3,
         kNoScript | kSkipMonitor | kMayReplicate | kNoMandatoryKeys | kStale | kMovableKeys |
             kRunsScript,
         "slow scripting",
         {fcall_keys},
         CmdFcall,
         "Invokes a function.",
         "7.0.0",
         "scripting",
         "Depends on the function that is executed.",
         ScriptKeys});
  r.Add({"fcall_ro",
         -3,
         kNoScript | kSkipMonitor | kNoMandatoryKeys | kStale | kReadOnly | kMovableKeys |
             kRunsScript,
         "slow scripting",
         {fcall_ro_keys},
         CmdFcallRo,
         "Invokes a read-only function.",
         "7.0.0",
         "scripting",
         "Depends on the function that is executed.",
         ScriptKeys});

  r.Add({"function",
         -2,
         0,
         "slow",
         {},
         nullptr,
         "A container for function commands.",
         "7.0.0",
         "scripting",
         "Depends on subcommand."});
  r.AddSubcommand("function", {"delete",
                               3,
                               kNoScript | kWrite | kNoLock,
                               "write slow scripting",
                               {},
                               CmdFunctionDelete,
                               "Deletes a library and its functions.",
                               "7.0.0",
                               "scripting",
                               "O(1)",
                               nullptr,
                               "request_policy:all_shards response_policy:all_succeeded"});
  r.AddSubcommand("function", {"dump",
                               2,
                               kNoScript | kNoLock,
                               "slow scripting",
                               {},
                               CmdFunctionDump,
                               "Dumps all libraries into a serialized binary payload.",
                               "7.0.0",
                               "scripting",
                               "O(N) where N is the number of functions"});
  r.AddSubcommand("function", {"flush",
                               -2,
                               kNoScript | kWrite | kNoLock,
                               "write slow scripting",
                               {},
                               CmdFunctionFlush,
                               "Deletes all libraries and functions.",
                               "7.0.0",
                               "scripting",
                               "O(N) where N is the number of functions deleted",
                               nullptr,
                               "request_policy:all_shards response_policy:all_succeeded"});
  r.AddSubcommand("function", {"help",
                               2,
                               kLoading | kStale | kNoLock,
                               "slow scripting",
                               {},
                               CmdFunctionHelp,
                               "Returns helpful text about the different subcommands.",
                               "7.0.0",
                               "scripting",
                               "O(1)"});
  r.AddSubcommand("function", {"kill",
                               2,
                               kNoScript | kAllowBusy | kNoLock,
                               "slow scripting",
                               {},
                               CmdFunctionKill,
                               "Terminates a function during execution.",
                               "7.0.0",
                               "scripting",
                               "O(1)",
                               nullptr,
                               "request_policy:all_shards response_policy:one_succeeded"});
  r.AddSubcommand("function", {"list",
                               -2,
                               kNoScript | kNoLock,
                               "slow scripting",
                               {},
                               CmdFunctionList,
                               "Returns information about all libraries.",
                               "7.0.0",
                               "scripting",
                               "O(N) where N is the number of functions",
                               nullptr,
                               "nondeterministic_output_order"});
  r.AddSubcommand("function", {"load",
                               -3,
                               kNoScript | kWrite | kDenyOom | kNoLock,
                               "write slow scripting",
                               {},
                               CmdFunctionLoad,
                               "Creates a library.",
                               "7.0.0",
                               "scripting",
                               "O(1) (considering compilation time is redundant)",
                               nullptr,
                               "request_policy:all_shards response_policy:all_succeeded"});
  r.AddSubcommand("function", {"restore",
                               -3,
                               kNoScript | kWrite | kDenyOom | kNoLock,
                               "write slow scripting",
                               {},
                               CmdFunctionRestore,
                               "Restores all libraries from a payload.",
                               "7.0.0",
                               "scripting",
                               "O(N) where N is the number of functions on the payload",
                               nullptr,
                               "request_policy:all_shards response_policy:all_succeeded"});
  r.AddSubcommand("function",
                  {"stats",
                   2,
                   kNoScript | kAllowBusy | kNoLock,
                   "slow scripting",
                   {},
                   CmdFunctionStats,
                   "Returns information about a function during execution.",
                   "7.0.0",
                   "scripting",
                   "O(1)",
                   nullptr,
                   "nondeterministic_output request_policy:all_shards response_policy:special"});
}

}  // namespace weir::commands
