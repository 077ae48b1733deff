// The sorted set type: its two encodings behind one API, and the conversions between them.
#include "types/zset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_set>

namespace weir::types {

// ---- The listpack encoding ----
//
// One listpack element per member: [score code][member bytes]. Keeping the score in the
// member's element (rather than an element of its own, as Redis does) saves an element header
// and back-length per member, which is what brings a small set's bytes under Redis's.
// Score codes, told apart by their first byte:
//   0x00..0xBF    the integer score (byte - 64), -64..127
//   0xC1..0xC8    an integer score in the next 1..8 bytes, little-endian two's complement
//   0xC9          any other score: the 8 bytes of the double
// Integral scores come back as the same double; -0 comes back as 0 (as in Redis's listpack).

namespace {

constexpr int kSmallScoreBias = 64;
constexpr uint8_t kIntScoreBase = 0xC0;
constexpr uint8_t kDoubleScore = 0xC9;
constexpr size_t kMaxScoreCode = 9;
constexpr size_t kListpackSafeBytes = size_t{1} << 30;

size_t EncodeScore(double score, char* out) {
  // The range test also rules out infinities (and NaN, never stored).
  if (score >= -9223372036854775808.0 && score < 9223372036854775808.0) {
    const auto v = static_cast<int64_t>(score);
    if (static_cast<double>(v) == score) {
      if (v >= -kSmallScoreBias && v < 0xC0 - kSmallScoreBias) {
        out[0] = static_cast<char>(v + kSmallScoreBias);
        return 1;
      }
      int n = 1;
      while (n < 8 && (v < -(int64_t{1} << (8 * n - 1)) || v >= (int64_t{1} << (8 * n - 1)))) ++n;
      out[0] = static_cast<char>(kIntScoreBase + n);
      for (int i = 0; i < n; ++i)
        out[1 + i] = static_cast<char>(static_cast<uint64_t>(v) >> (8 * i));
      return 1 + n;
    }
  }
  out[0] = static_cast<char>(kDoubleScore);
  std::memcpy(out + 1, &score, sizeof(score));
  return 1 + sizeof(score);
}

// Splits an element into its score and member.
std::string_view DecodePair(std::string_view e, double* score) {
  const auto code = static_cast<uint8_t>(e[0]);
  if (code < kIntScoreBase) {
    *score = static_cast<int>(code) - kSmallScoreBias;
    return e.substr(1);
  }
  if (code == kDoubleScore) {
    std::memcpy(score, e.data() + 1, sizeof(*score));
    return e.substr(1 + sizeof(*score));
  }
  const int n = code - kIntScoreBase;
  uint64_t u = 0;
  for (int i = n - 1; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>(e[1 + i]);
  const uint64_t sign = uint64_t{1} << (8 * n - 1);
  *score = static_cast<double>(static_cast<int64_t>((u ^ sign) - sign));
  return e.substr(1 + n);
}

}  // namespace

// A view of a listpack as (member, score) pairs. Positions are the listpack's; member views are
// valid until the next decode (an element that happens to read as an integer is formatted
// into the view's buffer) or modification.
class PairPack {
 public:
  using Pos = Listpack::Pos;
  static constexpr Pos kNone = Listpack::kNone;

  explicit PairPack(const Listpack& lp) : lp_(const_cast<Listpack&>(lp)) {}

  size_t size() const { return lp_.size(); }
  Pos First() const { return lp_.First(); }
  Pos Last() const { return lp_.Last(); }
  Pos Next(Pos p) const { return lp_.Next(p); }
  Pos Prev(Pos p) const { return lp_.Prev(p); }
  Pos Seek(size_t index) const { return lp_.Seek(static_cast<int64_t>(index)); }

  std::string_view Member(Pos p) {
    double ignored;
    return DecodePair(lp_.GetString(p, buf_), &ignored);
  }
  double Score(Pos p) {
    double score;
    DecodePair(lp_.GetString(p, buf_), &score);
    return score;
  }
  // Both at once (one decode).
  std::string_view Get(Pos p, double* score) { return DecodePair(lp_.GetString(p, buf_), score); }

