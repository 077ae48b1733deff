// Chained hash table with Redis-style reverse-binary scan cursors.
#include "engine/table.h"

#include <xxhash.h>

#include <cstring>
#include <utility>

#include "common/memory.h"

namespace weir::engine {

namespace {
constexpr size_t kInitialBuckets = 4;

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}
}  // namespace

uint64_t HashKey(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

Table::~Table() { Clear(); }

Table::Table(Table&& other) noexcept
    : buckets_(std::exchange(other.buckets_, nullptr)),
      mask_(std::exchange(other.mask_, 0)),
      size_(std::exchange(other.size_, 0)) {}

Table& Table::operator=(Table&& other) noexcept {
  if (this != &other) {
    Clear();
    buckets_ = std::exchange(other.buckets_, nullptr);
    mask_ = std::exchange(other.mask_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

Entry* Table::Find(std::string_view key) const {
  if (buckets_ == nullptr) return nullptr;
  for (Entry* e = buckets_[HashKey(key) & mask_]; e != nullptr; e = e->next) {
    if (e->key_len == key.size() && std::memcmp(e->key_data(), key.data(), key.size()) == 0) {
      return e;
    }
  }
  return nullptr;
}

void Table::Insert(Entry* e) {
  if (buckets_ == nullptr) {
    Resize(kInitialBuckets);
  } else if (size_ >= bucket_count()) {
    Resize(bucket_count() * 2);
  }
  Entry** b = &buckets_[HashKey(e->key()) & mask_];
  e->next = *b;
  *b = e;
  ++size_;
}

Entry* Table::Unlink(std::string_view key) {
  if (buckets_ == nullptr) return nullptr;
  for (Entry** p = &buckets_[HashKey(key) & mask_]; *p != nullptr; p = &(*p)->next) {
    Entry* e = *p;
    if (e->key_len == key.size() && std::memcmp(e->key_data(), key.data(), key.size()) == 0) {
      *p = e->next;
      e->next = nullptr;
      --size_;
      MaybeShrink();
      return e;
    }
  }
  return nullptr;
}

void Table::Replace(Entry* old_entry, Entry* e) {
  for (Entry** p = &buckets_[HashKey(old_entry->key()) & mask_]; *p != nullptr; p = &(*p)->next) {
    if (*p == old_entry) {
      e->next = old_entry->next;
      *p = e;
      old_entry->next = nullptr;
      return;
    }
  }
}

void Table::Resize(size_t buckets) {
  auto** fresh = static_cast<Entry**>(mem::Allocate(buckets * sizeof(Entry*)));
  std::memset(fresh, 0, buckets * sizeof(Entry*));
  size_t new_mask = buckets - 1;
  if (buckets_ != nullptr) {
    for (size_t i = 0; i <= mask_; ++i) {
      Entry* e = buckets_[i];
      while (e != nullptr) {
        Entry* next = e->next;
        Entry** b = &fresh[HashKey(e->key()) & new_mask];
        e->next = *b;
        *b = e;
        e = next;
      }
    }
    mem::Free(buckets_);
  }
  buckets_ = fresh;
  mask_ = new_mask;
}

void Table::MaybeShrink() {
  // Shrink when under 1/8 full, as Redis does at 10%: keeps scans and memory proportional.
  if (buckets_ != nullptr && bucket_count() > kInitialBuckets && size_ * 8 < bucket_count()) {
    size_t target = kInitialBuckets;
    while (target < size_) target *= 2;
    Resize(target);
  }
}

uint64_t Table::Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const {
  if (buckets_ == nullptr) return 0;
  for (Entry* e = buckets_[cursor & mask_]; e != nullptr; e = e->next) fn(e);
  // Increment the reversed cursor: set the bits above the mask, reverse, add one, reverse.
  cursor |= ~mask_;
  cursor = ReverseBits(cursor);
  ++cursor;
  return ReverseBits(cursor);
}

Entry* Table::Random(uint64_t (*rng)()) const {
  if (size_ == 0) return nullptr;
  Entry* e = nullptr;
  while (e == nullptr) e = buckets_[rng() & mask_];
  size_t len = 0;
  for (Entry* p = e; p != nullptr; p = p->next) ++len;
  size_t pick = rng() % len;
  while (pick-- > 0) e = e->next;
  return e;
}

void Table::ForEach(const std::function<void(Entry*)>& fn) const {
  if (buckets_ == nullptr) return;
  for (size_t i = 0; i <= mask_; ++i) {
    for (Entry* e = buckets_[i]; e != nullptr; e = e->next) fn(e);
  }
}

void Table::Clear() {
  if (buckets_ == nullptr) return;
  for (size_t i = 0; i <= mask_; ++i) {
    Entry* e = buckets_[i];
    while (e != nullptr) {
      Entry* next = e->next;
      Entry::Destroy(e);
      e = next;
    }
  }
  mem::Free(buckets_);
  buckets_ = nullptr;
  mask_ = 0;
  size_ = 0;
}

}  // namespace weir::engine
