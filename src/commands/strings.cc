// The string family: GET/SET and their variants, counters, ranges and LCS.
#include "common/strings.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/numbers.h"
#include "protocol/errors.h"
#include "types/lcs.h"

namespace weir::commands {
namespace {

using engine::Entry;
using engine::ExpireMode;
using engine::ObjType;
namespace errors = protocol::errors;

// ---- Argument parsing ----

enum SetFlag : uint32_t {
  kNx = 1,
  kXx = 2,
  kGet = 4,
  kKeepTtl = 8,
  kPersist = 16,
  kEx = 32,
  kPx = 64,
  kExAt = 128,
  kPxAt = 256,
};
constexpr uint32_t kAnyExpire = kEx | kPx | kExAt | kPxAt;

struct ExtendedArgs {
  uint32_t flags = 0;
  std::string_view expire;  // the EX/PX/EXAT/PXAT argument
};

enum class CommandKind { kSet, kGetEx };

// Redis's parseExtendedStringArgumentsOrReply: options may repeat, but conflicting ones are a
// syntax error.
bool ParseExtended(CommandContext& ctx, size_t first, CommandKind kind, ExtendedArgs* out) {
  uint32_t& f = out->flags;
  const bool set = kind == CommandKind::kSet;
  for (size_t j = first; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool has_next = j + 1 < ctx.argc();
    auto expire_opt = [&](uint32_t flag) {
      if ((f & (kKeepTtl | kPersist)) || (f & kAnyExpire & ~flag) || !has_next) return false;
      f |= flag;
      out->expire = ctx.arg(++j);
      return true;
    };
    bool ok;
    if (EqualsIgnoreCase(opt, "nx")) {
      ok = set && !(f & kXx);
      if (ok) f |= kNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      ok = set && !(f & kNx);
      if (ok) f |= kXx;
    } else if (EqualsIgnoreCase(opt, "get")) {
      ok = set;
      if (ok) f |= kGet;
    } else if (EqualsIgnoreCase(opt, "keepttl")) {
      ok = set && !(f & (kPersist | kAnyExpire));
      if (ok) f |= kKeepTtl;
    } else if (EqualsIgnoreCase(opt, "persist")) {
      ok = !set && !(f & (kKeepTtl | kAnyExpire));
      if (ok) f |= kPersist;
    } else if (EqualsIgnoreCase(opt, "ex")) {
      ok = expire_opt(kEx);
    } else if (EqualsIgnoreCase(opt, "px")) {
      ok = expire_opt(kPx);
    } else if (EqualsIgnoreCase(opt, "exat")) {
      ok = expire_opt(kExAt);
    } else if (EqualsIgnoreCase(opt, "pxat")) {
      ok = expire_opt(kPxAt);
    } else {
      ok = false;
    }
    if (!ok) {
      ReplySyntaxError(ctx);
      return false;
    }
  }
  return true;
}

void ReplyInvalidExpire(CommandContext& ctx) {
  ctx.reply.Error(StrCat("ERR invalid expire time in '", ctx.spec.FullName(), "' command"));
}

// An EX/PX/EXAT/PXAT argument as an absolute unix time in ms (Redis's
// getExpireMillisecondsOrReply): must be positive and must not overflow.
bool ExpireAtMs(CommandContext& ctx, std::string_view arg, bool seconds, bool relative,
                int64_t* at_ms) {
  int64_t v;
  if (!IntArg(ctx, arg, &v)) return false;
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
    ReplyInvalidExpire(ctx);
    return false;
  }
  if (seconds) v *= 1000;
  if (relative) {
    if (v > INT64_MAX - ctx.db.now_ms()) {
      ReplyInvalidExpire(ctx);
      return false;
    }
    v += ctx.db.now_ms();
  }
  *at_ms = v;
  return true;
}

bool ExpireFromFlags(CommandContext& ctx, const ExtendedArgs& a, int64_t* at_ms) {
  if (!(a.flags & kAnyExpire)) return true;
  return ExpireAtMs(ctx, a.expire, a.flags & (kEx | kExAt), a.flags & (kEx | kPx), at_ms);
}

// The integer value of a string entry, as Redis's getLongLongFromObject (no spaces, no
// overflow, at most 20 characters... any valid int64 text).
bool EntryInt(const Entry* e, int64_t* v) {
  std::string_view s = e->value();
  return ParseInt64(s, v);
}

// Redis's event names for the string writes.
constexpr KeyEvent kSetEvent{kNotifyString, "set"};
constexpr KeyEvent kExpireEvent{kNotifyGeneric, "expire"};
constexpr KeyEvent kPersistEvent{kNotifyGeneric, "persist"};
constexpr KeyEvent kDelEvent{kNotifyGeneric, "del"};

// INCR/DECR/INCRBY/DECRBY all announce "incrby", as in Redis.
void SetInt(CommandContext& ctx, std::string_view key, Entry* e, int64_t v) {
  constexpr KeyEvent kIncrBy{kNotifyString, "incrby"};
  char buf[24];
  int len = FormatInt64(v, buf);
  std::string_view text(buf, len);
  if (e != nullptr) {
    ctx.db.UpdateString(e, text);
    ctx.db.Modified(key, kIncrBy);
  } else {
    ctx.db.SetString(key, text, ExpireMode::kClear, -1, kIncrBy);
  }
}

// The longest string APPEND and SETRANGE may make: proto-max-bulk-len as in Redis, but never
// more than an entry holds (Redis would allocate it; Weir refuses rather than truncate).
int64_t MaxStringSize(CommandContext& ctx) {
  return std::min<int64_t>(ctx.server.config().Int("proto-max-bulk-len"), Entry::kMaxValueLen);
}

// ---- Handlers ----

void CmdGet(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kString)) return;
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(e->value());
}