  Pos Find(std::string_view member) {
    for (Pos p = First(); p != kNone; p = Next(p)) {
      if (Member(p) == member) return p;
    }
    return kNone;
  }

  // Inserts before p (kNone: at the end).
  void InsertBefore(Pos p, std::string_view member, double score) {
    thread_local std::string element;
    element.resize(kMaxScoreCode);
    element.resize(EncodeScore(score, element.data()));
    element.append(member);
    if (p == kNone) {
      lp_.Append(element);
    } else {
      lp_.InsertBefore(p, element);
    }
  }
  // Removes count pairs starting at p.
  void Erase(Pos p, size_t count) { lp_.DeleteRange(p, count); }

 private:
  Listpack& lp_;
  char buf_[Listpack::kIntBufSize];
};

namespace {

using Pos = PairPack::Pos;
constexpr Pos kNone = PairPack::kNone;

// True when (score, member) sorts before (s, m).
bool PairBefore(double score, std::string_view member, double s, std::string_view m) {
  return score < s || (score == s && CompareMember(member, m) < 0);
}

// Inserts a member that is not present at its place in the order.
void PackInsertSorted(PairPack& pack, std::string_view member, double score) {
  Pos p = pack.First();
  for (; p != kNone; p = pack.Next(p)) {
    double s;
    std::string_view m = pack.Get(p, &s);
    if (!PairBefore(s, m, score, member)) break;
  }
  pack.InsertBefore(p, member, score);
}

bool AboveMin(const ScoreRange& r, std::string_view, double s) { return r.AboveMin(s); }
bool BelowMax(const ScoreRange& r, std::string_view, double s) { return r.BelowMax(s); }
bool AboveMin(const LexRange& r, std::string_view m, double) { return r.AboveMin(m); }
bool BelowMax(const LexRange& r, std::string_view m, double) { return r.BelowMax(m); }

// Whether the range can hold anything: not empty, the last member is above its min and the
// first below its max. For score ranges this only saves the walk; for lex ranges over members
// whose scores differ (not in member order) it decides the answer, and Redis checks exactly
// this before walking, so the same members come back.
template <class Range>
bool PackMayHold(PairPack& pack, const Range& r) {
  if (r.Empty()) return false;
  Pos last = pack.Last();
  if (last == kNone) return false;
  double s;
  std::string_view m = pack.Get(last, &s);
  if (!AboveMin(r, m, s)) return false;
  m = pack.Get(pack.First(), &s);
  return BelowMax(r, m, s);
}

// The first member at or above the range's min, if it is also below its max (else kNone).
template <class Range>
Pos PackFirstInRange(PairPack& pack, const Range& r) {
  if (!PackMayHold(pack, r)) return kNone;
  for (Pos p = pack.First(); p != kNone; p = pack.Next(p)) {
    double s;
    std::string_view m = pack.Get(p, &s);
    if (AboveMin(r, m, s)) return BelowMax(r, m, s) ? p : kNone;
  }
  return kNone;
}

// The last member at or below the range's max, if it is also above its min (else kNone).
template <class Range>
Pos PackLastInRange(PairPack& pack, const Range& r) {
  if (!PackMayHold(pack, r)) return kNone;
  for (Pos p = pack.Last(); p != kNone; p = pack.Prev(p)) {
    double s;
    std::string_view m = pack.Get(p, &s);
    if (BelowMax(r, m, s)) return AboveMin(r, m, s) ? p : kNone;
  }
  return kNone;
}

// Visits a range, as Redis's range commands walk it: start at the range's first member (its
// last when reverse), skip offset members unchecked, then visit while still inside the range.
template <class Range>
size_t PackVisit(PairPack pack, const Range& r, bool reverse, size_t offset, int64_t limit,
                 ZSet::Visitor fn) {
  Pos p = reverse ? PackLastInRange(pack, r) : PackFirstInRange(pack, r);
  for (; p != kNone && offset > 0; --offset) p = reverse ? pack.Prev(p) : pack.Next(p);
  size_t visited = 0;
  for (; p != kNone && (limit < 0 || static_cast<int64_t>(visited) < limit);
       p = reverse ? pack.Prev(p) : pack.Next(p)) {
    double s;
    std::string_view m = pack.Get(p, &s);
    if (reverse ? !AboveMin(r, m, s) : !BelowMax(r, m, s)) break;
    fn(m, s);
    ++visited;
  }
  return visited;
}

template <class Range>
size_t SkiplistVisit(const ZSkiplist& sl, const Range& r, bool reverse, size_t offset,
                     int64_t limit, ZSet::Visitor fn) {
  const ZSkiplist::Node* n = reverse ? sl.LastInRange(r) : sl.FirstInRange(r);
  for (; n != nullptr && offset > 0; --offset) n = reverse ? n->prev() : n->next();
  size_t visited = 0;
  for (; n != nullptr && (limit < 0 || static_cast<int64_t>(visited) < limit);
       n = reverse ? n->prev() : n->next()) {
    if (reverse ? !AboveMin(r, n->member(), n->score()) : !BelowMax(r, n->member(), n->score())) {
      break;
    }
    fn(n->member(), n->score());
    ++visited;
  }
  return visited;
}

// Members in the range from its first one, and where that first one is.
template <class Range>
size_t PackCount(PairPack& pack, const Range& r, Pos* first = nullptr) {
  size_t n = 0;
  Pos p = PackFirstInRange(pack, r);
  if (first != nullptr) *first = p;
  for (; p != kNone; p = pack.Next(p)) {
    double s;
    std::string_view m = pack.Get(p, &s);
    if (!BelowMax(r, m, s)) break;
    ++n;
  }
  return n;
}

// Redis's count from the ranks of the first and last members in range. In a lex range over
// members not in member order (mixed scores) there may be a first and no last, or the last may
// come before the first: the count is then what Redis's unsigned arithmetic gives (the members
// from the first to the end, or a wrapped value the caller reports as a negative integer).
template <class Range>
size_t SkiplistCount(const ZSkiplist& sl, const Range& r) {
  const ZSkiplist::Node* first = sl.FirstInRange(r);
  if (first == nullptr) return 0;
  size_t count = sl.size() - (sl.RankOf(first) - 1);
  const ZSkiplist::Node* last = sl.LastInRange(r);
  if (last != nullptr) count -= sl.size() - sl.RankOf(last);
  return count;
}

template <class Range>
size_t PackRemove(PairPack pack, const Range& r) {
  Pos first = kNone;
  size_t n = PackCount(pack, r, &first);
  if (n > 0) pack.Erase(first, n);
  return n;
}

size_t RandomBelow(size_t n) { return static_cast<size_t>(ZSetRandom() % n); }

}  // namespace

// ---- Construction and conversion ----

ZSet::ZSet() { new (rep_) Listpack(); }

ZSet::~ZSet() {
  if (is_listpack()) {
    lp().~Listpack();
  } else {
    delete skiplist();
  }
}

uintptr_t ZSet::rep_word() const {
  static_assert(sizeof(Listpack) == sizeof(uintptr_t), "ZSet keeps its encoding in one word");
  uintptr_t w;
  std::memcpy(&w, rep_, sizeof(w));
  return w;
}

ZSkiplist* ZSet::skiplist() const {
  return reinterpret_cast<ZSkiplist*>(rep_word() & ~uintptr_t{1});
}

std::unique_ptr<ZSet> ZSet::Create(size_t size_hint, size_t value_len_hint,
                                   const ZSetLimits& limits) {
  auto z = std::make_unique<ZSet>();
  if (size_hint > limits.max_listpack_entries || value_len_hint > limits.max_listpack_value) {
    z->ConvertToSkiplist(size_hint);
  }
  return z;
}

std::unique_ptr<ZSet> ZSet::FromPairs(std::vector<std::pair<std::string, double>> pairs,
                                      const ZSetLimits& limits) {
  size_t longest = 0, total = 0;
  for (const auto& p : pairs) {
    longest = std::max(longest, p.first.size());
    total += p.first.size();
  }
  auto z = std::make_unique<ZSet>();
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return PairBefore(a.second, a.first, b.second, b.first);
  });
  if (pairs.size() <= limits.max_listpack_entries && longest <= limits.max_listpack_value &&
      total < kListpackSafeBytes) {
    PairPack pack(z->lp());
    for (const auto& p : pairs) pack.InsertBefore(kNone, p.first, p.second);
  } else {
    z->ConvertToSkiplist(pairs.size());
    // Highest first: each insertion then stops at the head.
    ZSkiplist* sl = z->skiplist();
    for (auto it = pairs.rbegin(); it != pairs.rend(); ++it) sl->Insert(it->second, it->first);
  }
  return z;
}

