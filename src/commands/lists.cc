// The list family: pushes and pops at both ends, indexed access, LINSERT/LREM/LTRIM/LPOS, moves
// between lists (LMOVE, RPOPLPUSH), multi-key pops (LMPOP) and their blocking forms.
#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/numbers.h"
#include "common/strings.h"
#include "protocol/errors.h"
#include "types/list.h"

namespace weir::commands {
namespace {

using engine::Entry;
using engine::ObjType;
using types::List;
using End = List::End;
namespace errors = protocol::errors;

// ---- Argument parsing -----------------------------------------------------------------------

// Redis's getPositiveLongFromObjectOrReply: one message for both a non-integer and a negative
// value (the default one when the command gives none).
bool NonNegativeArg(CommandContext& ctx, std::string_view s, int64_t* out,
                    std::string_view err = "ERR value is out of range, must be positive") {
  return IntArgInRange(ctx, s, 0, INT64_MAX, out, err);
}

// LEFT / RIGHT (LMOVE, BLMOVE, LMPOP, BLMPOP).
bool WhereArg(CommandContext& ctx, std::string_view s, End* out) {
  if (EqualsIgnoreCase(s, "left")) {
    *out = End::kHead;
  } else if (EqualsIgnoreCase(s, "right")) {
    *out = End::kTail;
  } else {
    ReplySyntaxError(ctx);
    return false;
  }
  return true;
}

// list-max-listpack-size, read on every push.
int ListFill(CommandContext& ctx) {
  thread_local ConfigHandles<1> handles;
  return static_cast<int>(handles.Read(ctx.server.config(), {"list-max-listpack-size"})[0]);
}

// ---- Shared operations ------------------------------------------------------------------------

// Redis counts list writes per element (server.dirty): each Modified/Delete counts one, so a
// command adds the difference. A difference can be negative (LMOVE counts one change for two
// keys; an LTRIM that removes nothing counts none).
void AddDirty(CommandContext& ctx, int64_t n) {
  if (n != 0) ctx.db.engine().AddDirty(n);
}

void ReplyValue(CommandContext& ctx, const List::Value& v) {
  char buf[types::Listpack::kIntBufSize];
  ctx.reply.Bulk(v.ToString(buf));
}

// The list at key for a write (null if missing); replies WRONGTYPE and sets *wrong_type for
// another type.
List* ListForWrite(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  Entry* e = ctx.db.FindForWrite(key);
  *wrong_type = !CheckType(ctx, e, ObjType::kList);
  if (e == nullptr || *wrong_type) return nullptr;
  List* l = e->As<List>();
  l->set_fill(ListFill(ctx));
  return l;
}

// The keyspace events of list writes, as Redis names them.
constexpr KeyEvent kDelEvent{kNotifyGeneric, "del"};
KeyEvent PopEvent(End end) { return {kNotifyList, end == End::kHead ? "lpop" : "rpop"}; }
KeyEvent PushEvent(End end) { return {kNotifyList, end == End::kHead ? "lpush" : "rpush"}; }

// After elements were taken from the list at key: records event (the pop, "lrem", "ltrim");
// an emptied list is deleted and also announces "del", as Redis does.
void AfterRemoval(CommandContext& ctx, std::string_view key, const List* l, const KeyEvent& event) {
  if (l->Size() == 0) {
    ctx.db.Delete(key, event);
    ctx.db.Notify(key, kDelEvent);
  } else {
    ctx.db.Modified(key, event);
  }
}

// Pushes values onto the list at key, creating it ("new" then "lpush"/"rpush"); returns the
// list.
List* PushTo(CommandContext& ctx, std::string_view key, List* l, ArgList values, End end) {
  AddDirty(ctx, static_cast<int64_t>(values.size()) - 1);
  if (l != nullptr) {
    l->PushAll(values, end);
    ctx.db.Modified(key, PushEvent(end));
    return l;
  }
  auto* created = new List(ListFill(ctx));
  created->PushAll(values, end);
  ctx.db.SetObject(key, ObjType::kList, created, PushEvent(end));
  return created;
}

// Replies [key, [elements...]] for up to count elements popped from `end` (LMPOP, BLMPOP).
void PopWithKey(CommandContext& ctx, std::string_view key, List* l, End end, int64_t count) {
  size_t n = std::min<size_t>(static_cast<size_t>(count), l->Size());
  ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(key);
  ctx.reply.ArrayLen(static_cast<int64_t>(n));
  l->Pop(end, n, [&](const List::Value& v) { ReplyValue(ctx, v); });
  AfterRemoval(ctx, key, l, PopEvent(end));
  AddDirty(ctx, static_cast<int64_t>(n) - 1);
}

// Pops from src and pushes onto dst, replying the element (LMOVE and friends). The caller
// checked that src is a non-empty list. Returns false after replying WRONGTYPE for dst.
bool MoveElement(CommandContext& ctx, std::string_view src_key, List* src, std::string_view dst_key,
                 End from, End to) {
  bool wrong_type;
  List* dst = ListForWrite(ctx, dst_key, &wrong_type);
  if (wrong_type) return false;
  if (src == dst) {
    // The same key rotates: the element goes back onto the list it came from. Redis pops,
    // pushes (announcing the push) and then announces the pop.
    std::string value = src->Rotate(from, to);
    ctx.db.Modified(src_key, PushEvent(to));
    ctx.db.Notify(src_key, PopEvent(from));
    ctx.reply.Bulk(value);
    return true;
  }
  std::string value = src->PopOne(from);
  std::string_view one[] = {value};
  PushTo(ctx, dst_key, dst, one, to);
  AfterRemoval(ctx, src_key, src, PopEvent(from));
  AddDirty(ctx, -1);  // one change for the move, as Redis counts it
  ctx.reply.Bulk(value);
  return true;
}

// ---- Pushes -----------------------------------------------------------------------------------

void Push(CommandContext& ctx, End end, bool only_existing) {
  bool wrong_type;
  std::string_view key = ctx.arg(1);
  List* l = ListForWrite(ctx, key, &wrong_type);
  if (wrong_type) return;
  if (l == nullptr && only_existing) return ctx.reply.Integer(0);
  l = PushTo(ctx, key, l, ctx.args.subspan(2), end);
  ctx.reply.Integer(static_cast<int64_t>(l->Size()));
}

void CmdLPush(CommandContext& ctx) { Push(ctx, End::kHead, false); }
void CmdRPush(CommandContext& ctx) { Push(ctx, End::kTail, false); }
void CmdLPushX(CommandContext& ctx) { Push(ctx, End::kHead, true); }
void CmdRPushX(CommandContext& ctx) { Push(ctx, End::kTail, true); }

// LINSERT key BEFORE|AFTER pivot element
void CmdLInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "before")) {
    after = false;
  } else {
    return ReplySyntaxError(ctx);
  }
  bool wrong_type;
  List* l = ListForWrite(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  if (l == nullptr) return ctx.reply.Integer(0);
  if (!l->Insert(ctx.arg(3), ctx.arg(4), after)) return ctx.reply.Integer(-1);
  ctx.db.Modified(ctx.arg(1), {kNotifyList, "linsert"});
  ctx.reply.Integer(static_cast<int64_t>(l->Size()));
}

