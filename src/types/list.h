// types::List: the list type, a quicklist-like chain of listpack nodes with Redis's two
// encodings ("listpack" for one small node, "quicklist" beyond that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "types/listpack.h"
#include "types/object.h"

namespace weir::types {

// Redis's equality of a list element with an argument (integers by value, strings by bytes),
// with the argument parsed once for a whole scan (LPOS, LREM, LINSERT).
class ListMatcher {
 public:
  explicit ListMatcher(std::string_view s);
  bool operator()(const Listpack::Value& v) const {
    return v.is_int ? (is_int_ && v.num == num_) : (!is_int_ && v.str == s_);
  }

 private:
  std::string_view s_;
  int64_t num_ = 0;
  bool is_int_ = false;
};

// A doubly linked list of nodes, each a Listpack. `fill` is list-max-listpack-size: negative
// values limit a node's bytes (-1..-5: 4, 8, 16, 32, 64 KiB), positive ones its element count
// (0 counts as 1, and 8 KiB still caps a node). A node always takes at least one element, so a
// huge element sits alone in its node (Redis's "plain" node in all but name).
//
// Encoding, as Redis 7.2 decides it: a list starts as "listpack" (one node, held inline). It
// becomes "quicklist" when an addition would take the listpack past the node limit (checked
// before the addition with the arguments' raw sizes, as Redis does), and turns back into
// "listpack" when, after a removal, a single node remains that is within half the limit (the
// hysteresis avoids converting back and forth). Redis's list-compress-depth is accepted by
// CONFIG but ignored here: nodes are never compressed.
//
// Invariants: no empty node except the inline one of an empty listpack list; count_ is the sum
// of the nodes' sizes; in listpack encoding head_ == tail_ == &inline_.
//
// Complexity: push/pop O(1) amortised (bytes moved within one node); index, set and insert walk
// nodes from the nearer end, O(n / node size) plus the work inside one node.
class List final : public Object {
 public:
  enum class End : uint8_t { kHead, kTail };
  using Value = Listpack::Value;
  static constexpr int kDefaultFill = -2;

  explicit List(int fill = kDefaultFill) : fill_(fill) {}
  ~List() override;
  List(const List&) = delete;
  List& operator=(const List&) = delete;

  Object* Clone() const override;
  size_t Size() const override { return count_; }
  size_t MemoryUsage() const override;
  const char* EncodingName() const override { return quicklist_ ? "quicklist" : "listpack"; }
  bool is_quicklist() const { return quicklist_; }
  size_t node_count() const;

  int fill() const { return fill_; }
  // The current list-max-listpack-size; commands set it before each write so CONFIG SET applies
  // to existing lists too.
  void set_fill(int fill) { fill_ = fill; }

  // ---- Adding ----
  void Push(std::string_view value, End end);
  // Pushes each value in order (LPUSH a b c leaves c first); one conversion check for all.
  void PushAll(std::span<const std::string_view> values, End end);
  // Inserts value after (or before) the first element equal to pivot; false if there is none.
  bool Insert(std::string_view pivot, std::string_view value, bool after);
  // Replaces the element at index (negative: from the tail) in its node; false if out of
  // range.
  bool Set(int64_t index, std::string_view value);