void ZSet::ConvertToSkiplist(size_t capacity) {
  if (!is_listpack()) return;
  auto* sl = new ZSkiplist();
  PairPack pack(lp());
  sl->Reserve(std::max(capacity, pack.size()));
  // Highest first: each insertion then stops at the head.
  for (Pos p = pack.Last(); p != kNone; p = pack.Prev(p)) {
    double s;
    std::string_view m = pack.Get(p, &s);
    sl->Insert(s, m);
  }
  lp().~Listpack();
  const uintptr_t tagged = reinterpret_cast<uintptr_t>(sl) | 1;
  std::memcpy(rep_, &tagged, sizeof(tagged));
}

void ZSet::ReserveFor(size_t size_hint, const ZSetLimits& limits) {
  if (is_listpack() && size_hint > limits.max_listpack_entries) ConvertToSkiplist(size_hint);
}

Object* ZSet::Clone() const {
  auto* z = new ZSet();
  if (is_listpack()) {
    z->lp() = lp().Clone();
  } else {
    const ZSkiplist* from = skiplist();
    z->ConvertToSkiplist(from->size());
    ZSkiplist* to = z->skiplist();
    for (const ZSkiplist::Node* n = from->Last(); n != nullptr; n = n->prev()) {
      to->Insert(n->score(), n->member());
    }
  }
  return z;
}

