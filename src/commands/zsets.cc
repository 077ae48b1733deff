// The sorted set family: ZADD, ZRANGE and its variants, ZPOP/BZPOP/ZMPOP, ZRANDMEMBER, the
// ZUNION/ZINTER/ZDIFF set operations and ZSCAN, on types::ZSet.
#include <absl/container/flat_hash_map.h>
#include <absl/container/inlined_vector.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "commands/args.h"
#include "commands/registry.h"
#include "commands/zset_common.h"
#include "common/config.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "common/strings.h"
#include "protocol/errors.h"
#include "types/set.h"
#include "types/zset.h"

namespace weir::commands {

using engine::Entry;
using engine::ObjType;
using types::LexBound;
using types::LexRange;
using types::ScoreRange;
using types::ZAddResult;
using types::ZSet;

// ---- Shared with the commands built on sorted sets (zset_common.h) ----

namespace zsets {

constexpr std::string_view kNanScore = "ERR resulting score is not a number (NaN)";

// Read on every ZADD: by-name lookups cost ~10% of one.
types::ZSetLimits Limits(CommandContext& ctx) {
  thread_local ConfigHandles<2> handles;
  auto v =
      handles.Read(ctx.server.config(), {"zset-max-listpack-entries", "zset-max-listpack-value"});
  return {static_cast<size_t>(v[0]), static_cast<size_t>(v[1])};
}

void CountChanges(CommandContext& ctx, int64_t elements) {
  if (elements > 1) ctx.db.engine().AddDirty(elements - 1);
}

void StoreResult(CommandContext& ctx, std::string_view dst, ScoredPairs pairs,
                 const KeyEvent& event) {
  if (pairs.empty()) {
    ctx.db.Delete(dst, {kNotifyGeneric, "del"});
    ctx.reply.Integer(0);
    return;
  }
  const int64_t n = static_cast<int64_t>(pairs.size());
  ctx.db.SetObject(dst, ObjType::kZSet, ZSet::FromPairs(std::move(pairs), Limits(ctx)).release(),
                   event);
  ctx.reply.Integer(n);
}

void AddMembers(CommandContext& ctx, std::string_view key, uint32_t flags, bool ch,
                std::span<const double> scores,
                absl::FunctionRef<std::string_view(size_t)> member_at) {
  const bool incr = flags & types::kZAddIncr, xx = flags & types::kZAddXx;
  const size_t elements = scores.size();
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  const types::ZSetLimits limits = Limits(ctx);
  std::unique_ptr<ZSet> created;
  ZSet* z = e == nullptr ? nullptr : e->As<ZSet>();
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  bool failed = false;
  if (z == nullptr && !xx) {
    created = ZSet::Create(elements, member_at(0).size(), limits);
    z = created.get();
  } else if (z != nullptr) {
    z->ReserveFor(elements, limits);
  }
  for (size_t j = 0; z != nullptr && j < elements; ++j) {
    ZAddResult r = z->Add(member_at(j), scores[j], flags, limits);
    if (r.outcome == ZAddResult::kNan) {
      ctx.reply.Error(kNanScore);
      failed = true;
      break;
    }
    added += r.outcome == ZAddResult::kAdded;
    updated += r.outcome == ZAddResult::kUpdated;
    processed += r.outcome != ZAddResult::kSkipped;
    score = r.score;
  }
  const KeyEvent event{kNotifyZset, incr ? "zincr" : "zadd"};
  if (created != nullptr && created->Size() > 0) {
    ctx.db.SetObject(key, ObjType::kZSet, created.release(), event);
  } else if (e != nullptr && (added > 0 || updated > 0)) {
    ctx.db.Modified(key, event);
  }
  CountChanges(ctx, added + updated);
  if (failed) return;
  if (!incr) return ctx.reply.Integer(ch ? added + updated : added);
  if (processed > 0) return ctx.reply.Double(score);
  ctx.reply.Null();
}

}  // namespace zsets

namespace {

// Records event on a sorted set that lost members: an emptied one is deleted and also announces
// "del", as Redis does.
void AfterRemoval(CommandContext& ctx, std::string_view key, const ZSet* z, const KeyEvent& event) {
  if (z->Size() == 0) {
    ctx.db.Delete(key, event);
    ctx.db.Notify(key, {kNotifyGeneric, "del"});
  } else {
    ctx.db.Modified(key, event);
  }
}

using zsets::CountChanges;
using zsets::Limits;
using zsets::ScoredPairs;
using zsets::StoreResult;
namespace errors = protocol::errors;

constexpr std::string_view kBadScoreRange = "ERR min or max is not a float";
constexpr std::string_view kBadLexRange = "ERR min or max not valid string range item";
constexpr std::string_view kNotPositive = "ERR value is out of range, must be positive";

// ---- Arguments ----

// One end of a score range, as Redis's zslParseRange reads it: an optional '(' for an open end,
// then anything strtod takes whole (leading blanks, hex, "inf", and "" as 0 included; the
// argument counts up to its first NUL byte), but not NaN.
bool ParseScoreBound(std::string_view s, double* value, bool* exclusive) {
  std::string text(s.substr(0, s.find('\0')));
  const char* p = text.c_str();
  *exclusive = *p == '(';
  if (*exclusive) ++p;
  char* end;
  *value = std::strtod(p, &end);
  return *end == '\0' && !std::isnan(*value);
}

bool ScoreRangeArg(CommandContext& ctx, std::string_view min, std::string_view max, ScoreRange* r) {
  if (ParseScoreBound(min, &r->min, &r->min_exclusive) &&
      ParseScoreBound(max, &r->max, &r->max_exclusive)) {
    return true;
  }
  ctx.reply.Error(kBadScoreRange);
  return false;
}

// "-", "+", "(value" or "[value". Redis reads "-" and "+" as C strings (so "+\0..." is "+")
// and treats them as exclusive ends.
bool ParseLexBound(std::string_view s, LexBound* b) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '-':
    case '+':
      if (s.size() > 1 && s[1] != '\0') return false;
      *b = {s[0] == '-' ? LexBound::Kind::kMinusInf : LexBound::Kind::kPlusInf, true, {}};
      return true;
    case '(':
    case '[':
      *b = {LexBound::Kind::kValue, s[0] == '(', s.substr(1)};
      return true;
    default:
      return false;
  }
}

