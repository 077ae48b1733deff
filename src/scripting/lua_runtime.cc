#include "scripting/lua_runtime.h"

#include <openssl/evp.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/numbers.h"
#include "scripting/libs/libs.h"
#include "scripting/script_cache.h"

namespace weir::scripting {

namespace {

constexpr const char* kRunStateKey = "weir.run_state";
constexpr const char* kGlobalsKey = "weir.globals";  // the real globals table
constexpr const char* kErrorHandler = "__redis__err__handler";
// Functions mode: the environment libraries and their functions share, its metatable (whose
// __index is switched between the globals and the load API), the load API's globals, and the
// context of the library being loaded (a light userdata, present only during a load).
constexpr const char* kFunctionEnvKey = "weir.fn_env";
constexpr const char* kFunctionMetaKey = "weir.fn_meta";
constexpr const char* kLoadGlobalsKey = "weir.load_globals";
constexpr const char* kLoadContextKey = "weir.load_ctx";
// Redis's count hook period, in Lua VM instructions.
constexpr int kHookInstructions = 100000;

LuaRuntime::RunState* GetRunState(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRunStateKey);
  auto* rs = static_cast<LuaRuntime::RunState*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return rs;
}

// ---- errors in Redis's table form: {err = "CODE message"} ----

// Pushes {err=...} from a Redis error text: "-CODE message" keeps its code, a bare message gets
// ERR; a trailing newline is dropped (luaPushErrorBuff).
void PushErrorTable(lua_State* L, std::string_view text) {
  std::string code = "ERR";
  std::string msg;
  if (!text.empty() && text[0] == '-') {
    size_t sp = text.find(' ');
    if (sp == std::string_view::npos) {
      msg.assign(text.substr(1));
    } else {
      code.assign(text.substr(1, sp - 1));
      msg.assign(text.substr(sp + 1));
    }
  } else {
    msg.assign(text);
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.erase(0, 1);
  std::string full = code + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, full.data(), full.size());
  lua_settable(L, -3);
}

int RaiseError(lua_State* L, std::string_view text) {
  PushErrorTable(L, text);
  return lua_error(L);
}

// ---- rand48, as Redis's rand.c: the same sequence on every platform ----

struct Rand48 {
  uint64_t x = 0x1234ABCD330EULL;
  int32_t Next() {
    x = (0x5DEECE66DULL * x + 0xB) & ((1ULL << 48) - 1);
    return static_cast<int32_t>(x >> 17);
  }
  void Seed(int32_t seed) {
    x = (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E;
  }
};
// One sequence per thread, as each thread has its own interpreters (Redis has one per process).
thread_local Rand48 rand48;

int MathRandom(lua_State* L) {
  constexpr int32_t kMax = INT32_MAX;
  lua_Number r = static_cast<lua_Number>(rand48.Next() % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomSeed(lua_State* L) {
  rand48.Seed(luaL_checkint(L, 1));
  return 0;
}

void HookCount(lua_State* L, lua_Debug*);

// ---- redis.* ----

// Lua arguments to command arguments: strings as they are, numbers as Redis prints them
// (integers without exponent, others with the shortest round-trip form).
bool CollectArgs(lua_State* L, std::vector<std::string>* out) {
  int argc = lua_gettop(L);
  // Existing strings keep their buffers: assigning into them does not allocate.
  if (out->size() < static_cast<size_t>(argc)) out->resize(argc);
  for (int i = 1; i <= argc; ++i) {
    std::string& arg = (*out)[i - 1];
    if (lua_type(L, i) == LUA_TNUMBER) {
      double d = lua_tonumber(L, i);
      if (std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18) {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(d));
        arg.assign(buf, end);
      } else {
        arg = FormatDouble(d);
      }
    } else if (lua_type(L, i) == LUA_TSTRING) {
      size_t len;
      const char* s = lua_tolstring(L, i, &len);
      arg.assign(s, len);
    } else {
      return false;
    }
  }
  return true;
}

int RedisCommand(lua_State* L, bool raise) {
  LuaRuntime::RunState* rs = GetRunState(L);
  if (rs == nullptr || rs->host == nullptr)
    return luaL_error(L, "redis.call is only available inside a script");
  if (lua_gettop(L) == 0) {
    PushErrorTable(L, "Please specify at least one argument for this redis lib call");
    return raise ? lua_error(L) : 1;
  }
  // Reused across calls: a script's commands are built here without allocating each time.
  thread_local std::vector<std::string> args;
  thread_local std::vector<std::string_view> views;
  const int argc = lua_gettop(L);
  if (!CollectArgs(L, &args)) {
    lua_settop(L, 0);
    PushErrorTable(L, "Lua redis lib command arguments must be strings or integers");
    return raise ? lua_error(L) : 1;
  }
  lua_settop(L, 0);
  views.assign(args.begin(), args.begin() + argc);
  // Reused too: replies are converted to Lua before the next call.
  thread_local std::string reply;
  std::string error;
  reply.clear();
  bool ran = rs->host->Call(views, rs->resp, &reply, &error);
  if (rs->host->Aborted()) {
    rs->killed = true;
    lua_sethook(L, HookCount, LUA_MASKLINE, 0);
    return RaiseError(L, error);
  }
  if (!ran) {
    PushErrorTable(L, error);
    // Already counted in the error stats where the command was refused.
    lua_pushstring(L, "ignore_error_stats_update");
    lua_pushboolean(L, 1);
    lua_settable(L, -3);
    return raise ? lua_error(L) : 1;
  }
  PushReply(L, reply);
  if (raise && !reply.empty() && reply[0] == '-') return lua_error(L);
  return 1;
}

int RedisCall(lua_State* L) { return RedisCommand(L, true); }
int RedisPcall(lua_State* L) { return RedisCommand(L, false); }

int RedisSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string hex = Sha1Hex(std::string_view(s ? s : "", s ? len : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int RedisErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len;
  const char* s = lua_tolstring(L, -1, &len);
  std::string text(s, len);
  if (text.empty() || text[0] != '-') text.insert(0, "-");
  PushErrorTable(L, text);
  return 1;
}

int RedisStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, -3);
  lua_settable(L, -3);
  return 1;
}

int RedisSetRepl(lua_State* L) {
  LuaRuntime::RunState* rs = GetRunState(L);
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.set_repl() requires one argument.");
  int flags = static_cast<int>(lua_tonumber(L, -1));
  if ((flags & ~kReplAll) != 0) {
    return RaiseError(
        L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  if (rs != nullptr && rs->host != nullptr) rs->host->SetRepl(flags);
  return 0;
}

int RedisLog(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) return RaiseError(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) return RaiseError(L, "First argument must be a number (log level).");
  int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < kLogDebug || level > kLogWarning) return RaiseError(L, "Invalid debug level.");
  std::string msg;
  for (int i = 2; i <= argc; ++i) {
    size_t len;
    const char* s = lua_tolstring(L, i, &len);
    if (s == nullptr) continue;
    if (i != 2) msg.push_back(' ');
    msg.append(s, len);
  }
  LuaRuntime::RunState* rs = GetRunState(L);
  if (rs != nullptr && rs->host != nullptr) rs->host->Log(level, msg);
  return 0;
}

int RedisSetResp(lua_State* L) {
  LuaRuntime::RunState* rs = GetRunState(L);
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.setresp() requires one argument.");
  int resp = static_cast<int>(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) return RaiseError(L, "RESP version must be 2 or 3.");
  if (rs != nullptr) rs->resp = resp;
  return 0;
}

// redis.replicate_commands(): always true since Redis 7 (effects replication is the only mode).
int RedisReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

// redis.breakpoint() and redis.debug(): the debugger is not running, so they do nothing.
int RedisBreakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
int RedisDebug(lua_State* L) { return 0; }

// The global pcall, which turns a redis.call error table into its message, as Redis's.
int LuaPcall(lua_State* L) {
  int argc = lua_gettop(L);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

// ---- global protection ----

int NonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name ? name : "?");
}

int ReadonlyTable(lua_State* L) {
  luaL_where(L, 1);
  lua_pushstring(L, "Attempt to modify a readonly table");
  lua_concat(L, 2);
  return lua_error(L);
}

void PushReadonlyProxy(lua_State* L, int table_index);

// The metatable a read-only proxy shows to getmetatable: itself read-only, so it cannot be
// used to lift the protection either.
void PushShownMetatable(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "weir.shown_mt");
  if (!lua_isnil(L, -1)) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_newtable(L);
  lua_pushcfunction(L, ReadonlyTable);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, "weir.shown_mt");
}