void CmdSet(CommandContext& ctx) {
  ExtendedArgs a;
  if (!ParseExtended(ctx, 3, CommandKind::kSet, &a)) return;
  int64_t at = -1;
  if (!ExpireFromFlags(ctx, a, &at)) return;
  std::string_view key = ctx.arg(1);
  Entry* old = ctx.db.FindForWrite(key);
  if (a.flags & kGet) {
    if (!CheckType(ctx, old, ObjType::kString)) return;
    if (old == nullptr) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(old->value());
    }
  }
  bool found = old != nullptr;
  if (((a.flags & kNx) && found) || ((a.flags & kXx) && !found)) {
    if (!(a.flags & kGet)) ctx.reply.Null();
    return;
  }
  ExpireMode mode =
      at >= 0 ? ExpireMode::kSet : ((a.flags & kKeepTtl) ? ExpireMode::kKeep : ExpireMode::kClear);
  ctx.db.SetString(key, ctx.arg(2), mode, at, kSetEvent);
  if (at >= 0) ctx.db.Notify(key, kExpireEvent);
  if (!(a.flags & kGet)) ctx.reply.Ok();
}

void CmdSetNx(CommandContext& ctx) {
  if (ctx.db.FindForWrite(ctx.arg(1)) != nullptr) return ctx.reply.Integer(0);
  ctx.db.SetString(ctx.arg(1), ctx.arg(2), ExpireMode::kClear, -1, kSetEvent);
  ctx.reply.Integer(1);
}

// SETEX key seconds value / PSETEX key milliseconds value.
void SetExGeneric(CommandContext& ctx, bool seconds) {
  int64_t at;
  if (!ExpireAtMs(ctx, ctx.arg(2), seconds, true, &at)) return;
  ctx.db.SetString(ctx.arg(1), ctx.arg(3), ExpireMode::kSet, at, kSetEvent);
  ctx.db.Notify(ctx.arg(1), kExpireEvent);
  ctx.reply.Ok();
}
void CmdSetEx(CommandContext& ctx) { SetExGeneric(ctx, true); }
void CmdPSetEx(CommandContext& ctx) { SetExGeneric(ctx, false); }

void CmdGetSet(CommandContext& ctx) {
  Entry* e = ctx.db.FindForWrite(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kString)) return;
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(e->value());
  }
  ctx.db.SetString(ctx.arg(1), ctx.arg(2), ExpireMode::kClear, -1, kSetEvent);
}

void CmdGetDel(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kString)) return;
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(e->value());
  ctx.db.Delete(ctx.arg(1), kDelEvent);
}

