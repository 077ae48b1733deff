// StringTable: linear probing with backward-shift erase, tagged slots, hash-ordered scan.
#include "types/string_table.h"

#include <xxhash.h>

#include <bit>
#include <cassert>
#include <cstring>
#include <random>
#include <utility>

#include "common/memory.h"

namespace weir::types {

namespace {

constexpr size_t kMinCapacity = 4;

// Keys are hashed with a seed drawn once per process, so nobody can choose keys that collide
// (the same reason Redis seeds its dict hash).
const uint64_t kHashSeed = [] {
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ rd();
}();

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

const char* GetVarint(const char* p, uint64_t* v) {
  uint64_t result = 0;
  int shift = 0;
  while (true) {
    uint8_t byte = static_cast<uint8_t>(*p++);
    result |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) break;
    shift += 7;
  }
  *v = result;
  return p;
}

size_t EncodedSize(std::string_view key, std::string_view value, bool with_values) {
  size_t n = VarintSize(key.size()) + key.size();
  if (with_values) n += VarintSize(value.size()) + value.size();
  return n;
}

// The smallest capacity that holds n elements at most 3/4 full.
size_t CapacityFor(size_t n) {
  size_t cap = kMinCapacity;
  while (n > cap / 4 * 3) cap *= 2;
  return cap;
}

uint64_t NextRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

}  // namespace

std::string_view StringTable::Element::key() const {
  uint64_t len;
  const char* p = GetVarint(reinterpret_cast<const char*>(this), &len);
  return {p, len};
}

std::string_view StringTable::Element::value() const {
  std::string_view k = key();
  uint64_t len;
  const char* p = GetVarint(k.data() + k.size(), &len);
  return {p, len};
}

uint64_t StringTable::HashOf(std::string_view key) {
  return XXH3_64bits_withSeed(key.data(), key.size(), kHashSeed);
}

StringTable::StringTable(bool with_values) : with_values_(with_values) {}

StringTable::~StringTable() { Clear(); }

StringTable::StringTable(const StringTable& other) : with_values_(other.with_values_) {
  if (other.capacity_ == 0) return;
  slots_ = static_cast<uintptr_t*>(mem::Allocate(other.capacity_ * sizeof(uintptr_t)));
  capacity_ = other.capacity_;
  shift_ = other.shift_;
  for (size_t i = 0; i < capacity_; ++i) {
    uintptr_t s = other.slots_[i];
    if (s != 0) {
      const Element* e = ElementOf(s);
      std::string_view k = e->key();
      size_t bytes = EncodedSize(k, with_values_ ? e->value() : std::string_view(), with_values_);
      void* copy = mem::Allocate(bytes);
      std::memcpy(copy, e, bytes);
      element_bytes_ += mem::UsableSize(copy);
      s = (s & ~kPtrMask) | reinterpret_cast<uintptr_t>(copy);
    }
    slots_[i] = s;
  }
  size_ = other.size_;
}

StringTable::StringTable(StringTable&& other) noexcept
    : slots_(std::exchange(other.slots_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)),
      size_(std::exchange(other.size_, 0)),
      element_bytes_(std::exchange(other.element_bytes_, 0)),
      shift_(std::exchange(other.shift_, 64)),
      with_values_(other.with_values_) {}

