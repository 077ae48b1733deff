#include "scripting/libs/libs.h"

#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>

extern "C" {
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace weir::scripting {

namespace {

// Runs a luaopen_* function and stores the table it returns as global `name`.
void OpenAsGlobal(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_call(L, 0, 1);
  lua_setglobal(L, name);
}

// ---- bit.tohex ------------------------------------------------------------------------------

// LuaBitOp's argument conversion: the number's low 32 bits after adding 2^52 + 2^51, which rounds
// it to an integer and wraps it into 32 bits the way bit.tobit does.
uint32_t BitArg(lua_State* L, int index) {
  const double n = lua_tonumber(L, index) + 6755399441055744.0;
  uint64_t bits;
  std::memcpy(&bits, &n, sizeof(bits));
  const auto b = static_cast<uint32_t>(bits);
  if (b == 0 && !lua_isnumber(L, index)) luaL_typerror(L, index, "number");
  return b;
}

// bit.tohex(x[, n]) with Redis's fix for CVE-2024-31449, which Debian's lua-bitop 1.0.2 lacks:
// there n = -2^31 stays negative after negation and pushes a string of ~2^64 bytes from an
// 8-byte buffer (Redis's "lua bit.tohex bug" test crashes the server). Redis treats it as
// -(2^31 - 1), i.e. 8 upper-case digits.
int BitToHex(lua_State* L) {
  uint32_t b = BitArg(L, 1);
  int32_t n = lua_isnone(L, 2) ? 8 : static_cast<int32_t>(BitArg(L, 2));
  const char* digits = "0123456789abcdef";
  if (n == INT32_MIN) n = INT32_MIN + 1;
  if (n < 0) {
    n = -n;
    digits = "0123456789ABCDEF";
  }
  if (n > 8) n = 8;
  char buf[8];
  for (int i = n - 1; i >= 0; --i) {
    buf[i] = digits[b & 15];
    b >>= 4;
  }
  lua_pushlstring(L, buf, n);
  return 1;
}

// ---- cjson size guard -----------------------------------------------------------------------
//
// Debian's lua-cjson 2.1.0 predates the fixes Redis made to its copy for CVE-2022-24834: its
// buffer sizes are C ints. Encoding reserves 6 bytes per string byte, and the buffer starts at
// 1023 bytes and doubles, so a reservation past 1023 * 2^21 bytes overflows the int: a string of
// ~360 MB overwrites the heap (seen: a segfault), and bigger outputs can loop forever. Decoding
// sizes its scratch buffer from the input length as an int. So encode and decode run behind
// wrappers that refuse, with an error, any work that could need a buffer past kCjsonBufferLimit.
// Redis's own copy has no such limit (its tests encode a 3 GB string).

constexpr size_t kCjsonBufferLimit = 2'000'000'000;  // below 1023 * 2^21 = 2,145,386,496

// A walk over a value before cjson encodes it: the encoder settings that decide where cjson stops
// and how it walks a table (read through its own getters, cjson.encode_max_depth() and
// cjson.encode_sparse_array() with no arguments), and the running bound.
struct EncodeWalk {
  lua_State* L;
  int max_depth;
  bool sparse_convert;
  int sparse_ratio;
  int sparse_safe;
  size_t bound = 0;  // upper bound of what cjson reserves in its buffer so far

  void Add(size_t n) {
    if (n > kCjsonBufferLimit || bound + n > kCjsonBufferLimit) {
      luaL_error(L, "Cannot serialise, output too large (over %d bytes)",
                 static_cast<int>(kCjsonBufferLimit));
    }
    bound += n;
  }
  void AddString(int index) {
    size_t len = 0;
    lua_tolstring(L, index, &len);
    if (len > kCjsonBufferLimit) Add(len);  // raises
    Add(6 * len + 2);                       // what cjson reserves for a string
  }
};

constexpr size_t kNumberReserve = 32;  // cjson reserves FPCONV_G_FMT_BUFSIZE bytes per number

// What cjson's lua_array_length returns for the table on top: its largest integer key (0 for an
// empty table, and INT_MIN when a key is 2^31 or more, as its double-to-int store gives on x86),
// -1 for an object, or kSparseError where cjson raises "excessively sparse array".
constexpr int kSparseError = INT_MIN + 1;
int ArrayLength(EncodeWalk& w) {
  lua_State* L = w.L;
  int max = 0;
  int items = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    const double k = lua_type(L, -2) == LUA_TNUMBER ? lua_tonumber(L, -2) : 0;
    if (!(k >= 1 && std::floor(k) == k)) {
      lua_pop(L, 2);
      return -1;
    }
    if (k > max) max = k < 0x1p31 ? static_cast<int>(k) : INT_MIN;
    ++items;
    lua_pop(L, 1);
  }
  // items * ratio is an int product in cjson; it wraps there.
  const auto product = static_cast<int32_t>(static_cast<int64_t>(items) * w.sparse_ratio);
  if (w.sparse_ratio > 0 && max > product && max > w.sparse_safe) {
    return w.sparse_convert ? -1 : kSparseError;
  }
  return max;
}

// Follows cjson's json_append_data over the value on top of the stack, in cjson's order and with
// its stack use, adding up what cjson would reserve. Returns false where cjson raises an error
// (it writes nothing past that point, so the walk can stop there). Leaves the stack as it was.
bool WalkValue(EncodeWalk& w, int depth) {
  lua_State* L = w.L;
  switch (lua_type(L, -1)) {
    case LUA_TSTRING:
      w.AddString(-1);
      return true;
    case LUA_TNUMBER:
      w.Add(kNumberReserve);
      return true;
    case LUA_TBOOLEAN:
      w.Add(5);
      return true;
    case LUA_TNIL:
      w.Add(4);
      return true;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, -1) != nullptr) return false;
      w.Add(4);
      return true;
    case LUA_TTABLE:
      break;
    default:
      return false;
  }
  ++depth;
  if (depth > w.max_depth || !lua_checkstack(L, 3)) return false;
  const int len = ArrayLength(w);
  if (len == kSparseError) return false;
  w.Add(2);
  if (len > 0) {
    for (int i = 1; i <= len; ++i) {
      w.Add(1);
      lua_rawgeti(L, -1, i);
      const bool ok = WalkValue(w, depth);
      lua_pop(L, 1);
      if (!ok) return false;
    }
    return true;
  }
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    const int key_type = lua_type(L, -2);
    if (key_type == LUA_TSTRING) {
      w.AddString(-2);
    } else if (key_type == LUA_TNUMBER) {
      w.Add(kNumberReserve + 2);
    } else {
      lua_pop(L, 2);
      return false;
    }
    w.Add(2);  // ':' and ','
    const bool ok = WalkValue(w, depth);
    lua_pop(L, 1);
    if (!ok) {
      lua_pop(L, 1);
      return false;
    }
  }
  return true;
}

