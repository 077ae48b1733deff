// The sorted set type: its two encodings behind one API, and the conversions between them.
#include "types/zset.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace weir::types {

// ---- The listpack encoding ----

// (member, score) pairs in (score, member) order, packed. Positions are opaque handles that
// stay valid until the next modification. TEMPORARY: a vector until types/listpack.h lands;
// the interface is what the listpack version implements.
class ZSet::Pack {
 public:
  using Pos = size_t;
  static constexpr Pos kNone = SIZE_MAX;

  size_t size() const { return pairs_.size(); }
  size_t bytes() const {
    size_t n = sizeof(*this) + pairs_.capacity() * sizeof(pairs_[0]);
    for (const auto& p : pairs_) n += p.first.capacity() > 15 ? p.first.capacity() : 0;
    return n;
  }

  Pos First() const { return pairs_.empty() ? kNone : 0; }
  Pos Last() const { return pairs_.empty() ? kNone : pairs_.size() - 1; }
  Pos Next(Pos p) const { return p + 1 < pairs_.size() ? p + 1 : kNone; }
  Pos Prev(Pos p) const { return p == 0 ? kNone : p - 1; }
  // The pair at a 0-based index.
  Pos Seek(size_t index) const { return index < pairs_.size() ? index : kNone; }

  std::string_view Member(Pos p) const { return pairs_[p].first; }
  double Score(Pos p) const { return pairs_[p].second; }

  Pos Find(std::string_view member) const {
    for (size_t i = 0; i < pairs_.size(); ++i) {
      if (pairs_[i].first == member) return i;
    }
    return kNone;
  }

  // Inserts before p (kNone: at the end).
  void InsertBefore(Pos p, std::string_view member, double score) {
    pairs_.emplace(p == kNone ? pairs_.end() : pairs_.begin() + p, std::string(member), score);
  }
  // Removes count pairs starting at p.
  void Erase(Pos p, size_t count) { pairs_.erase(pairs_.begin() + p, pairs_.begin() + p + count); }

 private:
  std::vector<std::pair<std::string, double>> pairs_;
};

