// cmsgpack: the MessagePack library Redis 7.2 gives scripts (it bundles antirez's lua-cmsgpack
// 0.4.0), with that library's bytes, decoding quirks and error texts. Encodes with msgpack-c's
// packer; decodes by hand (DecodeValue says why).
#include <msgpack.h>

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "scripting/libs/libs.h"

namespace weir::scripting {

namespace {

// A table this deep encodes as nil, so a table that contains itself still packs (as 16 copies).
constexpr int kMaxNesting = 16;

// ---- Encoding ---------------------------------------------------------------------------------

// msgpack-c's growing buffer and its packer; the buffer is freed when a Lua error (a C++
// exception here) unwinds through the encoder.
class Packer {
 public:
  explicit Packer(lua_State* L) : L_(L) {
    msgpack_sbuffer_init(&buf_);
    msgpack_packer_init(&pk_, &buf_, msgpack_sbuffer_write);
  }
  ~Packer() { msgpack_sbuffer_destroy(&buf_); }
  Packer(const Packer&) = delete;
  Packer& operator=(const Packer&) = delete;

  msgpack_packer* pk() { return &pk_; }
  // msgpack-c reports a failed realloc by a non-zero return.
  void Check(int rc) {
    if (rc != 0) luaL_error(L_, "not enough memory");
  }
  // Pushes what was packed since the last call as a Lua string and empties the buffer.
  void PushAndClear() {
    lua_pushlstring(L_, buf_.data, buf_.size);
    msgpack_sbuffer_clear(&buf_);
  }

 private:
  lua_State* L_;
  msgpack_sbuffer buf_;
  msgpack_packer pk_;
};

void EncodeValue(lua_State* L, Packer& p, int level);

// Lua 5.1 numbers are doubles. One that is integral and fits an int64 is packed as the smallest
// msgpack integer that holds it (msgpack-c's msgpack_pack_int64 picks the same widths as
// lua-cmsgpack: positive values use the unsigned types). Anything else is a float32 when the
// float holds the value exactly (infinities too), else a float64; NaN is always a float64.
void EncodeNumber(lua_State* L, Packer& p) {
  const double n = lua_tonumber(L, -1);
  if (n >= -0x1p63 && n < 0x1p63 && std::trunc(n) == n) {
    p.Check(msgpack_pack_int64(p.pk(), static_cast<int64_t>(n)));
  } else if (std::isinf(n) ||
             (std::fabs(n) <= FLT_MAX && static_cast<double>(static_cast<float>(n)) == n)) {
    p.Check(msgpack_pack_float(p.pk(), static_cast<float>(n)));
  } else {
    p.Check(msgpack_pack_double(p.pk(), n));
  }
}

// lua-cmsgpack's test: a table is an array when every key is an integer in 1..INT_MAX and the
// largest key equals the number of keys (1..n, no hole). The empty table is an array.
bool TableIsArray(lua_State* L) {
  const int top = lua_gettop(L);
  int count = 0;
  int max = 0;
  luaL_checkstack(L, 2, "in function table_is_an_array");
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    const double n = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
    if (!(n > 0 && n <= INT_MAX && std::trunc(n) == n)) {
      lua_settop(L, top);
      return false;
    }
    max = std::max(max, static_cast<int>(n));
    ++count;
  }
  return max == count;
}

void EncodeArray(lua_State* L, Packer& p, int level) {
  const size_t len = lua_objlen(L, -1);
  p.Check(msgpack_pack_array(p.pk(), len));
  luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
  for (size_t i = 1; i <= len; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    lua_gettable(L, -2);
    EncodeValue(L, p, level + 1);
  }
}

void EncodeMap(lua_State* L, Packer& p, int level) {
  luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
  size_t len = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    ++len;
  }
  p.Check(msgpack_pack_map(p.pk(), len));
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pushvalue(L, -2);
    EncodeValue(L, p, level + 1);  // the key (the copy)
    EncodeValue(L, p, level + 1);  // the value
  }
}

// Encodes the value on top of the stack and pops it. Functions, userdata and threads become nil,
// as in lua-cmsgpack.
void EncodeValue(lua_State* L, Packer& p, int level) {
  int type = lua_type(L, -1);
  if (type == LUA_TTABLE && level == kMaxNesting) type = LUA_TNIL;
  switch (type) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      p.Check(msgpack_pack_str(p.pk(), len));
      p.Check(msgpack_pack_str_body(p.pk(), s, len));
      break;
    }
    case LUA_TBOOLEAN:
      p.Check(lua_toboolean(L, -1) ? msgpack_pack_true(p.pk()) : msgpack_pack_false(p.pk()));
      break;
    case LUA_TNUMBER:
      EncodeNumber(L, p);
      break;
    case LUA_TTABLE:
      if (TableIsArray(L)) {
        EncodeArray(L, p, level);
      } else {
        EncodeMap(L, p, level);
      }
      break;
    default:
      p.Check(msgpack_pack_nil(p.pk()));
      break;
  }
  lua_pop(L, 1);
}