bool LexRangeArg(CommandContext& ctx, std::string_view min, std::string_view max, LexRange* r) {
  if (ParseLexBound(min, &r->min) && ParseLexBound(max, &r->max)) return true;
  ctx.reply.Error(kBadLexRange);
  return false;
}

// Rank arguments clamped as Redis does; false when the range is empty.
bool ClampRanks(int64_t size, int64_t* start, int64_t* end) {
  if (*start < 0) *start += size;
  if (*end < 0) *end += size;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= size) return false;
  if (*end >= size) *end = size - 1;
  return true;
}

ZSet* ZSetOf(Entry* e) { return e == nullptr ? nullptr : e->As<ZSet>(); }

// ---- Replies ----

// Members, with their scores when asked, as Redis's range replies give them: RESP2 flat
// [m1, s1, m2, s2...], RESP3 [[m1, s1], [m2, s2]...] (an array, not a map: order matters).
class ScoredReply {
 public:
  ScoredReply(CommandContext& ctx, bool with_scores)
      : reply_(ctx.reply), with_scores_(with_scores) {}

  void Begin(size_t n) { reply_.ArrayLen(static_cast<int64_t>(n * Width())); }
  void BeginDeferred() {
    deferred_ = true;
    mark_ = reply_.BeginDeferred();
  }
  void Add(std::string_view member, double score) {
    if (with_scores_ && reply_.resp3()) reply_.ArrayLen(2);
    reply_.Bulk(member);
    if (with_scores_) reply_.Double(score);
    ++count_;
  }
  void End() {
    if (deferred_) reply_.EndDeferredArray(mark_, static_cast<int64_t>(count_ * Width()));
  }

 private:
  size_t Width() const { return with_scores_ && !reply_.resp3() ? 2 : 1; }

  protocol::ReplyBuilder& reply_;
  bool with_scores_;
  bool deferred_ = false;
  size_t mark_ = 0;
  size_t count_ = 0;
};

// ---- ZADD ZINCRBY ZREM ----

void ZAddGeneric(CommandContext& ctx, uint32_t flags) {
  bool ch = false;
  size_t first = 2;
  for (; first < ctx.argc(); ++first) {
    std::string_view opt = ctx.arg(first);
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= types::kZAddNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= types::kZAddXx;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      ch = true;
    } else if (EqualsIgnoreCase(opt, "incr")) {
      flags |= types::kZAddIncr;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= types::kZAddGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= types::kZAddLt;
    } else {
      break;
    }
  }
  const bool incr = flags & types::kZAddIncr, nx = flags & types::kZAddNx,
             xx = flags & types::kZAddXx, gt = flags & types::kZAddGt, lt = flags & types::kZAddLt;
  size_t elements = ctx.argc() - first;
  if (elements % 2 != 0 || elements == 0) return ReplySyntaxError(ctx);
  elements /= 2;
  if (nx && xx) {
    return ctx.reply.Error("ERR XX and NX options at the same time are not compatible");
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return ctx.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && elements > 1) {
    return ctx.reply.Error("ERR INCR option supports a single increment-element pair");
  }
  // Every score is checked before anything changes.
  absl::InlinedVector<double, 16> scores(elements);
  for (size_t j = 0; j < elements; ++j) {
    if (!DoubleArg(ctx, ctx.arg(first + 2 * j), &scores[j])) return;
  }
  zsets::AddMembers(ctx, ctx.arg(1), flags, ch, scores,
                    [&](size_t j) { return ctx.arg(first + 2 * j + 1); });
}

void CmdZAdd(CommandContext& ctx) { ZAddGeneric(ctx, 0); }
void CmdZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, types::kZAddIncr); }

void CmdZRem(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  ZSet* z = ZSetOf(e);
  int64_t deleted = 0;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    deleted += z->Remove(ctx.arg(j));
    if (z->Size() == 0) break;
  }
  if (deleted > 0) AfterRemoval(ctx, key, z, {kNotifyZset, "zrem"});
  CountChanges(ctx, deleted);
  ctx.reply.Integer(deleted);
}

// ---- ZREMRANGEBYRANK / BYSCORE / BYLEX ----

enum class RangeKind { kAuto, kRank, kScore, kLex };