namespace {

using Pack = ZSet::Pack;

// True when (score, member) sorts before (s, m).
bool PairBefore(double score, std::string_view member, double s, std::string_view m) {
  return score < s || (score == s && CompareMember(member, m) < 0);
}

// Inserts a member that is not present at its place in the order.
void PackInsertSorted(Pack& pack, std::string_view member, double score) {
  Pack::Pos p = pack.First();
  while (p != Pack::kNone && PairBefore(pack.Score(p), pack.Member(p), score, member)) {
    p = pack.Next(p);
  }
  pack.InsertBefore(p, member, score);
}

Pack::Pos PackFirstAtOrAbove(const Pack& pack, const ScoreRange& r) {
  Pack::Pos p = pack.First();
  while (p != Pack::kNone && !r.AboveMin(pack.Score(p))) p = pack.Next(p);
  return p;
}

Pack::Pos PackFirstAtOrAbove(const Pack& pack, const LexRange& r) {
  Pack::Pos p = pack.First();
  while (p != Pack::kNone && !r.AboveMin(pack.Member(p))) p = pack.Next(p);
  return p;
}

Pack::Pos PackLastAtOrBelow(const Pack& pack, const ScoreRange& r) {
  Pack::Pos p = pack.Last();
  while (p != Pack::kNone && !r.BelowMax(pack.Score(p))) p = pack.Prev(p);
  return p;
}

Pack::Pos PackLastAtOrBelow(const Pack& pack, const LexRange& r) {
  Pack::Pos p = pack.Last();
  while (p != Pack::kNone && !r.BelowMax(pack.Member(p))) p = pack.Prev(p);
  return p;
}

// Visits a range of either encoding: the start position comes from the range search, offset
// positions are skipped unchecked, then positions are visited while still in range.
template <class Range>
size_t PackVisit(const Pack& pack, const Range& r, bool reverse, size_t offset, int64_t limit,
                 ZSet::Visitor fn) {
  if (r.Empty()) return 0;
  Pack::Pos p = reverse ? PackLastAtOrBelow(pack, r) : PackFirstAtOrAbove(pack, r);
  while (p != Pack::kNone && offset > 0) {
    p = reverse ? pack.Prev(p) : pack.Next(p);
    --offset;
  }
  size_t visited = 0;
  for (; p != Pack::kNone && (limit < 0 || static_cast<int64_t>(visited) < limit);
       p = reverse ? pack.Prev(p) : pack.Next(p)) {
    std::string_view m = pack.Member(p);
    double s = pack.Score(p);
    bool inside;
    if constexpr (std::is_same_v<Range, ScoreRange>) {
      inside = reverse ? r.AboveMin(s) : r.BelowMax(s);
    } else {
      inside = reverse ? r.AboveMin(m) : r.BelowMax(m);
    }
    if (!inside) break;
    fn(m, s);
    ++visited;
  }
  return visited;
}

template <class Range>
size_t SkiplistVisit(const ZSkiplist& sl, const Range& r, bool reverse, size_t offset,
                     int64_t limit, ZSet::Visitor fn) {
  const ZSkiplist::Node* n = reverse ? sl.LastInRange(r) : sl.FirstInRange(r);
  while (n != nullptr && offset > 0) {
    n = reverse ? n->prev() : n->next();
    --offset;
  }
  size_t visited = 0;
  for (; n != nullptr && (limit < 0 || static_cast<int64_t>(visited) < limit);
       n = reverse ? n->prev() : n->next()) {
    bool inside;
    if constexpr (std::is_same_v<Range, ScoreRange>) {
      inside = reverse ? r.AboveMin(n->score()) : r.BelowMax(n->score());
    } else {
      inside = reverse ? r.AboveMin(n->member()) : r.BelowMax(n->member());
    }
    if (!inside) break;
    fn(n->member(), n->score());
    ++visited;
  }
  return visited;
}

template <class Range>
size_t PackCount(const Pack& pack, const Range& r) {
  if (r.Empty()) return 0;
  size_t n = 0;
  for (Pack::Pos p = PackFirstAtOrAbove(pack, r); p != Pack::kNone; p = pack.Next(p)) {
    bool inside;
    if constexpr (std::is_same_v<Range, ScoreRange>) {
      inside = r.BelowMax(pack.Score(p));
    } else {
      inside = r.BelowMax(pack.Member(p));
    }
    if (!inside) break;
    ++n;
  }
  return n;
}

template <class Range>
size_t SkiplistCount(const ZSkiplist& sl, const Range& r) {
  const ZSkiplist::Node* first = sl.FirstInRange(r);
  if (first == nullptr) return 0;
  const ZSkiplist::Node* last = sl.LastInRange(r);
  return sl.RankOf(last) - sl.RankOf(first) + 1;
}

template <class Range>
size_t PackRemove(Pack& pack, const Range& r) {
  size_t n = PackCount(pack, r);
  if (n > 0) pack.Erase(PackFirstAtOrAbove(pack, r), n);
  return n;
}

size_t RandomBelow(size_t n) { return static_cast<size_t>(ZSetRandom() % n); }

}  // namespace

// ---- Construction and conversion ----

ZSet::ZSet() : pack_(std::make_unique<Pack>()) {}
ZSet::~ZSet() = default;

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
  size_t longest = 0;
  for (const auto& p : pairs) longest = std::max(longest, p.first.size());
  auto z = std::make_unique<ZSet>();
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return PairBefore(a.second, a.first, b.second, b.first);
  });
  if (pairs.size() <= limits.max_listpack_entries && longest <= limits.max_listpack_value) {
    for (const auto& p : pairs) z->pack_->InsertBefore(Pack::kNone, p.first, p.second);
  } else {
    z->ConvertToSkiplist(pairs.size());
    // Highest first: each insertion then stops at the head.
    for (auto it = pairs.rbegin(); it != pairs.rend(); ++it) {
      z->skiplist_->Insert(it->second, it->first);
    }
  }
  return z;
}