// ---- Pops -------------------------------------------------------------------------------------

// LPOP / RPOP key [count]: a bulk string without count, an array with it.
void Pop(CommandContext& ctx, End end) {
  if (ctx.argc() > 3) {
    return ReplyWrongArity(ctx);
  }
  const bool has_count = ctx.argc() == 3;
  int64_t count = 0;
  if (has_count && !NonNegativeArg(ctx, ctx.arg(2), &count)) return;
  bool wrong_type;
  std::string_view key = ctx.arg(1);
  List* l = ListForWrite(ctx, key, &wrong_type);
  if (wrong_type) return;
  if (l == nullptr) return has_count ? ctx.reply.NullArray() : ctx.reply.Null();
  if (has_count && count == 0) return ctx.reply.EmptyArray();
  if (!has_count) {
    l->Pop(end, 1, [&](const List::Value& v) { ReplyValue(ctx, v); });
  } else {
    size_t n = std::min<size_t>(static_cast<size_t>(count), l->Size());
    ctx.reply.ArrayLen(static_cast<int64_t>(n));
    l->Pop(end, n, [&](const List::Value& v) { ReplyValue(ctx, v); });
    AddDirty(ctx, static_cast<int64_t>(n) - 1);
  }
  AfterRemoval(ctx, key, l, PopEvent(end));
}