// setmetatable, refusing tables whose metatable is protected (the read-only ones) with the
// read-only error, as Redis's patched Lua does.
int SetMetatableChecked(lua_State* L) {
  if (lua_istable(L, 1) && lua_getmetatable(L, 1)) {
    lua_getfield(L, -1, "__metatable");
    bool is_protected = !lua_isnil(L, -1);
    lua_pop(L, 2);
    if (is_protected) return ReadonlyTable(L);
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "weir.setmetatable");
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// Compiles code for loadstring/load: never a precompiled (binary) chunk, as Redis refuses
// them (bytecode skips the compiler's checks), and with the scripts' read-only environment, so
// a loaded chunk cannot write the real globals. Returns the function, or nil and the error.
int CompileChunk(lua_State* L, std::string_view code, const char* chunkname) {
  if (!code.empty() && code[0] == LUA_SIGNATURE[0]) {
    lua_pushnil(L);
    lua_pushstring(L, "binary chunks are not allowed");
    return 2;
  }
  if (luaL_loadbuffer(L, code.data(), code.size(), chunkname) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "weir.env");
  lua_setfenv(L, -2);
  return 1;
}

int LoadstringChecked(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  std::string_view code(s, len);
  std::string name(luaL_optstring(L, 2, s));
  return CompileChunk(L, code, name.c_str());
}

// getfenv, showing the read-only proxy where the real globals table would be returned.
int GetfenvChecked(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "weir.getfenv");
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  if (lua_rawequal(L, -1, -2)) {
    lua_pop(L, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, "weir.env");
  } else {
    lua_pop(L, 1);
  }
  return 1;
}

