// Scripting state shared by every thread: the EVAL script cache and the scripts running now
// (for -BUSY, SCRIPT KILL and FUNCTION KILL). The Lua interpreters themselves are per thread
// (commands/scripting.cc); see docs/architecture.md, "Scripts".
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "scripting/script_cache.h"

namespace weir::commands {

// One running script, visible to other threads while it runs.
struct RunningScript {
  bool eval_mode = true;  // EVAL (SCRIPT KILL) or FCALL (FUNCTION KILL)
  std::string name;
  int64_t start_ms = 0;
  std::atomic<bool> busy{false};  // past busy-reply-threshold
  std::atomic<bool> wrote{false};
  std::atomic<bool> kill{false};
};

class ScriptingState {
 public:
  scripting::ScriptCache& cache() { return cache_; }

  void Register(RunningScript* run);
  void Unregister(RunningScript* run);
  // The BUSY error for commands refused while a script is busy (-BUSY ... SCRIPT KILL or
  // FUNCTION KILL, after the busy script's kind).
  std::string_view BusyError();
  // SCRIPT KILL (eval) / FUNCTION KILL: Redis's reply text ("" for OK).
  std::string Kill(bool eval);
  // FUNCTION STATS: the busy script, if any.
  bool RunningInfo(std::string* name, int64_t* duration_ms, bool* eval_mode);

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
};

}  // namespace weir::commands