void ZRemRangeGeneric(CommandContext& ctx, RangeKind kind) {
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  if (kind == RangeKind::kRank) {
    if (!IntArg(ctx, ctx.arg(2), &start) || !IntArg(ctx, ctx.arg(3), &end)) return;
  } else if (kind == RangeKind::kScore) {
    if (!ScoreRangeArg(ctx, ctx.arg(2), ctx.arg(3), &score_range)) return;
  } else if (!LexRangeArg(ctx, ctx.arg(2), ctx.arg(3), &lex_range)) {
    return;
  }
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  ZSet* z = ZSetOf(e);
  size_t removed = 0;
  if (kind == RangeKind::kRank) {
    if (!ClampRanks(static_cast<int64_t>(z->Size()), &start, &end)) return ctx.reply.Integer(0);
    removed = z->RemoveRanks(start, end);
  } else if (kind == RangeKind::kScore) {
    removed = z->RemoveRange(score_range);
  } else {
    removed = z->RemoveRange(lex_range);
  }
  if (removed > 0) {
    const char* name = kind == RangeKind::kRank    ? "zremrangebyrank"
                       : kind == RangeKind::kScore ? "zremrangebyscore"
                                                   : "zremrangebylex";
    AfterRemoval(ctx, key, z, {kNotifyZset, name});
  }
  CountChanges(ctx, static_cast<int64_t>(removed));
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void CmdZRemRangeByRank(CommandContext& ctx) { ZRemRangeGeneric(ctx, RangeKind::kRank); }
void CmdZRemRangeByScore(CommandContext& ctx) { ZRemRangeGeneric(ctx, RangeKind::kScore); }
void CmdZRemRangeByLex(CommandContext& ctx) { ZRemRangeGeneric(ctx, RangeKind::kLex); }

// ---- ZCARD ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK ----

void CmdZCard(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  ctx.reply.Integer(e == nullptr ? 0 : static_cast<int64_t>(ZSetOf(e)->Size()));
}

void CmdZCount(CommandContext& ctx) {
  ScoreRange r;
  if (!ScoreRangeArg(ctx, ctx.arg(2), ctx.arg(3), &r)) return;
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  ctx.reply.Integer(e == nullptr ? 0 : static_cast<int64_t>(ZSetOf(e)->Count(r)));
}

void CmdZLexCount(CommandContext& ctx) {
  LexRange r;
  if (!LexRangeArg(ctx, ctx.arg(2), ctx.arg(3), &r)) return;
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  ctx.reply.Integer(e == nullptr ? 0 : static_cast<int64_t>(ZSetOf(e)->Count(r)));
}

void CmdZScore(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  std::optional<double> score;
  if (e != nullptr) score = ZSetOf(e)->Score(ctx.arg(2));
  if (!score) return ctx.reply.Null();
  ctx.reply.Double(*score);
}

void CmdZMScore(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  ctx.reply.ArrayLen(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t j = 2; j < ctx.argc(); ++j) {
    std::optional<double> score;
    if (e != nullptr) score = ZSetOf(e)->Score(ctx.arg(j));
    if (score) {
      ctx.reply.Double(*score);
    } else {
      ctx.reply.Null();
    }
  }
}

void ZRankGeneric(CommandContext& ctx, bool reverse) {
  if (ctx.argc() > 4) {
    return ReplyWrongArity(ctx);
  }
  bool with_score = false;
  if (ctx.argc() == 4) {
    if (!EqualsIgnoreCase(ctx.arg(3), "withscore")) return ReplySyntaxError(ctx);
    with_score = true;
  }
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  double score = 0;
  std::optional<size_t> rank;
  if (e != nullptr) rank = ZSetOf(e)->Rank(ctx.arg(2), reverse, &score);
  if (!rank) return with_score ? ctx.reply.NullArray() : ctx.reply.Null();
  if (with_score) ctx.reply.ArrayLen(2);
  ctx.reply.Integer(static_cast<int64_t>(*rank));
  if (with_score) ctx.reply.Double(score);
}

void CmdZRank(CommandContext& ctx) { ZRankGeneric(ctx, false); }
void CmdZRevRank(CommandContext& ctx) { ZRankGeneric(ctx, true); }

// ---- ZRANGE and its variants ----

constexpr KeyEvent kZRangeStoreEvent{kNotifyZset, "zrangestore"};

enum class Direction { kAuto, kForward, kReverse };

// ZRANGE, ZRANGESTORE and the older Z[REV]RANGE[BYSCORE|BYLEX] forms, in Redis's order of
// checks: options, their conflicts, the range, then the key. src is the source key's index.
void ZRangeGeneric(CommandContext& ctx, size_t src, bool store, RangeKind kind, Direction dir) {
  bool with_scores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = src + 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    const size_t left = ctx.argc() - j - 1;
    if (!store && EqualsIgnoreCase(opt, "withscores")) {
      with_scores = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      if (!IntArg(ctx, ctx.arg(j + 1), &offset) || !IntArg(ctx, ctx.arg(j + 2), &limit)) return;
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(opt, "rev")) {
      dir = Direction::kReverse;
    } else if (kind == RangeKind::kAuto && EqualsIgnoreCase(opt, "bylex")) {
      kind = RangeKind::kLex;
    } else if (kind == RangeKind::kAuto && EqualsIgnoreCase(opt, "byscore")) {
      kind = RangeKind::kScore;
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  if (kind == RangeKind::kAuto) kind = RangeKind::kRank;
  const bool reverse = dir == Direction::kReverse;
  // LIMIT 0 -1 passes with a rank range: Redis only notices a limit other than -1.
  if (limit != -1 && kind == RangeKind::kRank) {
    return ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (with_scores && kind == RangeKind::kLex) {
    return ctx.reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  // Score and lex ranges are given high end first when reversed.
  std::string_view min = ctx.arg(src + 1), max = ctx.arg(src + 2);
  if (reverse && kind != RangeKind::kRank) std::swap(min, max);
  int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  if (kind == RangeKind::kRank) {
    if (!IntArg(ctx, min, &start) || !IntArg(ctx, max, &end)) return;
  } else if (kind == RangeKind::kScore) {
    if (!ScoreRangeArg(ctx, min, max, &score_range)) return;
  } else if (!LexRangeArg(ctx, min, max, &lex_range)) {
    return;
  }

  Entry* e = ctx.db.Find(ctx.arg(src));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  const ZSet* z = ZSetOf(e);
  ScoredPairs stored;
  ScoredReply out(ctx, with_scores);
  auto emit = [&](std::string_view m, double s) {
    if (store) {
      stored.emplace_back(m, s);
    } else {
      out.Add(m, s);
    }
  };
  if (z == nullptr) {
    if (store) return StoreResult(ctx, ctx.arg(1), {}, kZRangeStoreEvent);
    return ctx.reply.EmptyArray();
  }
  if (kind == RangeKind::kRank) {
    const int64_t size = static_cast<int64_t>(z->Size());
    const bool any = ClampRanks(size, &start, &end);
    if (!store) out.Begin(any ? end - start + 1 : 0);
    if (any) z->VisitRanks(start, end, reverse, emit);
  } else {
    if (!store) out.BeginDeferred();
    // A negative offset skips everything, as Redis's countdown never reaches zero.
    if (offset >= 0) {
      if (kind == RangeKind::kScore) {
        z->VisitRange(score_range, reverse, offset, limit, emit);
      } else {
        z->VisitRange(lex_range, reverse, offset, limit, emit);
      }
    }
  }
  if (store) return StoreResult(ctx, ctx.arg(1), std::move(stored), kZRangeStoreEvent);
  out.End();
}

void CmdZRange(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeKind::kAuto, Direction::kAuto);
}
void CmdZRangeStore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 2, true, RangeKind::kAuto, Direction::kAuto);
}
void CmdZRevRange(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeKind::kRank, Direction::kReverse);
}
void CmdZRangeByScore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeKind::kScore, Direction::kForward);
}
void CmdZRevRangeByScore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeKind::kScore, Direction::kReverse);
}
void CmdZRangeByLex(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeKind::kLex, Direction::kForward);
}
void CmdZRevRangeByLex(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, false, RangeKind::kLex, Direction::kReverse);
}

// ---- ZPOPMIN ZPOPMAX ZMPOP and the blocking pops ----