void ZSet::ConvertToSkiplist(size_t capacity) {
  if (skiplist_ != nullptr) return;
  auto sl = std::make_unique<ZSkiplist>();
  sl->Reserve(std::max(capacity, pack_->size()));
  for (Pack::Pos p = pack_->Last(); p != Pack::kNone; p = pack_->Prev(p)) {
    sl->Insert(pack_->Score(p), pack_->Member(p));
  }
  skiplist_ = std::move(sl);
  pack_.reset();
}

void ZSet::ReserveFor(size_t size_hint, const ZSetLimits& limits) {
  if (is_listpack() && size_hint > limits.max_listpack_entries) ConvertToSkiplist(size_hint);
}

Object* ZSet::Clone() const {
  auto* z = new ZSet();
  if (is_listpack()) {
    *z->pack_ = *pack_;
  } else {
    z->ConvertToSkiplist(skiplist_->size());
    for (const ZSkiplist::Node* n = skiplist_->Last(); n != nullptr; n = n->prev()) {
      z->skiplist_->Insert(n->score(), n->member());
    }
  }
  return z;
}

size_t ZSet::Size() const { return is_listpack() ? pack_->size() : skiplist_->size(); }

size_t ZSet::MemoryUsage() const {
  return sizeof(*this) + (is_listpack() ? pack_->bytes() : skiplist_->MemoryUsage());
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
    Pack::Pos p = pack_->Find(member);
    if (p != Pack::kNone) {
      double next;
      if (auto done = decide(pack_->Score(p), &next)) return *done;
      pack_->Erase(p, 1);
      PackInsertSorted(*pack_, member, next);
      return {ZAddResult::kUpdated, next};
    }
    if (xx) return {ZAddResult::kSkipped};
    if (pack_->size() + 1 <= limits.max_listpack_entries &&
        member.size() <= limits.max_listpack_value) {
      PackInsertSorted(*pack_, member, score);
      return {ZAddResult::kAdded, score};
    }
    ConvertToSkiplist(pack_->size() + 1);
  }
  if (const ZSkiplist::Node* n = skiplist_->Find(member)) {
    double next;
    if (auto done = decide(n->score(), &next)) return *done;
    skiplist_->UpdateScore(n, next);
    return {ZAddResult::kUpdated, next};
  }
  if (xx) return {ZAddResult::kSkipped};
  skiplist_->Insert(score, member);
  return {ZAddResult::kAdded, score};
}

bool ZSet::Remove(std::string_view member) {
  if (!is_listpack()) return skiplist_->Erase(member);
  Pack::Pos p = pack_->Find(member);
  if (p == Pack::kNone) return false;
  pack_->Erase(p, 1);
  return true;
}

std::optional<double> ZSet::Score(std::string_view member) const {
  if (is_listpack()) {
    Pack::Pos p = pack_->Find(member);
    if (p == Pack::kNone) return std::nullopt;
    return pack_->Score(p);
  }
  const ZSkiplist::Node* n = skiplist_->Find(member);
  if (n == nullptr) return std::nullopt;
  return n->score();
}

std::optional<size_t> ZSet::Rank(std::string_view member, bool reverse, double* score) const {
  size_t rank = 0;  // 0-based, ascending
  if (is_listpack()) {
    Pack::Pos p = pack_->First();
    while (p != Pack::kNone && pack_->Member(p) != member) {
      p = pack_->Next(p);
      ++rank;
    }
    if (p == Pack::kNone) return std::nullopt;
    if (score != nullptr) *score = pack_->Score(p);
  } else {
    const ZSkiplist::Node* n = skiplist_->Find(member);
    if (n == nullptr) return std::nullopt;
    rank = skiplist_->RankOf(n) - 1;
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
    Pack::Pos p = pack_->Seek(reverse ? size - 1 - start : start);
    for (; count > 0 && p != Pack::kNone; --count) {
      fn(pack_->Member(p), pack_->Score(p));
      p = reverse ? pack_->Prev(p) : pack_->Next(p);
    }
    return;
  }
  const ZSkiplist::Node* n = skiplist_->AtRank(reverse ? size - start : start + 1);
  for (; count > 0 && n != nullptr; --count) {
    fn(n->member(), n->score());
    n = reverse ? n->prev() : n->next();
  }
}