void CmdGetEx(CommandContext& ctx) {
  ExtendedArgs a;
  if (!ParseExtended(ctx, 2, CommandKind::kGetEx, &a)) return;
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.Find(key);
  if (!CheckType(ctx, e, ObjType::kString)) return;
  if (e == nullptr) return ctx.reply.Null();
  // Redis checks the expire value only once the key is found to be a string: a bad or
  // out-of-range time on a missing key answers nil, on another type WRONGTYPE.
  int64_t at = -1;
  if (!ExpireFromFlags(ctx, a, &at)) return;
  ctx.reply.Bulk(e->value());
  if (at >= 0) {
    if (at <= ctx.db.now_ms()) {
      // A time in the past deletes the key, as Redis does (it propagates a DEL).
      ctx.db.Delete(key, kDelEvent);
    } else {
      ctx.db.SetExpire(e, at);
      ctx.db.Modified(key, kExpireEvent);
    }
  } else if ((a.flags & kPersist) && e->has_expire()) {
    ctx.db.SetExpire(e, -1);
    ctx.db.Modified(key, kPersistEvent);
  }
}

void CmdMGet(CommandContext& ctx) {
  ctx.reply.ArrayLen(static_cast<int64_t>(ctx.argc() - 1));
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Entry* e = ctx.db.Find(ctx.arg(i));
    if (e == nullptr || e->type != ObjType::kString) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(e->value());
    }
  }
}

void CmdMSet(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) {
    ReplyWrongArity(ctx);
    return;
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    ctx.db.SetString(ctx.arg(i), ctx.arg(i + 1), ExpireMode::kClear, -1, kSetEvent);
  }
  ctx.reply.Ok();
}

void CmdMSetNx(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) {
    ReplyWrongArity(ctx);
    return;
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    if (ctx.db.FindForWrite(ctx.arg(i)) != nullptr) return ctx.reply.Integer(0);
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    ctx.db.SetString(ctx.arg(i), ctx.arg(i + 1), ExpireMode::kClear, -1, kSetEvent);
  }
  ctx.reply.Integer(1);
}

void CmdAppend(CommandContext& ctx) {
  std::string_view key = ctx.arg(1), tail = ctx.arg(2);
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kString)) return;
  constexpr KeyEvent kAppend{kNotifyString, "append"};
  if (e == nullptr) {
    e = ctx.db.SetString(key, tail, ExpireMode::kClear, -1, kAppend);
    return ctx.reply.Integer(e->val_len);
  }
  size_t old_len = e->val_len;
  if (static_cast<int64_t>(old_len + tail.size()) > MaxStringSize(ctx)) {
    return ctx.reply.Error(errors::kStringTooLong);
  }
  e = ctx.db.ResizeString(e, old_len + tail.size());
  std::memcpy(e->val_data() + old_len, tail.data(), tail.size());
  e->encoding = engine::Encoding::kRaw;
  ctx.db.Modified(key, kAppend);
  ctx.reply.Integer(e->val_len);
}

void CmdStrlen(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kString)) return;
  ctx.reply.Integer(e == nullptr ? 0 : e->val_len);
}

void IncrGeneric(CommandContext& ctx, int64_t by) {
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kString)) return;
  int64_t v = 0;
  if (e != nullptr && !EntryInt(e, &v)) return ctx.reply.Error(errors::kNotInteger);
  int64_t result;
  if (__builtin_add_overflow(v, by, &result)) return ctx.reply.Error(errors::kOverflow);
  SetInt(ctx, key, e, result);
  ctx.reply.Integer(result);
}

