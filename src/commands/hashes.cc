// The hash family: HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL, HLEN,
// HSTRLEN, HEXISTS, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN.
// The structure and its encodings are types::Hash; this file parses, looks keys up and replies.
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "common/strings.h"
#include "protocol/errors.h"
#include "types/hash.h"

namespace weir::commands {
namespace {

using engine::Entry;
using engine::ObjType;
using types::Hash;
using types::HashLimits;
namespace errors = protocol::errors;

// ---- Shared helpers ----

// The encoding limits from the configuration, read through cached handles (this runs for every
// HSET).
HashLimits Limits(CommandContext& ctx) {
  thread_local ConfigHandles<2> handles;
  auto v =
      handles.Read(ctx.server.config(), {"hash-max-listpack-entries", "hash-max-listpack-value"});
  return {static_cast<size_t>(v[0]), static_cast<size_t>(v[1])};
}

// The hash at key for reading: nullptr when missing or (after replying WRONGTYPE) of another
// type; *wrong_type tells the two apart.
Hash* ReadHash(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return TypedValue<Hash>(ctx, ctx.db.Find(key), ObjType::kHash, wrong_type);
}

// A hash about to be written: the stored one, or a new one that Commit stores (Redis's
// hashTypeLookupWriteOrCreate, except that a hash no write reached is never stored).
class HashWrite {
 public:
  // False after replying WRONGTYPE.
  bool Open(CommandContext& ctx, std::string_view key) {
    Entry* e = ctx.db.FindForWrite(key);
    if (!CheckType(ctx, e, ObjType::kHash)) return false;
    if (e != nullptr) {
      hash_ = e->As<Hash>();
    } else {
      created_ = std::make_unique<Hash>();
      hash_ = created_.get();
    }
    return true;
  }
  Hash* operator->() const { return hash_; }
  // Stores a new hash ("new" then event), or records the change of the stored one (WATCH,
  // dirtiness, event).
  void Commit(CommandContext& ctx, std::string_view key, const KeyEvent& event) {
    if (created_ != nullptr) {
      ctx.db.SetObject(key, ObjType::kHash, created_.release(), event);
    } else {
      ctx.db.Modified(key, event);
    }
  }