enum class PopShape {
  kFlat,       // ZPOPMIN: [m, s, m, s...]
  kNested,     // ZPOPMIN with a count in RESP3: [[m, s]...]
  kKeyFlat,    // BZPOPMIN: [key, m, s]
  kKeyNested,  // ZMPOP / BZMPOP: [key, [[m, s]...]]
};

// Pops up to count members from the set at key (the lowest first, or the highest when max),
// replying in the given shape; deletes the key when it empties.
void PopAndReply(CommandContext& ctx, std::string_view key, ZSet* z, bool max, size_t count,
                 PopShape shape) {
  const size_t size = z->Size();
  const size_t n = std::min(count, size);
  switch (shape) {
    case PopShape::kFlat:
      ctx.reply.ArrayLen(static_cast<int64_t>(n * 2));
      break;
    case PopShape::kNested:
      ctx.reply.ArrayLen(static_cast<int64_t>(n));
      break;
    case PopShape::kKeyFlat:
      ctx.reply.ArrayLen(static_cast<int64_t>(n * 2 + 1));
      ctx.reply.Bulk(key);
      break;
    case PopShape::kKeyNested:
      ctx.reply.ArrayLen(2);
      ctx.reply.Bulk(key);
      ctx.reply.ArrayLen(static_cast<int64_t>(n));
      break;
  }
  const bool nested = shape == PopShape::kNested || shape == PopShape::kKeyNested;
  z->VisitRanks(0, n - 1, max, [&](std::string_view m, double s) {
    if (nested) ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(m);
    ctx.reply.Double(s);
  });
  if (max) {
    z->RemoveRanks(size - n, size - 1);
  } else {
    z->RemoveRanks(0, n - 1);
  }
  AfterRemoval(ctx, key, z, {kNotifyZset, max ? "zpopmax" : "zpopmin"});
  CountChanges(ctx, static_cast<int64_t>(n));
}

// The first of keys that exists (every stored set is non-empty), after checking its type;
// nullptr with *failed set when that key is not a sorted set (WRONGTYPE was replied).
Entry* FirstExisting(CommandContext& ctx, ArgList keys, size_t* index, bool* failed) {
  *failed = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    Entry* e = ctx.db.FindForWrite(keys[i]);
    if (e == nullptr) continue;
    if (!CheckType(ctx, e, ObjType::kZSet)) {
      *failed = true;
      return nullptr;
    }
    *index = i;
    return e;
  }
  return nullptr;
}

void ZPopMinMax(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) return ReplySyntaxError(ctx);
  int64_t count = -1;
  if (ctx.argc() == 3 && !IntArgInRange(ctx, ctx.arg(2), 0, INT64_MAX, &count, kNotPositive))
    return;
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  if (e == nullptr || count == 0) return ctx.reply.EmptyArray();
  // RESP3 nests the pairs only when a count was given.
  const PopShape shape = ctx.reply.resp3() && count != -1 ? PopShape::kNested : PopShape::kFlat;
  PopAndReply(ctx, key, ZSetOf(e), max, count == -1 ? 1 : static_cast<size_t>(count), shape);
}

void CmdZPopMin(CommandContext& ctx) { ZPopMinMax(ctx, false); }
void CmdZPopMax(CommandContext& ctx) { ZPopMinMax(ctx, true); }

// BZPOPMIN/BZPOPMAX/BZMPOP: serve from the first non-empty key, else block (or, where blocking
// is not allowed, reply as on timeout).
void BlockingPop(CommandContext& ctx, ArgList keys, bool max, int64_t deadline, size_t count,
                 PopShape shape) {
  size_t index = 0;
  bool failed = false;
  Entry* e = FirstExisting(ctx, keys, &index, &failed);
  if (failed) return;
  if (e != nullptr) return PopAndReply(ctx, keys[index], ZSetOf(e), max, count, shape);
  if (!Block(ctx, keys, ObjType::kZSet, deadline)) ctx.reply.NullArray();
}

void BZPopMinMax(CommandContext& ctx, bool max) {
  int64_t deadline;
  if (!TimeoutSecondsArg(ctx, ctx.arg(ctx.argc() - 1), &deadline)) return;
  BlockingPop(ctx, ctx.args.subspan(1, ctx.argc() - 2), max, deadline, 1, PopShape::kKeyFlat);
}

void CmdBZPopMin(CommandContext& ctx) { BZPopMinMax(ctx, false); }
void CmdBZPopMax(CommandContext& ctx) { BZPopMinMax(ctx, true); }

