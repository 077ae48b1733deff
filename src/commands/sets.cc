// The set family: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SRANDMEMBER, SPOP, SMOVE,
// SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE, SSCAN.
// The structure and its encodings are types::Set; this file parses, looks keys up and replies.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "protocol/errors.h"
#include "types/intset.h"
#include "types/set.h"

namespace weir::commands {
namespace {

using engine::Entry;
using engine::ObjType;
using types::Set;
using types::SetLimits;
using types::SetMember;
namespace errors = protocol::errors;

// ---- Shared helpers ----

// The encoding limits from the configuration, read through cached handles (this runs for every
// SADD).
SetLimits Limits(CommandContext& ctx) {
  thread_local ConfigHandles<3> handles;
  auto v = handles.Read(ctx.server.config(), {"set-max-intset-entries", "set-max-listpack-entries",
                                              "set-max-listpack-value"});
  return {static_cast<size_t>(v[0]), static_cast<size_t>(v[1]), static_cast<size_t>(v[2])};
}

void ReplyMember(CommandContext& ctx, const SetMember& m) {
  char buf[Set::kIntBufSize];
  ctx.reply.Bulk(m.ToString(buf));
}

// The set at key, for reading: nullptr when missing or (after replying WRONGTYPE) of another
// type; *wrong_type tells the two apart.
Set* ReadSet(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return TypedValue<Set>(ctx, ctx.db.Find(key), ObjType::kSet, wrong_type);
}

Set* WriteSet(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return TypedValue<Set>(ctx, ctx.db.FindForWrite(key), ObjType::kSet, wrong_type);
}

// Reads every key as a set (missing keys are nullptr). False after replying WRONGTYPE.
bool ReadSets(CommandContext& ctx, ArgList keys, std::vector<Set*>* sets) {
  sets->reserve(keys.size());
  for (std::string_view key : keys) {
    bool wrong_type;
    sets->push_back(ReadSet(ctx, key, &wrong_type));
    if (wrong_type) return false;
  }
  return true;
}

constexpr KeyEvent kDelEvent{kNotifyGeneric, "del"};
constexpr KeyEvent kSRemEvent{kNotifySet, "srem"};
constexpr KeyEvent kSPopEvent{kNotifySet, "spop"};

// Records event on a set that lost members: an emptied set is deleted and also announces "del",
// as Redis does.
void AfterRemoval(CommandContext& ctx, std::string_view key, const Set* set,
                  const KeyEvent& event) {
  if (set->Size() == 0) {
    ctx.db.Delete(key, event);
    ctx.db.Notify(key, kDelEvent);
  } else {
    ctx.db.Modified(key, event);
  }
}

// A store command's result: stored at dst when not empty (replacing whatever was there, TTL
// included; announced as event), otherwise dst is deleted ("del" when it existed). Replies the
// result's size.
void StoreResult(CommandContext& ctx, std::string_view dst, std::unique_ptr<Set> result,
                 const KeyEvent& event) {
  const int64_t n = static_cast<int64_t>(result->Size());
  if (n > 0) {
    ctx.db.SetObject(dst, ObjType::kSet, result.release(), event);
  } else {
    ctx.db.Delete(dst, kDelEvent);
  }
  ctx.reply.Integer(n);
}

// ---- SADD SREM SMOVE ----

constexpr KeyEvent kSAddEvent{kNotifySet, "sadd"};

void CmdSAdd(CommandContext& ctx) {
  const std::string_view key = ctx.arg(1);
  const ArgList members = ctx.args.subspan(2);
  bool wrong_type;
  Set* set = WriteSet(ctx, key, &wrong_type);
  if (wrong_type) return;
  const SetLimits limits = Limits(ctx);
  int64_t added = 0;
  if (set == nullptr) {
    // The widest integer among the members sizes an intset's inline room from the start.
    size_t int_bytes = 2;
    for (std::string_view m : members) {
      int64_t v;
      if (ParseInt64(m, &v)) int_bytes = std::max<size_t>(int_bytes, types::IntSet::WidthFor(v));
    }
    std::unique_ptr<Set> created(Set::Create(members[0], members.size(), limits, int_bytes));
    for (std::string_view m : members) added += created->Add(m, limits);
    ctx.db.SetObject(key, ObjType::kSet, created.release(), kSAddEvent);
  } else {
    set->PrepareForAdds(members.size(), limits);
    for (std::string_view m : members) added += set->Add(m, limits);
    if (added > 0) ctx.db.Modified(key, kSAddEvent);
  }
  // Redis counts one change per member added (Modified/SetObject counted the first).
  if (added > 1) ctx.db.engine().AddDirty(added - 1);
  ctx.reply.Integer(added);
}

void CmdSRem(CommandContext& ctx) {
  const std::string_view key = ctx.arg(1);
  bool wrong_type;
  Set* set = WriteSet(ctx, key, &wrong_type);
  if (wrong_type) return;
  int64_t removed = 0;
  if (set != nullptr) {
    for (std::string_view m : ctx.args.subspan(2)) {
      if (!set->Remove(m)) continue;
      ++removed;
      if (set->Size() == 0) break;
    }
    if (removed > 0) AfterRemoval(ctx, key, set, kSRemEvent);
    if (removed > 1) ctx.db.engine().AddDirty(removed - 1);
  }
  ctx.reply.Integer(removed);
}

// Atomic across shards: the dispatcher holds both keys' shards for the whole command.
void CmdSMove(CommandContext& ctx) {
  const std::string_view src_key = ctx.arg(1);
  const std::string_view dst_key = ctx.arg(2);
  const std::string_view member = ctx.arg(3);
  Entry* src_entry = ctx.db.FindForWrite(src_key);
  Entry* dst_entry = ctx.db.FindForWrite(dst_key);
  // A missing source answers 0 before any type check, as Redis.
  if (src_entry == nullptr) return ctx.reply.Integer(0);
  if (!CheckType(ctx, src_entry, ObjType::kSet) || !CheckType(ctx, dst_entry, ObjType::kSet)) {
    return;
  }
  Set* src = src_entry->As<Set>();
  if (src_entry == dst_entry) return ctx.reply.Integer(src->Contains(member) ? 1 : 0);
  if (!src->Remove(member)) return ctx.reply.Integer(0);
  // As Redis: the source's "srem" (and "del"), then the destination's "new" and "sadd" (none
  // when it already held the member).
  AfterRemoval(ctx, src_key, src, kSRemEvent);
  const SetLimits limits = Limits(ctx);
  if (dst_entry == nullptr) {
    std::unique_ptr<Set> created(Set::Create(member, 1, limits));
    created->Add(member, limits);
    ctx.db.SetObject(dst_key, ObjType::kSet, created.release(), kSAddEvent);
  } else if (dst_entry->As<Set>()->Add(member, limits)) {
    ctx.db.Modified(dst_key, kSAddEvent);
  }
  ctx.reply.Integer(1);
}

// ---- SCARD SISMEMBER SMISMEMBER ----

void CmdSCard(CommandContext& ctx) {
  bool wrong_type;
  Set* set = ReadSet(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(set != nullptr ? static_cast<int64_t>(set->Size()) : 0);
}

void CmdSIsMember(CommandContext& ctx) {
  bool wrong_type;
  Set* set = ReadSet(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(set != nullptr && set->Contains(ctx.arg(2)) ? 1 : 0);
}

void CmdSMIsMember(CommandContext& ctx) {
  bool wrong_type;
  Set* set = ReadSet(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  ctx.reply.ArrayLen(static_cast<int64_t>(ctx.argc() - 2));
  for (std::string_view m : ctx.args.subspan(2)) {
    ctx.reply.Integer(set != nullptr && set->Contains(m) ? 1 : 0);
  }
}

// ---- SINTER SINTERCARD SINTERSTORE SMEMBERS ----

enum class InterMode { kReply, kCard, kStore };

// Redis's sinterGenericCommand: walks the smallest set and keeps the members every other set
// holds. kCard stops at `limit` (0: no limit); kStore stores at dst.
void Intersect(CommandContext& ctx, ArgList keys, InterMode mode, std::string_view dst = {},
               uint64_t limit = 0) {
  std::vector<Set*> sets;
  if (!ReadSets(ctx, keys, &sets)) return;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
    // A missing key is an empty set, so the intersection is empty.
    switch (mode) {
      case InterMode::kStore:
        ctx.db.Delete(dst, kDelEvent);
        return ctx.reply.Integer(0);
      case InterMode::kCard:
        return ctx.reply.Integer(0);
      case InterMode::kReply:
        return ctx.reply.SetLen(0);
    }
  }
  std::sort(sets.begin(), sets.end(),
            [](const Set* a, const Set* b) { return a->Size() < b->Size(); });
  const Set* first = sets[0];
  auto in_all = [&](const SetMember& m) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != first && !sets[j]->Contains(m)) return false;
    }
    return true;
  };

