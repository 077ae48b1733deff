// Listpack: a compact sequence of strings and integers in one allocation, the small encoding
// shared by lists (each quicklist node), hashes (field, value pairs), sets (members) and sorted
// sets (member, score pairs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace weir::types {

// Layout of the single allocation (little-endian header):
//   [total bytes: u32][element count: u32][element]...[element]
// An element is [encoding byte(s)][payload][back-length]. Integers take 1 to 9 bytes
// (0..127 in the encoding byte itself), strings a 1, 2 or 5 byte length header. The back-length
// (1 to 5 bytes, 7 bits per byte) holds the size of encoding+payload so the sequence can be
// walked backwards; it is read from its last byte towards the front.
//
// A string that is the canonical decimal form of an int64 (as Redis's string2ll accepts it: no
// '+', no leading zeros, no spaces, not "-0") is stored as an integer; reading it back as a
// string gives the same bytes. Comparisons (Find, Equals) therefore compare integers by value and
// strings by bytes, as Redis's lpFind does.
//
// Positions (Pos) are byte offsets of elements; they stay valid until the next mutation, except
// where a mutating call returns the position to continue from. kNone (0, inside the header)
// means "no element". An empty listpack owns no allocation.
//
// Complexity: First/Last/Next/Prev/Get are O(1); Seek(i) walks from the nearer end; inserts and
// deletes move the bytes after the point (O(bytes)). The total size is limited to 4 GiB; callers
// (list nodes, the hash/set/zset conversion limits) keep it far below that.
class Listpack {
 public:
  using Pos = uint32_t;
  static constexpr Pos kNone = 0;
  static constexpr size_t kHeaderBytes = 8;
  // Enough for the decimal form of any int64 (see Value::ToString).
  static constexpr size_t kIntBufSize = 24;

  // An element as read: an integer, or a view of string bytes inside the listpack (valid until
  // the next mutation).
  struct Value {
    std::string_view str;
    int64_t num = 0;
    bool is_int = false;

    // The string form; an integer is formatted into buf (kIntBufSize bytes).
    std::string_view ToString(char* buf) const;
    // Integer value: true for ints and for strings that parse strictly as an int64.
    bool ToInt(int64_t* out) const;
  };

  Listpack() = default;
  ~Listpack();
  Listpack(Listpack&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
  Listpack& operator=(Listpack&& other) noexcept;
  Listpack(const Listpack&) = delete;
  Listpack& operator=(const Listpack&) = delete;
  Listpack Clone() const;

  size_t size() const;
  bool empty() const { return data_ == nullptr; }
  // Encoded bytes, header included (0 when empty).
  size_t bytes() const;
  // Bytes of the allocation (the allocator's size class), 0 when empty.
  size_t MemoryUsage() const;

  // ---- Walking ----
  Pos First() const { return data_ ? static_cast<Pos>(kHeaderBytes) : kNone; }
  Pos Last() const;
  Pos Next(Pos p) const;
  Pos Prev(Pos p) const;
  // The element at index i (negative: from the end, -1 is the last); kNone if out of range.
  Pos Seek(int64_t index) const;
  Value Get(Pos p) const;
  std::string_view GetString(Pos p, char* buf) const { return Get(p).ToString(buf); }
  // True if the element at p equals s (integers by value, strings by bytes).
  bool Equals(Pos p, std::string_view s) const;
  // Bytes the element at p occupies (encoding, payload and back-length).
  size_t ElementBytes(Pos p) const;

  // Calls f(Value) for each element in order; stops early if f returns false (when f returns
  // bool).
  template <class F>
  void ForEach(F&& f) const {
    for (Pos p = First(); p != kNone; p = Next(p)) {
      if constexpr (std::is_same_v<decltype(f(Get(p))), bool>) {
        if (!f(Get(p))) return;
      } else {
        f(Get(p));
      }
    }
  }

  // Searches from `from` (inclusive) forward for an element equal to s, comparing only every
  // (skip+1)-th element: skip=1 looks at the fields of field,value pairs. kNone if not found.
  Pos Find(Pos from, std::string_view s, size_t skip = 0) const;

  // ---- Changing ----
  void Append(std::string_view s);
  void AppendInt(int64_t v);
  void Prepend(std::string_view s);
  // Inserts s before or after the element at p; returns the new element's position.
  Pos InsertBefore(Pos p, std::string_view s);
  Pos InsertAfter(Pos p, std::string_view s);
  // Inserts at index i (0..size()); returns the new element's position.
  Pos InsertAt(size_t index, std::string_view s);
  // Replaces the element at p; returns its position (unchanged offset).
  Pos Replace(Pos p, std::string_view s);
  Pos ReplaceInt(Pos p, int64_t v);
  // Deletes the element at p; returns the position of the element that followed it (kNone if
  // it was the last).
  Pos Delete(Pos p);
  // Deletes up to count elements starting at p; returns the position that followed them.
  Pos DeleteRange(Pos p, size_t count);
  // Deletes count elements starting at index start (negative from the end); clamps to the end.
  void DeleteRange(int64_t start, size_t count);
  void Clear();

  // Moves every element of other to the end of this one (other becomes empty).
  void Merge(Listpack&& other);
  // Moves the elements [index, size()) into a new listpack that is returned.
  Listpack SplitAt(size_t index);

  // Bytes an element holding s would occupy (for node-size limits before inserting).
  static size_t ElementSizeFor(std::string_view s);
  // Releases capacity beyond what the elements need.
  void ShrinkToFit();
  // Checks the whole encoding (tests, corrupt-input defence); true when consistent.
  bool Validate() const;

 private:
  struct Encoded;
  // Replaces `remove` bytes at offset `at` with a gap of `insert` bytes (growing or shrinking
  // the allocation) and adjusts the count; returns the gap, or null if the listpack became empty.
  uint8_t* Splice(size_t at, size_t remove, size_t insert, int64_t count_delta);
  // Writes e over `remove` bytes at offset `at`; returns `at`.
  Pos Place(size_t at, size_t remove, Encoded& e, int64_t count_delta);

  uint8_t* data_ = nullptr;
};

}  // namespace weir::types