// ZMPOP numkeys key [key...] MIN|MAX [COUNT count], and BZMPOP with a timeout before numkeys.
void ZMPopGeneric(CommandContext& ctx, size_t numkeys_index, bool blocking) {
  int64_t numkeys;
  if (!IntArgInRange(ctx, ctx.arg(numkeys_index), 1, INT64_MAX, &numkeys,
                     "ERR numkeys should be greater than 0")) {
    return;
  }
  const size_t keys_left = ctx.argc() - numkeys_index - 1;
  if (static_cast<uint64_t>(numkeys) >= keys_left) return ReplySyntaxError(ctx);
  const size_t where = numkeys_index + 1 + numkeys;
  bool max;
  if (EqualsIgnoreCase(ctx.arg(where), "min")) {
    max = false;
  } else if (EqualsIgnoreCase(ctx.arg(where), "max")) {
    max = true;
  } else {
    return ReplySyntaxError(ctx);
  }
  int64_t count = -1;
  for (size_t j = where + 1; j < ctx.argc(); ++j) {
    if (count == -1 && EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      if (!IntArgInRange(ctx, ctx.arg(++j), 1, INT64_MAX, &count,
                         "ERR count should be greater than 0")) {
        return;
      }
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  if (count == -1) count = 1;
  ArgList keys = ctx.args.subspan(numkeys_index + 1, numkeys);
  if (blocking) {
    int64_t deadline;
    if (!TimeoutSecondsArg(ctx, ctx.arg(1), &deadline)) return;
    return BlockingPop(ctx, keys, max, deadline, count, PopShape::kKeyNested);
  }
  size_t index = 0;
  bool failed = false;
  Entry* e = FirstExisting(ctx, keys, &index, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.NullArray();
  PopAndReply(ctx, keys[index], ZSetOf(e), max, count, PopShape::kKeyNested);
}

void CmdZMPop(CommandContext& ctx) { ZMPopGeneric(ctx, 1, false); }
void CmdBZMPop(CommandContext& ctx) { ZMPopGeneric(ctx, 2, true); }

// ---- ZRANDMEMBER ----

void CmdZRandMember(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    Entry* e = ctx.db.Find(ctx.arg(1));
    if (!CheckType(ctx, e, ObjType::kZSet)) return;
    if (e == nullptr) return ctx.reply.Null();
    ZSetOf(e)->RandomMembers(1, false, [&](std::string_view m, double) { ctx.reply.Bulk(m); });
    return;
  }
  int64_t count;
  if (!IntArg(ctx, ctx.arg(2), &count)) return;
  if (count == INT64_MIN) {
    return ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  bool with_scores = false;
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withscores"))) {
    return ReplySyntaxError(ctx);
  }
  if (ctx.argc() == 4) {
    with_scores = true;
    // The reply would hold twice as many items: Redis refuses counts that could overflow it.
    if (count < -INT64_MAX / 2 || count > INT64_MAX / 2) {
      return ctx.reply.Error("ERR value is out of range");
    }
  }
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  if (e == nullptr || count == 0) return ctx.reply.EmptyArray();
  const ZSet* z = ZSetOf(e);
  const size_t size = z->Size();
  ScoredReply out(ctx, with_scores);
  auto add = [&](std::string_view m, double s) { out.Add(m, s); };
  // A negative count may repeat members; a positive one returns distinct members.
  if (count < 0 || count == 1) {
    const size_t n = count < 0 ? static_cast<size_t>(-count) : 1;
    out.Begin(n);
    z->RandomMembers(n, false, add);
    return;
  }
  const size_t n = static_cast<size_t>(count);
  if (n >= size) {
    out.Begin(size);
    z->ForEach(add);
    return;
  }
  out.Begin(n);
  z->RandomMembers(n, true, add);
}

// ---- ZUNION ZINTER ZDIFF (and STORE), ZINTERCARD ----

// One input of a set operation: a sorted set, a plain set (each member scoring 1), or a
// missing key (empty).
struct SetOpInput {
  const Entry* e = nullptr;
  double weight = 1;

  bool is_zset() const { return e != nullptr && e->type == ObjType::kZSet; }
  size_t size() const { return e == nullptr ? 0 : e->object()->Size(); }

  bool Find(std::string_view member, double* score) const {
    if (e == nullptr) return false;
    if (e->type == ObjType::kSet) {
      if (!e->As<types::Set>()->Contains(member)) return false;
      *score = 1;
      return true;
    }
    std::optional<double> s = e->As<ZSet>()->Score(member);
    if (s) *score = *s;
    return s.has_value();
  }
  void ForEach(ZSet::Visitor fn) const {
    if (e == nullptr) return;
    if (e->type == ObjType::kSet) {
      char buf[types::Listpack::kIntBufSize];
      e->As<types::Set>()->ForEach([&](const types::SetMember& m) { fn(m.ToString(buf), 1.0); });
      return;
    }
    e->As<ZSet>()->ForEach(fn);
  }
};

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

void AggregateInto(double* target, double value, Aggregate how) {
  switch (how) {
    case Aggregate::kSum:
      *target += value;
      // inf + -inf: Redis keeps 0 rather than NaN.
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case Aggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

double Weighted(double score, double weight) {
  double v = score * weight;
  return std::isnan(v) ? 0 : v;  // 0 * inf
}

// ZUNION/ZINTER/ZDIFF[STORE] and ZINTERCARD. dst is the destination key for the STORE forms
// (empty otherwise); numkeys_index the position of numkeys.
void SetOpGeneric(CommandContext& ctx, bool store, size_t numkeys_index, SetOp op,
                  bool cardinality_only) {
  int64_t numkeys;
  if (!IntArg(ctx, ctx.arg(numkeys_index), &numkeys)) return;
  if (numkeys < 1) {
    return ctx.reply.Error(
        StrCat("ERR at least 1 input key is needed for '", ctx.spec.FullName(), "' command"));
  }
  if (static_cast<uint64_t>(numkeys) > ctx.argc() - numkeys_index - 1) {
    return ReplySyntaxError(ctx);
  }
  std::vector<SetOpInput> inputs(numkeys);
  size_t j = numkeys_index + 1;
  for (SetOpInput& in : inputs) {
    in.e = ctx.db.Find(ctx.arg(j++));
    if (in.e != nullptr && in.e->type != ObjType::kZSet && in.e->type != ObjType::kSet) {
      return ctx.reply.Error(errors::kWrongType);
    }
  }
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;
  while (j < ctx.argc()) {
    std::string_view opt = ctx.arg(j);
    const size_t remaining = ctx.argc() - j;
    if (op != SetOp::kDiff && !cardinality_only && remaining >= inputs.size() + 1 &&
        EqualsIgnoreCase(opt, "weights")) {
      ++j;
      for (SetOpInput& in : inputs) {
        if (!ParseDouble(ctx.arg(j++), &in.weight)) {
          return ctx.reply.Error("ERR weight value is not a float");
        }
      }
    } else if (op != SetOp::kDiff && !cardinality_only && remaining >= 2 &&
               EqualsIgnoreCase(opt, "aggregate")) {
      std::string_view how = ctx.arg(j + 1);
      if (EqualsIgnoreCase(how, "sum")) {
        aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(how, "min")) {
        aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(how, "max")) {
        aggregate = Aggregate::kMax;
      } else {
        return ReplySyntaxError(ctx);
      }
      j += 2;
    } else if (!store && !cardinality_only && EqualsIgnoreCase(opt, "withscores")) {
      with_scores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && EqualsIgnoreCase(opt, "limit")) {
      if (!IntArgInRange(ctx, ctx.arg(j + 1), 0, INT64_MAX, &limit,
                         "ERR LIMIT can't be negative")) {
        return;
      }
      j += 2;
    } else {
      return ReplySyntaxError(ctx);
    }
  }

  ScoredPairs result;
  if (op == SetOp::kInter) {
    // Walk the smallest input, probing the others.
    std::stable_sort(inputs.begin(), inputs.end(),
                     [](const SetOpInput& a, const SetOpInput& b) { return a.size() < b.size(); });
    int64_t cardinality = 0;
    bool done = false;
    inputs[0].ForEach([&](std::string_view m, double s) {
      if (done) return;
      double score = Weighted(s, inputs[0].weight);
      for (size_t i = 1; i < inputs.size(); ++i) {
        double value;
        if (inputs[i].e == inputs[0].e) {
          value = s;
        } else if (!inputs[i].Find(m, &value)) {
          return;
        }
        AggregateInto(&score, value * inputs[i].weight, aggregate);
      }
      if (cardinality_only) {
        done = limit > 0 && ++cardinality >= limit;
        if (limit == 0) ++cardinality;
        return;
      }
      result.emplace_back(m, score);
    });
    if (cardinality_only) return ctx.reply.Integer(cardinality);
  } else if (op == SetOp::kUnion) {
    absl::flat_hash_map<std::string, double> acc;
    size_t largest = 0;
    for (const SetOpInput& in : inputs) largest = std::max(largest, in.size());
    acc.reserve(largest);
    std::stable_sort(inputs.begin(), inputs.end(),
                     [](const SetOpInput& a, const SetOpInput& b) { return a.size() < b.size(); });
    for (const SetOpInput& in : inputs) {
      in.ForEach([&](std::string_view m, double s) {
        double score = Weighted(s, in.weight);
        auto [it, inserted] = acc.try_emplace(std::string(m), score);
        if (!inserted) AggregateInto(&it->second, score, aggregate);
      });
    }
    result.reserve(acc.size());
    for (auto& [m, s] : acc) result.emplace_back(m, s);
  } else {
    // Members of the first input found in none of the others, with their own scores. The
    // others are probed largest first, where a shared member is likeliest.
    const SetOpInput first = inputs[0];
    std::vector<SetOpInput> others(inputs.begin() + 1, inputs.end());
    std::stable_sort(others.begin(), others.end(),
                     [](const SetOpInput& a, const SetOpInput& b) { return a.size() > b.size(); });
    bool same_as_first = false;
    for (const SetOpInput& o : others) same_as_first |= o.e != nullptr && o.e == first.e;
    if (!same_as_first) {
      first.ForEach([&](std::string_view m, double s) {
        double ignored;
        for (const SetOpInput& o : others) {
          if (o.Find(m, &ignored)) return;
        }
        result.emplace_back(m, s);
      });
    }
  }

  if (store) {
    const char* name = op == SetOp::kUnion   ? "zunionstore"
                       : op == SetOp::kInter ? "zinterstore"
                                             : "zdiffstore";
    return StoreResult(ctx, ctx.arg(1), std::move(result), {kNotifyZset, name});
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  ScoredReply out(ctx, with_scores);
  out.Begin(result.size());
  for (const auto& [m, s] : result) out.Add(m, s);
}

void CmdZUnion(CommandContext& ctx) { SetOpGeneric(ctx, false, 1, SetOp::kUnion, false); }
void CmdZInter(CommandContext& ctx) { SetOpGeneric(ctx, false, 1, SetOp::kInter, false); }
void CmdZDiff(CommandContext& ctx) { SetOpGeneric(ctx, false, 1, SetOp::kDiff, false); }
void CmdZUnionStore(CommandContext& ctx) { SetOpGeneric(ctx, true, 2, SetOp::kUnion, false); }
void CmdZInterStore(CommandContext& ctx) { SetOpGeneric(ctx, true, 2, SetOp::kInter, false); }
void CmdZDiffStore(CommandContext& ctx) { SetOpGeneric(ctx, true, 2, SetOp::kDiff, false); }
void CmdZInterCard(CommandContext& ctx) { SetOpGeneric(ctx, false, 1, SetOp::kInter, true); }

// ---- ZSCAN ----

// A score as ZSCAN shows it: the text a listpack holds (an integer when integral, else the
// shortest round-trip form), or for a skiplist Redis's long double "%.17Lg".
std::string ScanScoreText(double score, bool listpack) {
  if (listpack) return FormatDouble(score == 0 ? 0.0 : score);
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lg", static_cast<long double>(score));
  return std::string(buf, n);
}

void CmdZScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ScanCursorArg(ctx, ctx.arg(2), &cursor)) return;
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  if (e == nullptr) return ReplyScan(ctx, 0, std::vector<std::string>());
  ScanOptions opts;
  if (!ScanOptionsArg(ctx, 3, &opts)) return;
  const ZSet* z = ZSetOf(e);
  const bool listpack = z->is_listpack();
  std::vector<std::string> items;
  int64_t sampled = 0;
  auto collect = [&](std::string_view m, double s) {
    ++sampled;
    if (!opts.Matches(m)) return;
    items.emplace_back(m);
    items.push_back(ScanScoreText(s, listpack));
  };
  int64_t max_iterations = opts.MaxSteps();
  do {
    cursor = z->Scan(cursor, collect);
  } while (cursor != 0 && max_iterations-- > 0 && sampled < opts.count);
  ReplyScan(ctx, cursor, items);
}

// ---- Key finders ----

// Keys counted by a numkeys argument at numkeys_index, following it; only when the count is
// valid (1..remaining arguments), as Redis's getkeys functions. extra_key is a key before
// numkeys (the STORE forms' destination), 0 for none.
void NumKeysFinder(ArgList args, size_t numkeys_index, int extra_key, std::vector<int>* out) {
  if (numkeys_index >= args.size()) return;
  int64_t n;
  if (!ParseInt64(args[numkeys_index], &n) || n < 1 ||
      static_cast<uint64_t>(n) > args.size() - numkeys_index - 1) {
    return;
  }
  if (extra_key > 0) out->push_back(extra_key);
  for (int64_t i = 0; i < n; ++i) out->push_back(static_cast<int>(numkeys_index + 1 + i));
}

void StoreOpKeys(ArgList args, std::vector<int>* out) { NumKeysFinder(args, 2, 1, out); }
void ReadOpKeys(ArgList args, std::vector<int>* out) { NumKeysFinder(args, 1, 0, out); }
void BZMPopKeys(ArgList args, std::vector<int>* out) { NumKeysFinder(args, 2, 0, out); }

}  // namespace

void RegisterSortedSetCommands(CommandRegistry& r) {
  const std::vector<KeySpec> ro = {{1, 0, 1, {"RO", "ACCESS"}}};
  const std::vector<KeySpec> rw_delete = {{1, 0, 1, {"RW", "DELETE"}}};
  const std::vector<KeySpec> pop = {{1, 0, 1, {"RW", "ACCESS", "DELETE"}}};
  const KeySpec read_keynum{
      .begin_index = 1, .flags = {"RO", "ACCESS"}, .keynum_index = 0, .first_key = 1};
  const KeySpec dst{.begin_index = 1, .flags = {"OW", "UPDATE"}};
  const KeySpec store_keynum{
      .begin_index = 2, .flags = {"RO", "ACCESS"}, .keynum_index = 0, .first_key = 1};
  constexpr std::string_view kGroup = "sorted-set";
  constexpr std::string_view kRangeBy =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).";
  constexpr std::string_view kRemoveRange =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements removed by the operation.";
  constexpr std::string_view kPopComplexity =
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number "
      "of elements popped.";
  constexpr std::string_view kMPopComplexity =
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
      "in the sorted set, and M being the number of elements popped.";
  constexpr std::string_view kUnionComplexity =
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
      "the number of elements in the resulting sorted set.";
  constexpr std::string_view kInterComplexity =
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
      "number of input sorted sets and M being the number of elements in the resulting sorted "
      "set.";
  constexpr std::string_view kDiffComplexity =
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "
      "is the size of the first set, and K is the size of the result set.";

  r.Add({"zadd",
         -4,
         kWrite | kDenyOom | kFast,
         "write sortedset fast",
         {{1, 0, 1, {"RW", "UPDATE"}}},
         CmdZAdd,
         "Adds one or more members to a sorted set, or updates their scores. Creates the key if "
         "it doesn't exist.",
         "1.2.0",
         kGroup,
         "O(log(N)) for each item added, where N is the number of elements in the sorted set."});
  r.Add({"zincrby",
         4,
         kWrite | kDenyOom | kFast,
         "write sortedset fast",
         {{1, 0, 1, {"RW", "ACCESS", "UPDATE"}}},
         CmdZIncrBy,
         "Increments the score of a member in a sorted set.",
         "1.2.0",
         kGroup,
         "O(log(N)) where N is the number of elements in the sorted set."});
  r.Add({"zrem", -3, kWrite | kFast, "write sortedset fast", rw_delete, CmdZRem,
         "Removes one or more members from a sorted set. Deletes the sorted set if all members "
         "were removed.",
         "1.2.0", kGroup,
         "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
         "elements to be removed."});
  r.Add({"zcard",
         2,
         kReadOnly | kFast,
         "read sortedset fast",
         {{1, 0, 1, {"RO"}}},
         CmdZCard,
         "Returns the number of members in a sorted set.",
         "1.2.0",
         kGroup,
         "O(1)"});
  r.Add({"zcount", 4, kReadOnly | kFast, "read sortedset fast", ro, CmdZCount,
         "Returns the count of members in a sorted set that have scores within a range.", "2.0.0",
         kGroup, "O(log(N)) with N being the number of elements in the sorted set."});
  r.Add({"zlexcount", 4, kReadOnly | kFast, "read sortedset fast", ro, CmdZLexCount,
         "Returns the number of members in a sorted set within a lexicographical range.", "2.8.9",
         kGroup, "O(log(N)) with N being the number of elements in the sorted set."});
  r.Add({"zscore", 3, kReadOnly | kFast, "read sortedset fast", ro, CmdZScore,
         "Returns the score of a member in a sorted set.", "1.2.0", kGroup, "O(1)"});
  r.Add({"zmscore", -3, kReadOnly | kFast, "read sortedset fast", ro, CmdZMScore,
         "Returns the score of one or more members in a sorted set.", "6.2.0", kGroup,
         "O(N) where N is the number of members being requested."});
  r.Add({"zrank", -3, kReadOnly | kFast, "read sortedset fast", ro, CmdZRank,
         "Returns the index of a member in a sorted set ordered by ascending scores.", "2.0.0",
         kGroup, "O(log(N))"});
  r.Add({"zrevrank", -3, kReadOnly | kFast, "read sortedset fast", ro, CmdZRevRank,
         "Returns the index of a member in a sorted set ordered by descending scores.", "2.0.0",
         kGroup, "O(log(N))"});
  r.Add({"zrange", -4, kReadOnly, "read sortedset slow", ro, CmdZRange,
         "Returns members in a sorted set within a range of indexes.", "1.2.0", kGroup,
         "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
         "elements returned."});
  r.Add({"zrangestore",
         -5,
         kWrite | kDenyOom,
         "write sortedset slow",
         {dst, {2, 0, 1, {"RO", "ACCESS"}}},
         CmdZRangeStore,
         "Stores a range of members from sorted set in a key.",
         "6.2.0",
         kGroup,
         "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
         "elements stored into the destination key."});
  r.Add({"zrangebyscore", -4, kReadOnly, "read sortedset slow", ro, CmdZRangeByScore,
         "Returns members in a sorted set within a range of scores.", "1.0.5", kGroup, kRangeBy});
  r.Add({"zrevrangebyscore", -4, kReadOnly, "read sortedset slow", ro, CmdZRevRangeByScore,
         "Returns members in a sorted set within a range of scores in reverse order.", "2.2.0",
         kGroup, kRangeBy});
  r.Add({"zrangebylex", -4, kReadOnly, "read sortedset slow", ro, CmdZRangeByLex,
         "Returns members in a sorted set within a lexicographical range.", "2.8.9", kGroup,
         kRangeBy});
  r.Add({"zrevrangebylex", -4, kReadOnly, "read sortedset slow", ro, CmdZRevRangeByLex,
         "Returns members in a sorted set within a lexicographical range in reverse order.",
         "2.8.9", kGroup, kRangeBy});
  r.Add({"zrevrange", -4, kReadOnly, "read sortedset slow", ro, CmdZRevRange,
         "Returns members in a sorted set within a range of indexes in reverse order.", "1.2.0",
         kGroup,
         "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
         "elements returned."});
  r.Add({"zremrangebyrank", 4, kWrite, "write sortedset slow", rw_delete, CmdZRemRangeByRank,
         "Removes members in a sorted set within a range of indexes. Deletes the sorted set if "
         "all members were removed.",
         "2.0.0", kGroup, kRemoveRange});
  r.Add({"zremrangebyscore", 4, kWrite, "write sortedset slow", rw_delete, CmdZRemRangeByScore,
         "Removes members in a sorted set within a range of scores. Deletes the sorted set if all "
         "members were removed.",
         "1.2.0", kGroup, kRemoveRange});
  r.Add({"zremrangebylex", 4, kWrite, "write sortedset slow", rw_delete, CmdZRemRangeByLex,
         "Removes members in a sorted set within a lexicographical range. Deletes the sorted set "
         "if all members were removed.",
         "2.8.9", kGroup, kRemoveRange});
  r.Add({"zpopmin", -2, kWrite | kFast, "write sortedset fast", pop, CmdZPopMin,
         "Returns the lowest-scoring members from a sorted set after removing them. Deletes the "
         "sorted set if the last member was popped.",
         "5.0.0", kGroup, kPopComplexity});
  r.Add({"zpopmax", -2, kWrite | kFast, "write sortedset fast", pop, CmdZPopMax,
         "Returns the highest-scoring members from a sorted set after removing them. Deletes the "
         "sorted set if the last member was popped.",
         "5.0.0", kGroup, kPopComplexity});
  r.Add(
      {"zmpop",
       -4,
       kWrite,
       "write sortedset slow",
       {{.begin_index = 1, .flags = {"RW", "ACCESS", "DELETE"}, .keynum_index = 0, .first_key = 1}},
       CmdZMPop,
       "Returns the highest- or lowest-scoring members from one or more sorted sets after "
       "removing them. Deletes the sorted set if the last member was popped.",
       "7.0.0",
       kGroup,
       kMPopComplexity,
       ReadOpKeys});
  r.Add({"bzpopmin",
         -3,
         kWrite | kBlocking | kFast,
         "write sortedset fast blocking",
         {{1, -2, 1, {"RW", "ACCESS", "DELETE"}}},
         CmdBZPopMin,
         "Removes and returns the member with the lowest score from one or more sorted sets. "
         "Blocks until a member is available otherwise. Deletes the sorted set if the last "
         "element was popped.",
         "5.0.0",
         kGroup,
         "O(log(N)) with N being the number of elements in the sorted set."});
  r.Add({"bzpopmax",
         -3,
         kWrite | kBlocking | kFast,
         "write sortedset fast blocking",
         {{1, -2, 1, {"RW", "ACCESS", "DELETE"}}},
         CmdBZPopMax,
         "Removes and returns the member with the highest score from one or more sorted sets. "
         "Blocks until a member available otherwise.  Deletes the sorted set if the last element "
         "was popped.",
         "5.0.0",
         kGroup,
         "O(log(N)) with N being the number of elements in the sorted set."});
  r.Add(
      {"bzmpop",
       -5,
       kWrite | kBlocking,
       "write sortedset slow blocking",
       {{.begin_index = 2, .flags = {"RW", "ACCESS", "DELETE"}, .keynum_index = 0, .first_key = 1}},
       CmdBZMPop,
       "Removes and returns a member by score from one or more sorted sets. Blocks until a "
       "member is available otherwise. Deletes the sorted set if the last element was popped.",
       "7.0.0",
       kGroup,
       kMPopComplexity,
       BZMPopKeys});
  r.Add({"zrandmember", -2, kReadOnly, "read sortedset slow", ro, CmdZRandMember,
         "Returns one or more random members from a sorted set.", "6.2.0", kGroup,
         "O(N) where N is the number of members returned", nullptr, "nondeterministic_output"});
  r.Add({"zunion",
         -3,
         kReadOnly,
         "read sortedset slow",
         {read_keynum},
         CmdZUnion,
         "Returns the union of multiple sorted sets.",
         "6.2.0",
         kGroup,
         kUnionComplexity,
         ReadOpKeys});
  r.Add({"zinter",
         -3,
         kReadOnly,
         "read sortedset slow",
         {read_keynum},
         CmdZInter,
         "Returns the intersect of multiple sorted sets.",
         "6.2.0",
         kGroup,
         kInterComplexity,
         ReadOpKeys});
  r.Add({"zdiff",
         -3,
         kReadOnly,
         "read sortedset slow",
         {read_keynum},
         CmdZDiff,
         "Returns the difference between multiple sorted sets.",
         "6.2.0",
         kGroup,
         kDiffComplexity,
         ReadOpKeys});
  r.Add({"zunionstore",
         -4,
         kWrite | kDenyOom,
         "write sortedset slow",
         {dst, store_keynum},
         CmdZUnionStore,
         "Stores the union of multiple sorted sets in a key.",
         "2.0.0",
         kGroup,
         "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M "
         "being the number of elements in the resulting sorted set.",
         StoreOpKeys});
  r.Add({"zinterstore",
         -4,
         kWrite | kDenyOom,
         "write sortedset slow",
         {dst, store_keynum},
         CmdZInterStore,
         "Stores the intersect of multiple sorted sets in a key.",
         "2.0.0",
         kGroup,
         kInterComplexity,
         StoreOpKeys});
  r.Add({"zdiffstore",
         -4,
         kWrite | kDenyOom,
         "write sortedset slow",
         {dst, store_keynum},
         CmdZDiffStore,
         "Stores the difference of multiple sorted sets in a key.",
         "6.2.0",
         kGroup,
         kDiffComplexity,
         StoreOpKeys});
  r.Add({"zintercard",
         -3,
         kReadOnly,
         "read sortedset slow",
         {read_keynum},
         CmdZInterCard,
         "Returns the number of members of the intersect of multiple sorted sets.",
         "7.0.0",
         kGroup,
         "O(N*K) worst case with N being the smallest input sorted set, K being the number of "
         "input sorted sets.",
         ReadOpKeys});
  r.Add({"zscan", -3, kReadOnly, "read sortedset slow", ro, CmdZScan,
         "Iterates over members and scores of a sorted set.", "2.8.0", kGroup,
         "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
         "the cursor to return back to 0. N is the number of elements inside the collection.",
         nullptr, "nondeterministic_output"});
}

}  // namespace weir::commands