// cmsgpack.pack(v1, v2, ...): the concatenation of each value's encoding.
int Pack(lua_State* L) {
  const int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(L, nargs)) {
    return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  }
  Packer p(L);
  // One string per argument, concatenated at the end, as lua-cmsgpack does: the stack then grows
  // the same way, so a call near Lua's stack limit fails where it fails in Redis.
  for (int i = 1; i <= nargs; ++i) {
    luaL_checkstack(L, 1, "in function mp_check");
    lua_pushvalue(L, i);
    EncodeValue(L, p, 0);
    p.PushAndClear();
  }
  lua_concat(L, nargs);
  return 1;
}

// ---- Decoding ---------------------------------------------------------------------------------

struct Cursor {
  const unsigned char* p;
  size_t left;
};

void Need(lua_State* L, const Cursor& c, size_t n) {
  if (c.left < n) luaL_error(L, "Missing bytes in input.");
}

void Consume(Cursor& c, size_t n) {
  c.p += n;
  c.left -= n;
}

uint64_t ReadBigEndian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

void DecodeValue(lua_State* L, Cursor& c);

void DecodeArray(lua_State* L, Cursor& c, size_t len) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (size_t i = 1; i <= len; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    DecodeValue(L, c);
    lua_settable(L, -3);
  }
}

// A nil or NaN key raises Lua's own error ("table index is nil"), as in lua-cmsgpack.
void DecodeMap(lua_State* L, Cursor& c, size_t len) {
  lua_newtable(L);
  for (size_t i = 0; i < len; ++i) {
    DecodeValue(L, c);  // key
    DecodeValue(L, c);  // value
    lua_settable(L, -3);
  }
}

// Pushes the string whose length is in the `len_bytes` bytes after the type byte.
void DecodeString(lua_State* L, Cursor& c, int len_bytes) {
  Need(L, c, 1 + len_bytes);
  const size_t len = ReadBigEndian(c.p + 1, len_bytes);
  Consume(c, 1 + len_bytes);
  Need(L, c, len);
  lua_pushlstring(L, reinterpret_cast<const char*>(c.p), len);
  Consume(c, len);
}