// load(reader [, chunkname]): the pieces the reader returns, then as loadstring.
int LoadChecked(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  std::string name(luaL_optstring(L, 2, "=(load)"));
  std::string code;
  while (true) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    size_t len;
    const char* piece = lua_tolstring(L, -1, &len);
    if (len == 0) {
      lua_pop(L, 1);
      break;
    }
    code.append(piece, len);
    lua_pop(L, 1);
  }
  return CompileChunk(L, code, name.c_str());
}

// Replaces the table at index with a read-only proxy: reads fall through to it, writes fail.
void PushReadonlyProxy(lua_State* L, int table_index) {
  table_index = lua_gettop(L) + 1 + table_index;  // absolute, as we push below
  lua_newtable(L);                                // proxy
  lua_newtable(L);                                // its metatable
  lua_pushvalue(L, table_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyTable);
  lua_setfield(L, -2, "__newindex");
  PushShownMetatable(L);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

void HookCount(lua_State* L, lua_Debug*) {
  LuaRuntime::RunState* rs = GetRunState(L);
  if (rs == nullptr || rs->host == nullptr) return;
  if (rs->killed || rs->host->Aborted() || rs->host->Interrupted()) {
    rs->killed = true;
    // From now on every line raises, so a pcall in the script cannot swallow the kill.
    lua_sethook(L, HookCount, LUA_MASKLINE, 0);
    RaiseError(L, "Script killed by user with SCRIPT KILL...");
  }
}

void SetField(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

void SetField(lua_State* L, const char* name, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

// redis.log, its levels and the version fields: in the script API and in the API a function
// library sees while it loads.
void SetLogAndVersionFields(lua_State* L) {
  SetField(L, "log", RedisLog);
  SetField(L, "LOG_DEBUG", kLogDebug);
  SetField(L, "LOG_VERBOSE", kLogVerbose);
  SetField(L, "LOG_NOTICE", kLogNotice);
  SetField(L, "LOG_WARNING", kLogWarning);
  // The Redis version Weir is compatible with (INFO's redis_version).
  SetField(L, "REDIS_VERSION_NUM", 0x070206);
  lua_pushstring(L, "7.2.6");
  lua_setfield(L, -2, "REDIS_VERSION");
}

// ---- FUNCTION LOAD: redis.register_function and the load environment ----

struct LoadContext {
  std::vector<RegisteredFunction>* functions = nullptr;
  std::chrono::steady_clock::time_point start;
  int64_t timeout_ms = 0;
};

LoadContext* GetLoadContext(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kLoadContextKey);
  auto* lc = static_cast<LoadContext*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return lc;
}

// __index of a guarded table (upvalue 1 is the table it guards): what the table holds, or the
// error Redis raises for a name that does not exist.
int GuardedIndex(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1)) return 1;
  if (!lua_isstring(L, 2)) {
    return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
  }
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}