void CmdIncr(CommandContext& ctx) { IncrGeneric(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrGeneric(ctx, -1); }
void CmdIncrBy(CommandContext& ctx) {
  int64_t by;
  if (!IntArg(ctx, ctx.arg(2), &by)) return;
  IncrGeneric(ctx, by);
}
void CmdDecrBy(CommandContext& ctx) {
  int64_t by;
  if (!IntArg(ctx, ctx.arg(2), &by)) return;
  if (by == INT64_MIN) return ctx.reply.Error("ERR decrement would overflow");
  IncrGeneric(ctx, -by);
}

void CmdIncrByFloat(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kString)) return;
  long double v = 0, by;
  if (e != nullptr && !ParseLongDouble(e->value(), &v)) return ctx.reply.Error(errors::kNotFloat);
  if (!ParseLongDouble(ctx.arg(2), &by)) return ctx.reply.Error(errors::kNotFloat);
  long double result = v + by;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(errors::kIncrFloatNan);
  std::string text = FormatLongDouble(result);
  constexpr KeyEvent kIncrByFloat{kNotifyString, "incrbyfloat"};
  Entry* stored;
  if (e != nullptr) {
    stored = ctx.db.UpdateString(e, text);
    ctx.db.Modified(key, kIncrByFloat);
  } else {
    stored = ctx.db.SetString(key, text, ExpireMode::kClear, -1, kIncrByFloat);
  }
  // Redis stores the formatted result as a plain string object without trying the integer
  // encoding, so "3" after INCRBYFLOAT is embstr (refcount 1), not a shared integer.
  stored->encoding = text.size() <= 44 ? engine::Encoding::kEmbStr : engine::Encoding::kRaw;
  ctx.reply.Bulk(text);
}

void CmdSetRange(CommandContext& ctx) {
  std::string_view key = ctx.arg(1), value = ctx.arg(3);
  int64_t offset;
  if (!IntArg(ctx, ctx.arg(2), &offset)) return;
  if (offset < 0) return ctx.reply.Error("ERR offset is out of range");
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kString)) return;
  size_t old_len = e == nullptr ? 0 : e->val_len;
  if (value.empty()) return ctx.reply.Integer(static_cast<int64_t>(old_len));
  if (offset > MaxStringSize(ctx) - static_cast<int64_t>(value.size())) {
    return ctx.reply.Error(errors::kStringTooLong);
  }
  size_t new_len = std::max(old_len, static_cast<size_t>(offset) + value.size());
  constexpr KeyEvent kSetRange{kNotifyString, "setrange"};
  // A created key is recorded once, by SetString ("new"); "setrange" follows it, as in Redis.
  const bool created = e == nullptr;
  if (created) e = ctx.db.SetString(key, "", ExpireMode::kClear, -1, KeyEvent{});
  e = ctx.db.ResizeString(e, new_len);
  if (static_cast<size_t>(offset) > old_len) {
    std::memset(e->val_data() + old_len, 0, offset - old_len);
  }
  std::memcpy(e->val_data() + offset, value.data(), value.size());
  e->encoding = engine::Encoding::kRaw;
  if (created) {
    ctx.db.Notify(key, kSetRange);
  } else {
    ctx.db.Modified(key, kSetRange);
  }
  ctx.reply.Integer(static_cast<int64_t>(new_len));
}

void CmdGetRange(CommandContext& ctx) {
  int64_t start, end;
  if (!IntArg(ctx, ctx.arg(2), &start) || !IntArg(ctx, ctx.arg(3), &end)) return;
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kString)) return;
  if (e == nullptr) return ctx.reply.Bulk("");
  std::string_view s = e->value();
  int64_t len = static_cast<int64_t>(s.size());
  // Redis 7.2: a range of two negatives with start > end is empty before any clamping.
  if (start < 0 && end < 0 && start > end) return ctx.reply.Bulk("");
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return ctx.reply.Bulk("");
  ctx.reply.Bulk(s.substr(start, end - start + 1));
}

