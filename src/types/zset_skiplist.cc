// The skiplist encoding of sorted sets: an indexable skiplist (links with spans) and the
// intrusive member -> node hash index sharing its nodes.
#include "types/zset_skiplist.h"

#include <xxhash.h>

#include <bit>
#include <cstring>
#include <new>
#include <random>

#include "common/memory.h"

namespace weir::types {

uint64_t ZSetRandom() {
  // xoshiro256**, seeded once per thread: cheap, and no lock shared between event loops.
  struct State {
    uint64_t s[4];
    State() {
      std::random_device rd;
      uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
      for (uint64_t& w : s) {  // splitmix64 spreads one seed over the state
        seed += 0x9e3779b97f4a7c15ULL;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        w = z ^ (z >> 31);
      }
    }
  };
  thread_local State st;
  uint64_t* s = st.s;
  const uint64_t result = std::rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = std::rotl(s[3], 45);
  return result;
}

// ---- Lexicographic ranges ----

int LexRange::Compare(std::string_view member, const LexBound& b) {
  switch (b.kind) {
    case LexBound::Kind::kMinusInf:
      return 1;
    case LexBound::Kind::kPlusInf:
      return -1;
    case LexBound::Kind::kValue:
      break;
  }
  return CompareMember(member, b.value);
}

bool LexRange::AboveMin(std::string_view m) const {
  int c = Compare(m, min);
  return min.exclusive ? c > 0 : c >= 0;
}

bool LexRange::BelowMax(std::string_view m) const {
  int c = Compare(m, max);
  return max.exclusive ? c < 0 : c <= 0;
}

bool LexRange::Empty() const {
  auto order = [](LexBound::Kind k) {
    return k == LexBound::Kind::kMinusInf ? 0 : (k == LexBound::Kind::kValue ? 1 : 2);
  };
  int c = order(min.kind) - order(max.kind);
  if (c == 0 && min.kind == LexBound::Kind::kValue) c = CompareMember(min.value, max.value);
  return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
}

// ---- Nodes ----

namespace {
uint64_t HashMember(std::string_view m) { return XXH3_64bits(m.data(), m.size()); }

size_t NodeBytes(int height, size_t member_len) {
  return sizeof(ZSkiplist::Node) + height * 2 * sizeof(uint64_t) + member_len;
}

uint64_t ReverseBits(uint64_t v) {
  uint64_t r = 0;
  for (int i = 0; i < 64; ++i) {
    r = (r << 1) | (v & 1);
    v >>= 1;
  }
  return r;
}
}  // namespace

ZSkiplist::Node* ZSkiplist::NewNode(int height, double score, std::string_view member) {
  static_assert(sizeof(Level) == 2 * sizeof(uint64_t));
  void* mem = mem::Allocate(NodeBytes(height, member.size()));
  Node* n = new (mem) Node;
  n->score_ = score;
  n->backward_ = nullptr;
  n->hash_next_ = nullptr;
  n->member_len_ = static_cast<uint32_t>(member.size());
  n->height_ = static_cast<uint8_t>(height);
  for (int i = 0; i < height; ++i) n->levels()[i] = {nullptr, 0};
  if (!member.empty()) std::memcpy(n->member_data(), member.data(), member.size());
  return n;
}

void ZSkiplist::FreeNode(Node* n) {
  bytes_ -= NodeBytes(n->height_, n->member_len_);
  mem::Free(n);
}

int ZSkiplist::RandomHeight() {
  // Each level is kept with probability 1/4: two random bits per level.
  uint64_t bits = ZSetRandom() | (uint64_t{1} << 62);
  int height = 1 + std::countr_zero(bits) / 2;
  return height > kMaxHeight ? kMaxHeight : height;
}

bool ZSkiplist::Before(const Node* n, double score, std::string_view member) {
  return n->score_ < score || (n->score_ == score && CompareMember(n->member(), member) < 0);
}

ZSkiplist::ZSkiplist() {
  head_ = NewNode(kMaxHeight, 0, {});
  bytes_ = NodeBytes(kMaxHeight, 0);
}

ZSkiplist::~ZSkiplist() {
  Node* n = head_->levels()[0].forward;
  while (n != nullptr) {
    Node* next = n->levels()[0].forward;
    mem::Free(n);
    n = next;
  }
  mem::Free(head_);
  delete[] buckets_;
}

// ---- Ordered structure ----

void ZSkiplist::FindUpdate(double score, std::string_view member, Node** update) const {
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (Node* f = x->levels()[i].forward; f != nullptr && Before(f, score, member);
         f = x->levels()[i].forward) {
      x = f;
    }
    update[i] = x;
  }
}

