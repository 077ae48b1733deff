// IntSet: a set of 64-bit integers kept sorted in one array, every element at the narrowest
// width (2, 4 or 8 bytes) that holds all of them, as Redis's intset. Membership is a binary
// search; a set of small numbers costs two bytes per element. The width grows when a value
// needs more bytes and never shrinks back.
//
// Small sets live inline. The object is 3 header bytes followed by `inline_bytes` bytes of
// element storage (at least 8); an owner that wants more room allocates FootprintFor(n) bytes
// and placement-constructs the IntSet at their start, so a small set needs no allocation of its
// own (types::Set keeps its intset in the tail of its own allocation this way). Elements that
// outgrow the inline room move to a heap block whose pointer then takes the inline bytes; they
// move back once they fit again.
//
// The object has alignment 1 and is not copyable (its size is known only to its owner): copy
// with CopyFrom.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace weir::types {

class IntSet {
 public:
  static constexpr size_t kHeaderBytes = 3;
  static constexpr size_t kMinInlineBytes = sizeof(void*);  // room for the heap pointer
  static constexpr size_t kMaxInlineBytes = 255;

  // Bytes an owner allocates for an IntSet with `inline_bytes` of inline element room.
  static constexpr size_t FootprintFor(size_t inline_bytes) { return kHeaderBytes + inline_bytes; }
  // The inline room that `footprint` bytes give (clamped to [kMinInlineBytes, kMaxInlineBytes]).
  static size_t InlineBytesFor(size_t footprint);
  // The narrowest element width that holds v: 2, 4 or 8.
  static uint8_t WidthFor(int64_t v) {
    if (v >= INT16_MIN && v <= INT16_MAX) return 2;
    if (v >= INT32_MIN && v <= INT32_MAX) return 4;
    return 8;
  }

  // An empty set of 2-byte elements. The caller guarantees that FootprintFor(inline_bytes)
  // bytes starting at `this` belong to the object (inline_bytes is clamped as InlineBytesFor).
  explicit IntSet(size_t inline_bytes = kMinInlineBytes);
  ~IntSet();
  IntSet(const IntSet&) = delete;
  IntSet& operator=(const IntSet&) = delete;

  // Replaces the contents with a copy of other's (same elements, same width).
  void CopyFrom(const IntSet& other);
  void Clear();

  size_t size() const { return on_heap() ? heap()->count : inline_count_; }
  bool empty() const { return size() == 0; }
  // Bytes per element now: 2, 4 or 8 (Redis's intset "encoding").
  uint8_t width() const { return width_; }
  bool on_heap() const { return inline_count_ == kOnHeap; }
  size_t inline_bytes() const { return inline_bytes_; }
  // Bytes of the heap block (0 while inline): what the set costs beyond its footprint.
  size_t HeapBytes() const;

  bool Contains(int64_t v) const;
  // Adds v; false when it was already present.
  bool Insert(int64_t v);
  // Removes v; false when it was absent.
  bool Erase(int64_t v);

  // The i-th smallest element (i < size()).
  int64_t At(size_t i) const { return Load(data() + i * width_, width_); }
  int64_t Min() const { return At(0); }
  int64_t Max() const { return At(size() - 1); }
  // Position of the first element >= v (size() when none).
  size_t LowerBound(int64_t v) const;

  // Calls fn(int64_t) on each element in ascending order; stops early when fn returns false
  // (fn may also return void).
  template <class Fn>
  void ForEach(Fn&& fn) const;

 private:
  struct HeapBlock {
    uint64_t capacity;  // bytes of element storage after the header
    uint32_t count;
    unsigned char* bytes() { return reinterpret_cast<unsigned char*>(this + 1); }
  };
  static constexpr uint8_t kOnHeap = 0xFF;  // inline_count_ marker; inline counts are <= 127

  static int64_t Load(const unsigned char* p, uint8_t width);
  static void Store(unsigned char* p, uint8_t width, int64_t v);

  // The inline bytes start at body_; the object may extend past sizeof(IntSet) (see above).
  unsigned char* body() { return body_; }
  const unsigned char* body() const { return body_; }
  HeapBlock* heap() const {
    HeapBlock* h;
    std::memcpy(&h, body_, sizeof(h));
    return h;
  }
  void set_heap(HeapBlock* h) { std::memcpy(body_, &h, sizeof(h)); }
  unsigned char* data() { return on_heap() ? heap()->bytes() : body(); }
  const unsigned char* data() const { return on_heap() ? heap()->bytes() : body(); }
  size_t capacity_bytes() const { return on_heap() ? heap()->capacity : inline_bytes_; }
  void set_size(size_t n);

  // Storage for `count` elements of `new_width` with the current elements preserved (still at
  // the old width): returns the buffer, which may have moved to (or within) the heap.
  unsigned char* Reserve(size_t count, uint8_t new_width);
  // Inserts v, which needs a wider width than the current one, at one end.
  void WidenAndInsert(int64_t v);
  // After a removal: back inline when the elements fit, or a smaller heap block when mostly
  // empty.
  void MaybeShrink();

  uint8_t width_;
  uint8_t inline_bytes_;
  uint8_t inline_count_;
  unsigned char body_[kMinInlineBytes];
};

static_assert(sizeof(IntSet) == IntSet::FootprintFor(IntSet::kMinInlineBytes));
static_assert(alignof(IntSet) == 1);

inline int64_t IntSet::Load(const unsigned char* p, uint8_t width) {
  switch (width) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

template <class Fn>
void IntSet::ForEach(Fn&& fn) const {
  const unsigned char* p = data();
  const size_t n = size();
  // One loop per width, so the width switch is not taken per element.
  auto run = [&]<class T>(T) {
    for (size_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, p + i * sizeof(T), sizeof(T));
      if constexpr (std::is_same_v<decltype(fn(int64_t{})), bool>) {
        if (!fn(static_cast<int64_t>(v))) return;
      } else {
        fn(static_cast<int64_t>(v));
      }
    }
  };
  switch (width_) {
    case 2:
      run(int16_t{});
      break;
    case 4:
      run(int32_t{});
      break;
    default:
      run(int64_t{});
      break;
  }
}

}  // namespace weir::types
