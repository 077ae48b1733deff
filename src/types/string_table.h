// StringTable: the open-addressing hash table of strings behind large sets (members) and large
// hashes (fields, each with a value).
#pragma once

#include <absl/functional/function_ref.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace weir::types {

// Layout:
// - Every element is one allocation: [varint key length][key] and, in a table made with values,
//   [varint value length][value] after it. Short strings pay one byte of header each.
// - slots_ is a power-of-two array of tagged pointers, 0 for empty: the low 48 bits hold the
//   element's address, the high 16 bits the top 16 bits of its key's hash, so a probe rejects
//   most non-matching slots without touching the element.
// - An element's home slot is the top log2(capacity) bits of its hash (so home slots follow hash
//   order). Linear probing: an element sits at its home or after it (cyclically), and every slot
//   from its home to it is occupied. Erase shifts the elements after the hole back instead of
//   leaving tombstones, which keeps that invariant.
// - Grows (doubling) past 3/4 full; shrinks when under 1/8 full. Up to 2^16 slots a home is read
//   from the tag, so resizing and erasing never rehash a key; larger tables rehash the keys.
//
// Scan cursors: because home slots are hash prefixes, a cursor is a position in hash space and a
// Scan call returns every element whose hash lies in [cursor, returned cursor). Resizing changes
// the slot count, never the hash order, so an element present for the whole scan is returned at
// least once whatever grows or shrinks between calls. An element may be returned twice only after
// a shrink (a cursor inside a merged slot restarts at that slot's start); elements added or
// removed during the scan may or may not be returned.
//
// Not thread-safe: the shard lock of the owning key guards it. Element references stay valid
// until that element is erased or its value is replaced, or the table is destroyed.
class StringTable {
 public:
  // A stored element (variable-sized; only ever seen through references into the table).
  class Element {
   public:
    Element() = delete;
    std::string_view key() const;
    // Only for tables made with values.
    std::string_view value() const;
  };

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Element;
    using difference_type = std::ptrdiff_t;
    using pointer = const Element*;
    using reference = const Element&;

    reference operator*() const { return *StringTable::ElementOf(slots_[pos_]); }
    pointer operator->() const { return StringTable::ElementOf(slots_[pos_]); }
    Iterator& operator++() {
      ++pos_;
      SkipEmpty();
      return *this;
    }
    bool operator==(const Iterator& o) const { return pos_ == o.pos_; }

   private:
    friend class StringTable;
    Iterator(const uintptr_t* slots, size_t pos, size_t end) : slots_(slots), pos_(pos), end_(end) {
      SkipEmpty();
    }
    void SkipEmpty() {
      while (pos_ < end_ && slots_[pos_] == 0) ++pos_;
    }
    const uintptr_t* slots_;
    size_t pos_;
    size_t end_;
  };

  explicit StringTable(bool with_values);
  ~StringTable();
  StringTable(const StringTable& other);  // deep copy
  StringTable& operator=(const StringTable&) = delete;
  StringTable(StringTable&& other) noexcept;
  StringTable& operator=(StringTable&& other) noexcept;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool with_values() const { return with_values_; }
  size_t slot_count() const { return capacity_; }

  const Element* Find(std::string_view key) const;
  bool Contains(std::string_view key) const { return Find(key) != nullptr; }

  // Adds key (with value, in a table with values) when absent. Returns false, changing nothing,
  // when key is present.
  bool Insert(std::string_view key, std::string_view value = {});
  // Adds key with value, or replaces the value of a present key. Returns true when it added.
  bool Upsert(std::string_view key, std::string_view value);
  // Removes key; false when absent. key may point into the element being removed.
  bool Erase(std::string_view key);
  // Makes room for n elements without growing again.
  void Reserve(size_t n);
  void Clear();

  // A uniformly random element, or nullptr when empty. Expected O(1): the table is kept at least
  // 1/8 full, so a random slot is occupied often enough.
  const Element* Random() const;

  // Calls fn on every element whose hash lies in [cursor, next), for the next cursor it returns
  // (0 when the scan is complete). Each call covers at least one slot and one run of occupied
  // slots; see the class comment for the guarantee across resizes.
  uint64_t Scan(uint64_t cursor, absl::FunctionRef<void(const Element&)> fn) const;

  Iterator begin() const { return Iterator(slots_, 0, capacity_); }
  Iterator end() const { return Iterator(slots_, capacity_, capacity_); }

  // Bytes held: the slot array plus every element's allocation.
  size_t MemoryUsage() const;

  // Checks the probing invariant and the counters (tests).
  bool Validate() const;

 private:
  static constexpr int kTagShift = 48;
  static constexpr uintptr_t kPtrMask = (uintptr_t{1} << kTagShift) - 1;

  static const Element* ElementOf(uintptr_t slot) {
    return reinterpret_cast<const Element*>(slot & kPtrMask);
  }
  static uint64_t HashOf(std::string_view key);
  size_t HomeOf(uintptr_t slot) const;
  // Index of key's slot, or capacity_ when absent; *free_slot gets the empty slot that ended the
  // probe (where key would be inserted).
  size_t Locate(std::string_view key, uint64_t hash, size_t* free_slot) const;
  uintptr_t NewElement(std::string_view key, std::string_view value, uint64_t hash);
  void FreeElement(uintptr_t slot);
  // Adds an absent key; free_slot is where Locate ended (recomputed if the table grows).
  void AddAbsent(std::string_view key, std::string_view value, uint64_t hash, size_t free_slot);
  void PlaceNew(uintptr_t slot, size_t home);
  void Rehash(size_t new_capacity);
  void GrowForOneMore();
  void MaybeShrink();

  uintptr_t* slots_ = nullptr;
  size_t capacity_ = 0;  // 0 or a power of two
  size_t size_ = 0;
  size_t element_bytes_ = 0;  // usable bytes of all element allocations
  uint8_t shift_ = 64;        // 64 - log2(capacity_): home = hash >> shift_
  bool with_values_;
};

}  // namespace weir::types
