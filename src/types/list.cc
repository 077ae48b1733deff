// types::List: node limits, encoding conversions, and the node-level mutations.
#include "types/list.h"

#include <cassert>
#include <cstdlib>
#include <utility>

#include "common/memory.h"
#include "common/numbers.h"

namespace weir::types {
namespace {

// Byte limits for fill -1..-5.
constexpr size_t kSizeLimits[] = {4096, 8192, 16384, 32768, 65536};
// Count-limited nodes (positive fill) are still capped at this many bytes.
constexpr size_t kCountedNodeSafetyBytes = 8192;
// A node never grows past this through LSET (a listpack addresses at most 4 GiB); elements this
// big always sit alone in their node anyway.
constexpr size_t kMaxNodeBytes = size_t{1} << 30;

struct NodeLimit {
  size_t bytes;  // SIZE_MAX when the fill limits counts
  size_t count;  // SIZE_MAX when the fill limits bytes
};

NodeLimit LimitFor(int fill) {
  if (fill >= 0) return {SIZE_MAX, fill == 0 ? size_t{1} : static_cast<size_t>(fill)};
  size_t level = static_cast<size_t>(-(static_cast<int64_t>(fill))) - 1;
  if (level >= std::size(kSizeLimits)) level = std::size(kSizeLimits) - 1;
  return {kSizeLimits[level], SIZE_MAX};
}

bool ExceedsLimit(int fill, size_t bytes, size_t count) {
  NodeLimit limit = LimitFor(fill);
  if (limit.bytes != SIZE_MAX) return bytes > limit.bytes;
  return bytes > kCountedNodeSafetyBytes || count > limit.count;
}

// The size Redis's lpBytes would report for the same elements: our header is one byte longer
// than Redis's header plus terminator, and an empty listpack is Redis's 7 bytes. Using Redis's
// figure keeps the listpack/quicklist conversion points where Redis has them.
size_t RedisLpBytes(const Listpack& lp) { return lp.empty() ? 7 : lp.bytes() - 1; }

}  // namespace

ListMatcher::ListMatcher(std::string_view s) : s_(s) {
  is_int_ = !s.empty() && s.size() <= 20 && ParseInt64(s, &num_);
}

// ---- Ownership ----------------------------------------------------------------------------------

List::~List() {
  if (!quicklist_) return;
  for (Node* n = head_; n != nullptr;) {
    Node* next = n->next;
    delete n;
    n = next;
  }
}

Object* List::Clone() const {
  auto* copy = new List(fill_);
  copy->count_ = count_;
  if (!quicklist_) {
    copy->inline_.lp = inline_.lp.Clone();
    return copy;
  }
  copy->quicklist_ = true;
  copy->head_ = copy->tail_ = nullptr;
  for (const Node* n = head_; n != nullptr; n = n->next) {
    Node* c = copy->NewNodeAfter(copy->tail_);
    c->lp = n->lp.Clone();
  }
  return copy;
}

size_t List::MemoryUsage() const {
  size_t total = sizeof(List);
  for (const Node* n = head_; n != nullptr; n = n->next) {
    total += n->lp.MemoryUsage();
    if (n != &inline_) total += mem::UsableSize(const_cast<Node*>(n));
  }
  return total;
}

size_t List::node_count() const {
  size_t n = 0;
  for (const Node* node = head_; node != nullptr; node = node->next) n++;
  return n;
}

// ---- Encoding conversions -----------------------------------------------------------------------

void List::GrowCheck(size_t add_bytes, size_t add_count) {
  if (quicklist_) return;
  if (!ExceedsLimit(fill_, RedisLpBytes(inline_.lp) + add_bytes, inline_.lp.size() + add_count)) {
    return;
  }
  quicklist_ = true;
  head_ = tail_ = nullptr;
  if (!inline_.lp.empty()) {
    Node* n = NewNodeAfter(nullptr);
    n->lp = std::move(inline_.lp);
  }
}

void List::AfterRemoval() {
  if (!quicklist_ || head_ == nullptr || head_ != tail_) return;
  NodeLimit limit = LimitFor(fill_);
  size_t max_bytes = limit.bytes == SIZE_MAX ? SIZE_MAX : limit.bytes / 2;
  size_t max_count = limit.count == SIZE_MAX ? SIZE_MAX : limit.count / 2;
  if (RedisLpBytes(head_->lp) > max_bytes || head_->lp.size() > max_count) return;
  Node* only = head_;
  inline_.lp = std::move(only->lp);
  delete only;
  head_ = tail_ = &inline_;
  quicklist_ = false;
}

// ---- Nodes --------------------------------------------------------------------------------------

bool List::NodeAllows(const Node* node, size_t value_size) const {
  if (node == nullptr) return false;
  // Redis's estimate of the growth: the raw value plus a fixed overhead, against the node's
  // listpack size. Using the same figure keeps node boundaries (and so the encoding reached
  // after later removals) where Redis has them.
  constexpr size_t kElementOverheadEstimate = 8;
  return !ExceedsLimit(fill_, RedisLpBytes(node->lp) + value_size + kElementOverheadEstimate,
                       node->lp.size() + 1);
}

bool List::NodesMayMerge(const Node* a, const Node* b) const {
  if (a == nullptr || b == nullptr) return false;
  // One header and terminator fewer once merged.
  size_t merged = RedisLpBytes(a->lp) + RedisLpBytes(b->lp) - 7;
  return !ExceedsLimit(fill_, merged, a->lp.size() + b->lp.size());
}

List::Node* List::MergeInto(Node* a, Node* b) {
  a->lp.Merge(std::move(b->lp));
  Unlink(b);
  return a;
}

void List::MergeAround(Node* center) {
  // Redis's order: the two nodes before, the two after, then the center with each side.
  Node* prev = center->prev;
  Node* next = center->next;
  if (prev && NodesMayMerge(prev->prev, prev)) MergeInto(prev->prev, prev);
  if (next && NodesMayMerge(next, next->next)) MergeInto(next, next->next);
  Node* target = center;
  if (NodesMayMerge(center->prev, center)) target = MergeInto(center->prev, center);
  if (NodesMayMerge(target, target->next)) MergeInto(target, target->next);
}

List::Node* List::NewNodeAfter(Node* node) {
  Node* n = new Node;
  n->prev = node;
  n->next = node ? node->next : head_;
  if (n->next) {
    n->next->prev = n;
  } else {
    tail_ = n;
  }
  if (node) {
    node->next = n;
  } else {
    head_ = n;
  }
  return n;
}

void List::Unlink(Node* node) {
  if (node == &inline_) return;  // the listpack encoding keeps its (empty) inline node
  if (node->prev) {
    node->prev->next = node->next;
  } else {
    head_ = node->next;
  }
  if (node->next) {
    node->next->prev = node->prev;
  } else {
    tail_ = node->prev;
  }
  delete node;
}

bool List::Locate(int64_t index, Cursor* c) const {
  int64_t n = static_cast<int64_t>(count_);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  if (index < n / 2) {
    Node* node = head_;
    while (index >= static_cast<int64_t>(node->lp.size())) {
      index -= static_cast<int64_t>(node->lp.size());
      node = node->next;
    }
    *c = {node, node->lp.Seek(index)};
  } else {
    int64_t from_tail = n - 1 - index;
    Node* node = tail_;
    while (from_tail >= static_cast<int64_t>(node->lp.size())) {
      from_tail -= static_cast<int64_t>(node->lp.size());
      node = node->prev;
    }
    *c = {node, node->lp.Seek(-1 - from_tail)};
  }
  return true;
}

bool List::Step(Cursor* c, bool reverse) {
  Listpack::Pos p = reverse ? c->node->lp.Prev(c->pos) : c->node->lp.Next(c->pos);
  if (p != Listpack::kNone) {
    c->pos = p;
    return true;
  }
  Node* n = reverse ? c->node->prev : c->node->next;
  if (n == nullptr) return false;
  *c = {n, reverse ? n->lp.Last() : n->lp.First()};
  return true;
}

// ---- Adding -------------------------------------------------------------------------------------

void List::PushUnchecked(std::string_view value, End end) {
  count_++;
  if (!quicklist_) {
    end == End::kHead ? inline_.lp.Prepend(value) : inline_.lp.Append(value);
    return;
  }
  if (end == End::kHead) {
    if (!NodeAllows(head_, value.size())) NewNodeAfter(nullptr);
    head_->lp.Prepend(value);
  } else {
    if (!NodeAllows(tail_, value.size())) NewNodeAfter(tail_);
    tail_->lp.Append(value);
  }
}

void List::Push(std::string_view value, End end) {
  GrowCheck(value.size(), 1);
  PushUnchecked(value, end);
}

void List::PushAll(std::span<const std::string_view> values, End end) {
  size_t bytes = 0;
  for (std::string_view v : values) bytes += v.size();
  GrowCheck(bytes, values.size());
  for (std::string_view v : values) PushUnchecked(v, end);
}

bool List::Insert(std::string_view pivot, std::string_view value, bool after) {
  // As Redis, the conversion check runs before the pivot is known to exist.
  GrowCheck(value.size(), 1);
  ListMatcher match(pivot);
  for (Node* node = head_; node != nullptr; node = node->next) {
    for (Listpack::Pos p = node->lp.First(); p != Listpack::kNone; p = node->lp.Next(p)) {
      if (!match(node->lp.Get(p))) continue;
      if (!quicklist_) {
        after ? node->lp.InsertAfter(p, value) : node->lp.InsertBefore(p, value);
        count_++;
      } else {
        InsertAt({node, p}, value, after);
      }
      return true;
    }
  }
  return false;
}

void List::InsertAt(const Cursor& c, std::string_view value, bool after) {
  // Redis's _quicklistInsert: into the node when it has room; at a full node's edge into the
  // neighbour when that has room, else into a new node; otherwise split the node at the
  // insertion point and merge what fits around it.
  Node* node = c.node;
  Listpack& lp = node->lp;
  count_++;
  const bool full = !NodeAllows(node, value.size());
  if (!full) {
    after ? lp.InsertAfter(c.pos, value) : lp.InsertBefore(c.pos, value);
    return;
  }
  const bool at_tail = after && lp.Next(c.pos) == Listpack::kNone;
  const bool at_head = !after && c.pos == lp.First();
  if (at_tail) {
    if (NodeAllows(node->next, value.size())) {
      node->next->lp.Prepend(value);
    } else {
      NewNodeAfter(node)->lp.Append(value);
    }
    return;
  }
  if (at_head) {
    if (NodeAllows(node->prev, value.size())) {
      node->prev->lp.Append(value);
    } else {
      NewNodeAfter(node->prev)->lp.Append(value);
    }
    return;
  }
  size_t offset = 0;
  for (Listpack::Pos p = lp.First(); p != c.pos; p = lp.Next(p)) offset++;
  if (after) {
    // node keeps [0, offset]; the new node after it takes the rest, led by the value.
    Node* split = NewNodeAfter(node);
    split->lp = lp.SplitAt(offset + 1);
    split->lp.Prepend(value);
  } else {
    // node keeps [offset, end]; the new node before it takes [0, offset) and the value.
    Node* split = NewNodeAfter(node->prev);
    Listpack rest = lp.SplitAt(offset);
    split->lp = std::move(lp);
    split->lp.Append(value);
    node->lp = std::move(rest);
  }
  MergeAround(node);
}

bool List::Set(int64_t index, std::string_view value) {
  GrowCheck(value.size(), 1);
  Cursor c;
  if (!Locate(index, &c)) return false;
  Listpack& lp = c.node->lp;
  // Replaced in place even when the node grows past its limit, as Redis 7.2 does: the node
  // layout (and so the encoding after later removals) stays what Redis would have. Only a node
  // that would outgrow what a listpack can address has the element moved out instead.
  size_t new_bytes = lp.bytes() - lp.ElementBytes(c.pos) + Listpack::ElementSizeFor(value);
  if (!quicklist_ || lp.size() == 1 || new_bytes <= kMaxNodeBytes) {
    lp.Replace(c.pos, value);
  } else {
    Listpack::Pos prev = lp.Prev(c.pos);
    Listpack::Pos next = lp.Delete(c.pos);
    count_--;
    if (next != Listpack::kNone) {
      InsertAt({c.node, next}, value, false);
    } else {
      InsertAt({c.node, prev}, value, true);
    }
  }
  AfterRemoval();
  return true;
}

// ---- Removing -----------------------------------------------------------------------------------

std::string List::PopOne(End end) {
  std::string out;
  Pop(end, 1, [&](const Value& v) {
    char buf[Listpack::kIntBufSize];
    out.assign(v.ToString(buf));
  });
  return out;
}

std::string List::Rotate(End from, End to) {
  std::string value;
  Range(from == End::kHead ? 0 : count_ - 1, 1, false, [&](const Value& v) {
    char buf[Listpack::kIntBufSize];
    value.assign(v.ToString(buf));
  });
  if (from == End::kHead) {
    RemoveHead(1);
  } else {
    RemoveTail(1);
  }
  Push(value, to);
  AfterRemoval();
  return value;
}

void List::RemoveHead(size_t n) {
  count_ -= n;
  while (n > 0) {
    Node* node = head_;
    size_t size = node->lp.size();
    if (size <= n && node != &inline_) {
      n -= size;
      Unlink(node);
    } else {
      node->lp.DeleteRange(node->lp.First(), n);
      n = 0;
    }
  }
}

void List::RemoveTail(size_t n) {
  count_ -= n;
  while (n > 0) {
    Node* node = tail_;
    size_t size = node->lp.size();
    if (size <= n && node != &inline_) {
      n -= size;
      Unlink(node);
    } else {
      node->lp.DeleteRange(static_cast<int64_t>(size - n), n);
      n = 0;
    }
  }
}

void List::Trim(size_t from_head, size_t from_tail) {
  if (from_head >= count_) {
    RemoveHead(count_);
  } else {
    RemoveHead(from_head);
    RemoveTail(std::min(from_tail, count_));
  }
  AfterRemoval();
}

size_t List::Remove(std::string_view value, int64_t count) {
  ListMatcher match(value);
  size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(std::llabs(count));
  size_t removed = 0;
  if (count >= 0) {
    for (Node* node = head_; node != nullptr && removed < limit;) {
      Node* next = node->next;
      Listpack& lp = node->lp;
      for (Listpack::Pos p = lp.First(); p != Listpack::kNone && removed < limit;) {
        if (match(lp.Get(p))) {
          p = lp.Delete(p);
          removed++;
        } else {
          p = lp.Next(p);
        }
      }
      if (lp.empty()) Unlink(node);
      node = next;
    }
  } else {
    for (Node* node = tail_; node != nullptr && removed < limit;) {
      Node* prev = node->prev;
      Listpack& lp = node->lp;
      for (Listpack::Pos p = lp.Last(); p != Listpack::kNone && removed < limit;) {
        // Offsets before a deleted element do not move, so the previous position stays valid.
        Listpack::Pos before = lp.Prev(p);
        if (match(lp.Get(p))) {
          lp.Delete(p);
          removed++;
        }
        p = before;
      }
      if (lp.empty()) Unlink(node);
      node = prev;
    }
  }
  count_ -= removed;
  if (removed > 0) AfterRemoval();
  return removed;
}

// ---- Checks -------------------------------------------------------------------------------------

bool List::CheckInvariants() const {
  size_t total = 0;
  const Node* prev = nullptr;
  if (!quicklist_ && (head_ != &inline_ || tail_ != &inline_)) return false;
  if (quicklist_ && !inline_.lp.empty()) return false;
  for (const Node* n = head_; n != nullptr; n = n->next) {
    if (n->prev != prev) return false;
    if (!n->lp.Validate()) return false;
    if (quicklist_ && n->lp.empty()) return false;
    total += n->lp.size();
    prev = n;
  }
  return prev == tail_ && total == count_;
}

}  // namespace weir::types
