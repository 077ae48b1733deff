// The scripting family: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. A script runs on the
// caller's thread, in that thread's Lua interpreter, under the locks of its declared keys;
// redis.call on a key it did not declare grows its lock set (ScriptRun::EnsureLocks; the
// design and why it cannot deadlock are in docs/architecture.md, "Scripts").
#include "commands/scripting.h"

#include <algorithm>
#include <list>
#include <memory>
#include <unordered_map>

#include "commands/args.h"
#include "commands/blocking.h"
#include "commands/dispatcher.h"
#include "common/config.h"
#include "common/memory.h"
#include "common/numbers.h"
#include "common/strings.h"
#include "protocol/errors.h"
#include "scripting/lua_runtime.h"

namespace weir::commands {

namespace {

constexpr std::string_view kNoScriptError = "NOSCRIPT No matching script. Please use EVAL.";

}  // namespace

// ---- ScriptingState ----

void ScriptingState::Register(RunningScript* run) {
  std::lock_guard lock(mu_);
  running_.push_back(run);
}

void ScriptingState::Unregister(RunningScript* run) {
  std::lock_guard lock(mu_);
  running_.erase(std::remove(running_.begin(), running_.end(), run), running_.end());
}

std::string_view ScriptingState::BusyError() {
  std::lock_guard lock(mu_);
  for (RunningScript* r : running_) {
    if (r->busy.load()) return r->eval_mode ? kBusyEval : kBusyFunction;
  }
  return kBusyEval;
}

std::string ScriptingState::Kill(bool eval) {
  std::lock_guard lock(mu_);
  RunningScript* target = nullptr;
  for (RunningScript* r : running_) {
    if (r->busy.load()) target = r;
  }
  if (target == nullptr) return "NOTBUSY No scripts in execution right now.";
  if (target->wrote.load()) {
    return "UNKILLABLE Sorry the script already executed write commands against the dataset. "
           "You can either wait the script termination or kill the server in a hard way using "
           "the SHUTDOWN NOSAVE command.";
  }
  if (eval && !target->eval_mode) return std::string(kBusyFunction);
  if (!eval && target->eval_mode) return std::string(kBusyEval);
  target->kill.store(true);
  return "";
}

bool ScriptingState::RunningInfo(Running* out) {
  std::lock_guard lock(mu_);
  for (RunningScript* r : running_) {
    // As in Redis, where FUNCTION STATS can only run beside a script once it is busy.
    if (!r->busy.load()) continue;
    out->name = r->name;
    out->command.assign(r->command.begin(), r->command.end());
    out->duration_ms = engine::NowMs() - r->start_ms;
    out->eval_mode = r->eval_mode;
    return true;
  }
  return false;
}

std::string ScriptingState::MemoryInfo() {
  int64_t vm_eval = eval_vm_bytes.load();
  int64_t vm_functions = function_vm_bytes.load();
  int64_t scripts_eval = cache_.memory_bytes();
  int64_t functions = functions_bytes.load();
  return StrCat(
      "used_memory_lua:", vm_eval, "\r\nused_memory_vm_eval:", vm_eval,
      "\r\nused_memory_lua_human:", BytesToHuman(vm_eval),
      "\r\nused_memory_scripts_eval:", scripts_eval, "\r\nnumber_of_cached_scripts:", cache_.size(),
      "\r\nnumber_of_functions:", function_count.load(),
      "\r\nnumber_of_libraries:", library_count.load(),
      "\r\nused_memory_vm_functions:", vm_functions,
      "\r\nused_memory_vm_total:", vm_eval + vm_functions,
      "\r\nused_memory_vm_total_human:", BytesToHuman(vm_eval + vm_functions),
      "\r\nused_memory_functions:", functions, "\r\nused_memory_scripts:", scripts_eval + functions,
      "\r\nused_memory_scripts_human:", BytesToHuman(scripts_eval + functions), "\r\n");
}

namespace {

std::string LowerSha(std::string_view sha) {
  std::string out(sha);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool ScriptingState::ScriptDeniesOom(const CommandSpec& spec, ArgList args) {
  if (args.size() < 2) return false;
  uint32_t flags = scripting::kScriptCompatMode;
  const std::string& name = spec.name;
  if (name == "fcall" || name == "fcall_ro") {
    auto libraries = functions_.Libraries();
    for (const auto& [lib_name, lib] : *libraries) {
      for (const scripting::FunctionInfo& f : lib->functions) {
        if (f.name == args[1]) flags = f.flags;
      }
    }
  } else if (name == "evalsha" || name == "evalsha_ro") {
    if (!cache_.Find(LowerSha(args[1]), &flags, nullptr)) return false;
  } else {
    size_t shebang_len;
    std::string error;
    if (!cache_.Find(scripting::Sha1Hex(args[1]), &flags, nullptr) &&
        !scripting::ParseShebang(args[1], &flags, &shebang_len, &error)) {
      return false;
    }
  }
  if (flags & scripting::kScriptCompatMode) return false;
  return !(flags & (scripting::kScriptAllowOom | scripting::kScriptNoWrites));
}

// ---- the per-thread interpreter ----

namespace {

// This thread's Lua interpreter for EVAL scripts, started afresh after a SCRIPT FLUSH. It keeps
// the compiled functions of the scripts it ran most recently, bounded like the shared cache.
struct ThreadRuntime {
  std::unique_ptr<scripting::LuaRuntime> lua;
  int64_t reported_bytes = 0;  // this interpreter's share of ScriptingState::eval_vm_bytes
  uint64_t generation = 0;
  std::list<std::string> compiled;  // front: most recently run
  std::unordered_map<std::string, std::list<std::string>::iterator> index;
};

thread_local ThreadRuntime thread_runtime;

scripting::LuaRuntime& RuntimeFor(ScriptingState& state) {
  ThreadRuntime& t = thread_runtime;
  uint64_t gen = state.cache().generation();
  if (!t.lua || t.generation != gen) {
    t.lua.reset();
    t.lua = std::make_unique<scripting::LuaRuntime>();
    t.generation = gen;
    t.compiled.clear();
    t.index.clear();
  }
  return *t.lua;
}

// Publishes this thread's interpreter size to INFO.
void ReportMemory(ScriptingState& state) {
  ThreadRuntime& t = thread_runtime;
  int64_t now = t.lua ? t.lua->MemoryBytes() : 0;
  state.eval_vm_bytes.fetch_add(now - t.reported_bytes, std::memory_order_relaxed);
  t.reported_bytes = now;
}

bool IsCompiled(std::string_view sha) { return thread_runtime.index.count(std::string(sha)) != 0; }

// Makes sure the runtime has sha compiled; false with the error replied.
bool EnsureCompiled(scripting::LuaRuntime& lua, std::string_view sha, const std::string& body,
                    protocol::ReplyBuilder& reply) {
  ThreadRuntime& t = thread_runtime;
  auto it = t.index.find(std::string(sha));
  if (it != t.index.end()) {
    t.compiled.splice(t.compiled.begin(), t.compiled, it->second);
    return true;
  }
  uint32_t flags;
  size_t shebang_len;
  std::string error;
  if (!scripting::ParseShebang(body, &flags, &shebang_len, &error)) {
    reply.Error(StrCat("ERR ", error));
    return false;
  }
  // The shebang line is left out but its newline kept, so line numbers match the body's.
  if (!lua.CompileScript(sha, std::string_view(body).substr(shebang_len), &error)) {
    reply.Error(StrCat("ERR ", error));
    return false;
  }
  t.compiled.emplace_front(sha);
  t.index[std::string(sha)] = t.compiled.begin();
  while (t.compiled.size() > 2 * scripting::ScriptCache::kMaxEvalScripts) {
    lua.ForgetScript(t.compiled.back());
    t.index.erase(t.compiled.back());
    t.compiled.pop_back();
  }
  return true;
}

}  // namespace

bool SplitKeysAndArgs(CommandContext& ctx, std::string_view not_integer,
                      std::span<const std::string_view>* keys,
                      std::span<const std::string_view>* args) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(2), &numkeys)) {
    ctx.reply.Error(not_integer);
    return false;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 3) {
    ctx.reply.Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (numkeys < 0) {
    ctx.reply.Error("ERR Number of keys can't be negative");
    return false;
  }
  *keys = ctx.args.subspan(3, static_cast<size_t>(numkeys));
  *args = ctx.args.subspan(3 + static_cast<size_t>(numkeys));
  return true;
}

void ScriptKeys(ArgList args, std::vector<int>* out) {
  int64_t n;
  if (args.size() < 3 || !ParseInt64(args[2], &n) || n < 0 ||
      n > static_cast<int64_t>(args.size()) - 3) {
    return;
  }
  for (int64_t i = 0; i < n; ++i) out->push_back(static_cast<int>(3 + i));
}

// ---- running one script ----

// The host side of one script run: redis.call goes through the dispatcher with the script's
// own session, after making sure the run holds the shards of the command's keys.
class ScriptRun final : public scripting::ScriptHost {
 public:
  ScriptRun(CommandContext& ctx, ScriptingState& state, bool read_only, uint32_t script_flags,
            bool eval_mode, std::string name)
      : ctx_(ctx), state_(state), read_only_(read_only) {
    session_.id = ctx.session.id;
    session_.db = ctx.session.db;
    session_.loop = ctx.session.loop;
    session_.authenticated = true;
    session_.user = ctx.session.user;
    session_.frozen_now_ms = ctx.db.now_ms();
    session_.in_script = true;
    session_.hold_monitor_lines = true;
    running_.eval_mode = eval_mode;
    running_.name = std::move(name);
    running_.command = ctx.args;
    running_.start_ms = engine::NowMs();
    thread_local ConfigHandles<2> handles;
    auto config = handles.Read(ctx.server.config(), {"busy-reply-threshold", "maxmemory"});
    busy_threshold_ms_ = config[0];
    // Over maxmemory when the script starts: its first deny-oom command is refused, unless the
    // script declared allow-oom (Redis's pre_command_oom_state).
    oom_at_start_ = config[1] > 0 && mem::UsedMemory() > config[1] &&
                    ((script_flags & scripting::kScriptCompatMode) ||
                     !(script_flags & scripting::kScriptAllowOom));
    ctx_.server.engine().AddRunningScript(1);
  }