  // ---- Reading ----
  // Calls f(const Value&) with the element at index (negative: from the tail); false if out of
  // range.
  template <class F>
  bool Index(int64_t index, F&& f) const {
    Cursor c;
    if (!Locate(index, &c)) return false;
    f(c.node->lp.Get(c.pos));
    return true;
  }
  // Calls f(const Value&) for n elements starting at index `first` (0 <= first < size()),
  // walking towards the tail, or towards the head when reverse. The range must exist.
  template <class F>
  void Range(size_t first, size_t n, bool reverse, F&& f) const {
    Cursor c;
    if (n == 0 || !Locate(static_cast<int64_t>(first), &c)) return;
    while (true) {
      f(c.node->lp.Get(c.pos));
      if (--n == 0 || !Step(&c, reverse)) return;
    }
  }
  // Calls f(const Value&) from the head (or the tail) until f returns false or the list ends.
  template <class F>
  void Walk(bool from_tail, F&& f) const {
    Cursor c;
    if (count_ == 0) return;
    c.node = from_tail ? tail_ : head_;
    c.pos = from_tail ? c.node->lp.Last() : c.node->lp.First();
    do {
      if (!f(c.node->lp.Get(c.pos))) return;
    } while (Step(&c, from_tail));
  }
  // Every element from the head (for SORT and other whole-list readers).
  template <class F>
  void ForEach(F&& f) const {
    Walk(false, [&](const Value& v) {
      f(v);
      return true;
    });
  }

  // ---- Removing ----
  // Calls f(const Value&) for up to n elements taken from `end`, in the order they come off,
  // then removes them. Returns how many were removed.
  template <class F>
  size_t Pop(End end, size_t n, F&& f) {
    if (n > count_) n = count_;
    if (n == 0) return 0;
    Range(end == End::kHead ? 0 : count_ - 1, n, end == End::kTail, f);
    if (end == End::kHead) {
      RemoveHead(n);
    } else {
      RemoveTail(n);
    }
    AfterRemoval();
    return n;
  }
  // Removes one element from `end` and returns it as a string (the list must not be empty).
  std::string PopOne(End end);
  // LMOVE with the same list as source and destination: moves one element from `from` to `to`
  // and returns it. As in Redis, the encoding is reconsidered only after both steps.
  std::string Rotate(End from, End to);
  // Removes up to |count| elements equal to value, from the head (count > 0), from the tail
  // (count < 0) or all of them (count == 0). Returns how many were removed.
  size_t Remove(std::string_view value, int64_t count);
  // Removes from_head elements at the head and from_tail at the tail (LTRIM's arithmetic is the
  // caller's).
  void Trim(size_t from_head, size_t from_tail);

  // Structural self-check for tests: links, counts, no empty nodes. (Node limits are not an
  // invariant: the converted listpack and nodes built under an older fill may exceed them.)
  bool CheckInvariants() const;

 private:
  struct Node {
    Node* prev = nullptr;
    Node* next = nullptr;
    Listpack lp;
  };
  struct Cursor {
    Node* node = nullptr;
    Listpack::Pos pos = Listpack::kNone;
  };

  bool Locate(int64_t index, Cursor* c) const;
  // Moves c one element on (towards the head when reverse); false at the end of the list.
  static bool Step(Cursor* c, bool reverse);

  // Conversion to quicklist when adding add_count elements of add_bytes raw bytes would exceed
  // the listpack limit (Redis's listTypeTryConvertListpack).
  void GrowCheck(size_t add_bytes, size_t add_count);
  // Back to listpack after a removal if one small node is left.
  void AfterRemoval();

  // Whether a value of value_size raw bytes may go into node (false for no node).
  bool NodeAllows(const Node* node, size_t value_size) const;
  bool NodesMayMerge(const Node* a, const Node* b) const;
  // Appends b's elements to a and drops b; returns a.
  Node* MergeInto(Node* a, Node* b);
  // Merges the neighbourhood of a node that was just split, where sizes allow.
  void MergeAround(Node* center);
  void PushUnchecked(std::string_view value, End end);
  // Inserts value next to the element at c (quicklist encoding), splitting a full node.
  void InsertAt(const Cursor& c, std::string_view value, bool after);
  Node* NewNodeAfter(Node* node);  // node null: new head
  void Unlink(Node* node);
  void RemoveHead(size_t n);
  void RemoveTail(size_t n);

  Node* head_ = &inline_;
  Node* tail_ = &inline_;
  size_t count_ = 0;
  int fill_;
  bool quicklist_ = false;
  // The listpack encoding's single node, held inline to save an allocation per small list.
  Node inline_;
};

}  // namespace weir::types
