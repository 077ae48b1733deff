// RESP <-> Lua, with Redis's tables (redisProtocolToLuaType / luaReplyToRedisReply):
//   integer -> number; bulk -> string; RESP2 null bulk/array -> false; array -> table;
//   status -> {ok=...}; error -> {err=...}; RESP3 null -> nil; boolean -> boolean;
//   double -> {double=n}; big number -> {big_number=s}; verbatim ->
//   {verbatim_string={format=..., string=...}}; map -> {map={k=v...}}; set -> {set={m=true...}}.
// And back: number -> integer (truncated); string -> bulk; true -> 1 (RESP2) or #t; false ->
// null (RESP2) or #f; tables by the fields above, else an array up to the first nil.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "common/numbers.h"
#include "scripting/lua_runtime.h"

namespace weir::scripting {

namespace {

int64_t ParseLength(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

class ReplyReader {
 public:
  explicit ReplyReader(std::string_view buf) : buf_(buf) {}

  // Pushes the next reply (or skips it when L is null).
  void Push(lua_State* L) {
    if (pos_ >= buf_.size()) {
      if (L) lua_pushnil(L);
      return;
    }
    char type = buf_[pos_++];
    std::string_view line = Line();
    switch (type) {
      case ':':
        if (L) lua_pushnumber(L, static_cast<lua_Number>(ParseLength(line)));
        break;
      case '$':
      case '=': {
        int64_t len = ParseLength(line);
        if (len < 0) {
          if (L) lua_pushboolean(L, 0);
          break;
        }
        std::string_view data = buf_.substr(pos_, static_cast<size_t>(len));
        pos_ += static_cast<size_t>(len) + 2;
        if (!L) break;
        if (type == '$') {
          lua_pushlstring(L, data.data(), data.size());
        } else {
          lua_checkstack(L, 5);
          lua_newtable(L);
          lua_pushstring(L, "verbatim_string");
          lua_newtable(L);
          lua_pushstring(L, "string");
          std::string_view text = data.size() >= 4 ? data.substr(4) : std::string_view();
          lua_pushlstring(L, text.data(), text.size());
          lua_settable(L, -3);
          lua_pushstring(L, "format");
          lua_pushlstring(L, data.data(), std::min<size_t>(3, data.size()));
          lua_settable(L, -3);
          lua_settable(L, -3);
        }
        break;
      }
      case '+':
      case '-':
        if (!L) break;
        lua_checkstack(L, 3);
        lua_newtable(L);
        lua_pushstring(L, type == '+' ? "ok" : "err");
        lua_pushlstring(L, line.data(), line.size());
        lua_settable(L, -3);
        if (type == '-') {
          // The command's error was counted when it was replied; passed on by the script (raised
          // or returned) it is not counted again.
          lua_pushstring(L, "ignore_error_stats_update");
          lua_pushboolean(L, 1);
          lua_settable(L, -3);
        }
        break;
      case '*':
      case '~':
      case '>': {
        int64_t n = ParseLength(line);
        if (n < 0) {
          if (L) lua_pushboolean(L, 0);
          break;
        }
        if (type == '~') {
          if (L) {
            lua_checkstack(L, 4);
            lua_newtable(L);
            lua_pushstring(L, "set");
            lua_newtable(L);
          }
          for (int64_t i = 0; i < n; ++i) {
            Push(L);
            if (L) {
              lua_pushboolean(L, 1);
              lua_settable(L, -3);
            }
          }
          if (L) lua_settable(L, -3);
          break;
        }
        if (L) {
          lua_checkstack(L, 3);
          lua_newtable(L);
        }
        for (int64_t i = 0; i < n; ++i) {
          if (L) lua_pushnumber(L, static_cast<lua_Number>(i + 1));
          Push(L);
          if (L) lua_settable(L, -3);
        }
        break;
      }
      case '%': {
        int64_t n = ParseLength(line);
        if (L) {
          lua_checkstack(L, 4);
          lua_newtable(L);
          lua_pushstring(L, "map");
          lua_newtable(L);
        }
        for (int64_t i = 0; i < n; ++i) {
          Push(L);
          Push(L);
          if (L) lua_settable(L, -3);
        }
        if (L) lua_settable(L, -3);
        break;
      }
      case '|': {
        // Attributes are not shown to scripts: skip them, then read the reply they annotate.
        int64_t n = ParseLength(line);
        for (int64_t i = 0; i < 2 * n; ++i) Push(nullptr);
        Push(L);
        break;
      }
      case '_':
        if (L) lua_pushnil(L);
        break;
      case '#':
        if (L) lua_pushboolean(L, !line.empty() && line[0] == 't');
        break;
      case ',': {
        if (!L) break;
        double d = 0;
        if (line == "inf") {
          d = HUGE_VAL;
        } else if (line == "-inf") {
          d = -HUGE_VAL;
        } else {
          d = std::strtod(std::string(line).c_str(), nullptr);
        }
        lua_checkstack(L, 3);
        lua_newtable(L);
        lua_pushstring(L, "double");
        lua_pushnumber(L, d);
        lua_settable(L, -3);
        break;
      }
      case '(':
        if (!L) break;
        lua_checkstack(L, 3);
        lua_newtable(L);
        lua_pushstring(L, "big_number");
        lua_pushlstring(L, line.data(), line.size());
        lua_settable(L, -3);
        break;
      default:
        if (L) lua_pushnil(L);
    }
  }

 private:
  std::string_view Line() {
    size_t end = buf_.find("\r\n", pos_);
    if (end == std::string_view::npos) end = buf_.size();
    std::string_view line = buf_.substr(pos_, end - pos_);
    pos_ = std::min(buf_.size(), end + 2);
    return line;
  }

  std::string_view buf_;
  size_t pos_ = 0;
};

// Reads t[field] (raw) onto the stack and returns its type.
int RawField(lua_State* L, const char* field) {
  lua_pushstring(L, field);
  lua_rawget(L, -2);
  return lua_type(L, -1);
}

std::string NoNewlines(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

void PushReply(lua_State* L, std::string_view resp) {
  ReplyReader reader(resp);
  reader.Push(L);
}

void WriteReply(lua_State* L, int script_resp, protocol::ReplyBuilder& reply) {
  if (!lua_checkstack(L, 4)) {
    reply.Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      reply.Bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1)) {
          reply.Integer(1);
        } else {
          reply.Null();
        }
      } else {
        reply.Bool(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER:
      reply.Integer(static_cast<int64_t>(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      if (RawField(L, "err") == LUA_TSTRING) {
        std::string msg = lua_tostring(L, -1);
        lua_pop(L, 1);
        bool counted =
            RawField(L, "ignore_error_stats_update") == LUA_TBOOLEAN && lua_toboolean(L, -1);
        lua_pop(L, 2);
        if (!msg.empty() && msg[0] == '-') msg.erase(0, 1);
        if (counted) {
          reply.ErrorCountedElsewhere(msg);
        } else {
          reply.Error(msg);
        }
        return;
      }
      lua_pop(L, 1);
      if (RawField(L, "ok") == LUA_TSTRING) {
        size_t len;
        const char* s = lua_tolstring(L, -1, &len);
        reply.SimpleString(NoNewlines(std::string(s, len)));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (RawField(L, "double") == LUA_TNUMBER) {
        reply.Double(lua_tonumber(L, -1));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (RawField(L, "big_number") == LUA_TSTRING) {
        size_t len;
        const char* s = lua_tolstring(L, -1, &len);
        reply.BigNumber(NoNewlines(std::string(s, len)));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (RawField(L, "verbatim_string") == LUA_TTABLE) {
        bool has_format = RawField(L, "format") == LUA_TSTRING;
        std::string format = has_format ? lua_tostring(L, -1) : "";
        lua_pop(L, 1);
        if (has_format && RawField(L, "string") == LUA_TSTRING) {
          size_t len;
          const char* s = lua_tolstring(L, -1, &len);
          reply.Verbatim(std::string_view(s, len), format);
          lua_pop(L, 3);
          return;
        }
        if (has_format) lua_pop(L, 1);
      }
      lua_pop(L, 1);
      if (RawField(L, "map") == LUA_TTABLE) {
        size_t mark = reply.BeginDeferred();
        int64_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          WriteReply(L, script_resp, reply);  // key
          WriteReply(L, script_resp, reply);  // value
          ++n;
        }
        reply.EndDeferredMap(mark, n);
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (RawField(L, "set") == LUA_TTABLE) {
        std::string members;
        protocol::ReplyBuilder inner(&members);
        inner.set_resp3(reply.resp3());
        int64_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          WriteReply(L, script_resp, inner);
          ++n;
        }
        reply.SetLen(n);
        reply.buffer()->append(members);
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      size_t mark = reply.BeginDeferred();
      int64_t n = 0;
      for (int i = 1;; ++i) {
        lua_pushnumber(L, i);
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TNIL) {
          lua_pop(L, 1);
          break;
        }
        WriteReply(L, script_resp, reply);
        ++n;
      }
      reply.EndDeferredArray(mark, n);
      break;
    }
    default:
      reply.Null();
  }
  lua_pop(L, 1);
}

}  // namespace weir::scripting