  ~ScriptRun() override {
    FlushMonitorLines();
    if (running_.busy.load()) ctx_.server.engine().AddBusyScript(-1);
    ctx_.server.engine().AddRunningScript(-1);
    // Only a busy script is registered: the registry (a mutex every thread shares) is for
    // -BUSY, SCRIPT KILL and FUNCTION STATS, which only ever look at busy scripts.
    if (running_.busy.load()) state_.Unregister(&running_);
  }

  bool Call(std::span<const std::string_view> args, int resp, std::string* reply,
            std::string* error) override;
  bool Refuse(const CommandSpec* spec, std::string text, std::string* error);
  void Log(int level, std::string_view message) override { ctx_.server.LogMessage(level, message); }
  void SetRepl(int flags) override {}
  bool Interrupted() override;
  bool Aborted() override { return !restart_shards_.empty(); }

  // Set when the run must start again with more shards locked (it needed a shard it could not
  // take without waiting, before it wrote anything).
  const std::vector<int>& restart_shards() const { return restart_shards_; }
  void ResetForRestart() {
    restart_shards_.clear();
    session_.held_monitor_lines.clear();
    session_.db = ctx_.session.db;
  }
  bool wrote() const { return running_.wrote.load(std::memory_order_relaxed); }
  // The run can no longer start over (it wrote, or it ended): its monitor lines go out, and
  // later ones go out as they come.
  void FlushMonitorLines() {
    session_.hold_monitor_lines = false;
    if (session_.held_monitor_lines.empty()) return;
    ctx_.dispatcher.monitors().Deliver(session_.held_monitor_lines);
    session_.held_monitor_lines.clear();
  }