 private:
  Hash* hash_ = nullptr;
  std::unique_ptr<Hash> created_;
};

// ---- HSET HSETNX HMSET ----

constexpr KeyEvent kHSetEvent{kNotifyHash, "hset"};  // HSET, HMSET and HSETNX alike

void SetPairs(CommandContext& ctx, bool reply_added) {
  if (ctx.argc() % 2 == 1) return ReplyWrongArity(ctx);
  std::string_view key = ctx.arg(1);
  HashWrite hash;
  if (!hash.Open(ctx, key)) return;
  const HashLimits limits = Limits(ctx);
  ArgList pairs = ctx.args.subspan(2);
  hash->PrepareForSet(pairs, limits);
  int64_t added = 0;
  for (size_t i = 0; i < pairs.size(); i += 2) added += hash->Set(pairs[i], pairs[i + 1], limits);
  hash.Commit(ctx, key, kHSetEvent);
  // Redis counts every pair as a change.
  ctx.db.engine().AddDirty(static_cast<int64_t>(pairs.size() / 2) - 1);
  if (reply_added) return ctx.reply.Integer(added);
  ctx.reply.Ok();
}

void CmdHSet(CommandContext& ctx) { SetPairs(ctx, true); }
void CmdHMSet(CommandContext& ctx) { SetPairs(ctx, false); }

void CmdHSetNx(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  HashWrite hash;
  if (!hash.Open(ctx, key)) return;
  if (hash->Contains(ctx.arg(2))) return ctx.reply.Integer(0);
  const HashLimits limits = Limits(ctx);
  hash->PrepareForSet(ctx.args.subspan(2, 2), limits);
  hash->Set(ctx.arg(2), ctx.arg(3), limits);
  hash.Commit(ctx, key, kHSetEvent);
  ctx.reply.Integer(1);
}

// ---- HGET HMGET HGETALL HKEYS HVALS HLEN HSTRLEN HEXISTS ----

void CmdHGet(CommandContext& ctx) {
  bool wrong_type;
  Hash* hash = ReadHash(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  std::string_view value;
  if (hash == nullptr || !hash->Get(ctx.arg(2), &value)) return ctx.reply.Null();
  ctx.reply.Bulk(value);
}

void CmdHMGet(CommandContext& ctx) {
  bool wrong_type;
  Hash* hash = ReadHash(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  // A missing key is an empty hash: one null per field.
  ctx.reply.ArrayLen(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view value;
    if (hash != nullptr && hash->Get(ctx.arg(i), &value)) {
      ctx.reply.Bulk(value);
    } else {
      ctx.reply.Null();
    }
  }
}

enum class Part { kFields, kValues, kBoth };

void ReplyAll(CommandContext& ctx, Part part) {
  bool wrong_type;
  Hash* hash = ReadHash(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  int64_t size = hash == nullptr ? 0 : static_cast<int64_t>(hash->Size());
  // HGETALL is a map in RESP3; HKEYS and HVALS are arrays.
  if (part == Part::kBoth) {
    ctx.reply.MapLen(size);
  } else {
    ctx.reply.ArrayLen(size);
  }
  if (hash == nullptr) return;
  hash->ForEach([&](std::string_view field, std::string_view value) {
    if (part != Part::kValues) ctx.reply.Bulk(field);
    if (part != Part::kFields) ctx.reply.Bulk(value);
  });
}

void CmdHGetAll(CommandContext& ctx) { ReplyAll(ctx, Part::kBoth); }
void CmdHKeys(CommandContext& ctx) { ReplyAll(ctx, Part::kFields); }
void CmdHVals(CommandContext& ctx) { ReplyAll(ctx, Part::kValues); }

void CmdHLen(CommandContext& ctx) {
  bool wrong_type;
  Hash* hash = ReadHash(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(hash == nullptr ? 0 : static_cast<int64_t>(hash->Size()));
}

void CmdHStrLen(CommandContext& ctx) {
  bool wrong_type;
  Hash* hash = ReadHash(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  std::string_view value;
  bool found = hash != nullptr && hash->Get(ctx.arg(2), &value);
  ctx.reply.Integer(found ? static_cast<int64_t>(value.size()) : 0);
}

void CmdHExists(CommandContext& ctx) {
  bool wrong_type;
  Hash* hash = ReadHash(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(hash != nullptr && hash->Contains(ctx.arg(2)) ? 1 : 0);
}

// ---- HDEL ----

void CmdHDel(CommandContext& ctx) {
  constexpr KeyEvent kHDelEvent{kNotifyHash, "hdel"};
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kHash)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  Hash* hash = e->As<Hash>();
  int64_t deleted = 0;
  bool key_removed = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (!hash->Delete(ctx.arg(i))) continue;
    ++deleted;
    if (hash->Size() == 0) {
      // Records the change itself: "hdel", then "del" as Redis announces it.
      ctx.db.Delete(key, kHDelEvent);
      ctx.db.Notify(key, {kNotifyGeneric, "del"});
      key_removed = true;
      break;
    }
  }
  if (deleted > 0) {
    if (!key_removed) ctx.db.Modified(key, kHDelEvent);
    ctx.db.engine().AddDirty(deleted - 1);
  }
  ctx.reply.Integer(deleted);
}

// ---- HINCRBY HINCRBYFLOAT ----

void CmdHIncrBy(CommandContext& ctx) {
  std::string_view key = ctx.arg(1), field = ctx.arg(2);
  int64_t by;
  if (!IntArg(ctx, ctx.arg(3), &by)) return;
  HashWrite hash;
  if (!hash.Open(ctx, key)) return;
  int64_t value = 0;
  std::string_view old;
  if (hash->Get(field, &old) && !ParseInt64(old, &value)) {
    return ctx.reply.Error("ERR hash value is not an integer");
  }
  if ((by < 0 && value < 0 && by < INT64_MIN - value) ||
      (by > 0 && value > 0 && by > INT64_MAX - value)) {
    return ctx.reply.Error(errors::kOverflow);
  }
  value += by;
  char buf[24];
  hash->Set(field, std::string_view(buf, FormatInt64(value, buf)), Limits(ctx));
  hash.Commit(ctx, key, {kNotifyHash, "hincrby"});
  ctx.reply.Integer(value);
}

void CmdHIncrByFloat(CommandContext& ctx) {
  std::string_view key = ctx.arg(1), field = ctx.arg(2);
  long double by;
  if (!ParseLongDouble(ctx.arg(3), &by)) return ctx.reply.Error(errors::kNotFloat);
  if (std::isnan(by) || std::isinf(by)) return ctx.reply.Error("ERR value is NaN or Infinity");
  HashWrite hash;
  if (!hash.Open(ctx, key)) return;
  long double value = 0;
  std::string_view old;
  if (hash->Get(field, &old) && !ParseLongDouble(old, &value)) {
    return ctx.reply.Error("ERR hash value is not a float");
  }
  value += by;
  if (std::isnan(value) || std::isinf(value)) return ctx.reply.Error(errors::kIncrFloatNan);
  std::string text = FormatLongDouble(value);
  hash->Set(field, text, Limits(ctx));
  hash.Commit(ctx, key, {kNotifyHash, "hincrbyfloat"});
  ctx.reply.Bulk(text);
}

// ---- HRANDFIELD ----

// One field (and its value): RESP3 nests each pair in an array of two, RESP2 flattens.
void ReplyRandomPair(CommandContext& ctx, std::string_view field, std::string_view value,
                     bool with_values) {
  if (with_values && ctx.reply.resp3()) ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(field);
  if (with_values) ctx.reply.Bulk(value);
}

void RandomFieldsWithCount(CommandContext& ctx, int64_t count_arg, bool with_values) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (e == nullptr) return ctx.reply.EmptyArray();
  if (!CheckType(ctx, e, ObjType::kHash)) return;
  const Hash* hash = e->As<Hash>();
  // A negative count allows repeats; a positive one asks for distinct fields.
  const bool distinct = count_arg >= 0;
  const size_t count =
      distinct ? static_cast<size_t>(count_arg) : 0 - static_cast<size_t>(count_arg);
  if (count == 0) return ctx.reply.EmptyArray();
  const size_t size = hash->Size();
  auto reply_len = [&](size_t n) {
    ctx.reply.ArrayLen(static_cast<int64_t>(with_values && !ctx.reply.resp3() ? n * 2 : n));
  };
  auto reply_pair = [&](std::string_view f, std::string_view v) {
    ReplyRandomPair(ctx, f, v, with_values);
  };
  if (!distinct || count == 1) {
    reply_len(count);
    return hash->RandomPairs(count, engine::RandomU64, reply_pair);
  }
  if (count >= size) {
    reply_len(size);
    return hash->ForEach(reply_pair);
  }
  reply_len(count);
  hash->DistinctRandomPairs(count, engine::RandomU64, reply_pair);
}

void CmdHRandField(CommandContext& ctx) {
  if (ctx.argc() >= 3) {
    int64_t count;
    if (!IntArg(ctx, ctx.arg(2), &count)) return;
    if (count == INT64_MIN) {
      return ctx.reply.Error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    bool with_values = ctx.argc() == 4;
    if (ctx.argc() > 4 || (with_values && !EqualsIgnoreCase(ctx.arg(3), "withvalues"))) {
      return ReplySyntaxError(ctx);
    }
    // Twice the count must still fit the reply length.
    if (with_values && (count < -INT64_MAX / 2 || count > INT64_MAX / 2)) {
      return ctx.reply.Error("ERR value is out of range");
    }
    return RandomFieldsWithCount(ctx, count, with_values);
  }
  bool wrong_type;
  Hash* hash = ReadHash(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  if (hash == nullptr) return ctx.reply.Null();
  std::string_view field, value;
  hash->RandomPair(engine::RandomU64, &field, &value);
  ctx.reply.Bulk(field);
}

// ---- HSCAN ----

void CmdHScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ScanCursorArg(ctx, ctx.arg(2), &cursor)) return;
  bool wrong_type;
  Hash* hash = ReadHash(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  // As Redis, a missing key answers before the options are looked at.
  if (hash == nullptr) return ReplyScan(ctx, 0, std::vector<std::string_view>());
  ScanOptions opts;
  if (!ScanOptionsArg(ctx, 3, &opts)) return;
  std::vector<std::string_view> found;  // field, value, field, value...
  int64_t visited = 0;
  auto collect = [&](std::string_view field, std::string_view value) {
    ++visited;
    if (!opts.Matches(field)) return;
    found.push_back(field);
    found.push_back(value);
  };
  // The small encoding returns everything at once with cursor 0; a table stops once COUNT
  // fields were visited, or after 10*COUNT steps (Redis's bound for a sparse table).
  int64_t steps = opts.MaxSteps();
  do {
    cursor = hash->Scan(cursor, collect);
  } while (cursor != 0 && steps-- > 0 && visited < opts.count);
  ReplyScan(ctx, cursor, found);
}

const std::vector<KeySpec> kKeyRO = {{1, 0, 1, {"RO"}}};
const std::vector<KeySpec> kKeyROAccess = {{1, 0, 1, {"RO", "ACCESS"}}};
const std::vector<KeySpec> kKeyRWUpdate = {{1, 0, 1, {"RW", "UPDATE"}}};
const std::vector<KeySpec> kKeyRWInsert = {{1, 0, 1, {"RW", "INSERT"}}};
const std::vector<KeySpec> kKeyRWDelete = {{1, 0, 1, {"RW", "DELETE"}}};
const std::vector<KeySpec> kKeyRWAccessUpdate = {{1, 0, 1, {"RW", "ACCESS", "UPDATE"}}};

}  // namespace

void RegisterHashCommands(CommandRegistry& r) {
  constexpr uint32_t kW = kWrite | kDenyOom;
  r.Add({"hset", -4, kW | kFast, "write hash fast", kKeyRWUpdate, CmdHSet,
         "Creates or modifies the value of a field in a hash.", "2.0.0", "hash",
         "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
         "command is called with multiple field/value pairs."});
  r.Add({"hsetnx", 4, kW | kFast, "write hash fast", kKeyRWInsert, CmdHSetNx,
         "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0", "hash",
         "O(1)"});
  r.Add({"hget", 3, kReadOnly | kFast, "read hash fast", kKeyROAccess, CmdHGet,
         "Returns the value of a field in a hash.", "2.0.0", "hash", "O(1)"});
  r.Add({"hmget", -3, kReadOnly | kFast, "read hash fast", kKeyROAccess, CmdHMGet,
         "Returns the values of all fields in a hash.", "2.0.0", "hash",
         "O(N) where N is the number of fields being requested."});
  r.Add({"hmset", -4, kW | kFast, "write hash fast", kKeyRWUpdate, CmdHMSet,
         "Sets the values of multiple fields.", "2.0.0", "hash",
         "O(N) where N is the number of fields being set."});
  r.Add({"hgetall", 2, kReadOnly, "read hash slow", kKeyROAccess, CmdHGetAll,
         "Returns all fields and values in a hash.", "2.0.0", "hash",
         "O(N) where N is the size of the hash.", nullptr, "nondeterministic_output_order"});
  r.Add({"hdel", -3, kWrite | kFast, "write hash fast", kKeyRWDelete, CmdHDel,
         "Deletes one or more fields and their values from a hash. Deletes the hash if no fields "
         "remain.",
         "2.0.0", "hash", "O(N) where N is the number of fields to be removed."});
  r.Add({"hlen", 2, kReadOnly | kFast, "read hash fast", kKeyRO, CmdHLen,
         "Returns the number of fields in a hash.", "2.0.0", "hash", "O(1)"});
  r.Add({"hstrlen", 3, kReadOnly | kFast, "read hash fast", kKeyRO, CmdHStrLen,
         "Returns the length of the value of a field.", "3.2.0", "hash", "O(1)"});
  r.Add({"hexists", 3, kReadOnly | kFast, "read hash fast", kKeyRO, CmdHExists,
         "Determines whether a field exists in a hash.", "2.0.0", "hash", "O(1)"});
  r.Add({"hkeys", 2, kReadOnly, "read hash slow", kKeyROAccess, CmdHKeys,
         "Returns all fields in a hash.", "2.0.0", "hash", "O(N) where N is the size of the hash.",
         nullptr, "nondeterministic_output_order"});
  r.Add({"hvals", 2, kReadOnly, "read hash slow", kKeyROAccess, CmdHVals,
         "Returns all values in a hash.", "2.0.0", "hash", "O(N) where N is the size of the hash.",
         nullptr, "nondeterministic_output_order"});
  r.Add({"hincrby", 4, kW | kFast, "write hash fast", kKeyRWAccessUpdate, CmdHIncrBy,
         "Increments the integer value of a field in a hash by a number. Uses 0 as initial value "
         "if the field doesn't exist.",
         "2.0.0", "hash", "O(1)"});
  r.Add({"hincrbyfloat", 4, kW | kFast, "write hash fast", kKeyRWAccessUpdate, CmdHIncrByFloat,
         "Increments the floating point value of a field by a number. Uses 0 as initial value if "
         "the field doesn't exist.",
         "2.6.0", "hash", "O(1)"});
  r.Add({"hrandfield", -2, kReadOnly, "read hash slow", kKeyROAccess, CmdHRandField,
         "Returns one or more random fields from a hash.", "6.2.0", "hash",
         "O(N) where N is the number of fields returned", nullptr, "nondeterministic_output"});
  r.Add({"hscan", -3, kReadOnly, "read hash slow", kKeyROAccess, CmdHScan,
         "Iterates over fields and values of a hash.", "2.8.0", "hash",
         "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
         "the cursor to return back to 0. N is the number of elements inside the collection.",
         nullptr, "nondeterministic_output"});
}

}  // namespace weir::commands
