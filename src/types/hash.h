// Hash: the structure behind a hash key, with Redis 7.2's two encodings and its rule for moving
// from the small one to the large one.
#pragma once

#include <absl/functional/function_ref.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "types/object.h"
#include "types/string_table.h"

namespace weir::types {

// The configuration that decides the encoding (hash-max-listpack-entries,
// hash-max-listpack-value), read by the caller when it changes a hash.
struct HashLimits {
  size_t max_listpack_entries = 512;
  size_t max_listpack_value = 64;
};

// Encodings (OBJECT ENCODING names):
//   listpack   few, short fields: the field,value pairs in insertion order in one compact
//              allocation, searched linearly (Redis's listpack; see "Small encoding" below)
//   hashtable  anything larger: a StringTable of fields with values
// A hash becomes a hashtable when it would hold more than max_listpack_entries fields, or a field
// or value longer than max_listpack_value bytes, and never goes back (as Redis).
//
// Small encoding: [u32 bytes used][u32 pair count] then, per pair, [varint length][field bytes]
// [varint length][value bytes]. It drops what a list's listpack needs and a hash does not: the
// back-lengths for walking backwards and the integer forms. A pair of short strings costs 2 bytes
// of header, so 10 pairs like ("f0", "v") fit 58 bytes where the shared listpack needs 78; at the
// allocator's 16-byte size classes that is what puts a small hash below Redis's footprint.
//
// Memory: the object is a vtable pointer and one word, rep_: the small encoding's allocation, or
// the StringTable's address with the low bit set.
//
// Not thread-safe: the shard lock of the owning key guards it. Views of fields and values stay
// valid until the hash changes.
class Hash final : public Object {
 public:
  enum class Encoding : uint8_t { kListpack, kHashtable };
  using Rng = uint64_t (*)();
  using PairFn = absl::FunctionRef<void(std::string_view field, std::string_view value)>;

  // An empty hash in the small encoding.
  Hash() = default;
  ~Hash() override;
  Hash(const Hash&) = delete;
  Hash& operator=(const Hash&) = delete;

  // Object.
  Object* Clone() const override;
  size_t Size() const override;
  size_t MemoryUsage() const override;
  const char* EncodingName() const override;

  Encoding encoding() const {
    return (rep_ & kTableTag) ? Encoding::kHashtable : Encoding::kListpack;
  }

  // Redis's hashTypeTryConversion, before HSET/HSETNX write these field,value arguments: more
  // pairs than max_listpack_entries converts (to a table sized for them), as does any argument
  // longer than max_listpack_value or a total the small encoding cannot safely take.
  void PrepareForSet(std::span<const std::string_view> fields_and_values, const HashLimits& limits);
  // Sets field to value; true when the field was added (false: its value was replaced). Converts
  // when the field or value is too long for the small encoding, or the hash now has too many
  // fields (after a replaced value too).
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits);
  // Removes field; false when absent. Never changes the encoding.
  bool Delete(std::string_view field);
  // The value of field, when present.
  bool Get(std::string_view field, std::string_view* value) const;
  bool Contains(std::string_view field) const;

  // Every pair, in the encoding's order (insertion order for the small encoding). The hash must
  // not change during the walk.
  void ForEach(PairFn fn) const;
  // One HSCAN step: a hashtable passes some pairs to fn and returns the next cursor (0 when done;
  // pairs present for the whole scan come at least once, see StringTable::Scan); the small
  // encoding passes every pair and returns 0, as Redis does.
  uint64_t Scan(uint64_t cursor, PairFn fn) const;

  // ---- Random fields (HRANDFIELD) ----
  // A uniformly chosen pair of a non-empty hash.
  void RandomPair(Rng rng, std::string_view* field, std::string_view* value) const;
  // count pairs chosen independently (repeats possible), each passed to fn.
  void RandomPairs(size_t count, Rng rng, PairFn fn) const;
  // count distinct pairs (count < Size()), every subset of that size equally likely.
  void DistinctRandomPairs(size_t count, Rng rng, PairFn fn) const;

  // Moves the pairs into a StringTable with room for capacity_hint fields.
  void ConvertToHashtable(size_t capacity_hint = 0);

 private:
  static constexpr uintptr_t kTableTag = 1;
  // Redis refuses to grow a listpack past 1 GiB (lpSafeToAdd) and converts instead.
  static constexpr size_t kMaxSmallBytes = size_t{1} << 30;

  StringTable* table() const { return reinterpret_cast<StringTable*>(rep_ & ~kTableTag); }
  uint8_t* small() const { return reinterpret_cast<uint8_t*>(rep_); }
  size_t SmallBytes() const;

  // Small-encoding operations (hash.cc).
  // Offset of field's pair, or 0 when absent.
  size_t SmallFind(std::string_view field) const;
  void SmallAppend(std::string_view field, std::string_view value);
  void SmallReplaceValue(size_t pair, std::string_view value);
  void SmallErase(size_t pair);
  // Replaces the bytes [at, at + remove) with room for `insert` bytes, reallocating as needed;
  // returns the (possibly moved) allocation.
  uint8_t* SmallSplice(size_t at, size_t remove, size_t insert, int64_t pair_delta);

  uintptr_t rep_ = 0;
};

static_assert(sizeof(Hash) == 2 * sizeof(void*));

}  // namespace weir::types