// Pushes a read-only proxy of the table at index whose reads of missing names raise.
void PushGuardedProxy(lua_State* L, int table_index) {
  table_index = lua_gettop(L) + 1 + table_index;  // absolute, as we push below
  lua_newtable(L);                                // proxy
  lua_newtable(L);                                // its metatable
  lua_pushvalue(L, table_index);
  lua_pushcclosure(L, GuardedIndex, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyTable);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

// Function (and library) names: letters, digits and underscores, at least one.
bool ValidFunctionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string LuaString(lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return std::string(s, len);
}

// Reads the flags table on top of the stack ({'no-writes', ...}, names in any case).
bool ReadFunctionFlags(lua_State* L, uint32_t* flags) {
  uint32_t out = 0;
  for (int j = 1;; ++j) {
    lua_pushnumber(L, j);
    lua_gettable(L, -2);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    uint32_t flag = 0;
    bool known = lua_isstring(L, -1) && ScriptFlagFromName(lua_tostring(L, -1), &flag);
    lua_pop(L, 1);
    if (!known) return false;
    out |= flag;
  }
  *flags = out;
  return true;
}

// redis.register_function{function_name=..., callback=..., flags={...}, description=...}.
// Leaves the callback referenced in fn->ref; on failure returns the error text.
const char* ReadNamedArguments(lua_State* L, RegisteredFunction* fn) {
  if (!lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua "
           "table (representing named arguments).";
  }
  bool has_name = false;
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    // Stack: table, key, value.
    int key_type = lua_type(L, -2);
    if (key_type != LUA_TSTRING && key_type != LUA_TNUMBER) {
      return "named argument key given to redis.register_function is not a string";
    }
    std::string key = key_type == LUA_TSTRING ? LuaString(L, -2) : std::string();
    for (char& c : key) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    if (key == "function_name") {
      if (!lua_isstring(L, -1)) {
        return "function_name argument given to redis.register_function must be a string";
      }
      fn->name = LuaString(L, -1);
      has_name = true;
    } else if (key == "description") {
      if (!lua_isstring(L, -1)) {
        return "description argument given to redis.register_function must be a string";
      }
      fn->description = LuaString(L, -1);
    } else if (key == "callback") {
      if (!lua_isfunction(L, -1)) {
        return "callback argument given to redis.register_function must be a function";
      }
      if (fn->ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, fn->ref);
      fn->ref = luaL_ref(L, LUA_REGISTRYINDEX);  // pops the value
      continue;
    } else if (key == "flags") {
      if (!lua_istable(L, -1)) {
        return "flags argument to redis.register_function must be a table representing "
               "function flags";
      }
      if (!ReadFunctionFlags(L, &fn->flags)) return "unknown flag given";
    } else {
      return "unknown argument given to redis.register_function";
    }
    lua_pop(L, 1);
  }
  if (!has_name) return "redis.register_function must get a function name argument";
  if (fn->ref == LUA_NOREF) return "redis.register_function must get a callback argument";
  return nullptr;
}

// redis.register_function(name, callback).
const char* ReadPositionalArguments(lua_State* L, RegisteredFunction* fn) {
  if (!lua_isstring(L, 1)) return "first argument to redis.register_function must be a string";
  fn->name = LuaString(L, 1);
  if (!lua_isfunction(L, 2)) return "second argument to redis.register_function must be a function";
  lua_settop(L, 2);
  fn->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return nullptr;
}