size_t ZSet::Size() const { return is_listpack() ? lp().size() : skiplist()->size(); }

size_t ZSet::MemoryUsage() const {
  return sizeof(*this) + (is_listpack() ? lp().MemoryUsage() : skiplist()->MemoryUsage());
}

const char* ZSet::EncodingName() const { return is_listpack() ? "listpack" : "skiplist"; }

// ---- Single members ----

ZAddResult ZSet::Add(std::string_view member, double score, uint32_t flags,
                     const ZSetLimits& limits) {
  const bool nx = flags & kZAddNx, xx = flags & kZAddXx, gt = flags & kZAddGt, lt = flags & kZAddLt,
             incr = flags & kZAddIncr;
  if (std::isnan(score)) return {ZAddResult::kNan};
  // The new score of an existing member, or why it stays.
  auto decide = [&](double current, double* next) -> std::optional<ZAddResult> {
    if (nx) return ZAddResult{ZAddResult::kSkipped};
    *next = incr ? current + score : score;
    if (std::isnan(*next)) return ZAddResult{ZAddResult::kNan};
    if ((lt && *next >= current) || (gt && *next <= current)) {
      return ZAddResult{ZAddResult::kSkipped};
    }
    if (*next == current) return ZAddResult{ZAddResult::kUnchanged, *next};
    return std::nullopt;
  };
  if (is_listpack()) {
    PairPack pack(lp());
    Pos p = pack.Find(member);
    if (p != kNone) {
      double next;
      if (auto done = decide(pack.Score(p), &next)) return *done;
      pack.Erase(p, 1);
      PackInsertSorted(pack, member, next);
      return {ZAddResult::kUpdated, next};
    }
    if (xx) return {ZAddResult::kSkipped};
    // Also leave the listpack before it nears its 4 GiB format limit (Redis's lpSafeToAdd).
    if (pack.size() + 1 <= limits.max_listpack_entries &&
        member.size() <= limits.max_listpack_value &&
        lp().bytes() + member.size() < kListpackSafeBytes) {
      PackInsertSorted(pack, member, score);
      return {ZAddResult::kAdded, score};
    }
    ConvertToSkiplist(pack.size() + 1);
  }
  ZSkiplist* sl = skiplist();
  if (const ZSkiplist::Node* n = sl->Find(member)) {
    double next;
    if (auto done = decide(n->score(), &next)) return *done;
    sl->UpdateScore(n, next);
    return {ZAddResult::kUpdated, next};
  }
  if (xx) return {ZAddResult::kSkipped};
  sl->Insert(score, member);
  return {ZAddResult::kAdded, score};
}