// Calls the cjson getter in upvalue `upvalue` with no arguments and leaves its `nresults`
// results on the stack.
void CallGetter(lua_State* L, int upvalue, int nresults) {
  lua_pushvalue(L, lua_upvalueindex(upvalue));
  lua_call(L, 0, nresults);
}

// Runs the wrapped cjson function's C code in this call's frame: cjson finds its settings in
// upvalue 1, which the wrapper shares with it, and its errors name the calling script's line as
// they would if the script had called cjson directly.
int RunWrapped(lua_State* L) { return lua_tocfunction(L, lua_upvalueindex(2))(L); }

// cjson.encode(v). Upvalues: cjson's settings, cjson's encode, encode_max_depth,
// encode_sparse_array.
int GuardedEncode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  EncodeWalk w{L, 0, false, 0, 0};
  CallGetter(L, 3, 1);
  w.max_depth = static_cast<int>(lua_tointeger(L, -1));
  CallGetter(L, 4, 3);
  w.sparse_convert = lua_toboolean(L, -3) != 0;
  w.sparse_ratio = static_cast<int>(lua_tointeger(L, -2));
  w.sparse_safe = static_cast<int>(lua_tointeger(L, -1));
  lua_settop(L, 1);  // the walk must see the stack cjson sees: just the argument
  WalkValue(w, 0);
  return RunWrapped(L);
}

// cjson.decode(s). Upvalues: cjson's settings, cjson's decode.
int GuardedDecode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  size_t len = 0;
  luaL_checklstring(L, 1, &len);
  if (len >= static_cast<size_t>(INT_MAX)) {
    return luaL_error(L, "Cannot decode JSON text of %d bytes or more", INT_MAX);
  }
  return RunWrapped(L);
}

void GuardCjsonTable(lua_State* L, int table);

// cjson.new(): a fresh cjson table (its own settings), guarded too. Upvalue: cjson's new.
int GuardedNew(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_call(L, 0, 1);
  GuardCjsonTable(L, lua_gettop(L));
  return 1;
}

// Replaces table[name] (a cjson C closure whose upvalue 1 is its settings) by `guard`, with
// upvalues: the settings, the original, then table[extra] for each extra field name.
void Guard(lua_State* L, int table, const char* name, lua_CFunction guard,
           std::initializer_list<const char*> extra) {
  lua_getfield(L, table, name);
  if (lua_tocfunction(L, -1) == nullptr || lua_getupvalue(L, -1, 1) == nullptr) {
    luaL_error(L, "cjson.%s is not the lua-cjson 2.1 C closure Weir expects", name);
  }
  lua_insert(L, -2);  // settings, original
  for (const char* field : extra) lua_getfield(L, table, field);
  lua_pushcclosure(L, guard, 2 + static_cast<int>(extra.size()));
  lua_setfield(L, table, name);
}

// Replaces encode, decode and new in the cjson table at `table` with the guarded versions.
void GuardCjsonTable(lua_State* L, int table) {
  Guard(L, table, "encode", GuardedEncode, {"encode_max_depth", "encode_sparse_array"});
  Guard(L, table, "decode", GuardedDecode, {});
  lua_getfield(L, table, "new");
  lua_pushcclosure(L, GuardedNew, 1);
  lua_setfield(L, table, "new");
}

int OpenGuardedCjson(lua_State* L) {
  luaopen_cjson(L);
  GuardCjsonTable(L, lua_gettop(L));
  return 1;
}

int OpenFixedBit(lua_State* L) {
  luaopen_bit(L);
  lua_pushcfunction(L, BitToHex);
  lua_setfield(L, -2, "tohex");
  return 1;
}

}  // namespace

void OpenScriptLibraries(lua_State* L) {
  OpenAsGlobal(L, OpenGuardedCjson, "cjson");
  OpenAsGlobal(L, OpenCmsgpackLib, "cmsgpack");
  OpenAsGlobal(L, OpenStructLib, "struct");
  OpenAsGlobal(L, OpenFixedBit, "bit");
}

}  // namespace weir::scripting