void CmdLPop(CommandContext& ctx) { Pop(ctx, End::kHead); }
void CmdRPop(CommandContext& ctx) { Pop(ctx, End::kTail); }

// The parsed tail of LMPOP / BLMPOP: numkeys key... LEFT|RIGHT [COUNT count].
struct MultiPopArgs {
  ArgList keys;
  End end = End::kHead;
  int64_t count = 1;
};

bool ParseMultiPop(CommandContext& ctx, size_t numkeys_index, MultiPopArgs* out) {
  int64_t numkeys;
  if (!IntArgInRange(ctx, ctx.arg(numkeys_index), 1, LONG_MAX, &numkeys,
                     "ERR numkeys should be greater than 0")) {
    return false;
  }
  // Compared before adding, so a huge numkeys cannot overflow the index.
  if (static_cast<uint64_t>(numkeys) >= ctx.argc() - numkeys_index - 1) {
    ReplySyntaxError(ctx);
    return false;
  }
  size_t where_index = numkeys_index + static_cast<size_t>(numkeys) + 1;
  if (!WhereArg(ctx, ctx.arg(where_index), &out->end)) return false;
  bool count_seen = false;
  for (size_t j = where_index + 1; j < ctx.argc(); j++) {
    if (!count_seen && EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      count_seen = true;
      if (!IntArgInRange(ctx, ctx.arg(++j), 1, LONG_MAX, &out->count,
                         "ERR count should be greater than 0")) {
        return false;
      }
    } else {
      ReplySyntaxError(ctx);
      return false;
    }
  }
  out->keys = ctx.args.subspan(numkeys_index + 1, static_cast<size_t>(numkeys));
  return true;
}

// Pops from the first non-empty list among keys. Returns true when it replied (served or an
// error), false when every key was missing.
bool ServeMultiPop(CommandContext& ctx, const MultiPopArgs& a) {
  for (std::string_view key : a.keys) {
    bool wrong_type;
    List* l = ListForWrite(ctx, key, &wrong_type);
    if (wrong_type) return true;
    if (l == nullptr || l->Size() == 0) continue;
    PopWithKey(ctx, key, l, a.end, a.count);
    return true;
  }
  return false;
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
void CmdLMPop(CommandContext& ctx) {
  MultiPopArgs a;
  if (!ParseMultiPop(ctx, 1, &a)) return;
  if (!ServeMultiPop(ctx, a)) ctx.reply.NullArray();
}

// ---- Reads ------------------------------------------------------------------------------------

void CmdLLen(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kList)) return;
  ctx.reply.Integer(e ? static_cast<int64_t>(e->As<List>()->Size()) : 0);
}

// LINDEX key index: the key is looked up before the index is parsed, as in Redis (a missing key
// answers nil even for a malformed index).
void CmdLIndex(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Null();
  if (!CheckType(ctx, e, ObjType::kList)) return;
  int64_t index;
  if (!IntArg(ctx, ctx.arg(2), &index)) return;
  if (!e->As<List>()->Index(index, [&](const List::Value& v) { ReplyValue(ctx, v); })) {
    ctx.reply.Null();
  }
}

// Clamps LRANGE/LTRIM style inclusive indexes (negative from the end) to the list; false when
// the range is empty.
bool ClampRange(int64_t size, int64_t start, int64_t end, int64_t* first, int64_t* last) {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return false;
  if (end >= size) end = size - 1;
  *first = start;
  *last = end;
  return true;
}

