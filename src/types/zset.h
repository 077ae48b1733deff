// The sorted set: members with scores, ordered by (score, member). Two encodings as in Redis:
// "listpack" (pairs packed in one types::Listpack, for small sets of short members) and
// "skiplist" (types/zset_skiplist.h), converting between them at Redis's thresholds.
#pragma once

#include <absl/functional/function_ref.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "types/listpack.h"
#include "types/object.h"
#include "types/zset_skiplist.h"

namespace weir::types {

// zset-max-listpack-entries / zset-max-listpack-value, read by the command layer.
struct ZSetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

// ZADD's options.
enum ZAddFlag : uint32_t {
  kZAddNx = 1,    // only add new members
  kZAddXx = 2,    // only update existing members
  kZAddGt = 4,    // update only when the new score is greater
  kZAddLt = 8,    // update only when the new score is less
  kZAddIncr = 16  // add the score to the current one (0 for a new member)
};

struct ZAddResult {
  enum Outcome : uint8_t {
    kAdded,      // the member is new
    kUpdated,    // its score changed
    kUnchanged,  // it exists with that score already (still "processed")
    kSkipped,    // NX / XX / GT / LT ruled the change out
    kNan,        // the (resulting) score is NaN: nothing changed
  };
  Outcome outcome;
  double score = 0;  // the member's score after the call (kAdded, kUpdated, kUnchanged)
};

// Invariants: every member is unique; no score is NaN; a listpack-encoded set holds at most
// max_listpack_entries members of at most max_listpack_value bytes each, as of the last
// conversion check (Redis checks on insertion only, and never converts back on removal).
// Views returned by visitors are valid only during the callback.
class ZSet : public Object {
 public:
  using Visitor = absl::FunctionRef<void(std::string_view member, double score)>;

  // A set for about size_hint members whose first member is value_len_hint bytes long (the
  // encoding ZADD creates a key with).
  static std::unique_ptr<ZSet> Create(size_t size_hint, size_t value_len_hint,
                                      const ZSetLimits& limits);
  // A set holding exactly these (unique) members, in the encoding their count and lengths call
  // for (ZUNIONSTORE, ZRANGESTORE... results).
  static std::unique_ptr<ZSet> FromPairs(std::vector<std::pair<std::string, double>> pairs,
                                         const ZSetLimits& limits);

  ZSet();
  ~ZSet() override;
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;

  Object* Clone() const override;
  size_t Size() const override;
  size_t MemoryUsage() const override;
  const char* EncodingName() const override;
  bool is_listpack() const { return (rep_word() & 1) == 0; }

  // ZADD on an existing key: a set about to receive size_hint members converts to a skiplist
  // up front when that exceeds the listpack limit.
  void ReserveFor(size_t size_hint, const ZSetLimits& limits);

  // Converts a listpack-encoded set to the skiplist encoding (no-op for a skiplist), with room
  // in the member index for capacity members. SORT does it to any sorted set, as Redis does.
  void ConvertToSkiplist(size_t capacity = 0);

  ZAddResult Add(std::string_view member, double score, uint32_t flags, const ZSetLimits& limits);
  bool Remove(std::string_view member);
  std::optional<double> Score(std::string_view member) const;
  // 0-based rank, from the lowest score (or from the highest when reverse).
  std::optional<size_t> Rank(std::string_view member, bool reverse, double* score) const;

  // Ranks are 0-based and inclusive, already clamped to [0, Size()).
  void VisitRanks(size_t start, size_t end, bool reverse, Visitor fn) const;
  // Visits members in the range (from its high end when reverse), skipping the first offset of
  // them, at most limit (negative: all). Returns how many were visited.
  size_t VisitRange(const ScoreRange& r, bool reverse, size_t offset, int64_t limit,
                    Visitor fn) const;
  size_t VisitRange(const LexRange& r, bool reverse, size_t offset, int64_t limit,
                    Visitor fn) const;
  // Visits the members in a score range from its low end for as long as fn returns true (GEO
  // searches walk several ranges and stop once they have enough points).
  using WhileVisitor = absl::FunctionRef<bool(std::string_view member, double score)>;
  void VisitRangeWhile(const ScoreRange& r, WhileVisitor fn) const;
  void ForEach(Visitor fn) const;

  size_t Count(const ScoreRange& r) const;
  size_t Count(const LexRange& r) const;

  size_t RemoveRanks(size_t start, size_t end);
  size_t RemoveRange(const ScoreRange& r);
  size_t RemoveRange(const LexRange& r);

  // count members chosen at random: with repetition (ZRANDMEMBER with a negative count), or
  // distinct (then count must be below Size()).
  void RandomMembers(size_t count, bool distinct, Visitor fn) const;

  // One step of a cursor scan. A listpack-encoded set is visited whole and returns 0.
  uint64_t Scan(uint64_t cursor, Visitor fn) const;

 private:
  // The encoding lives in one pointer-sized word, because millions of small sets each pay for
  // this object: either a Listpack (whose only member is its 8-aligned data pointer, so the
  // low bit is 0) or a ZSkiplist* tagged with the low bit set.
  Listpack& lp() { return *std::launder(reinterpret_cast<Listpack*>(rep_)); }
  const Listpack& lp() const { return *std::launder(reinterpret_cast<const Listpack*>(rep_)); }
  ZSkiplist* skiplist() const;
  uintptr_t rep_word() const;

  alignas(Listpack) unsigned char rep_[sizeof(Listpack)];
};

}  // namespace weir::types
