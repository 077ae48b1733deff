// One Lua 5.1 interpreter with the environment Redis gives scripts: the redis.* API, the
// libraries (libs/), math.random seeded per run, the global-variable protection, and the
// conversions between RESP replies and Lua values. One runtime per event-loop thread (see
// docs/architecture.md, "Scripts"); it knows no command: redis.call goes through ScriptHost.
#pragma once

#include <cstdint>
#include <lua.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_builder.h"

namespace weir::scripting {

// Redis's log levels, as redis.LOG_* exposes them.
enum LogLevel { kLogDebug = 0, kLogVerbose = 1, kLogNotice = 2, kLogWarning = 3 };

// redis.set_repl flags.
enum ReplFlags { kReplNone = 0, kReplAof = 1, kReplReplica = 2, kReplAll = 3 };

// What a running script asks of the server.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  // redis.call / redis.pcall. Runs the command and returns true with its reply, as RESP of
  // version `resp`, in *reply (an error reply included). Returns false with *error when the
  // command was refused before running (unknown, wrong arity, not allowed from scripts, a write
  // in a read-only script...): a Redis error text, "-CODE message" or a bare message (ERR).
  virtual bool Call(std::span<const std::string_view> args, int resp, std::string* reply,
                    std::string* error) = 0;
  virtual void Log(int level, std::string_view message) = 0;
  virtual void SetRepl(int flags) = 0;
  // Called every few thousand Lua instructions (Redis's count hook): the host checks the
  // busy threshold, lets other clients be answered, and returns true when the script must
  // stop (SCRIPT KILL / FUNCTION KILL).
  virtual bool Interrupted() = 0;
  // The host gave up on this run (it will start it over): every Lua line raises from now on.
  virtual bool Aborted() = 0;
};

// A function a library registered with redis.register_function while it was loaded: its
// name, description and flags (ScriptFlag) and the Lua registry reference of its callback.
struct RegisteredFunction {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;
  int ref = LUA_NOREF;
};

class LuaRuntime {
 public:
  // kEval: EVAL scripts, whose environment is the protected globals. kFunctions: FUNCTION
  // libraries (Redis keeps them in an interpreter of their own): library code and the functions
  // it registers share an environment that reads through to the globals while functions run,
  // and to the small load API (redis.register_function, redis.log, the version fields) while a
  // library loads; writes to it fail.
  enum class Mode { kEval, kFunctions };

  explicit LuaRuntime(Mode mode = Mode::kEval);
  ~LuaRuntime();
  LuaRuntime(const LuaRuntime&) = delete;
  LuaRuntime& operator=(const LuaRuntime&) = delete;

  lua_State* state() { return lua_; }

  // EVAL scripts: compiles body (its shebang line already blanked by the caller, so line
  // numbers hold) as the function of script sha. False with Redis's error text on a syntax error.
  bool CompileScript(std::string_view sha, std::string_view body, std::string* error);
  bool HasScript(std::string_view sha);
  void ForgetScript(std::string_view sha);

  // FUNCTION LOAD / RESTORE (kFunctions): runs a library's code (its shebang line cut, its
  // newline kept, so line numbers hold) in the load environment and returns the functions it
  // registered, their callbacks referenced in the Lua registry (release them with
  // ReleaseFunction). timeout_ms 0 runs without Redis's load time limit; log_host (may be null)
  // receives redis.log lines. False with Redis's error text ("Error compiling function: ...",
  // "Error registering functions: ...").
  bool LoadLibrary(std::string_view code, int64_t timeout_ms, ScriptHost* log_host,
                   std::vector<RegisteredFunction>* out, std::string* error);
  void ReleaseFunction(int ref);
  // Pushes a registered function, for RunFunction.
  void PushFunction(int ref);

  struct Run {
    std::span<const std::string_view> keys;
    std::span<const std::string_view> args;
    ScriptHost* host = nullptr;
    // The caller's protocol: a Lua boolean replies as RESP3 only when both the script
    // (redis.setresp(3)) and the caller speak RESP3.
    std::string_view name;  // shown in errors: the sha or the function name
    bool eval_mode = true;  // KEYS/ARGV globals (EVAL) or arguments (FCALL)
  };
  // Runs the script of sha (CompileScript'd) and writes its result, or its error, as the reply.
  void RunScript(std::string_view sha, const Run& run, protocol::ReplyBuilder& reply);
  // Runs the function on top of the stack (FCALL), which it pops, the same way.
  void RunFunction(const Run& run, protocol::ReplyBuilder& reply);

  // Bytes the interpreter uses (INFO used_memory_vm_eval / used_memory_lua).
  int64_t MemoryBytes() const;

  // The per-run state redis.* functions reach through the registry.
  struct RunState {
    ScriptHost* host = nullptr;
    int resp = 2;
    bool killed = false;
  };

 private:
  void Open();
  void OpenFunctionEnvironment();
  void Close();
  void CallWithHandler(const Run& run, int nargs, protocol::ReplyBuilder& reply);

  lua_State* lua_ = nullptr;
  int runs_since_gc_ = 0;
  Mode mode_;
};

// Converts the RESP reply in `resp` (one complete reply) to the Lua value Redis gives
// redis.call's caller, pushed on L's stack.
void PushReply(lua_State* L, std::string_view resp);
// Converts the value on top of L's stack (popping it) to a reply, as Redis's
// luaReplyToRedisReply; script_resp is the script's redis.setresp version.
void WriteReply(lua_State* L, int script_resp, protocol::ReplyBuilder& reply);

// Redis's SHA1 of a script body, as 40 lowercase hex digits.
std::string Sha1Hex(std::string_view data);

}  // namespace weir::scripting