void CmdLRange(CommandContext& ctx) {
  int64_t start, end;
  if (!IntArg(ctx, ctx.arg(2), &start) || !IntArg(ctx, ctx.arg(3), &end)) return;
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (e == nullptr) return ctx.reply.EmptyArray();
  if (!CheckType(ctx, e, ObjType::kList)) return;
  const List* l = e->As<List>();
  int64_t first, last;
  if (!ClampRange(static_cast<int64_t>(l->Size()), start, end, &first, &last)) {
    return ctx.reply.EmptyArray();
  }
  size_t n = static_cast<size_t>(last - first + 1);
  ctx.reply.ArrayLen(static_cast<int64_t>(n));
  l->Range(static_cast<size_t>(first), n, false, [&](const List::Value& v) { ReplyValue(ctx, v); });
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLPos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: no COUNT option
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool has_value = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "rank") && has_value) {
      if (!IntArg(ctx, ctx.arg(++j), &rank)) return;
      // Negating the rank must not overflow.
      if (rank == INT64_MIN) {
        return ctx.reply.Error(
            "ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
      }
      if (rank == 0) {
        return ctx.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
      }
    } else if (EqualsIgnoreCase(opt, "count") && has_value) {
      if (!NonNegativeArg(ctx, ctx.arg(++j), &count, "ERR COUNT can't be negative")) return;
    } else if (EqualsIgnoreCase(opt, "maxlen") && has_value) {
      if (!NonNegativeArg(ctx, ctx.arg(++j), &maxlen, "ERR MAXLEN can't be negative")) return;
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  const bool from_tail = rank < 0;
  if (from_tail) rank = -rank;

  Entry* e = ctx.db.Find(ctx.arg(1));
  if (e == nullptr) return count != -1 ? ctx.reply.EmptyArray() : ctx.reply.Null();
  if (!CheckType(ctx, e, ObjType::kList)) return;
  const List* l = e->As<List>();
  const int64_t size = static_cast<int64_t>(l->Size());
  types::ListMatcher match(ctx.arg(2));
  std::vector<int64_t> found;
  int64_t scanned = 0, matches = 0;
  l->Walk(from_tail, [&](const List::Value& v) {
    if (maxlen != 0 && scanned >= maxlen) return false;
    int64_t index = from_tail ? size - 1 - scanned : scanned;
    scanned++;
    if (!match(v) || ++matches < rank) return true;
    found.push_back(index);
    // Without COUNT only the rank-th match is wanted; COUNT 0 means all of them.
    return count > 0 ? static_cast<int64_t>(found.size()) < count : count == 0;
  });
  if (count == -1) {
    return found.empty() ? ctx.reply.Null() : ctx.reply.Integer(found[0]);
  }
  ctx.reply.ArrayLen(static_cast<int64_t>(found.size()));
  for (int64_t i : found) ctx.reply.Integer(i);
}

// ---- In-place changes -------------------------------------------------------------------------

// LSET key index element: the key is checked before the index, as in Redis.
void CmdLSet(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Error(errors::kNoSuchKey);
  if (!CheckType(ctx, e, ObjType::kList)) return;
  int64_t index;
  if (!IntArg(ctx, ctx.arg(2), &index)) return;
  List* l = e->As<List>();
  l->set_fill(ListFill(ctx));
  // Redis 7.2 passes the index to its replace function as a 32-bit int, so larger indexes wrap
  // (LSET k 9223372036854775807 v sets the last element); kept for compatibility.
  index = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(index)));
  if (!l->Set(index, ctx.arg(3))) return ctx.reply.Error("ERR index out of range");
  ctx.db.Modified(key, {kNotifyList, "lset"});
  ctx.reply.Ok();
}

