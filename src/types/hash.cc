// Hash: the small pair encoding, the hashtable encoding, conversion, and random sampling.
#include "types/hash.h"

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "common/memory.h"
#include "types/varint.h"

namespace weir::types {

namespace {

constexpr size_t kHeaderBytes = 8;  // u32 bytes used, u32 pair count

uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

void StoreU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

size_t StringBytes(std::string_view s) { return VarintSize(s.size()) + s.size(); }

// Reads the length-prefixed string at p; returns the byte after it.
const uint8_t* ReadString(const uint8_t* p, std::string_view* s) {
  uint64_t len;
  p = GetVarint(p, &len);
  *s = {reinterpret_cast<const char*>(p), len};
  return p + len;
}

uint8_t* WriteString(uint8_t* p, std::string_view s) {
  p = PutVarint(p, s.size());
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Walks the pairs of a small encoding.
class PairCursor {
 public:
  explicit PairCursor(const uint8_t* blob)
      : p_(blob ? blob + kHeaderBytes : nullptr), end_(blob ? blob + LoadU32(blob) : nullptr) {}
  bool Done() const { return p_ == end_; }
  const uint8_t* pos() const { return p_; }
  // Reads the pair at the cursor and moves past it.
  void Next(std::string_view* field, std::string_view* value) {
    p_ = ReadString(ReadString(p_, field), value);
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// Knuth's selection sampling (Algorithm S): visits n items in order and keeps each with
// probability needed/remaining, so every k-subset is equally likely, in one pass.
class SelectionSampler {
 public:
  SelectionSampler(size_t n, size_t k, Hash::Rng rng) : remaining_(n), needed_(k), rng_(rng) {}
  bool Take() {
    bool take = needed_ > 0 && rng_() % remaining_ < needed_;
    --remaining_;
    if (take) --needed_;
    return take;
  }
  bool done() const { return needed_ == 0; }

 private:
  size_t remaining_;
  size_t needed_;
  Hash::Rng rng_;
};

}  // namespace

Hash::~Hash() {
  if (encoding() == Encoding::kHashtable) {
    delete table();
  } else {
    mem::Free(small());
  }
}

Object* Hash::Clone() const {
  auto* copy = new Hash();
  if (encoding() == Encoding::kHashtable) {
    copy->rep_ = reinterpret_cast<uintptr_t>(new StringTable(*table())) | kTableTag;
  } else if (small() != nullptr) {
    size_t bytes = SmallBytes();
    auto* blob = static_cast<uint8_t*>(mem::Allocate(bytes));
    std::memcpy(blob, small(), bytes);
    copy->rep_ = reinterpret_cast<uintptr_t>(blob);
  }
  return copy;
}

size_t Hash::Size() const {
  if (encoding() == Encoding::kHashtable) return table()->size();
  return small() ? LoadU32(small() + 4) : 0;
}

size_t Hash::MemoryUsage() const {
  size_t bytes = sizeof(*this);
  if (encoding() == Encoding::kHashtable) return bytes + table()->MemoryUsage();
  return bytes + (small() ? mem::UsableSize(small()) : 0);
}

const char* Hash::EncodingName() const {
  return encoding() == Encoding::kHashtable ? "hashtable" : "listpack";
}

size_t Hash::SmallBytes() const { return small() ? LoadU32(small()) : 0; }

// ---- Small encoding ----

size_t Hash::SmallFind(std::string_view field) const {
  std::string_view f, v;
  for (PairCursor c(small()); !c.Done();) {
    const uint8_t* pair = c.pos();
    c.Next(&f, &v);
    if (f == field) return static_cast<size_t>(pair - small());
  }
  return 0;
}

uint8_t* Hash::SmallSplice(size_t at, size_t remove, size_t insert, int64_t pair_delta) {
  uint8_t* old = small();
  size_t old_bytes = old ? LoadU32(old) : kHeaderBytes;
  size_t new_bytes = old_bytes - remove + insert;
  size_t count = (old ? LoadU32(old + 4) : 0) + pair_delta;
  if (count == 0) {
    mem::Free(old);
    rep_ = 0;
    return nullptr;
  }
  size_t tail = old_bytes - at - remove;
  uint8_t* blob = old;
  size_t usable = old ? mem::UsableSize(old) : 0;
  // Reallocate when growing past the allocation, or when a shrink leaves a quarter of it unused
  // (so deleting fields gives memory back, without a copy for every small change).
  const bool grow = new_bytes > usable;
  const bool shrink = insert < remove && new_bytes <= usable / 4 * 3;
  if (grow || shrink) {
    blob = static_cast<uint8_t*>(mem::Allocate(new_bytes));
    if (old != nullptr) {
      std::memcpy(blob, old, at);
      std::memcpy(blob + at + insert, old + at + remove, tail);
      mem::Free(old);
    }
  } else {
    std::memmove(blob + at + insert, blob + at + remove, tail);
  }
  StoreU32(blob, static_cast<uint32_t>(new_bytes));
  StoreU32(blob + 4, static_cast<uint32_t>(count));
  rep_ = reinterpret_cast<uintptr_t>(blob);
  return blob;
}

void Hash::SmallAppend(std::string_view field, std::string_view value) {
  size_t at = small() ? SmallBytes() : kHeaderBytes;
  uint8_t* blob = SmallSplice(at, 0, StringBytes(field) + StringBytes(value), 1);
  WriteString(WriteString(blob + at, field), value);
}

void Hash::SmallReplaceValue(size_t pair, std::string_view value) {
  std::string_view f, old_value;
  const uint8_t* value_pos = ReadString(small() + pair, &f);
  ReadString(value_pos, &old_value);
  size_t at = static_cast<size_t>(value_pos - small());
  uint8_t* blob = SmallSplice(at, StringBytes(old_value), StringBytes(value), 0);
  WriteString(blob + at, value);
}

void Hash::SmallErase(size_t pair) {
  std::string_view f, v;
  const uint8_t* end = ReadString(ReadString(small() + pair, &f), &v);
  SmallSplice(pair, static_cast<size_t>(end - (small() + pair)), 0, -1);
}

// ---- Changes ----

void Hash::ConvertToHashtable(size_t capacity_hint) {
  if (encoding() == Encoding::kHashtable) return;
  auto* t = new StringTable(/*with_values=*/true);
  t->Reserve(std::max(capacity_hint, Size()));
  std::string_view f, v;
  for (PairCursor c(small()); !c.Done();) {
    c.Next(&f, &v);
    t->Insert(f, v);
  }
  mem::Free(small());
  rep_ = reinterpret_cast<uintptr_t>(t) | kTableTag;
}

void Hash::PrepareForSet(std::span<const std::string_view> fields_and_values,
                         const HashLimits& limits) {
  if (encoding() == Encoding::kHashtable) return;
  // Redis guesses the fields are distinct and sizes the table for all of them.
  size_t pairs = fields_and_values.size() / 2;
  if (pairs > limits.max_listpack_entries) return ConvertToHashtable(pairs);
  size_t sum = 0;
  for (std::string_view s : fields_and_values) {
    if (s.size() > limits.max_listpack_value) return ConvertToHashtable();
    sum += s.size();
  }
  if (SmallBytes() + sum > kMaxSmallBytes) ConvertToHashtable();
}

bool Hash::Set(std::string_view field, std::string_view value, const HashLimits& limits) {
  if (encoding() == Encoding::kListpack &&
      (field.size() > limits.max_listpack_value || value.size() > limits.max_listpack_value ||
       SmallBytes() + field.size() + value.size() > kMaxSmallBytes)) {
    ConvertToHashtable();
  }
  if (encoding() == Encoding::kHashtable) return table()->Upsert(field, value);
  bool added = false;
  if (size_t pair = SmallFind(field); pair != 0) {
    SmallReplaceValue(pair, value);
  } else {
    SmallAppend(field, value);
    added = true;
  }
  // Checked after a replaced value too (as Redis's hashTypeSet): a hash that CONFIG SET
  // hash-max-listpack-entries left above the limit converts at its next write.
  if (Size() > limits.max_listpack_entries) ConvertToHashtable();
  return added;
}

bool Hash::Delete(std::string_view field) {
  if (encoding() == Encoding::kHashtable) return table()->Erase(field);
  size_t pair = SmallFind(field);
  if (pair == 0) return false;
  SmallErase(pair);
  return true;
}

// ---- Reads ----

bool Hash::Get(std::string_view field, std::string_view* value) const {
  if (encoding() == Encoding::kHashtable) {
    const StringTable::Element* e = table()->Find(field);
    if (e == nullptr) return false;
    *value = e->value();
    return true;
  }
  size_t pair = SmallFind(field);
  if (pair == 0) return false;
  std::string_view f;
  ReadString(ReadString(small() + pair, &f), value);
  return true;
}

bool Hash::Contains(std::string_view field) const {
  if (encoding() == Encoding::kHashtable) return table()->Contains(field);
  return SmallFind(field) != 0;
}

void Hash::ForEach(PairFn fn) const {
  if (encoding() == Encoding::kHashtable) {
    for (const StringTable::Element& e : *table()) fn(e.key(), e.value());
    return;
  }
  std::string_view f, v;
  for (PairCursor c(small()); !c.Done();) {
    c.Next(&f, &v);
    fn(f, v);
  }
}

uint64_t Hash::Scan(uint64_t cursor, PairFn fn) const {
  if (encoding() == Encoding::kHashtable) {
    return table()->Scan(cursor, [&](const StringTable::Element& e) { fn(e.key(), e.value()); });
  }
  ForEach(fn);
  return 0;
}

// ---- Random fields ----

void Hash::RandomPair(Rng rng, std::string_view* field, std::string_view* value) const {
  if (encoding() == Encoding::kHashtable) {
    const StringTable::Element* e = table()->Random();
    *field = e->key();
    *value = e->value();
    return;
  }
  size_t index = rng() % Size();
  PairCursor c(small());
  for (size_t i = 0; i <= index; ++i) c.Next(field, value);
}

void Hash::RandomPairs(size_t count, Rng rng, PairFn fn) const {
  if (encoding() == Encoding::kHashtable) {
    for (size_t i = 0; i < count; ++i) {
      const StringTable::Element* e = table()->Random();
      fn(e->key(), e->value());
    }
    return;
  }
  // Index the (few) pairs once, then draw.
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  pairs.reserve(Size());
  ForEach([&](std::string_view f, std::string_view v) { pairs.emplace_back(f, v); });
  for (size_t i = 0; i < count; ++i) {
    const auto& [f, v] = pairs[rng() % pairs.size()];
    fn(f, v);
  }
}

void Hash::DistinctRandomPairs(size_t count, Rng rng, PairFn fn) const {
  const size_t size = Size();
  // A small hash, or a count close to the size: one selection-sampling pass over the pairs.
  // Otherwise (count well below the size, as Redis's "CASE 4") random draws until count distinct
  // ones came, which touches about count elements instead of all of them.
  if (encoding() == Encoding::kListpack || count * 3 > size) {
    SelectionSampler sampler(size, count, rng);
    if (encoding() == Encoding::kListpack) {
      ForEach([&](std::string_view f, std::string_view v) {
        if (sampler.Take()) fn(f, v);
      });
    } else {
      for (const StringTable::Element& e : *table()) {
        if (sampler.done()) break;
        if (sampler.Take()) fn(e.key(), e.value());
      }
    }
    return;
  }
  absl::flat_hash_set<const StringTable::Element*> picked;
  picked.reserve(count);
  while (picked.size() < count) {
    const StringTable::Element* e = table()->Random();
    if (picked.insert(e).second) fn(e->key(), e->value());
  }
}

}  // namespace weir::types