int RedisRegisterFunction(lua_State* L) {
  LoadContext* lc = GetLoadContext(L);
  if (lc == nullptr) {
    return RaiseError(L, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  int argc = lua_gettop(L);
  if (argc < 1 || argc > 2)
    return RaiseError(L, "wrong number of arguments to redis.register_function");
  RegisteredFunction fn;
  const char* error = argc == 1 ? ReadNamedArguments(L, &fn) : ReadPositionalArguments(L, &fn);
  if (error == nullptr && !ValidFunctionName(fn.name)) {
    error =
        "Library names can only contain letters, numbers, or underscores(_) and must be at least "
        "one character long";
  }
  if (error == nullptr) {
    for (const RegisteredFunction& f : *lc->functions) {
      if (f.name == fn.name) error = "Function already exists in the library";
    }
  }
  if (error != nullptr) {
    if (fn.ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, fn.ref);
    return RaiseError(L, error);
  }
  lc->functions->push_back(std::move(fn));
  return 0;
}

// The count hook of a load: Redis gives a library's code 500 ms to register its functions.
void LoadHook(lua_State* L, lua_Debug*) {
  LoadContext* lc = GetLoadContext(L);
  if (lc == nullptr || lc->timeout_ms <= 0) return;
  auto elapsed = std::chrono::steady_clock::now() - lc->start;
  if (std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() > lc->timeout_ms) {
    lua_sethook(L, LoadHook, LUA_MASKLINE, 0);
    RaiseError(L, "FUNCTION LOAD timeout");
  }
}

// Points the functions' environment at the table stored in the registry under key.
void SetFunctionEnvironment(lua_State* L, const char* key) {
  lua_getfield(L, LUA_REGISTRYINDEX, kFunctionMetaKey);
  lua_getfield(L, LUA_REGISTRYINDEX, key);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

// An error value as Redis's luaExtractErrorInformation reads it: a string gets ERR, a table
// gives its err field.
std::string ErrorMessage(lua_State* L) {
  if (lua_isstring(L, -1)) return std::string("ERR ") + lua_tostring(L, -1);
  std::string msg;
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  return msg;
}

}  // namespace

std::string Sha1Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

LuaRuntime::LuaRuntime(Mode mode) : mode_(mode) { Open(); }
LuaRuntime::~LuaRuntime() { Close(); }

void LuaRuntime::Close() {
  if (lua_ != nullptr) lua_close(lua_);
  lua_ = nullptr;
}

void LuaRuntime::Open() {
  lua_State* L = luaL_newstate();
  lua_ = L;
  const std::pair<const char*, lua_CFunction> kLibs[] = {{"", luaopen_base},
                                                         {LUA_TABLIBNAME, luaopen_table},
                                                         {LUA_STRLIBNAME, luaopen_string},
                                                         {LUA_MATHLIBNAME, luaopen_math},
                                                         {LUA_DBLIBNAME, luaopen_debug}};
  for (const auto& [name, open] : kLibs) {
    lua_pushcfunction(L, open);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
  }
  OpenScriptLibraries(L);
  // What Redis leaves out of the sandbox.
  for (const char* name : {"dofile", "loadfile", "print"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_pushcfunction(L, LuaPcall);
  lua_setglobal(L, "pcall");
  lua_getglobal(L, "setmetatable");
  lua_setfield(L, LUA_REGISTRYINDEX, "weir.setmetatable");
  lua_pushcfunction(L, SetMetatableChecked);
  lua_setglobal(L, "setmetatable");
  lua_pushcfunction(L, LoadstringChecked);
  lua_setglobal(L, "loadstring");
  lua_pushcfunction(L, LoadChecked);
  lua_setglobal(L, "load");
  lua_getglobal(L, "getfenv");
  lua_setfield(L, LUA_REGISTRYINDEX, "weir.getfenv");
  lua_pushcfunction(L, GetfenvChecked);
  lua_setglobal(L, "getfenv");

  lua_newtable(L);
  SetField(L, "call", RedisCall);
  SetField(L, "pcall", RedisPcall);
  SetLogAndVersionFields(L);
  SetField(L, "setresp", RedisSetResp);
  SetField(L, "sha1hex", RedisSha1Hex);
  SetField(L, "error_reply", RedisErrorReply);
  SetField(L, "status_reply", RedisStatusReply);
  SetField(L, "set_repl", RedisSetRepl);
  SetField(L, "REPL_NONE", kReplNone);
  SetField(L, "REPL_AOF", kReplAof);
  SetField(L, "REPL_SLAVE", kReplReplica);
  SetField(L, "REPL_REPLICA", kReplReplica);
  SetField(L, "REPL_ALL", kReplAll);
  SetField(L, "replicate_commands", RedisReplicateCommands);
  SetField(L, "breakpoint", RedisBreakpoint);
  SetField(L, "debug", RedisDebug);
  lua_setglobal(L, "redis");

  lua_getglobal(L, "math");
  SetField(L, "random", MathRandom);
  SetField(L, "randomseed", MathRandomSeed);
  lua_pop(L, 1);

  // The error handler adds where the error happened (the caller of a failing C function).
  static const char kHandler[] =
      "local dbg = debug\n"
      "debug = nil\n"
      "function __redis__err__handler(err)\n"
      "  local i = dbg.getinfo(2,'nSl')\n"
      "  if i and i.what == 'C' then i = dbg.getinfo(3,'nSl') end\n"
      "  if type(err) ~= 'table' then err = {err='ERR ' .. tostring(err)} end\n"
      "  if i then err['source'] = i.source err['line'] = i.currentline end\n"
      "  return err\n"
      "end\n";
  luaL_loadbuffer(L, kHandler, sizeof(kHandler) - 1, "@err_handler_def");
  lua_call(L, 0, 0);

  // Library tables become read-only proxies; the globals table errors on unknown names, and
  // scripts see it through a read-only proxy (their environment, and _G).
  for (const char* name :
       {"string", "math", "table", "redis", "cjson", "bit", "cmsgpack", "struct", "coroutine"}) {
    lua_getglobal(L, name);
    if (lua_istable(L, -1)) {
      PushReadonlyProxy(L, -1);
      lua_setglobal(L, name);
    }
    lua_pop(L, 1);
  }
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  PushReadonlyProxy(L, -1);  // globals, proxy
  lua_pushvalue(L, -1);
  lua_setglobal(L, "_G");
  lua_setfield(L, LUA_REGISTRYINDEX, "weir.env");
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  PushShownMetatable(L);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);  // on the real globals table
  lua_pop(L, 1);
  if (mode_ == Mode::kFunctions) OpenFunctionEnvironment();
}

void LuaRuntime::OpenFunctionEnvironment() {
  lua_State* L = lua_;
  // The load API: all a library's code sees while it loads is `redis` with these fields.
  lua_newtable(L);
  SetField(L, "register_function", RedisRegisterFunction);
  SetLogAndVersionFields(L);
  PushGuardedProxy(L, -1);  // api, api proxy
  lua_newtable(L);          // api, api proxy, load globals
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "redis");
  PushGuardedProxy(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadGlobalsKey);
  lua_pop(L, 3);

  // The environment of every library chunk, and so of the functions it creates: empty and
  // read-only, reading through its metatable's __index (the globals, or the load globals).
  lua_newtable(L);
  lua_newtable(L);
  lua_getfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyTable);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kFunctionMetaKey);
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kFunctionEnvKey);
}