// LREM key count element
void CmdLRem(CommandContext& ctx) {
  int64_t count;
  if (!IntArg(ctx, ctx.arg(2), &count)) return;
  bool wrong_type;
  std::string_view key = ctx.arg(1);
  List* l = ListForWrite(ctx, key, &wrong_type);
  if (wrong_type) return;
  if (l == nullptr) return ctx.reply.Integer(0);
  size_t removed = l->Remove(ctx.arg(3), count);
  if (removed > 0) {
    AfterRemoval(ctx, key, l, {kNotifyList, "lrem"});
    AddDirty(ctx, static_cast<int64_t>(removed) - 1);
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

// LTRIM key start stop
void CmdLTrim(CommandContext& ctx) {
  int64_t start, end;
  if (!IntArg(ctx, ctx.arg(2), &start) || !IntArg(ctx, ctx.arg(3), &end)) return;
  bool wrong_type;
  std::string_view key = ctx.arg(1);
  List* l = ListForWrite(ctx, key, &wrong_type);
  if (wrong_type) return;
  if (l == nullptr) return ctx.reply.Ok();
  const int64_t size = static_cast<int64_t>(l->Size());
  int64_t first, last;
  if (ClampRange(size, start, end, &first, &last)) {
    l->Trim(static_cast<size_t>(first), static_cast<size_t>(size - last - 1));
  } else {
    l->Trim(static_cast<size_t>(size), 0);
  }
  const int64_t removed = size - static_cast<int64_t>(l->Size());
  // Redis announces "ltrim" even when nothing was trimmed.
  AfterRemoval(ctx, key, l, {kNotifyList, "ltrim"});
  AddDirty(ctx, removed - 1);
  ctx.reply.Ok();
}

// ---- Moves ------------------------------------------------------------------------------------

void Move(CommandContext& ctx, End from, End to) {
  bool wrong_type;
  std::string_view src_key = ctx.arg(1);
  List* src = ListForWrite(ctx, src_key, &wrong_type);
  if (wrong_type) return;
  if (src == nullptr) return ctx.reply.Null();
  MoveElement(ctx, src_key, src, ctx.arg(2), from, to);
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
void CmdLMove(CommandContext& ctx) {
  End from, to;
  if (!WhereArg(ctx, ctx.arg(3), &from) || !WhereArg(ctx, ctx.arg(4), &to)) return;
  Move(ctx, from, to);
}

// RPOPLPUSH source destination
void CmdRPopLPush(CommandContext& ctx) { Move(ctx, End::kTail, End::kHead); }

// ---- Blocking forms ---------------------------------------------------------------------------
// Each first tries to serve like its non-blocking form; with nothing to serve it asks to block
// (and replies nothing), or, where blocking is not allowed (MULTI, scripts), replies what a
// timeout replies. A wake-up runs the whole command again.

// BLPOP / BRPOP key [key ...] timeout
void BlockingPop(CommandContext& ctx, End end) {
  int64_t deadline;
  if (!TimeoutSecondsArg(ctx, ctx.arg(ctx.argc() - 1), &deadline)) return;
  ArgList keys = ctx.args.subspan(1, ctx.argc() - 2);
  for (std::string_view key : keys) {
    bool wrong_type;
    List* l = ListForWrite(ctx, key, &wrong_type);
    if (wrong_type) return;
    if (l == nullptr || l->Size() == 0) continue;
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(key);
    l->Pop(end, 1, [&](const List::Value& v) { ReplyValue(ctx, v); });
    AfterRemoval(ctx, key, l, PopEvent(end));
    return;
  }
  if (!Block(ctx, keys, ObjType::kList, deadline)) ctx.reply.NullArray();
}

void CmdBLPop(CommandContext& ctx) { BlockingPop(ctx, End::kHead); }
void CmdBRPop(CommandContext& ctx) { BlockingPop(ctx, End::kTail); }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the timeout is checked after
// the other arguments, as in Redis.
void CmdBLMPop(CommandContext& ctx) {
  MultiPopArgs a;
  if (!ParseMultiPop(ctx, 2, &a)) return;
  int64_t deadline;
  if (!TimeoutSecondsArg(ctx, ctx.arg(1), &deadline)) return;
  if (ServeMultiPop(ctx, a)) return;
  if (!Block(ctx, a.keys, ObjType::kList, deadline)) ctx.reply.NullArray();
}

void BlockingMove(CommandContext& ctx, End from, End to, int64_t deadline) {
  bool wrong_type;
  std::string_view src_key = ctx.arg(1);
  List* src = ListForWrite(ctx, src_key, &wrong_type);
  if (wrong_type) return;
  if (src != nullptr) {
    MoveElement(ctx, src_key, src, ctx.arg(2), from, to);
    return;
  }
  // Inside MULTI this answers a null bulk string (a timeout while blocked answers a null array).
  if (!Block(ctx, ctx.args.subspan(1, 1), ObjType::kList, deadline)) ctx.reply.Null();
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void CmdBLMove(CommandContext& ctx) {
  End from, to;
  if (!WhereArg(ctx, ctx.arg(3), &from) || !WhereArg(ctx, ctx.arg(4), &to)) return;
  int64_t deadline;
  if (!TimeoutSecondsArg(ctx, ctx.arg(5), &deadline)) return;
  BlockingMove(ctx, from, to, deadline);
}

// BRPOPLPUSH source destination timeout
void CmdBRPopLPush(CommandContext& ctx) {
  int64_t deadline;
  if (!TimeoutSecondsArg(ctx, ctx.arg(3), &deadline)) return;
  BlockingMove(ctx, End::kTail, End::kHead, deadline);
}

// ---- Key finders ------------------------------------------------------------------------------

// Keys of LMPOP (numkeys at 1) and BLMPOP (numkeys at 2); none when numkeys is malformed (the
// command then replies its error).
void MultiPopKeys(ArgList args, size_t numkeys_index, std::vector<int>* out) {
  int64_t numkeys;
  if (args.size() <= numkeys_index || !ParseInt64(args[numkeys_index], &numkeys) || numkeys < 1) {
    return;
  }
  size_t first = numkeys_index + 1;
  size_t end = std::min<size_t>(args.size(), first + std::min<uint64_t>(numkeys, args.size()));
  for (size_t i = first; i < end; i++) out->push_back(static_cast<int>(i));
}

void LMPopKeys(ArgList args, std::vector<int>* out) { MultiPopKeys(args, 1, out); }
void BLMPopKeys(ArgList args, std::vector<int>* out) { MultiPopKeys(args, 2, out); }

// ---- Key specs --------------------------------------------------------------------------------

const std::vector<KeySpec> kReadKey = {{1, 0, 1, {"RO", "ACCESS"}}};
const std::vector<KeySpec> kInsertKey = {{1, 0, 1, {"RW", "INSERT"}}};
const std::vector<KeySpec> kPopKey = {{1, 0, 1, {"RW", "ACCESS", "DELETE"}}};
const std::vector<KeySpec> kDeleteKey = {{1, 0, 1, {"RW", "DELETE"}}};
const std::vector<KeySpec> kMoveKeys = {{1, 0, 1, {"RW", "ACCESS", "DELETE"}},
                                        {2, 0, 1, {"RW", "INSERT"}}};
const std::vector<KeySpec> kBlockingPopKeys = {{1, -2, 1, {"RW", "ACCESS", "DELETE"}}};

KeySpec MultiPopSpec(int numkeys_index) {
  KeySpec ks{numkeys_index, 0, 1, {"RW", "ACCESS", "DELETE"}};
  ks.keynum_index = 0;
  ks.first_key = 1;
  return ks;
}

}  // namespace

void RegisterListCommands(CommandRegistry& r) {
  constexpr uint32_t kW = kWrite | kDenyOom;
  const char* kPushComplexity =
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.";
  r.Add({"lpush", -3, kW | kFast, "write list fast", kInsertKey, CmdLPush,
         "Prepends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0",
         "list", kPushComplexity});
  r.Add({"rpush", -3, kW | kFast, "write list fast", kInsertKey, CmdRPush,
         "Appends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0",
         "list", kPushComplexity});
  r.Add({"lpushx", -3, kW | kFast, "write list fast", kInsertKey, CmdLPushX,
         "Prepends one or more elements to a list only when the list exists.", "2.2.0", "list",
         kPushComplexity});
  r.Add({"rpushx", -3, kW | kFast, "write list fast", kInsertKey, CmdRPushX,
         "Appends an element to a list only when the list exists.", "2.2.0", "list",
         kPushComplexity});
  r.Add({"linsert", 5, kW, "write list slow", kInsertKey, CmdLInsert,
         "Inserts an element before or after another element in a list.", "2.2.0", "list",
         "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
         "means that inserting somewhere on the left end on the list (head) can be considered "
         "O(1) and inserting somewhere on the right end (tail) is O(N)."});
  r.Add({"lpop", -2, kWrite | kFast, "write list fast", kPopKey, CmdLPop,
         "Returns the first elements in a list after removing it. Deletes the list if the last "
         "element was popped.",
         "1.0.0", "list", "O(N) where N is the number of elements returned"});
  r.Add({"rpop", -2, kWrite | kFast, "write list fast", kPopKey, CmdRPop,
         "Returns and removes the last elements of a list. Deletes the list if the last element "
         "was popped.",
         "1.0.0", "list", "O(N) where N is the number of elements returned"});
  r.Add({"lmpop",
         -4,
         kWrite,
         "write list slow",
         {MultiPopSpec(1)},
         CmdLMPop,
         "Returns multiple elements from a list after removing them. Deletes the list if the "
         "last element was popped.",
         "7.0.0",
         "list",
         "O(N+M) where N is the number of provided keys and M is the number of elements "
         "returned.",
         LMPopKeys});
  r.Add({"llen",
         2,
         kReadOnly | kFast,
         "read list fast",
         {{1, 0, 1, {"RO"}}},
         CmdLLen,
         "Returns the length of a list.",
         "1.0.0",
         "list",
         "O(1)"});
  r.Add({"lindex", 3, kReadOnly, "read list slow", kReadKey, CmdLIndex,
         "Returns an element from a list by its index.", "1.0.0", "list",
         "O(N) where N is the number of elements to traverse to get to the element at index. "
         "This makes asking for the first or the last element of the list O(1)."});
  r.Add({"lrange", 4, kReadOnly, "read list slow", kReadKey, CmdLRange,
         "Returns a range of elements from a list.", "1.0.0", "list",
         "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest "
         "end (HEAD or TAIL) for large lists; and N is the number of elements in the specified "
         "range."});
  r.Add({"lpos", -3, kReadOnly, "read list slow", kReadKey, CmdLPos,
         "Returns the index of matching elements in a list.", "6.0.6", "list",
         "O(N) where N is the number of elements in the list, for the average case. When "
         "searching for elements near the head or the tail of the list, or when the MAXLEN "
         "option is provided, the command may run in constant time."});
  r.Add({"lset",
         4,
         kW,
         "write list slow",
         {{1, 0, 1, {"RW", "UPDATE"}}},
         CmdLSet,
         "Sets the value of an element in a list by its index.",
         "1.0.0",
         "list",
         "O(N) where N is the length of the list. Setting either the first or the last element "
         "of the list is O(1)."});
  r.Add({"lrem", 4, kWrite, "write list slow", kDeleteKey, CmdLRem,
         "Removes elements from a list. Deletes the list if the last element was removed.", "1.0.0",
         "list",
         "O(N+M) where N is the length of the list and M is the number of elements removed."});
  r.Add({"ltrim", 4, kWrite, "write list slow", kDeleteKey, CmdLTrim,
         "Removes elements from both ends a list. Deletes the list if all elements were "
         "trimmed.",
         "1.0.0", "list",
         "O(N) where N is the number of elements to be removed by the operation."});
  r.Add({"lmove", 5, kW, "write list slow", kMoveKeys, CmdLMove,
         "Returns an element after popping it from one list and pushing it to another. Deletes "
         "the list if the last element was moved.",
         "6.2.0", "list", "O(1)"});
  r.Add({"rpoplpush", 3, kW, "write list slow", kMoveKeys, CmdRPopLPush,
         "Returns the last element of a list after removing and pushing it to another list. "
         "Deletes the list if the last element was popped.",
         "1.2.0", "list", "O(1)"});
  r.Add({"blpop", -3, kWrite | kBlocking, "write list slow blocking", kBlockingPopKeys, CmdBLPop,
         "Removes and returns the first element in a list. Blocks until an element is available "
         "otherwise. Deletes the list if the last element was popped.",
         "2.0.0", "list", "O(N) where N is the number of provided keys."});
  r.Add({"brpop", -3, kWrite | kBlocking, "write list slow blocking", kBlockingPopKeys, CmdBRPop,
         "Removes and returns the last element in a list. Blocks until an element is available "
         "otherwise. Deletes the list if the last element was popped.",
         "2.0.0", "list", "O(N) where N is the number of provided keys."});
  r.Add({"blmpop",
         -5,
         kWrite | kBlocking,
         "write list slow blocking",
         {MultiPopSpec(2)},
         CmdBLMPop,
         "Pops the first element from one of multiple lists. Blocks until an element is "
         "available otherwise. Deletes the list if the last element was popped.",
         "7.0.0",
         "list",
         "O(N+M) where N is the number of provided keys and M is the number of elements "
         "returned.",
         BLMPopKeys});
  r.Add({"blmove", 6, kW | kBlocking, "write list slow blocking", kMoveKeys, CmdBLMove,
         "Pops an element from a list, pushes it to another list and returns it. Blocks until an "
         "element is available otherwise. Deletes the list if the last element was moved.",
         "6.2.0", "list", "O(1)"});
  r.Add({"brpoplpush", 4, kW | kBlocking, "write list slow blocking", kMoveKeys, CmdBRPopLPush,
         "Pops an element from a list, pushes it to another list and returns it. Block until an "
         "element is available otherwise. Deletes the list if the last element was popped.",
         "2.2.0", "list", "O(1)"});
}

}  // namespace weir::commands
