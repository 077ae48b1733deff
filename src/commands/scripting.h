// Scripting state shared by every thread: the EVAL script cache and the scripts running now
// (for -BUSY, SCRIPT KILL and FUNCTION KILL). The Lua interpreters themselves are per thread
// (commands/scripting.cc); see docs/architecture.md, "Scripts".
#pragma once

#include <absl/functional/function_ref.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "commands/command.h"
#include "scripting/functions.h"
#include "scripting/lua_runtime.h"
#include "scripting/script_cache.h"

namespace weir::commands {

// Redis's -BUSY texts while a script (EVAL) or a function (FCALL) is past busy-reply-threshold.
inline constexpr std::string_view kBusyEval =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

// One running script, visible to other threads while it runs.
struct RunningScript {
  bool eval_mode = true;  // EVAL (SCRIPT KILL) or FCALL (FUNCTION KILL)
  std::string name;
  ArgList command;  // the EVAL / FCALL that runs it (FUNCTION STATS)
  int64_t start_ms = 0;
  std::atomic<bool> busy{false};  // past busy-reply-threshold
  std::atomic<bool> wrote{false};
  std::atomic<bool> kill{false};
};

class ScriptingState {
 public:
  scripting::ScriptCache& cache() { return cache_; }
  scripting::FunctionRegistry& functions() { return functions_; }

  void Register(RunningScript* run);
  void Unregister(RunningScript* run);
  // The BUSY error for commands refused while a script is busy (-BUSY ... SCRIPT KILL or
  // FUNCTION KILL, after the busy script's kind).
  std::string_view BusyError();
  // SCRIPT KILL (eval) / FUNCTION KILL: Redis's reply text ("" for OK).
  std::string Kill(bool eval);
  // FUNCTION STATS: the script past busy-reply-threshold, if any.
  struct Running {
    std::string name;
    std::vector<std::string> command;
    int64_t duration_ms = 0;
    bool eval_mode = true;
  };
  bool RunningInfo(Running* out);

  // Whether a script command (EVAL..., FCALL...) counts as deny-oom for these arguments, as
  // Redis derives it from the script's flags: a script with a shebang that sets neither
  // allow-oom nor no-writes does; a script without one (or not known yet) does not.
  bool ScriptDeniesOom(const CommandSpec& spec, ArgList args);

  // INFO memory's script and function lines, from used_memory_lua to used_memory_scripts_human.
  std::string MemoryInfo();
  // Bytes of the Lua interpreters of every thread (each thread adds its own changes).
  std::atomic<int64_t> eval_vm_bytes{0};
  std::atomic<int64_t> function_vm_bytes{0};
  // The function libraries (FUNCTION LOAD): counts and bytes of their code and names.
  std::atomic<int64_t> function_count{0};
  std::atomic<int64_t> library_count{0};
  std::atomic<int64_t> functions_bytes{0};

 private:
  std::mutex mu_;
  std::vector<RunningScript*> running_;
  scripting::ScriptCache cache_;
  scripting::FunctionRegistry functions_;
};

// What one run of a script or function is: its kind (EVAL or FCALL, for KILL and the BUSY
// text), its name in errors and logs, whether writes are refused, and its flags.
struct ScriptRunOptions {
  bool eval_mode = true;
  std::string name;
  bool read_only = false;
  uint32_t flags = 0;
};
// Runs a script or function for the command in ctx: `attempt` runs it once with the host that
// redis.call goes through, replying into the builder it is given. When a run needs a shard it
// could not take before its first write, the reply is undone and attempt runs again holding
// more shards (docs/architecture.md, "Lua scripts").
void RunScriptBody(
    CommandContext& ctx, const ScriptRunOptions& options,
    absl::FunctionRef<void(scripting::ScriptHost* host, protocol::ReplyBuilder& reply)> attempt);

// EVAL's and FCALL's argument list: numkeys at 2, then the keys and the arguments. False with
// the error replied (not_integer: the text for a numkeys that is not an integer).
bool SplitKeysAndArgs(CommandContext& ctx, std::string_view not_integer,
                      std::span<const std::string_view>* keys,
                      std::span<const std::string_view>* args);
// Their key finder: numkeys at 2, then that many keys (none is allowed).
void ScriptKeys(ArgList args, std::vector<int>* out);

}  // namespace weir::commands