 private:
  bool EnsureLocks(const CommandSpec& spec, std::span<const std::string_view> args);

  CommandContext& ctx_;
  ScriptingState& state_;
  bool read_only_;
  Session session_;
  RunningScript running_;
  int64_t busy_threshold_ms_ = 0;
  bool oom_at_start_ = false;
  std::vector<int> restart_shards_;
};

bool ScriptRun::Interrupted() {
  if (!running_.busy.load(std::memory_order_relaxed)) {
    int64_t elapsed = engine::NowMs() - running_.start_ms;
    if (busy_threshold_ms_ <= 0 || elapsed < busy_threshold_ms_) return false;
    ctx_.server.LogMessage(scripting::kLogWarning,
                           StrCat("Slow script detected: still in execution after ", elapsed,
                                  " milliseconds. You can try killing the script using the ",
                                  running_.eval_mode ? "SCRIPT KILL" : "FUNCTION KILL",
                                  " command. Script name is: ", running_.name, "."));
    running_.busy.store(true);
    state_.Register(&running_);
    ctx_.server.engine().AddBusyScript(1);
  }
  // Other clients of this thread get their -BUSY (or run SCRIPT KILL) meanwhile.
  ctx_.server.ProcessEventsWhileBlocked(ctx_.session);
  return running_.kill.load();
}

bool ScriptRun::EnsureLocks(const CommandSpec& spec, std::span<const std::string_view> args) {
  engine::LockSet& locks = ctx_.locks;
  if (locks.holds_all()) return true;
  engine::Engine& engine = ctx_.server.engine();
  thread_local std::vector<int> needed;
  needed.clear();
  if (spec.flags & kAllShards) {
    for (int s = 0; s < engine.num_shards(); ++s) needed.push_back(s);
  } else if (!(spec.flags & kNoLock)) {
    thread_local std::vector<int> indexes;
    indexes.clear();
    spec.KeyIndexes(args, &indexes);
    for (int i : indexes) needed.push_back(engine.ShardOf(args[i]));
  }
  bool first_write = (spec.flags & kWrite) && !wrote();
  if (!first_write && !wrote()) {
    // Before any write the run can start over, so it only ever tries shards it lacks.
    std::vector<int> missing;
    for (int s : needed) {
      if (!locks.Holds(s) && !locks.TryAcquire(s)) missing.push_back(s);
    }
    if (missing.empty()) return true;
    restart_shards_ = std::move(missing);
    return false;
  }
  // From the first write on the run cannot start over, so it holds every shard from 0 up to
  // the highest it has needed: any shard it needs later is above all it holds, and is taken
  // in ascending order like any command's.
  int top = locks.max_held();
  for (int s : needed) top = std::max(top, s);
  if (first_write) {
    std::vector<int> missing;
    for (int s = 0; s <= top; ++s) {
      if (!locks.Holds(s) && !locks.TryAcquire(s)) missing.push_back(s);
    }
    if (!missing.empty()) {
      // Nothing written yet: start over holding the whole prefix, taken in order.
      for (int s = 0; s <= top; ++s) restart_shards_.push_back(s);
      return false;
    }
    return true;
  }
  for (int s = locks.max_held() + 1; s <= top; ++s) locks.Acquire(s);
  return true;
}

// A command the script may not run: Redis's error text, counted as a rejected call of that
// command and in the error statistics (the script's own error reply then is not).
bool ScriptRun::Refuse(const CommandSpec* spec, std::string text, std::string* error) {
  if (spec != nullptr) spec->stats.Add(CommandStats::kRejected, 1);
  ctx_.dispatcher.CountError(text.starts_with("-") ? std::string_view(text).substr(1)
                                                   : std::string_view(StrCat("ERR ", text)));
  *error = std::move(text);
  return false;
}

bool ScriptRun::Call(std::span<const std::string_view> args, int resp, std::string* reply,
                     std::string* error) {
  bool unknown_sub = false;
  const CommandSpec* spec = ctx_.dispatcher.registry().Resolve(args, &unknown_sub);
  if (spec == nullptr || unknown_sub) {
    return Refuse(nullptr, "Unknown Redis command called from script", error);
  }
  int n = static_cast<int>(args.size());
  if (spec->arity > 0 ? n != spec->arity : n < -spec->arity) {
    return Refuse(spec, "Wrong number of args calling Redis command from script", error);
  }
  if (spec->flags & kNoScript) {
    return Refuse(spec, "This Redis command is not allowed from script", error);
  }
  if (read_only_ && (spec->flags & (kWrite | kMayReplicate))) {
    return Refuse(spec, "Write commands are not allowed from read-only scripts.", error);
  }
  if (oom_at_start_ && !wrote() && (spec->flags & kDenyOom)) {
    return Refuse(spec, StrCat("-", protocol::errors::kOom), error);
  }
  if (!EnsureLocks(*spec, args)) {
    *error = "script restarts with more shards locked";
    return false;
  }
  if (spec->flags & kWrite) running_.wrote.store(true, std::memory_order_relaxed);
  session_.resp = resp;
  protocol::ReplyBuilder builder(reply);
  builder.set_resp3(resp == 3);
  ctx_.dispatcher.ExecuteLocked(session_, *spec, args, builder, ctx_.locks);
  if (session_.hold_monitor_lines && wrote()) FlushMonitorLines();
  return true;
}

void RunScriptBody(
    CommandContext& ctx, const ScriptRunOptions& options,
    absl::FunctionRef<void(scripting::ScriptHost* host, protocol::ReplyBuilder& reply)> attempt) {
  ScriptRun run(ctx, ctx.dispatcher.scripting(), options.read_only, options.flags,
                options.eval_mode, options.name);
  while (true) {
    size_t mark = ctx.reply.BeginDeferred();
    int64_t errors = ctx.reply.errors_emitted();
    attempt(&run, ctx.reply);
    if (run.restart_shards().empty()) break;
    ctx.reply.Rewind(mark, errors);
    // Start over holding what the last run lacked (nothing was written: no side effects).
    ctx.locks.Unlock();
    for (int s : run.restart_shards()) ctx.locks.AddShard(s);
    ctx.locks.Lock();
    run.ResetForRestart();
  }
}

namespace {

void RunEval(CommandContext& ctx, bool evalsha, bool read_only) {
  ScriptingState& state = ctx.dispatcher.scripting();
  std::span<const std::string_view> keys, args;
  if (!SplitKeysAndArgs(ctx, protocol::errors::kNotInteger, &keys, &args)) return;

  std::string sha;
  uint32_t flags = 0;
  std::string body;
  scripting::LuaRuntime& lua = RuntimeFor(state);
  if (evalsha) {
    if (ctx.arg(1).size() != 40) return ctx.reply.Error(kNoScriptError);
    sha = LowerSha(ctx.arg(1));
    // The body is copied out of the shared cache only by a thread that must compile it.
    if (!state.cache().Find(sha, &flags, IsCompiled(sha) ? nullptr : &body)) {
      return ctx.reply.Error(kNoScriptError);
    }
  } else {
    sha = scripting::Sha1Hex(ctx.arg(1));
    body.assign(ctx.arg(1));
    if (!state.cache().Find(sha, &flags, nullptr)) {
      size_t shebang_len;
      std::string error;
      if (!scripting::ParseShebang(body, &flags, &shebang_len, &error)) {
        return ctx.reply.Error(StrCat("ERR ", error));
      }
    }
  }
  if (!EnsureCompiled(lua, sha, body, ctx.reply)) return;
  if (!evalsha) state.cache().Add(sha, body, flags, false);

  bool compat = flags & scripting::kScriptCompatMode;
  if (!compat && !(flags & scripting::kScriptNoWrites) && read_only) {
    return ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
  }
  bool script_read_only = read_only || (!compat && (flags & scripting::kScriptNoWrites));

  ScriptRunOptions options{
      .eval_mode = true, .name = sha, .read_only = script_read_only, .flags = flags};
  RunScriptBody(ctx, options, [&](scripting::ScriptHost* host, protocol::ReplyBuilder& reply) {
    lua.RunScript(sha, {keys, args, host, sha, true}, reply);
  });
  ReportMemory(state);
}

void CmdEval(CommandContext& ctx) { RunEval(ctx, false, false); }
void CmdEvalSha(CommandContext& ctx) { RunEval(ctx, true, false); }
void CmdEvalRo(CommandContext& ctx) { RunEval(ctx, false, true); }
void CmdEvalShaRo(CommandContext& ctx) { RunEval(ctx, true, true); }

// ---- SCRIPT ----

void CmdScriptLoad(CommandContext& ctx) {
  ScriptingState& state = ctx.dispatcher.scripting();
  std::string sha = scripting::Sha1Hex(ctx.arg(2));
  if (!state.cache().Contains(sha)) {
    uint32_t flags;
    size_t shebang_len;
    std::string error;
    if (!scripting::ParseShebang(ctx.arg(2), &flags, &shebang_len, &error)) {
      return ctx.reply.Error(StrCat("ERR ", error));
    }
    std::string body(ctx.arg(2));
    if (!EnsureCompiled(RuntimeFor(state), sha, body, ctx.reply)) return;
    state.cache().Add(sha, body, flags, true);
    ReportMemory(state);
  } else {
    uint32_t flags;
    std::string body;
    if (state.cache().Find(sha, &flags, &body)) state.cache().Add(sha, body, flags, true);
  }
  ctx.reply.Bulk(sha);
}

void CmdScriptExists(CommandContext& ctx) {
  ScriptingState& state = ctx.dispatcher.scripting();
  ctx.reply.ArrayLen(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Integer(state.cache().Contains(LowerSha(ctx.arg(i))) ? 1 : 0);
  }
}

void CmdScriptFlush(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::errors::kSyntax);
  if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
      !EqualsIgnoreCase(ctx.arg(2), "async")) {
    return ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ctx.dispatcher.scripting().cache().Flush();
  ctx.reply.Ok();
}

void CmdScriptKill(CommandContext& ctx) {
  std::string err = ctx.dispatcher.scripting().Kill(true);
  if (err.empty()) return ctx.reply.Ok();
  ctx.reply.Error(err);
}

void CmdScriptDebug(CommandContext& ctx) {
  if (EqualsIgnoreCase(ctx.arg(2), "no")) return ctx.reply.Ok();
  if (EqualsIgnoreCase(ctx.arg(2), "yes") || EqualsIgnoreCase(ctx.arg(2), "sync")) {
    return ctx.reply.Error("ERR Weir has no Lua debugger: use SCRIPT DEBUG NO");
  }
  ctx.reply.Error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
}

void CmdScriptHelp(CommandContext& ctx) {
  static const char* kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Print this help."};
  ctx.reply.ArrayLen(static_cast<int64_t>(std::size(kLines)));
  for (const char* line : kLines) ctx.reply.SimpleString(line);
}

}  // namespace