bool ZSet::Remove(std::string_view member) {
  if (!is_listpack()) return skiplist()->Erase(member);
  PairPack pack(lp());
  Pos p = pack.Find(member);
  if (p == kNone) return false;
  pack.Erase(p, 1);
  return true;
}

std::optional<double> ZSet::Score(std::string_view member) const {
  if (is_listpack()) {
    PairPack pack(lp());
    for (Pos p = pack.First(); p != kNone; p = pack.Next(p)) {
      double s;
      if (pack.Get(p, &s) == member) return s;
    }
    return std::nullopt;
  }
  const ZSkiplist::Node* n = skiplist()->Find(member);
  if (n == nullptr) return std::nullopt;
  return n->score();
}

std::optional<size_t> ZSet::Rank(std::string_view member, bool reverse, double* score) const {
  size_t rank = 0;  // 0-based, ascending
  if (is_listpack()) {
    PairPack pack(lp());
    Pos p = pack.First();
    double s = 0;
    for (; p != kNone && pack.Get(p, &s) != member; p = pack.Next(p)) ++rank;
    if (p == kNone) return std::nullopt;
    if (score != nullptr) *score = s;
  } else {
    const ZSkiplist* sl = skiplist();
    const ZSkiplist::Node* n = sl->Find(member);
    if (n == nullptr) return std::nullopt;
    rank = sl->RankOf(n) - 1;
    if (score != nullptr) *score = n->score();
  }
  return reverse ? Size() - 1 - rank : rank;
}

// ---- Ranges ----

void ZSet::VisitRanks(size_t start, size_t end, bool reverse, Visitor fn) const {
  const size_t size = Size();
  if (start > end || start >= size) return;
  size_t count = std::min(end, size - 1) - start + 1;
  if (is_listpack()) {
    PairPack pack(lp());
    Pos p = pack.Seek(reverse ? size - 1 - start : start);
    for (; count > 0 && p != kNone; --count) {
      double s;
      std::string_view m = pack.Get(p, &s);
      fn(m, s);
      p = reverse ? pack.Prev(p) : pack.Next(p);
    }
    return;
  }
  const ZSkiplist::Node* n = skiplist()->AtRank(reverse ? size - start : start + 1);
  for (; count > 0 && n != nullptr; --count) {
    fn(n->member(), n->score());
    n = reverse ? n->prev() : n->next();
  }
}

size_t ZSet::VisitRange(const ScoreRange& r, bool reverse, size_t offset, int64_t limit,
                        Visitor fn) const {
  return is_listpack() ? PackVisit(PairPack(lp()), r, reverse, offset, limit, fn)
                       : SkiplistVisit(*skiplist(), r, reverse, offset, limit, fn);
}

size_t ZSet::VisitRange(const LexRange& r, bool reverse, size_t offset, int64_t limit,
                        Visitor fn) const {
  return is_listpack() ? PackVisit(PairPack(lp()), r, reverse, offset, limit, fn)
                       : SkiplistVisit(*skiplist(), r, reverse, offset, limit, fn);
}

void ZSet::VisitRangeWhile(const ScoreRange& r, WhileVisitor fn) const {
  if (is_listpack()) {
    PairPack pack(lp());
    for (Pos p = PackFirstInRange(pack, r); p != kNone; p = pack.Next(p)) {
      double s;
      std::string_view m = pack.Get(p, &s);
      if (!r.BelowMax(s) || !fn(m, s)) return;
    }
    return;
  }
  // Walking a big skiplist is a cache miss per node: fetch the next node while fn works on
  // this one (a GEO search decodes and measures every point it walks).
  const ZSkiplist::Node* next;
  for (const ZSkiplist::Node* n = skiplist()->FirstInRange(r); n != nullptr; n = next) {
    next = n->next();
    if (next != nullptr) __builtin_prefetch(next);
    if (!r.BelowMax(n->score()) || !fn(n->member(), n->score())) return;
  }
}