StringTable& StringTable::operator=(StringTable&& other) noexcept {
  if (this != &other) {
    Clear();
    slots_ = std::exchange(other.slots_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
    element_bytes_ = std::exchange(other.element_bytes_, 0);
    shift_ = std::exchange(other.shift_, 64);
    with_values_ = other.with_values_;
  }
  return *this;
}

void StringTable::Clear() {
  for (size_t i = 0; i < capacity_; ++i) {
    if (slots_[i] != 0) FreeElement(slots_[i]);
  }
  mem::Free(slots_);
  slots_ = nullptr;
  capacity_ = 0;
  size_ = 0;
  element_bytes_ = 0;
  shift_ = 64;
}

size_t StringTable::HomeOf(uintptr_t slot) const {
  // The tag is the hash's top 16 bits, which is the whole home index up to 2^16 slots.
  if (shift_ >= kTagShift) return slot >> shift_;
  return HashOf(ElementOf(slot)->key()) >> shift_;
}

size_t StringTable::Locate(std::string_view key, uint64_t hash, size_t* free_slot) const {
  const uintptr_t tag = hash >> kTagShift;
  const size_t mask = capacity_ - 1;
  for (size_t i = hash >> shift_;; i = (i + 1) & mask) {
    uintptr_t s = slots_[i];
    if (s == 0) {
      *free_slot = i;
      return capacity_;
    }
    if ((s >> kTagShift) == tag && ElementOf(s)->key() == key) return i;
  }
}

const StringTable::Element* StringTable::Find(std::string_view key) const {
  if (size_ == 0) return nullptr;
  size_t free_slot;
  size_t i = Locate(key, HashOf(key), &free_slot);
  return i == capacity_ ? nullptr : ElementOf(slots_[i]);
}

uintptr_t StringTable::NewElement(std::string_view key, std::string_view value, uint64_t hash) {
  char* p = static_cast<char*>(mem::Allocate(EncodedSize(key, value, with_values_)));
  element_bytes_ += mem::UsableSize(p);
  char* w = PutVarint(p, key.size());
  std::memcpy(w, key.data(), key.size());
  if (with_values_) {
    w = PutVarint(w + key.size(), value.size());
    std::memcpy(w, value.data(), value.size());
  }
  uintptr_t addr = reinterpret_cast<uintptr_t>(p);
  // User-space addresses fit in 48 bits on x86-64 and AArch64 (Linux hands out higher ones only
  // to mmap calls that ask for them).
  assert((addr & ~kPtrMask) == 0);
  return addr | (uintptr_t{hash >> kTagShift} << kTagShift);
}

void StringTable::FreeElement(uintptr_t slot) {
  void* p = const_cast<Element*>(ElementOf(slot));
  element_bytes_ -= mem::UsableSize(p);
  mem::Free(p);
}

void StringTable::PlaceNew(uintptr_t slot, size_t home) {
  const size_t mask = capacity_ - 1;
  size_t i = home;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = slot;
}

void StringTable::Rehash(size_t new_capacity) {
  uintptr_t* old_slots = slots_;
  size_t old_capacity = capacity_;
  slots_ = static_cast<uintptr_t*>(mem::Allocate(new_capacity * sizeof(uintptr_t)));
  std::memset(slots_, 0, new_capacity * sizeof(uintptr_t));
  capacity_ = new_capacity;
  shift_ = static_cast<uint8_t>(64 - std::countr_zero(new_capacity));
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old_slots[i] != 0) PlaceNew(old_slots[i], HomeOf(old_slots[i]));
  }
  mem::Free(old_slots);
}

void StringTable::GrowForOneMore() {
  if (capacity_ == 0) {
    Rehash(kMinCapacity);
  } else if (size_ + 1 > capacity_ / 4 * 3) {
    Rehash(capacity_ * 2);
  }
}

void StringTable::Reserve(size_t n) {
  size_t cap = CapacityFor(n);
  if (cap > capacity_) Rehash(cap);
}

void StringTable::MaybeShrink() {
  if (capacity_ <= kMinCapacity || size_ >= capacity_ / 8) return;
  if (size_ == 0) {
    mem::Free(slots_);
    slots_ = nullptr;
    capacity_ = 0;
    shift_ = 64;
    return;
  }
  // Leave room to grow again (at most 3/8 full) so that a few inserts do not resize back.
  Rehash(CapacityFor(size_ * 2));
}

void StringTable::AddAbsent(std::string_view key, std::string_view value, uint64_t hash,
                            size_t free_slot) {
  if (capacity_ == 0 || size_ + 1 > capacity_ / 4 * 3) {
    GrowForOneMore();
    Locate(key, hash, &free_slot);
  }
  slots_[free_slot] = NewElement(key, value, hash);
  ++size_;
}

bool StringTable::Insert(std::string_view key, std::string_view value) {
  uint64_t hash = HashOf(key);
  size_t free_slot = 0;
  if (capacity_ != 0 && Locate(key, hash, &free_slot) != capacity_) return false;
  AddAbsent(key, value, hash, free_slot);
  return true;
}