void ZSkiplist::Link(Node* n) {
  Node* update[kMaxHeight];
  uint64_t rank[kMaxHeight];
  const std::string_view member = n->member();
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    rank[i] = i == height_ - 1 ? 0 : rank[i + 1];
    for (Node* f = x->levels()[i].forward; f != nullptr && Before(f, n->score_, member);
         f = x->levels()[i].forward) {
      rank[i] += x->levels()[i].span;
      x = f;
    }
    update[i] = x;
  }
  const int h = n->height_;
  if (h > height_) {
    for (int i = height_; i < h; ++i) {
      rank[i] = 0;
      update[i] = head_;
      head_->levels()[i] = {nullptr, length_};
    }
    height_ = h;
  }
  for (int i = 0; i < h; ++i) {
    Level& up = update[i]->levels()[i];
    n->levels()[i].forward = up.forward;
    up.forward = n;
    n->levels()[i].span = up.span - (rank[0] - rank[i]);
    up.span = rank[0] - rank[i] + 1;
  }
  for (int i = h; i < height_; ++i) update[i]->levels()[i].span++;
  n->backward_ = update[0] == head_ ? nullptr : update[0];
  if (Node* f = n->levels()[0].forward) {
    f->backward_ = n;
  } else {
    tail_ = n;
  }
  ++length_;
}

void ZSkiplist::Unlink(Node* n, Node* const* update) {
  for (int i = 0; i < height_; ++i) {
    Level& up = update[i]->levels()[i];
    if (up.forward == n) {
      up.span += n->levels()[i].span - 1;
      up.forward = n->levels()[i].forward;
    } else {
      up.span -= 1;
    }
  }
  if (Node* f = n->levels()[0].forward) {
    f->backward_ = n->backward_;
  } else {
    tail_ = n->backward_;
  }
  while (height_ > 1 && head_->levels()[height_ - 1].forward == nullptr) --height_;
  --length_;
}

const ZSkiplist::Node* ZSkiplist::Insert(double score, std::string_view member) {
  const int height = RandomHeight();
  Node* n = NewNode(height, score, member);
  bytes_ += NodeBytes(height, member.size());
  Link(n);
  IndexInsert(n);
  return n;
}

void ZSkiplist::UpdateScore(const Node* node, double score) {
  Node* n = const_cast<Node*>(node);
  const std::string_view member = n->member();
  Node* prev = n->backward_;
  Node* next = n->levels()[0].forward;
  // Still between its neighbours: change the score in place.
  if ((prev == nullptr || Before(prev, score, member)) &&
      (next == nullptr || next->score_ > score ||
       (next->score_ == score && CompareMember(member, next->member()) < 0))) {
    n->score_ = score;
    return;
  }
  Node* update[kMaxHeight];
  FindUpdate(n->score_, member, update);
  Unlink(n, update);
  n->score_ = score;
  Link(n);
}

void ZSkiplist::Erase(const Node* node) {
  Node* n = const_cast<Node*>(node);
  Node* update[kMaxHeight];
  FindUpdate(n->score_, n->member(), update);
  Unlink(n, update);
  IndexRemove(n);
  FreeNode(n);
}

bool ZSkiplist::Erase(std::string_view member) {
  const Node* n = Find(member);
  if (n == nullptr) return false;
  Erase(n);
  return true;
}

size_t ZSkiplist::RankOf(const Node* node) const {
  uint64_t rank = 0;
  const Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (const Node* f = x->levels()[i].forward;
         f != nullptr && !Before(node, f->score_, f->member()); f = x->levels()[i].forward) {
      rank += x->levels()[i].span;
      x = f;
    }
    if (x == node) return rank;
  }
  return 0;
}

const ZSkiplist::Node* ZSkiplist::AtRank(size_t rank) const {
  if (rank == 0 || rank > length_) return nullptr;
  uint64_t traversed = 0;
  const Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (const Node* f = x->levels()[i].forward;
         f != nullptr && traversed + x->levels()[i].span <= rank; f = x->levels()[i].forward) {
      traversed += x->levels()[i].span;
      x = f;
    }
    if (traversed == rank) return x;
  }
  return nullptr;
}

const ZSkiplist::Node* ZSkiplist::FirstInRange(const ScoreRange& r) const {
  if (length_ == 0 || r.Empty() || !r.AboveMin(tail_->score_) || !r.BelowMax(First()->score_)) {
    return nullptr;
  }
  const Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (const Node* f = x->levels()[i].forward; f != nullptr && !r.AboveMin(f->score_);
         f = x->levels()[i].forward) {
      x = f;
    }
  }
  x = x->levels()[0].forward;
  return x != nullptr && r.BelowMax(x->score_) ? x : nullptr;
}

const ZSkiplist::Node* ZSkiplist::LastInRange(const ScoreRange& r) const {
  if (length_ == 0 || r.Empty() || !r.AboveMin(tail_->score_) || !r.BelowMax(First()->score_)) {
    return nullptr;
  }
  const Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (const Node* f = x->levels()[i].forward; f != nullptr && r.BelowMax(f->score_);
         f = x->levels()[i].forward) {
      x = f;
    }
  }
  return x != head_ && r.AboveMin(x->score_) ? x : nullptr;
}