  if (mode == InterMode::kCard) {
    uint64_t n = 0;
    first->ForEach([&](const SetMember& m) {
      if (in_all(m)) ++n;
      return limit == 0 || n < limit;
    });
    return ctx.reply.Integer(static_cast<int64_t>(n));
  }
  if (mode == InterMode::kReply) {
    // Members are views into the sets, which nothing changes while the reply is built.
    std::vector<SetMember> found;
    first->ForEach([&](const SetMember& m) {
      if (in_all(m)) found.push_back(m);
    });
    ctx.reply.SetLen(static_cast<int64_t>(found.size()));
    for (const SetMember& m : found) ReplyMember(ctx, m);
    return;
  }
  // As Redis: the result starts as an intset if the smallest set is one, else as a listpack
  // (which may grow into a hash table), and becomes an intset at the end if it holds only
  // integers and fits one.
  const SetLimits limits = Limits(ctx);
  std::unique_ptr<Set> result(first->encoding() == Set::Encoding::kIntset ? Set::NewIntset()
                                                                          : Set::NewListpack());
  bool only_integers = true;
  int64_t unused;
  first->ForEach([&](const SetMember& m) {
    if (!in_all(m)) return;
    if (!m.is_int && !ParseInt64(m.str, &unused)) only_integers = false;
    result->Add(m, limits);
  });
  if (only_integers) result->MaybeConvertToIntset(limits);
  result->ShrinkToFit();
  StoreResult(ctx, dst, std::move(result), {kNotifySet, "sinterstore"});
}

void CmdSInter(CommandContext& ctx) { Intersect(ctx, ctx.args.subspan(1), InterMode::kReply); }

void CmdSInterStore(CommandContext& ctx) {
  Intersect(ctx, ctx.args.subspan(2), InterMode::kStore, ctx.arg(1));
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdSInterCard(CommandContext& ctx) {
  int64_t numkeys;
  if (!IntArgInRange(ctx, ctx.arg(1), 1, INT64_MAX, &numkeys,
                     "ERR numkeys should be greater than 0")) {
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 2) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  int64_t limit = 0;
  for (size_t i = 2 + numkeys; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "limit") && i + 1 < ctx.argc()) {
      if (!IntArgInRange(ctx, ctx.arg(++i), 0, INT64_MAX, &limit, "ERR LIMIT can't be negative")) {
        return;
      }
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  Intersect(ctx, ctx.args.subspan(2, numkeys), InterMode::kCard, {}, static_cast<uint64_t>(limit));
}

// The keys of SINTERCARD: numkeys of them after the count, none when the count is invalid (the
// command then fails before reading any key).
void SInterCardKeys(ArgList args, std::vector<int>* out) {
  int64_t numkeys;
  if (args.size() < 3 || !ParseInt64(args[1], &numkeys) || numkeys < 1 ||
      numkeys > static_cast<int64_t>(args.size()) - 2) {
    return;
  }
  for (int i = 0; i < numkeys; ++i) out->push_back(2 + i);
}

// ---- SUNION SUNIONSTORE SDIFF SDIFFSTORE ----

enum class SetOp { kUnion, kDiff };

// Redis's sunionDiffGenericCommand over sets already looked up (nullptr: missing key). The
// result is built as a new set that starts as an intset (so a reply lists integers in order,
// as Redis's does).
std::unique_ptr<Set> UnionOrDiff(std::vector<Set*> sets, SetOp op, const SetLimits& limits) {
  std::unique_ptr<Set> result(Set::NewIntset());
  bool same_set = false;
  for (size_t j = 1; j < sets.size(); ++j) same_set |= sets[j] == sets[0];
  if (op == SetOp::kUnion) {
    for (const Set* s : sets) {
      if (s != nullptr) s->ForEach([&](const SetMember& m) { result->Add(m, limits); });
    }
    return result;
  }
  // A difference with the first set among the others, or without a first set, is empty.
  if (same_set || sets[0] == nullptr) return result;
  // Algorithm 1 checks each member of the first set against the others (O(N*M)); algorithm 2
  // adds the first set and removes the others (O(total)). Redis picks by estimated work, with
  // algorithm 1 given a 2x advantage for its better constants.
  uint64_t work_one = 0;
  uint64_t work_two = 0;
  for (const Set* s : sets) {
    if (s == nullptr) continue;
    work_one += sets[0]->Size();
    work_two += s->Size();
  }
  if (work_one / 2 <= work_two) {
    // Biggest first, so that a member present elsewhere is found sooner.
    std::sort(sets.begin() + 1, sets.end(),
              [](const Set* a, const Set* b) { return (a ? a->Size() : 0) > (b ? b->Size() : 0); });
    sets[0]->ForEach([&](const SetMember& m) {
      for (size_t j = 1; j < sets.size(); ++j) {
        if (sets[j] != nullptr && sets[j]->Contains(m)) return;
      }
      result->Add(m, limits);
    });
    return result;
  }
  sets[0]->ForEach([&](const SetMember& m) { result->Add(m, limits); });
  for (size_t j = 1; j < sets.size() && result->Size() > 0; ++j) {
    if (sets[j] != nullptr) sets[j]->ForEach([&](const SetMember& m) { result->Remove(m); });
  }
  return result;
}

void ReplyWholeSet(CommandContext& ctx, const Set& set) {
  ctx.reply.SetLen(static_cast<int64_t>(set.Size()));
  set.ForEach([&](const SetMember& m) { ReplyMember(ctx, m); });
}

void UnionOrDiffCommand(CommandContext& ctx, SetOp op, bool store) {
  const size_t first_key = store ? 2 : 1;
  std::vector<Set*> sets;
  if (!ReadSets(ctx, ctx.args.subspan(first_key), &sets)) return;
  std::unique_ptr<Set> result = UnionOrDiff(std::move(sets), op, Limits(ctx));
  if (store) {
    const KeyEvent event{kNotifySet, op == SetOp::kUnion ? "sunionstore" : "sdiffstore"};
    return StoreResult(ctx, ctx.arg(1), std::move(result), event);
  }
  ReplyWholeSet(ctx, *result);
}

void CmdSUnion(CommandContext& ctx) { UnionOrDiffCommand(ctx, SetOp::kUnion, false); }
void CmdSUnionStore(CommandContext& ctx) { UnionOrDiffCommand(ctx, SetOp::kUnion, true); }
void CmdSDiff(CommandContext& ctx) { UnionOrDiffCommand(ctx, SetOp::kDiff, false); }
void CmdSDiffStore(CommandContext& ctx) { UnionOrDiffCommand(ctx, SetOp::kDiff, true); }

// ---- SPOP SRANDMEMBER ----

void SPopWithCount(CommandContext& ctx) {
  const std::string_view key = ctx.arg(1);
  int64_t count;
  if (!IntArgInRange(ctx, ctx.arg(2), 0, INT64_MAX, &count,
                     "ERR value is out of range, must be positive")) {
    return;
  }
  bool wrong_type;
  Set* set = WriteSet(ctx, key, &wrong_type);
  if (wrong_type) return;
  if (set == nullptr || count == 0) return ctx.reply.SetLen(0);
  const SetLimits limits = Limits(ctx);
  if (static_cast<uint64_t>(count) >= set->Size()) {
    // Everything goes: reply the set as SUNION of it would, then drop the key.
    std::unique_ptr<Set> all = UnionOrDiff({set}, SetOp::kUnion, limits);
    ReplyWholeSet(ctx, *all);
    if (all->Size() > 1) ctx.db.engine().AddDirty(static_cast<int64_t>(all->Size()) - 1);
    ctx.db.Delete(key, kSPopEvent);
    ctx.db.Notify(key, kDelEvent);
    return;
  }
  ctx.reply.SetLen(count);
  set->PopRandomMembers(static_cast<size_t>(count), limits, engine::RandomU64,
                        [&](const SetMember& m) { ReplyMember(ctx, m); });
  ctx.db.Modified(key, kSPopEvent);
  if (count > 1) ctx.db.engine().AddDirty(count - 1);
}

void CmdSPop(CommandContext& ctx) {
  if (ctx.argc() == 3) return SPopWithCount(ctx);
  if (ctx.argc() > 3) return ReplySyntaxError(ctx);
  const std::string_view key = ctx.arg(1);
  bool wrong_type;
  Set* set = WriteSet(ctx, key, &wrong_type);
  if (wrong_type) return;
  if (set == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(set->PopRandom(engine::RandomU64));
  AfterRemoval(ctx, key, set, kSPopEvent);
}

void SRandMemberWithCount(CommandContext& ctx) {
  int64_t count;
  if (!IntArg(ctx, ctx.arg(2), &count)) return;
  if (count == INT64_MIN) {
    return ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  bool wrong_type;
  Set* set = ReadSet(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  if (set == nullptr || count == 0) return ctx.reply.EmptyArray();
  auto reply = [&](const SetMember& m) { ReplyMember(ctx, m); };
  // A negative count may repeat members; so may a count of 1, which takes the same path.
  if (count < 0 || count == 1) {
    const size_t n = static_cast<size_t>(count < 0 ? -count : count);
    ctx.reply.ArrayLen(static_cast<int64_t>(n));
    set->RandomMembers(n, engine::RandomU64, reply);
    return;
  }
  const size_t size = set->Size();
  if (static_cast<uint64_t>(count) >= size) {
    ctx.reply.ArrayLen(static_cast<int64_t>(size));
    set->ForEach(reply);
    return;
  }
  ctx.reply.ArrayLen(count);
  set->DistinctRandomMembers(static_cast<size_t>(count), engine::RandomU64, reply);
}

void CmdSRandMember(CommandContext& ctx) {
  if (ctx.argc() == 3) return SRandMemberWithCount(ctx);
  if (ctx.argc() > 3) return ReplySyntaxError(ctx);
  bool wrong_type;
  Set* set = ReadSet(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  if (set == nullptr) return ctx.reply.Null();
  ReplyMember(ctx, set->RandomMember(engine::RandomU64));
}

// ---- SSCAN ----

// SSCAN key cursor [MATCH pattern] [COUNT count]. Intset and listpack sets are returned whole
// with cursor 0, as Redis does for its compact encodings.
void CmdSScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ScanCursorArg(ctx, ctx.arg(2), &cursor)) return;
  bool wrong_type;
  Set* set = ReadSet(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return;
  if (set == nullptr) return ReplyScan(ctx, 0, std::vector<std::string>());
  ScanOptions opts;
  if (!ScanOptionsArg(ctx, 3, &opts)) return;
  std::vector<std::string> found;
  char buf[Set::kIntBufSize];
  auto collect = [&](const SetMember& m) {
    std::string_view s = m.ToString(buf);
    if (opts.Matches(s)) found.emplace_back(s);
  };
  if (set->encoding() != Set::Encoding::kHashtable) {
    set->ForEach(collect);
    cursor = 0;
  } else {
    // As Redis: stop once COUNT members were visited, or after 10*COUNT steps over a sparse
    // table.
    int64_t steps = opts.MaxSteps();
    int64_t visited = 0;
    do {
      cursor = set->Scan(cursor, [&](const SetMember& m) {
        ++visited;
        collect(m);
      });
    } while (cursor != 0 && steps-- > 0 && visited < opts.count);
  }
  ReplyScan(ctx, cursor, found);
}

// ---- The table ----

const std::vector<KeySpec> kKeyRO = {{1, 0, 1, {"RO"}}};
const std::vector<KeySpec> kKeyROAccess = {{1, 0, 1, {"RO", "ACCESS"}}};
const std::vector<KeySpec> kKeysROAccess = {{1, -1, 1, {"RO", "ACCESS"}}};
constexpr std::string_view kInterComplexity =
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
    "sets.";
constexpr std::string_view kUnionComplexity =
    "O(N) where N is the total number of elements in all given sets.";

}  // namespace

void RegisterSetCommands(CommandRegistry& r) {
  constexpr uint32_t kW = kWrite | kDenyOom;
  r.Add({"sadd",
         -3,
         kW | kFast,
         "write set fast",
         {{1, 0, 1, {"RW", "INSERT"}}},
         CmdSAdd,
         "Adds one or more members to a set. Creates the key if it doesn't exist.",
         "1.0.0",
         "set",
         "O(1) for each element added, so O(N) to add N elements when the command is called "
         "with multiple arguments."});
  r.Add({"srem",
         -3,
         kWrite | kFast,
         "write set fast",
         {{1, 0, 1, {"RW", "DELETE"}}},
         CmdSRem,
         "Removes one or more members from a set. Deletes the set if the last member was "
         "removed.",
         "1.0.0",
         "set",
         "O(N) where N is the number of members to be removed."});
  r.Add({"scard", 2, kReadOnly | kFast, "read set fast", kKeyRO, CmdSCard,
         "Returns the number of members in a set.", "1.0.0", "set", "O(1)"});
  r.Add({"sismember", 3, kReadOnly | kFast, "read set fast", kKeyRO, CmdSIsMember,
         "Determines whether a member belongs to a set.", "1.0.0", "set", "O(1)"});
  r.Add({"smismember", -3, kReadOnly | kFast, "read set fast", kKeyROAccess, CmdSMIsMember,
         "Determines whether multiple members belong to a set.", "6.2.0", "set",
         "O(N) where N is the number of elements being checked for membership"});
  r.Add({"smembers", 2, kReadOnly, "read set slow", kKeyROAccess, CmdSInter,
         "Returns all members of a set.", "1.0.0", "set", "O(N) where N is the set cardinality.",
         nullptr, "nondeterministic_output_order"});
  r.Add({"srandmember", -2, kReadOnly, "read set slow", kKeyROAccess, CmdSRandMember,
         "Get one or multiple random members from a set", "1.0.0", "set",
         "Without the count argument O(1), otherwise O(N) where N is the absolute value of the "
         "passed count.",
         nullptr, "nondeterministic_output"});
  r.Add({"spop",
         -2,
         kWrite | kFast,
         "write set fast",
         {{1, 0, 1, {"RW", "ACCESS", "DELETE"}}},
         CmdSPop,
         "Returns one or more random members from a set after removing them. Deletes the set if "
         "the last member was popped.",
         "1.0.0",
         "set",
         "Without the count argument O(1), otherwise O(N) where N is the value of the passed "
         "count.",
         nullptr,
         "nondeterministic_output"});
  r.Add({"smove",
         4,
         kWrite | kFast,
         "write set fast",
         {{1, 0, 1, {"RW", "ACCESS", "DELETE"}}, {2, 0, 1, {"RW", "INSERT"}}},
         CmdSMove,
         "Moves a member from one set to another.",
         "1.0.0",
         "set",
         "O(1)"});
  r.Add({"sinter", -2, kReadOnly, "read set slow", kKeysROAccess, CmdSInter,
         "Returns the intersect of multiple sets.", "1.0.0", "set", kInterComplexity, nullptr,
         "nondeterministic_output_order"});
  KeySpec card_keys{1, 0, 1, {"RO", "ACCESS"}};
  card_keys.keynum_index = 0;
  card_keys.first_key = 1;
  r.Add({"sintercard",
         -3,
         kReadOnly,
         "read set slow",
         {card_keys},
         CmdSInterCard,
         "Returns the number of members of the intersect of multiple sets.",
         "7.0.0",
         "set",
         kInterComplexity,
         SInterCardKeys});
  r.Add({"sinterstore",
         -3,
         kW,
         "write set slow",
         {{1, 0, 1, {"RW", "UPDATE"}}, {2, -1, 1, {"RO", "ACCESS"}}},
         CmdSInterStore,
         "Stores the intersect of multiple sets in a key.",
         "1.0.0",
         "set",
         kInterComplexity});
  r.Add({"sunion", -2, kReadOnly, "read set slow", kKeysROAccess, CmdSUnion,
         "Returns the union of multiple sets.", "1.0.0", "set", kUnionComplexity, nullptr,
         "nondeterministic_output_order"});
  r.Add({"sunionstore",
         -3,
         kW,
         "write set slow",
         {{1, 0, 1, {"OW", "UPDATE"}}, {2, -1, 1, {"RO", "ACCESS"}}},
         CmdSUnionStore,
         "Stores the union of multiple sets in a key.",
         "1.0.0",
         "set",
         kUnionComplexity});
  r.Add({"sdiff", -2, kReadOnly, "read set slow", kKeysROAccess, CmdSDiff,
         "Returns the difference of multiple sets.", "1.0.0", "set", kUnionComplexity, nullptr,
         "nondeterministic_output_order"});
  r.Add({"sdiffstore",
         -3,
         kW,
         "write set slow",
         {{1, 0, 1, {"OW", "UPDATE"}}, {2, -1, 1, {"RO", "ACCESS"}}},
         CmdSDiffStore,
         "Stores the difference of multiple sets in a key.",
         "1.0.0",
         "set",
         kUnionComplexity});
  r.Add({"sscan", -3, kReadOnly, "read set slow", kKeyROAccess, CmdSScan,
         "Iterates over members of a set.", "2.8.0", "set",
         "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
         "the cursor to return back to 0. N is the number of elements inside the collection.",
         nullptr, "nondeterministic_output"});
}

}  // namespace weir::commands