void ZSet::ForEach(Visitor fn) const {
  if (is_listpack()) {
    PairPack pack(lp());
    for (Pos p = pack.First(); p != kNone; p = pack.Next(p)) {
      double s;
      std::string_view m = pack.Get(p, &s);
      fn(m, s);
    }
    return;
  }
  for (const ZSkiplist::Node* n = skiplist()->First(); n != nullptr; n = n->next()) {
    fn(n->member(), n->score());
  }
}

size_t ZSet::Count(const ScoreRange& r) const {
  if (!is_listpack()) return SkiplistCount(*skiplist(), r);
  PairPack pack(lp());
  return PackCount(pack, r);
}

size_t ZSet::Count(const LexRange& r) const {
  if (!is_listpack()) return SkiplistCount(*skiplist(), r);
  PairPack pack(lp());
  return PackCount(pack, r);
}

size_t ZSet::RemoveRanks(size_t start, size_t end) {
  const size_t size = Size();
  if (start > end || start >= size) return 0;
  end = std::min(end, size - 1);
  if (!is_listpack()) return skiplist()->EraseRanks(start + 1, end + 1);
  PairPack pack(lp());
  pack.Erase(pack.Seek(start), end - start + 1);
  return end - start + 1;
}

size_t ZSet::RemoveRange(const ScoreRange& r) {
  return is_listpack() ? PackRemove(PairPack(lp()), r) : skiplist()->EraseRange(r);
}

size_t ZSet::RemoveRange(const LexRange& r) {
  return is_listpack() ? PackRemove(PairPack(lp()), r) : skiplist()->EraseRange(r);
}

// ---- Random members and scans ----

void ZSet::RandomMembers(size_t count, bool distinct, Visitor fn) const {
  const size_t size = Size();
  if (size == 0 || count == 0) return;
  if (is_listpack()) {
    PairPack pack(lp());
    std::vector<Pos> positions;
    positions.reserve(size);
    for (Pos p = pack.First(); p != kNone; p = pack.Next(p)) positions.push_back(p);
    auto visit = [&](Pos p) {
      double s;
      std::string_view m = pack.Get(p, &s);
      fn(m, s);
    };
    if (!distinct) {
      while (count-- > 0) visit(positions[RandomBelow(size)]);
      return;
    }
    // Selection sampling: each position is kept with probability needed / remaining, which
    // picks exactly count of them uniformly, in set order (as Redis does for listpacks).
    size_t needed = std::min(count, size);
    for (size_t i = 0; i < size && needed > 0; ++i) {
      if (RandomBelow(size - i) < needed) {
        visit(positions[i]);
        --needed;
      }
    }
    return;
  }
  const ZSkiplist& sl = *skiplist();
  if (!distinct) {
    while (count-- > 0) {
      const ZSkiplist::Node* n = sl.AtRank(RandomBelow(size) + 1);
      fn(n->member(), n->score());
    }
    return;
  }
  count = std::min(count, size);
  if (count * 3 > size) {
    // A large share of the set: sample in one pass, then shuffle the picks.
    std::vector<const ZSkiplist::Node*> picked;
    picked.reserve(count);
    size_t needed = count, i = 0;
    for (const ZSkiplist::Node* n = sl.First(); n != nullptr && needed > 0; n = n->next(), ++i) {
      if (RandomBelow(size - i) < needed) {
        picked.push_back(n);
        --needed;
      }
    }
    for (size_t j = picked.size(); j > 1; --j) std::swap(picked[j - 1], picked[RandomBelow(j)]);
    for (const ZSkiplist::Node* n : picked) fn(n->member(), n->score());
    return;
  }
  // A small share: pick ranks at random until count distinct members came up.
  std::unordered_set<const ZSkiplist::Node*> seen;
  seen.reserve(count);
  while (seen.size() < count) {
    const ZSkiplist::Node* n = sl.AtRank(RandomBelow(size) + 1);
    if (seen.insert(n).second) fn(n->member(), n->score());
  }
}

uint64_t ZSet::Scan(uint64_t cursor, Visitor fn) const {
  if (is_listpack()) {
    ForEach(fn);
    return 0;
  }
  return skiplist()->Scan(cursor, [&](const ZSkiplist::Node* n) { fn(n->member(), n->score()); });
}

}  // namespace weir::types