// Decodes one value and pushes it. By hand rather than with msgpack-c's unpacker, which differs
// from lua-cmsgpack where scripts can see it: it gives up past 32 levels of nesting
// (MSGPACK_EMBED_STACK_SIZE) where lua-cmsgpack has no limit of its own; it allocates room for
// an array's or map's declared count before reading any element, so a 5-byte array32 header
// asks for ~100 GB where lua-cmsgpack answers "Missing bytes in input."; and it accepts the
// bin, ext and fixext types that lua-cmsgpack 0.4.0 rejects as "Bad data format in input.".
void DecodeValue(lua_State* L, Cursor& c) {
  Need(L, c, 1);
  // Every value, nested ones included, asks for one more stack slot; a stream of more values
  // than Lua's stack can return fails here.
  luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  const unsigned char type = c.p[0];
  switch (type) {
    case 0xc0:
      lua_pushnil(L);
      Consume(c, 1);
      return;
    case 0xc2:
    case 0xc3:
      lua_pushboolean(L, type == 0xc3);
      Consume(c, 1);
      return;
    case 0xcc:  // uint 8, 16, 32
    case 0xcd:
    case 0xce: {
      const int bytes = 1 << (type - 0xcc);
      Need(L, c, 1 + bytes);
      lua_pushinteger(L, static_cast<lua_Integer>(ReadBigEndian(c.p + 1, bytes)));
      Consume(c, 1 + bytes);
      return;
    }
    case 0xcf:  // uint 64: lua-cmsgpack goes through a signed 64-bit integer, so 2^63 and above
                // come back negative.
      Need(L, c, 9);
      lua_pushinteger(L, static_cast<lua_Integer>(static_cast<int64_t>(ReadBigEndian(c.p + 1, 8))));
      Consume(c, 9);
      return;
    case 0xd0:  // int 8, 16, 32, 64
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      const int bytes = 1 << (type - 0xd0);
      Need(L, c, 1 + bytes);
      const uint64_t raw = ReadBigEndian(c.p + 1, bytes);
      const int shift = 64 - 8 * bytes;  // sign-extend from the top bit of the field
      const int64_t v = static_cast<int64_t>(raw << shift) >> shift;
      lua_pushnumber(L, static_cast<lua_Number>(v));
      Consume(c, 1 + bytes);
      return;
    }
    case 0xca: {
      Need(L, c, 5);
      const uint32_t bits = static_cast<uint32_t>(ReadBigEndian(c.p + 1, 4));
      float f;
      static_assert(sizeof(f) == sizeof(bits));
      std::memcpy(&f, &bits, sizeof(f));
      lua_pushnumber(L, f);
      Consume(c, 5);
      return;
    }
    case 0xcb: {
      Need(L, c, 9);
      const uint64_t bits = ReadBigEndian(c.p + 1, 8);
      double d;
      static_assert(sizeof(d) == sizeof(bits));
      std::memcpy(&d, &bits, sizeof(d));
      lua_pushnumber(L, d);
      Consume(c, 9);
      return;
    }
    case 0xd9:
      DecodeString(L, c, 1);
      return;
    case 0xda:
      DecodeString(L, c, 2);
      return;
    case 0xdb:
      DecodeString(L, c, 4);
      return;
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      const int bytes = (type == 0xdc || type == 0xde) ? 2 : 4;
      Need(L, c, 1 + bytes);
      const size_t len = ReadBigEndian(c.p + 1, bytes);
      Consume(c, 1 + bytes);
      if (type <= 0xdd) {
        DecodeArray(L, c, len);
      } else {
        DecodeMap(L, c, len);
      }
      return;
    }
    default:
      break;
  }
  if ((type & 0x80) == 0) {  // positive fixint
    lua_pushinteger(L, type);
    Consume(c, 1);
  } else if ((type & 0xe0) == 0xe0) {  // negative fixint
    lua_pushinteger(L, static_cast<signed char>(type));
    Consume(c, 1);
  } else if ((type & 0xe0) == 0xa0) {  // fixstr
    const size_t len = type & 0x1f;
    Need(L, c, 1 + len);
    lua_pushlstring(L, reinterpret_cast<const char*>(c.p + 1), len);
    Consume(c, 1 + len);
  } else if ((type & 0xf0) == 0x90) {  // fixarray
    Consume(c, 1);
    DecodeArray(L, c, type & 0x0f);
  } else if ((type & 0xf0) == 0x80) {  // fixmap
    Consume(c, 1);
    DecodeMap(L, c, type & 0x0f);
  } else {  // 0xc1, bin, ext, fixext
    luaL_error(L, "Bad data format in input.");
  }
}

// Decodes up to `limit` values of the string at index 1 (the only value left on the stack) from
// byte `offset`. limit == 0 && offset == 0 means "all of them, and no offset in the results";
// otherwise the results start with the offset after the last value decoded, or -1 at the end.
int UnpackFull(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const bool decode_all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    // lua-cmsgpack prints the input length where the limit belongs; kept for the same text.
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (decode_all) limit = INT_MAX;

  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset)};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) DecodeValue(L, c);
  if (decode_all) return count;

  luaL_checkstack(L, 1, "in function mp_unpack_full");
  lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
  lua_insert(L, 2);
  return count + 1;
}

// cmsgpack.unpack(s): every value in s.
int Unpack(lua_State* L) { return UnpackFull(L, 0, 0); }

// cmsgpack.unpack_one(s[, offset]): next_offset or -1, then one value.
int UnpackOne(lua_State* L) {
  const lua_Integer offset = luaL_optinteger(L, 2, 0);
  lua_settop(L, 1);
  return UnpackFull(L, 1, offset);
}

// cmsgpack.unpack_limit(s, limit[, offset]): next_offset or -1, then up to `limit` values.
int UnpackLimit(lua_State* L) {
  const lua_Integer limit = luaL_checkinteger(L, 2);
  const lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_settop(L, 1);
  return UnpackFull(L, limit, offset);
}

}  // namespace

int OpenCmsgpackLib(lua_State* L) {
  static constexpr luaL_Reg kFunctions[] = {
      {"pack", Pack},
      {"unpack", Unpack},
      {"unpack_one", UnpackOne},
      {"unpack_limit", UnpackLimit},
  };
  lua_newtable(L);
  for (const luaL_Reg& f : kFunctions) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
  // The metadata fields lua-cmsgpack 0.4.0 sets; a script can read them.
  lua_pushliteral(L, "cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, "lua-cmsgpack 0.4.0");
  lua_setfield(L, -2, "_VERSION");
  lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(L, -2, "_COPYRIGHT");
  lua_pushliteral(L, "MessagePack C implementation for Lua");
  lua_setfield(L, -2, "_DESCRIPTION");
  return 1;
}

}  // namespace weir::scripting
