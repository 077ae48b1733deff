// The hash table of one database in one shard: chained buckets, power-of-two sized, entries
// linked intrusively (Entry::next), so a key costs one allocation plus ~1.5 bucket pointers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "engine/entry.h"

namespace weir::engine {

uint64_t HashKey(std::string_view key);

// Not thread-safe: the owning shard's lock guards it. Resizing rehashes at once (a shard holds
// a fraction of the keyspace, so the pause is bounded by the shard's size).
//
// Scan order is Redis's reverse-binary cursor over the bucket index, which visits every bucket
// that existed for the whole scan at least once even when the table grows or shrinks between
// calls.
class Table {
 public:
  Table() = default;
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  Table(Table&& other) noexcept;
  Table& operator=(Table&& other) noexcept;

  size_t size() const { return size_; }
  size_t bucket_count() const { return mask_ + 1; }
  bool empty() const { return size_ == 0; }

  Entry* Find(std::string_view key) const;
  // Links e (whose key must be absent).
  void Insert(Entry* e);
  // Unlinks and returns the entry for key, or nullptr.
  Entry* Unlink(std::string_view key);
  // Replaces old (present) with e (same key) in place in its chain.
  void Replace(Entry* old_entry, Entry* e);

  // Calls fn on every entry of the bucket(s) at cursor; returns the next cursor, 0 when done.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const;
  // A uniformly chosen bucket's random entry, or nullptr when empty.
  Entry* Random(uint64_t (*rng)()) const;
  // Visits every entry; fn may not modify the table.
  void ForEach(const std::function<void(Entry*)>& fn) const;

  // Frees every entry and the buckets.
  void Clear();
  size_t MemoryUsage() const { return bucket_count() * sizeof(Entry*); }

 private:
  void Resize(size_t buckets);
  void MaybeShrink();

  Entry** buckets_ = nullptr;
  size_t mask_ = 0;  // bucket_count - 1; bucket_count is 0 or a power of two
  size_t size_ = 0;
};

}  // namespace weir::engine