bool LuaRuntime::LoadLibrary(std::string_view code, int64_t timeout_ms, ScriptHost* log_host,
                             std::vector<RegisteredFunction>* out, std::string* error) {
  lua_State* L = lua_;
  out->clear();
  if (luaL_loadbuffer(L, code.data(), code.size(), "@user_function") != 0) {
    *error = std::string("Error compiling function: ") + lua_tostring(L, -1);
    lua_pop(L, 1);
    return false;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, kFunctionEnvKey);
  lua_setfenv(L, -2);
  SetFunctionEnvironment(L, kLoadGlobalsKey);
  LoadContext lc{out, std::chrono::steady_clock::now(), timeout_ms};
  RunState state;  // redis.log reaches the host through it
  state.host = log_host;
  lua_pushlightuserdata(L, &lc);
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadContextKey);
  lua_pushlightuserdata(L, &state);
  lua_setfield(L, LUA_REGISTRYINDEX, kRunStateKey);
  lua_sethook(L, LoadHook, LUA_MASKCOUNT, kHookInstructions);
  int err = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, nullptr, 0, 0);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadContextKey);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kRunStateKey);
  SetFunctionEnvironment(L, kGlobalsKey);
  if (err != 0) {
    *error = "Error registering functions: " + ErrorMessage(L);
    lua_pop(L, 1);
    for (const RegisteredFunction& f : *out) luaL_unref(L, LUA_REGISTRYINDEX, f.ref);
    out->clear();
    return false;
  }
  return true;
}

void LuaRuntime::ReleaseFunction(int ref) { luaL_unref(lua_, LUA_REGISTRYINDEX, ref); }

void LuaRuntime::PushFunction(int ref) { lua_rawgeti(lua_, LUA_REGISTRYINDEX, ref); }

bool LuaRuntime::CompileScript(std::string_view sha, std::string_view body, std::string* error) {
  lua_State* L = lua_;
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_script") != 0) {
    *error = std::string("Error compiling script (new function): ") + lua_tostring(L, -1);
    lua_pop(L, 1);
    return false;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "weir.env");
  lua_setfenv(L, -2);
  std::string name = "f_" + std::string(sha);
  lua_setfield(L, LUA_REGISTRYINDEX, name.c_str());
  return true;
}