void CmdLcs(CommandContext& ctx) {
  Entry* ea = ctx.db.Find(ctx.arg(1));
  Entry* eb = ctx.db.Find(ctx.arg(2));
  if ((ea != nullptr && ea->type != ObjType::kString) ||
      (eb != nullptr && eb->type != ObjType::kString)) {
    return ctx.reply.Error("ERR The specified keys must contain string values");
  }
  bool get_len = false, get_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "idx")) {
      get_idx = true;
    } else if (EqualsIgnoreCase(opt, "len")) {
      get_len = true;
    } else if (EqualsIgnoreCase(opt, "withmatchlen")) {
      with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "minmatchlen") && more) {
      if (!IntArg(ctx, ctx.arg(++j), &min_match_len)) return;
      if (min_match_len < 0) min_match_len = 0;
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  if (get_len && get_idx) {
    return ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
  }
  std::string_view a = ea ? ea->value() : std::string_view();
  std::string_view b = eb ? eb->value() : std::string_view();
  types::LcsOptions opts;
  opts.want_string = !get_len;
  opts.want_matches = get_idx;
  opts.min_match_len = min_match_len;
  opts.max_table_bytes = static_cast<uint64_t>(MaxStringSize(ctx));
  types::LcsResult r = types::ComputeLcs(a, b, opts);
  switch (r.status) {
    case types::LcsStatus::kOk:
      break;
    case types::LcsStatus::kStringTooLong:
      return ctx.reply.Error("ERR String too long for LCS");
    case types::LcsStatus::kTableTooLarge:
      return ctx.reply.Error(
          "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    case types::LcsStatus::kOutOfMemory:
      return ctx.reply.Error("ERR Insufficient memory, failed allocating transient memory for LCS");
  }
  if (get_len) return ctx.reply.Integer(static_cast<int64_t>(r.length));
  if (!get_idx) return ctx.reply.Bulk(r.lcs);
  ctx.reply.MapLen(2);
  ctx.reply.Bulk("matches");
  ctx.reply.ArrayLen(static_cast<int64_t>(r.matches.size()));
  for (const auto& m : r.matches) {
    ctx.reply.ArrayLen(with_match_len ? 3 : 2);
    ctx.reply.ArrayLen(2);
    ctx.reply.Integer(static_cast<int64_t>(m.a_start));
    ctx.reply.Integer(static_cast<int64_t>(m.a_end));
    ctx.reply.ArrayLen(2);
    ctx.reply.Integer(static_cast<int64_t>(m.b_start));
    ctx.reply.Integer(static_cast<int64_t>(m.b_end));
    if (with_match_len) ctx.reply.Integer(static_cast<int64_t>(m.length));
  }
  ctx.reply.Bulk("len");
  ctx.reply.Integer(static_cast<int64_t>(r.length));
}

const std::vector<KeySpec> kOneKeyRO = {{1, 0, 1, {"RO", "ACCESS"}}};
const std::vector<KeySpec> kOneKeyRW = {{1, 0, 1, {"RW", "ACCESS", "UPDATE"}}};
const std::vector<KeySpec> kOneKeyOW = {{1, 0, 1, {"OW", "UPDATE"}}};

}  // namespace

