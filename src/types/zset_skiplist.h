// The "skiplist" encoding of a sorted set: a skiplist ordered by (score, member) whose links carry
// spans, so rank lookups and rank ranges are O(log n), plus a member -> node hash index for O(1)
// membership and score lookups. Both live in the same nodes: a node holds its score, its member
// bytes, its tower of links and the chain link of the hash index, in one allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace weir::types {

// A score interval: [min, max] with either end open ("(1.5" on the wire).
struct ScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;

  bool AboveMin(double v) const { return min_exclusive ? v > min : v >= min; }
  bool BelowMax(double v) const { return max_exclusive ? v < max : v <= max; }
  bool Contains(double v) const { return AboveMin(v) && BelowMax(v); }
  // No score can be inside (min > max, or a single point excluded).
  bool Empty() const { return min > max || (min == max && (min_exclusive || max_exclusive)); }
};

// A lexicographic interval of members: each end is "-" (below everything), "+" (above
// everything), or a value, inclusive ("[a") or exclusive ("(a"). Values are views into the
// caller's arguments.
struct LexBound {
  enum class Kind : uint8_t { kMinusInf, kPlusInf, kValue };
  Kind kind = Kind::kMinusInf;
  bool exclusive = false;
  std::string_view value;
};

struct LexRange {
  LexBound min;
  LexBound max{LexBound::Kind::kPlusInf, false, {}};

  // Compares a member with a bound (which orders "-" first and "+" last).
  static int Compare(std::string_view member, const LexBound& b);
  bool AboveMin(std::string_view m) const;
  bool BelowMax(std::string_view m) const;
  bool Contains(std::string_view m) const { return AboveMin(m) && BelowMax(m); }
  bool Empty() const;
};

// Members order bytewise (unsigned), a shorter prefix first, as Redis's sdscmp.
inline int CompareMember(std::string_view a, std::string_view b) { return a.compare(b); }

// Uniform 64 random bits from a per-thread generator (skiplist heights, random members).
uint64_t ZSetRandom();

// Not thread-safe; the owning shard's lock guards it. Invariants: nodes are in strictly
// increasing (score, member) order; no NaN scores; a link's span is the number of level-0 steps
// it covers (for a null link, the steps to the end of the list); every node is in the hash
// index exactly once.
class ZSkiplist {
 public:
  static constexpr int kMaxHeight = 32;

  class Node {
   public:
    double score() const { return score_; }
    std::string_view member() const { return {member_data(), member_len_}; }
    const Node* next() const { return levels()[0].forward; }
    const Node* prev() const { return backward_; }

   private:
    friend class ZSkiplist;
    struct Level {
      Node* forward;
      uint64_t span;
    };
    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }
    char* member_data() { return reinterpret_cast<char*>(levels() + height_); }
    const char* member_data() const { return reinterpret_cast<const char*>(levels() + height_); }

    double score_;
    Node* backward_;
    Node* hash_next_;
    uint32_t member_len_;
    uint8_t height_;
  };

  ZSkiplist();
  ~ZSkiplist();
  ZSkiplist(const ZSkiplist&) = delete;
  ZSkiplist& operator=(const ZSkiplist&) = delete;

  size_t size() const { return length_; }
  // Bytes held: nodes, the head and the hash index.
  size_t MemoryUsage() const { return bytes_ + bucket_count() * sizeof(Node*) + sizeof(*this); }
  // Pre-sizes the hash index for n members.
  void Reserve(size_t n);

  const Node* First() const { return head_->levels()[0].forward; }
  const Node* Last() const { return tail_; }
  const Node* Find(std::string_view member) const;

  // Inserts a member that is not present.
  const Node* Insert(double score, std::string_view member);
  // Moves a node to a new score (the node stays the same object).
  void UpdateScore(const Node* node, double score);
  bool Erase(std::string_view member);
  void Erase(const Node* node);

  // 1-based rank of a node present in the list.
  size_t RankOf(const Node* node) const;
  // The node at a 1-based rank, or nullptr past the end.
  const Node* AtRank(size_t rank) const;

  const Node* FirstInRange(const ScoreRange& r) const;
  const Node* LastInRange(const ScoreRange& r) const;
  const Node* FirstInRange(const LexRange& r) const;
  const Node* LastInRange(const LexRange& r) const;

  // Remove every node in the range; return how many were removed. Ranks are 1-based, inclusive.
  size_t EraseRange(const ScoreRange& r);
  size_t EraseRange(const LexRange& r);
  size_t EraseRanks(size_t first, size_t last);

  // One step of a cursor scan over the hash index (Redis's reverse-binary cursor: every member
  // present for the whole scan is visited at least once across resizes). Returns the next
  // cursor, 0 when done.
  uint64_t Scan(uint64_t cursor, const std::function<void(const Node*)>& fn) const;

 private:
  using Level = Node::Level;
  static Node* NewNode(int height, double score, std::string_view member);
  void FreeNode(Node* n);
  static int RandomHeight();
  static bool Before(const Node* n, double score, std::string_view member);

  // Links n (its score already set) at its place; fills nothing else.
  void Link(Node* n);
  // Unlinks n, given the rightmost node before n at each level.
  void Unlink(Node* n, Node* const* update);
  // Fills update[] with the rightmost node before (score, member) at each level.
  void FindUpdate(double score, std::string_view member, Node** update) const;
  template <class StopFn>
  size_t EraseWhile(Node** update, StopFn in_range);

  size_t bucket_count() const { return buckets_ == nullptr ? 0 : mask_ + 1; }
  void IndexInsert(Node* n);
  void IndexRemove(const Node* n);
  void IndexResize(size_t buckets);

  Node* head_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int height_ = 1;
  size_t bytes_ = 0;
  Node** buckets_ = nullptr;
  size_t mask_ = 0;
};

}  // namespace weir::types