const ZSkiplist::Node* ZSkiplist::FirstInRange(const LexRange& r) const {
  if (length_ == 0 || r.Empty() || !r.AboveMin(tail_->member()) || !r.BelowMax(First()->member())) {
    return nullptr;
  }
  const Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (const Node* f = x->levels()[i].forward; f != nullptr && !r.AboveMin(f->member());
         f = x->levels()[i].forward) {
      x = f;
    }
  }
  x = x->levels()[0].forward;
  return x != nullptr && r.BelowMax(x->member()) ? x : nullptr;
}

const ZSkiplist::Node* ZSkiplist::LastInRange(const LexRange& r) const {
  if (length_ == 0 || r.Empty() || !r.AboveMin(tail_->member()) || !r.BelowMax(First()->member())) {
    return nullptr;
  }
  const Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (const Node* f = x->levels()[i].forward; f != nullptr && r.BelowMax(f->member());
         f = x->levels()[i].forward) {
      x = f;
    }
  }
  return x != head_ && r.AboveMin(x->member()) ? x : nullptr;
}

template <class StopFn>
size_t ZSkiplist::EraseWhile(Node** update, StopFn in_range) {
  size_t removed = 0;
  Node* x = update[0]->levels()[0].forward;
  while (x != nullptr && in_range(x)) {
    Node* next = x->levels()[0].forward;
    Unlink(x, update);
    IndexRemove(x);
    FreeNode(x);
    ++removed;
    x = next;
  }
  return removed;
}

size_t ZSkiplist::EraseRange(const ScoreRange& r) {
  Node* update[kMaxHeight];
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (Node* f = x->levels()[i].forward; f != nullptr && !r.AboveMin(f->score_);
         f = x->levels()[i].forward) {
      x = f;
    }
    update[i] = x;
  }
  return EraseWhile(update, [&](const Node* n) { return r.BelowMax(n->score_); });
}

size_t ZSkiplist::EraseRange(const LexRange& r) {
  Node* update[kMaxHeight];
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (Node* f = x->levels()[i].forward; f != nullptr && !r.AboveMin(f->member());
         f = x->levels()[i].forward) {
      x = f;
    }
    update[i] = x;
  }
  return EraseWhile(update, [&](const Node* n) { return r.BelowMax(n->member()); });
}

size_t ZSkiplist::EraseRanks(size_t first, size_t last) {
  if (first == 0 || first > last) return 0;
  Node* update[kMaxHeight];
  uint64_t traversed = 0;
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    for (Node* f = x->levels()[i].forward; f != nullptr && traversed + x->levels()[i].span < first;
         f = x->levels()[i].forward) {
      traversed += x->levels()[i].span;
      x = f;
    }
    update[i] = x;
  }
  size_t rank = traversed + 1;
  return EraseWhile(update, [&](const Node*) { return rank++ <= last; });
}

// ---- Member index ----

const ZSkiplist::Node* ZSkiplist::Find(std::string_view member) const {
  if (buckets_ == nullptr) return nullptr;
  for (const Node* n = buckets_[HashMember(member) & mask_]; n != nullptr; n = n->hash_next_) {
    if (n->member() == member) return n;
  }
  return nullptr;
}

void ZSkiplist::Reserve(size_t n) {
  if (n > bucket_count()) IndexResize(std::bit_ceil(n));
}

void ZSkiplist::IndexResize(size_t buckets) {
  Node** fresh = new Node*[buckets]();
  const size_t mask = buckets - 1;
  for (size_t b = 0; b < bucket_count(); ++b) {
    Node* n = buckets_[b];
    while (n != nullptr) {
      Node* next = n->hash_next_;
      Node** slot = &fresh[HashMember(n->member()) & mask];
      n->hash_next_ = *slot;
      *slot = n;
      n = next;
    }
  }
  delete[] buckets_;
  buckets_ = fresh;
  mask_ = mask;
}

void ZSkiplist::IndexInsert(Node* n) {
  // length_ already counts n: grow at a load factor of 1.
  if (length_ > bucket_count()) IndexResize(std::max<size_t>(4, bucket_count() * 2));
  Node** slot = &buckets_[HashMember(n->member()) & mask_];
  n->hash_next_ = *slot;
  *slot = n;
}

void ZSkiplist::IndexRemove(const Node* n) {
  Node** p = &buckets_[HashMember(n->member()) & mask_];
  while (*p != n) p = &(*p)->hash_next_;
  *p = n->hash_next_;
  // Shrink below 1/8 full, keeping a load factor of at most 1/2 after shrinking.
  if (bucket_count() > 4 && length_ * 8 < bucket_count()) {
    IndexResize(std::max<size_t>(4, std::bit_ceil(length_ * 2)));
  }
}

uint64_t ZSkiplist::Scan(uint64_t cursor, const std::function<void(const Node*)>& fn) const {
  if (buckets_ == nullptr) return 0;
  for (const Node* n = buckets_[cursor & mask_]; n != nullptr; n = n->hash_next_) fn(n);
  // Increment the reversed cursor: set the bits above the mask, reverse, add one, reverse.
  cursor |= ~static_cast<uint64_t>(mask_);
  cursor = ReverseBits(cursor);
  ++cursor;
  return ReverseBits(cursor);
}

}  // namespace weir::types
