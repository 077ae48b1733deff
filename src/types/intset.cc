// IntSet: storage management (inline room, heap block), search, insertion with widening.
#include "types/intset.h"

#include <algorithm>

#include "common/memory.h"

namespace weir::types {

size_t IntSet::InlineBytesFor(size_t footprint) {
  size_t room = footprint > kHeaderBytes ? footprint - kHeaderBytes : 0;
  return std::clamp(room, kMinInlineBytes, kMaxInlineBytes);
}

IntSet::IntSet(size_t inline_bytes)
    : width_(2),
      inline_bytes_(
          static_cast<uint8_t>(std::clamp(inline_bytes, kMinInlineBytes, kMaxInlineBytes))),
      inline_count_(0) {}

IntSet::~IntSet() {
  if (on_heap()) mem::Free(heap());
}

void IntSet::Clear() {
  if (on_heap()) mem::Free(heap());
  inline_count_ = 0;
  width_ = 2;
}

void IntSet::CopyFrom(const IntSet& other) {
  if (&other == this) return;
  Clear();
  const size_t n = other.size();
  unsigned char* d = Reserve(n, other.width_);
  std::memcpy(d, other.data(), n * other.width_);
  width_ = other.width_;
  set_size(n);
}

size_t IntSet::HeapBytes() const { return on_heap() ? mem::UsableSize(heap()) : 0; }

void IntSet::Store(unsigned char* p, uint8_t width, int64_t v) {
  switch (width) {
    case 2: {
      int16_t x = static_cast<int16_t>(v);
      std::memcpy(p, &x, 2);
      break;
    }
    case 4: {
      int32_t x = static_cast<int32_t>(v);
      std::memcpy(p, &x, 4);
      break;
    }
    default:
      std::memcpy(p, &v, 8);
      break;
  }
}

void IntSet::set_size(size_t n) {
  if (on_heap()) {
    heap()->count = static_cast<uint32_t>(n);
  } else {
    inline_count_ = static_cast<uint8_t>(n);
  }
}

namespace {

template <class T>
size_t LowerBoundOf(const unsigned char* p, size_t n, int64_t v) {
  size_t lo = 0;
  size_t len = n;
  while (len > 0) {
    size_t half = len / 2;
    T x;
    std::memcpy(&x, p + (lo + half) * sizeof(T), sizeof(T));
    if (static_cast<int64_t>(x) < v) {
      lo += half + 1;
      len -= half + 1;
    } else {
      len = half;
    }
  }
  return lo;
}

}  // namespace

size_t IntSet::LowerBound(int64_t v) const {
  const size_t n = size();
  // Most insertions into a growing set land at an end; skip the search for those.
  if (n == 0 || v < Min()) return 0;
  if (v > Max()) return n;
  switch (width_) {
    case 2:
      return LowerBoundOf<int16_t>(data(), n, v);
    case 4:
      return LowerBoundOf<int32_t>(data(), n, v);
    default:
      return LowerBoundOf<int64_t>(data(), n, v);
  }
}

bool IntSet::Contains(int64_t v) const {
  if (WidthFor(v) > width_) return false;  // wider than every element stored
  const size_t n = size();
  size_t pos = LowerBound(v);
  return pos < n && At(pos) == v;
}

unsigned char* IntSet::Reserve(size_t count, uint8_t new_width) {
  const size_t needed = count * new_width;
  if (needed <= capacity_bytes()) return data();
  // Grow by a quarter beyond what is needed (the allocator's size class adds its own slack,
  // which the block uses too), so a set growing one element at a time reallocates rarely.
  const size_t want = needed + needed / 4;
  auto* block = static_cast<HeapBlock*>(mem::Allocate(sizeof(HeapBlock) + want));
  block->capacity = mem::UsableSize(block) - sizeof(HeapBlock);
  const size_t n = size();
  std::memcpy(block->bytes(), data(), n * width_);
  block->count = static_cast<uint32_t>(n);
  if (on_heap()) mem::Free(heap());
  set_heap(block);
  inline_count_ = kOnHeap;
  return block->bytes();
}

void IntSet::WidenAndInsert(int64_t v) {
  const size_t n = size();
  const uint8_t old_width = width_;
  const uint8_t new_width = WidthFor(v);
  unsigned char* d = Reserve(n + 1, new_width);
  // A value wider than every element is either below or above all of them. Widening back to
  // front never overwrites an element not yet moved, since each lands at or after where it was.
  const size_t shift = v < 0 ? 1 : 0;
  for (size_t i = n; i-- > 0;) {
    Store(d + (i + shift) * new_width, new_width, Load(d + i * old_width, old_width));
  }
  width_ = new_width;
  Store(d + (shift ? 0 : n) * new_width, new_width, v);
  set_size(n + 1);
}

bool IntSet::Insert(int64_t v) {
  if (WidthFor(v) > width_) {
    WidenAndInsert(v);
    return true;
  }
  const size_t n = size();
  const size_t pos = LowerBound(v);
  if (pos < n && At(pos) == v) return false;
  unsigned char* d = Reserve(n + 1, width_);
  std::memmove(d + (pos + 1) * width_, d + pos * width_, (n - pos) * width_);
  Store(d + pos * width_, width_, v);
  set_size(n + 1);
  return true;
}

bool IntSet::Erase(int64_t v) {
  if (WidthFor(v) > width_) return false;
  const size_t n = size();
  const size_t pos = LowerBound(v);
  if (pos >= n || At(pos) != v) return false;
  unsigned char* d = data();
  std::memmove(d + pos * width_, d + (pos + 1) * width_, (n - pos - 1) * width_);
  set_size(n - 1);
  MaybeShrink();
  return true;
}

void IntSet::MaybeShrink() {
  if (!on_heap()) return;
  HeapBlock* block = heap();
  const size_t bytes = static_cast<size_t>(block->count) * width_;
  if (bytes <= inline_bytes_) {
    const uint8_t n = static_cast<uint8_t>(block->count);
    std::memcpy(body(), block->bytes(), bytes);
    inline_count_ = n;
    mem::Free(block);
    return;
  }
  // Give memory back once the block is less than half used (never for small blocks, where the
  // size classes are close together anyway).
  if (block->capacity <= 64 || bytes >= block->capacity / 2) return;
  const size_t want = bytes + bytes / 4;
  auto* smaller = static_cast<HeapBlock*>(mem::Allocate(sizeof(HeapBlock) + want));
  smaller->capacity = mem::UsableSize(smaller) - sizeof(HeapBlock);
  smaller->count = block->count;
  std::memcpy(smaller->bytes(), block->bytes(), bytes);
  mem::Free(block);
  set_heap(smaller);
}

}  // namespace weir::types