bool StringTable::Upsert(std::string_view key, std::string_view value) {
  assert(with_values_);
  uint64_t hash = HashOf(key);
  size_t free_slot = 0;
  size_t i = capacity_ == 0 ? 0 : Locate(key, hash, &free_slot);
  if (capacity_ == 0 || i == capacity_) {
    AddAbsent(key, value, hash, free_slot);
    return true;
  }
  uintptr_t s = slots_[i];
  char* p = reinterpret_cast<char*>(const_cast<Element*>(ElementOf(s)));
  std::string_view old_key = ElementOf(s)->key();
  size_t needed = EncodedSize(old_key, value, true);
  size_t usable = mem::UsableSize(p);
  // Rewrite in place when the allocation fits snugly; a much smaller value gets a smaller
  // allocation so one big value does not pin its memory forever.
  if (needed <= usable && usable <= needed + needed / 4 + 16) {
    char* w = PutVarint(const_cast<char*>(old_key.data()) + old_key.size(), value.size());
    std::memmove(w, value.data(), value.size());
    return false;
  }
  slots_[i] = NewElement(old_key, value, hash);
  FreeElement(s);
  return false;
}

bool StringTable::Erase(std::string_view key) {
  if (size_ == 0) return false;
  size_t free_slot;
  size_t hole = Locate(key, HashOf(key), &free_slot);
  if (hole == capacity_) return false;
  uintptr_t erased = slots_[hole];
  // Shift back every later element of the run that may legally sit in the hole (its home is not
  // cyclically after the hole), so lookups never meet a gap before reaching their element.
  const size_t mask = capacity_ - 1;
  for (size_t j = (hole + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
    size_t home = HomeOf(slots_[j]);
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = 0;
  --size_;
  // Free last: key may point into the erased element.
  FreeElement(erased);
  MaybeShrink();
  return true;
}

const StringTable::Element* StringTable::Random() const {
  if (size_ == 0) return nullptr;
  const size_t mask = capacity_ - 1;
  while (true) {
    uintptr_t s = slots_[NextRandom() & mask];
    if (s != 0) return ElementOf(s);
  }
}

uint64_t StringTable::Scan(uint64_t cursor, absl::FunctionRef<void(const Element&)> fn) const {
  if (size_ == 0) return 0;
  const size_t mask = capacity_ - 1;
  size_t first = cursor >> shift_;
  // Empty slots are homes of nothing: skip them.
  while (first < capacity_ && slots_[first] == 0) ++first;
  if (first == capacity_) return 0;
  // The run of occupied slots from `first` ends at an empty slot (the table is never full).
  // Every element whose home lies in [first, last) is inside that run.
  size_t run_end = first;
  while (slots_[run_end] != 0) run_end = (run_end + 1) & mask;
  size_t last = run_end > first ? run_end : capacity_;  // the run wrapped past the end
  for (size_t i = first; i != run_end; i = (i + 1) & mask) {
    size_t home = HomeOf(slots_[i]);
    // Homes before `first` belong to earlier cursors; after a wrap, small homes to later ones.
    if (home >= first && home < last) fn(*ElementOf(slots_[i]));
  }
  return last == capacity_ ? 0 : uint64_t{last} << shift_;
}

size_t StringTable::MemoryUsage() const {
  return sizeof(*this) + (slots_ == nullptr ? 0 : mem::UsableSize(slots_)) + element_bytes_;
}

bool StringTable::Validate() const {
  size_t count = 0;
  size_t bytes = 0;
  const size_t mask = capacity_ - 1;
  for (size_t i = 0; i < capacity_; ++i) {
    uintptr_t s = slots_[i];
    if (s == 0) continue;
    ++count;
    bytes += mem::UsableSize(const_cast<Element*>(ElementOf(s)));
    uint64_t hash = HashOf(ElementOf(s)->key());
    if ((s >> kTagShift) != (hash >> kTagShift)) return false;
    size_t home = hash >> shift_;
    if (home != HomeOf(s)) return false;
    for (size_t j = home; j != i; j = (j + 1) & mask) {
      if (slots_[j] == 0) return false;
    }
  }
  if (capacity_ != 0 && size_ > capacity_ / 4 * 3) return false;
  return count == size_ && bytes == element_bytes_;
}

}  // namespace weir::types