size_t ZSet::VisitRange(const ScoreRange& r, bool reverse, size_t offset, int64_t limit,
                        Visitor fn) const {
  return is_listpack() ? PackVisit(*pack_, r, reverse, offset, limit, fn)
                       : SkiplistVisit(*skiplist_, r, reverse, offset, limit, fn);
}

size_t ZSet::VisitRange(const LexRange& r, bool reverse, size_t offset, int64_t limit,
                        Visitor fn) const {
  return is_listpack() ? PackVisit(*pack_, r, reverse, offset, limit, fn)
                       : SkiplistVisit(*skiplist_, r, reverse, offset, limit, fn);
}

void ZSet::ForEach(Visitor fn) const {
  if (is_listpack()) {
    for (Pack::Pos p = pack_->First(); p != Pack::kNone; p = pack_->Next(p)) {
      fn(pack_->Member(p), pack_->Score(p));
    }
    return;
  }
  for (const ZSkiplist::Node* n = skiplist_->First(); n != nullptr; n = n->next()) {
    fn(n->member(), n->score());
  }
}

size_t ZSet::Count(const ScoreRange& r) const {
  return is_listpack() ? PackCount(*pack_, r) : SkiplistCount(*skiplist_, r);
}

size_t ZSet::Count(const LexRange& r) const {
  return is_listpack() ? PackCount(*pack_, r) : SkiplistCount(*skiplist_, r);
}

size_t ZSet::RemoveRanks(size_t start, size_t end) {
  const size_t size = Size();
  if (start > end || start >= size) return 0;
  end = std::min(end, size - 1);
  if (!is_listpack()) return skiplist_->EraseRanks(start + 1, end + 1);
  pack_->Erase(pack_->Seek(start), end - start + 1);
  return end - start + 1;
}

size_t ZSet::RemoveRange(const ScoreRange& r) {
  return is_listpack() ? PackRemove(*pack_, r) : skiplist_->EraseRange(r);
}

size_t ZSet::RemoveRange(const LexRange& r) {
  return is_listpack() ? PackRemove(*pack_, r) : skiplist_->EraseRange(r);
}

// ---- Random members and scans ----

void ZSet::RandomMembers(size_t count, bool distinct, Visitor fn) const {
  const size_t size = Size();
  if (size == 0 || count == 0) return;
  if (is_listpack()) {
    std::vector<Pack::Pos> positions;
    positions.reserve(size);
    for (Pack::Pos p = pack_->First(); p != Pack::kNone; p = pack_->Next(p)) {
      positions.push_back(p);
    }
    if (!distinct) {
      while (count-- > 0) {
        Pack::Pos p = positions[RandomBelow(size)];
        fn(pack_->Member(p), pack_->Score(p));
      }
      return;
    }
    // Selection sampling: each position is kept with probability needed / remaining, which
    // picks exactly count of them uniformly, in set order (as Redis does for listpacks).
    size_t needed = std::min(count, size);
    for (size_t i = 0; i < size && needed > 0; ++i) {
      if (RandomBelow(size - i) < needed) {
        fn(pack_->Member(positions[i]), pack_->Score(positions[i]));
        --needed;
      }
    }
    return;
  }
  const ZSkiplist& sl = *skiplist_;
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
  return skiplist_->Scan(cursor, [&](const ZSkiplist::Node* n) { fn(n->member(), n->score()); });
}

}  // namespace weir::types