void RegisterStringCommands(CommandRegistry& r) {
  constexpr uint32_t kW = kWrite | kDenyOom;
  r.Add({"get", 2, kReadOnly | kFast, "read string fast", kOneKeyRO, CmdGet,
         "Returns the string value of a key.", "1.0.0", "string", "O(1)"});
  r.Add(
      {"set",
       -3,
       kW,
       "write string slow",
       {{1, 0, 1, {"RW", "ACCESS", "UPDATE", "VARIABLE_FLAGS"}}},
       CmdSet,
       "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
       "1.0.0",
       "string",
       "O(1)"});
  r.Add({"setnx",
         3,
         kW | kFast,
         "write string fast",
         {{1, 0, 1, {"OW", "INSERT"}}},
         CmdSetNx,
         "Set the string value of a key only when the key doesn't exist.",
         "1.0.0",
         "string",
         "O(1)"});
  r.Add({"setex", 4, kW, "write string slow", kOneKeyOW, CmdSetEx,
         "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
         "2.0.0", "string", "O(1)"});
  r.Add({"psetex", 4, kW, "write string slow", kOneKeyOW, CmdPSetEx,
         "Sets both string value and expiration time in milliseconds of a key. The key is created "
         "if it doesn't exist.",
         "2.6.0", "string", "O(1)"});
  r.Add({"getset", 3, kW | kFast, "write string fast", kOneKeyRW, CmdGetSet,
         "Returns the previous string value of a key after setting it to a new value.", "1.0.0",
         "string", "O(1)"});
  r.Add({"getdel",
         2,
         kWrite | kFast,
         "write string fast",
         {{1, 0, 1, {"RW", "ACCESS", "DELETE"}}},
         CmdGetDel,
         "Returns the string value of a key after deleting the key.",
         "6.2.0",
         "string",
         "O(1)"});
  r.Add({"getex", -2, kWrite | kFast, "write string fast", kOneKeyRW, CmdGetEx,
         "Returns the string value of a key after setting its expiration time.", "6.2.0", "string",
         "O(1)"});
  r.Add({"mget",
         -2,
         kReadOnly | kFast,
         "read string fast",
         {{1, -1, 1, {"RO", "ACCESS"}}},
         CmdMGet,
         "Atomically returns the string values of one or more keys.",
         "1.0.0",
         "string",
         "O(N) where N is the number of keys to retrieve."});
  r.Add({"mset",
         -3,
         kW,
         "write string slow",
         {{1, -1, 2, {"OW", "UPDATE"}}},
         CmdMSet,
         "Atomically creates or modifies the string values of one or more keys.",
         "1.0.1",
         "string",
         "O(N) where N is the number of keys to set."});
  r.Add({"msetnx",
         -3,
         kW,
         "write string slow",
         {{1, -1, 2, {"OW", "INSERT"}}},
         CmdMSetNx,
         "Atomically modifies the string values of one or more keys only when all keys don't "
         "exist.",
         "1.0.1",
         "string",
         "O(N) where N is the number of keys to set."});
  r.Add({"append",
         3,
         kW | kFast,
         "write string fast",
         {{1, 0, 1, {"RW", "INSERT"}}},
         CmdAppend,
         "Appends a string to the value of a key. Creates the key if it doesn't exist.",
         "2.0.0",
         "string",
         "O(1)"});
  r.Add({"strlen", 2, kReadOnly | kFast, "read string fast", kOneKeyRO, CmdStrlen,
         "Returns the length of a string value.", "2.2.0", "string", "O(1)"});
  r.Add({"incr", 2, kW | kFast, "write string fast", kOneKeyRW, CmdIncr,
         "Increments the integer value of a key by one. Uses 0 as initial value if the key "
         "doesn't exist.",
         "1.0.0", "string", "O(1)"});
  r.Add({"decr", 2, kW | kFast, "write string fast", kOneKeyRW, CmdDecr,
         "Decrements the integer value of a key by one. Uses 0 as initial value if the key "
         "doesn't exist.",
         "1.0.0", "string", "O(1)"});
  r.Add({"incrby", 3, kW | kFast, "write string fast", kOneKeyRW, CmdIncrBy,
         "Increments the integer value of a key by a number. Uses 0 as initial value if the key "
         "doesn't exist.",
         "1.0.0", "string", "O(1)"});
  r.Add({"decrby", 3, kW | kFast, "write string fast", kOneKeyRW, CmdDecrBy,
         "Decrements a number from the integer value of a key. Uses 0 as initial value if the "
         "key doesn't exist.",
         "1.0.0", "string", "O(1)"});
  r.Add({"incrbyfloat", 3, kW | kFast, "write string fast", kOneKeyRW, CmdIncrByFloat,
         "Increment the floating point value of a key by a number. Uses 0 as initial value if "
         "the key doesn't exist.",
         "2.6.0", "string", "O(1)"});
  r.Add({"setrange", 4, kW, "write string slow", kOneKeyRW, CmdSetRange,
         "Overwrites a part of a string value with another by an offset. Creates the key if it "
         "doesn't exist.",
         "2.2.0", "string", "O(1), not counting the time taken to copy the new string in place."});
  r.Add({"getrange", 4, kReadOnly, "read string slow", kOneKeyRO, CmdGetRange,
         "Returns a substring of the string stored at a key.", "2.4.0", "string",
         "O(N) where N is the length of the returned string."});
  r.Add({"substr", 4, kReadOnly, "read string slow", kOneKeyRO, CmdGetRange,
         "Returns a substring from a string value.", "1.0.0", "string",
         "O(N) where N is the length of the returned string."});
  r.Add({"lcs",
         -3,
         kReadOnly,
         "read string slow",
         {{1, 1, 1, {"RO", "ACCESS"}}},
         CmdLcs,
         "Finds the longest common substring.",
         "7.0.0",
         "string",
         "O(N*M) where N and M are the lengths of s1 and s2, respectively"});
}

}  // namespace weir::commands