void RegisterScriptingCommands(CommandRegistry& r) {
  const KeySpec eval_keys{
      .begin_index = 2,
      .flags = {"RW", "ACCESS", "UPDATE"},
      .notes = "We cannot tell how the keys will be used so we assume the worst",
      .keynum_index = 0,
      .first_key = 1};
  KeySpec eval_ro_keys = eval_keys;
  eval_ro_keys.flags = {"RO", "ACCESS"};
  eval_ro_keys.notes.clear();
  constexpr uint32_t kEvalFlags = kNoScript | kSkipMonitor | kMayReplicate | kNoMandatoryKeys |
                                  kStale | kMovableKeys | kRunsScript;
  r.Add({"eval",
         -3,
         kEvalFlags,
         "slow scripting",
         {eval_keys},
         CmdEval,
         "Executes a server-side Lua script.",
         "2.6.0",
         "scripting",
         "Depends on the script that is executed.",
         ScriptKeys});
  r.Add({"evalsha",
         -3,
         kEvalFlags,
         "slow scripting",
         {eval_keys},
         CmdEvalSha,
         "Executes a server-side Lua script by SHA1 digest.",
         "2.6.0",
         "scripting",
         "Depends on the script that is executed.",
         ScriptKeys});
  constexpr uint32_t kEvalRoFlags =
      kNoScript | kSkipMonitor | kNoMandatoryKeys | kStale | kReadOnly | kMovableKeys | kRunsScript;
  r.Add({"eval_ro",
         -3,
         kEvalRoFlags,
         "slow scripting",
         {eval_ro_keys},
         CmdEvalRo,
         "Executes a read-only server-side Lua script.",
         "7.0.0",
         "scripting",
         "Depends on the script that is executed.",
         ScriptKeys});
  r.Add({"evalsha_ro",
         -3,
         kEvalRoFlags,
         "slow scripting",
         {eval_ro_keys},
         CmdEvalShaRo,
         "Executes a read-only server-side Lua script by SHA1 digest.",
         "7.0.0",
         "scripting",
         "Depends on the script that is executed.",
         ScriptKeys});

  r.Add({"script",
         -2,
         0,
         "slow",
         {},
         nullptr,
         "A container for Lua scripts management commands.",
         "2.6.0",
         "scripting",
         "Depends on subcommand."});
  r.AddSubcommand("script", {"debug",
                             3,
                             kNoScript | kNoLock,
                             "slow scripting",
                             {},
                             CmdScriptDebug,
                             "Sets the debug mode of server-side Lua scripts.",
                             "3.2.0",
                             "scripting",
                             "O(1)"});
  r.AddSubcommand("script",
                  {"exists",
                   -3,
                   kNoScript | kNoLock,
                   "slow scripting",
                   {},
                   CmdScriptExists,
                   "Determines whether server-side Lua scripts exist in the script cache.",
                   "2.6.0",
                   "scripting",
                   "O(N) with N being the number of scripts to check (so checking a "
                   "single script is an O(1) operation).",
                   nullptr,
                   "request_policy:all_shards response_policy:agg_logical_and"});
  r.AddSubcommand("script", {"flush",
                             -2,
                             kNoScript | kNoLock,
                             "slow scripting",
                             {},
                             CmdScriptFlush,
                             "Removes all server-side Lua scripts from the script cache.",
                             "2.6.0",
                             "scripting",
                             "O(N) with N being the number of scripts in cache",
                             nullptr,
                             "request_policy:all_nodes response_policy:all_succeeded"});
  r.AddSubcommand("script", {"help",
                             2,
                             kLoading | kStale | kNoLock,
                             "slow scripting",
                             {},
                             CmdScriptHelp,
                             "Returns helpful text about the different subcommands.",
                             "5.0.0",
                             "scripting",
                             "O(1)"});
  r.AddSubcommand("script", {"kill",
                             2,
                             kNoScript | kAllowBusy | kNoLock,
                             "slow scripting",
                             {},
                             CmdScriptKill,
                             "Terminates a server-side Lua script during execution.",
                             "2.6.0",
                             "scripting",
                             "O(1)",
                             nullptr,
                             "request_policy:all_shards response_policy:one_succeeded"});
  r.AddSubcommand("script", {"load",
                             3,
                             kNoScript | kStale | kNoLock,
                             "slow scripting",
                             {},
                             CmdScriptLoad,
                             "Loads a server-side Lua script to the script cache.",
                             "2.6.0",
                             "scripting",
                             "O(N) with N being the length in bytes of the script body.",
                             nullptr,
                             "request_policy:all_nodes response_policy:all_succeeded"});
}

}  // namespace weir::commands