bool LuaRuntime::HasScript(std::string_view sha) {
  std::string name = "f_" + std::string(sha);
  lua_getfield(lua_, LUA_REGISTRYINDEX, name.c_str());
  bool found = !lua_isnil(lua_, -1);
  lua_pop(lua_, 1);
  return found;
}

void LuaRuntime::ForgetScript(std::string_view sha) {
  std::string name = "f_" + std::string(sha);
  lua_pushnil(lua_);
  lua_setfield(lua_, LUA_REGISTRYINDEX, name.c_str());
}

namespace {

void PushStringArray(lua_State* L, std::span<const std::string_view> items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

}  // namespace

void LuaRuntime::RunScript(std::string_view sha, const Run& run, protocol::ReplyBuilder& reply) {
  lua_State* L = lua_;
  std::string name = "f_" + std::string(sha);
  // KEYS and ARGV are globals of the real table (the proxy is read-only).
  lua_getfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  PushStringArray(L, run.keys);
  lua_setfield(L, -2, "KEYS");
  PushStringArray(L, run.args);
  lua_setfield(L, -2, "ARGV");
  lua_pop(L, 1);
  lua_getglobal(L, kErrorHandler);
  lua_getfield(L, LUA_REGISTRYINDEX, name.c_str());
  CallWithHandler(run, 0, reply);
}

void LuaRuntime::RunFunction(const Run& run, protocol::ReplyBuilder& reply) {
  lua_State* L = lua_;
  // Stack: function. Becomes: handler, function, keys, args.
  lua_getglobal(L, kErrorHandler);
  lua_insert(L, -2);
  PushStringArray(L, run.keys);
  PushStringArray(L, run.args);
  CallWithHandler(run, 2, reply);
}

void LuaRuntime::CallWithHandler(const Run& run, int nargs, protocol::ReplyBuilder& reply) {
  lua_State* L = lua_;
  int handler = lua_gettop(L) - nargs - 1;
  RunState state;
  state.host = run.host;
  lua_pushlightuserdata(L, &state);
  lua_setfield(L, LUA_REGISTRYINDEX, kRunStateKey);
  lua_sethook(L, HookCount, LUA_MASKCOUNT, kHookInstructions);
  int err = lua_pcall(L, nargs, 1, handler);
  lua_sethook(L, nullptr, 0, 0);
  if (err != 0) {
    std::string msg;
    bool counted = false;  // an error table passed on from a command, already counted
    if (!lua_istable(L, -1)) {
      const char* m = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
      msg = "ERR Error running script " + std::string(run.name) + ", " +
            std::string(m).substr(0, 100);
    } else {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
      lua_pop(L, 1);
      lua_getfield(L, -1, "ignore_error_stats_update");
      counted = lua_toboolean(L, -1);
      lua_pop(L, 1);
      lua_getfield(L, -1, "source");
      const char* source = lua_isstring(L, -1) ? lua_tostring(L, -1) : nullptr;
      std::string src = source ? source : "";
      lua_pop(L, 1);
      lua_getfield(L, -1, "line");
      const char* line = lua_isstring(L, -1) ? lua_tostring(L, -1) : nullptr;
      std::string ln = line ? line : "";
      lua_pop(L, 1);
      if (source != nullptr && line != nullptr) {
        msg += " script: " + std::string(run.name) + ", on " + src + ":" + ln + ".";
      }
    }
    if (!msg.empty() && msg[0] == '-') msg.erase(0, 1);
    if (counted) {
      reply.ErrorCountedElsewhere(msg);
    } else {
      reply.Error(msg);
    }
    lua_pop(L, 1);
  } else {
    WriteReply(L, state.resp, reply);
  }
  lua_pop(L, 1);  // the error handler
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kRunStateKey);
  // An incremental GC step every 50 runs keeps full collections (and their pauses) rare without
  // paying for the collector on every call (Redis's LUA_GC_CYCLE_PERIOD).
  if (++runs_since_gc_ == 50) {
    lua_gc(L, LUA_GCSTEP, 50);
    runs_since_gc_ = 0;
  }
}

int64_t LuaRuntime::MemoryBytes() const {
  return static_cast<int64_t>(lua_gc(lua_, LUA_GCCOUNT, 0)) * 1024 + lua_gc(lua_, LUA_GCCOUNTB, 0);
}

}  // namespace weir::scripting
