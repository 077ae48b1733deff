// A key with its value (and expiry), in one allocation chained into a shard's hash table.
// Strings live inline after the key; other types keep a pointer to their structure there.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "types/object.h"

namespace weir::engine {

enum class ObjType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kStream = 6
};

// Encodings as Redis names them in OBJECT ENCODING; strings use kInt/kEmbStr/kRaw.
enum class Encoding : uint8_t {
  kRaw = 0,
  kInt = 1,
  kEmbStr = 8,
  kHashTable = 2,
  kListpack = 11,
  kQuicklist = 9,
  kIntset = 6,
  kSkiplist = 7,
  kStream = 10,
};

const char* TypeName(ObjType t);
const char* EncodingName(Encoding e);

// Layout: [Entry header][ExpireInfo, if kHasExpire][key bytes][value bytes].
// Invariants: key_len/val_len describe the trailing bytes exactly; an entry with kHasExpire is
// listed at `expire.index` of its database's expiry index.
struct Entry {
  static constexpr uint8_t kHasExpire = 1;

  struct ExpireInfo {
    int64_t at_ms;
    uint32_t index;  // position in the owning DbTable's expiry index
    uint32_t unused;
  };

  // The longest value (and key) an entry can hold. Commands that grow a string (APPEND,
  // SETRANGE, SETBIT, BITFIELD) refuse results beyond it; the RESP parser refuses longer bulks.
  static constexpr size_t kMaxValueLen = UINT32_MAX;

  Entry* next;
  uint32_t key_len;
  uint32_t val_len;
  uint32_t lru;  // seconds clock of the last access (OBJECT IDLETIME), or LFU data
  ObjType type;
  Encoding encoding;
  uint8_t flags;
  uint8_t lfu_counter;

  bool has_expire() const { return flags & kHasExpire; }
  ExpireInfo* expire_info() { return reinterpret_cast<ExpireInfo*>(this + 1); }
  const ExpireInfo* expire_info() const { return reinterpret_cast<const ExpireInfo*>(this + 1); }
  int64_t expire_at() const { return has_expire() ? expire_info()->at_ms : -1; }

  char* key_data() {
    return reinterpret_cast<char*>(this + 1) + (has_expire() ? sizeof(ExpireInfo) : 0);
  }
  const char* key_data() const { return const_cast<Entry*>(this)->key_data(); }
  std::string_view key() const { return {key_data(), key_len}; }
  char* val_data() { return key_data() + key_len; }
  std::string_view value() const { return {key_data() + key_len, val_len}; }

  static size_t SizeFor(size_t key_len, size_t val_len, bool with_expire) {
    return sizeof(Entry) + (with_expire ? sizeof(ExpireInfo) : 0) + key_len + val_len;
  }
  // Capacity of the allocation for the value bytes (allocators round sizes up).
  size_t ValueCapacity() const;

  // Allocates a string entry; the caller links it into a table.
  static Entry* NewString(std::string_view key, std::string_view value, bool with_expire,
                          Encoding enc);
  // Allocates an entry of a non-string type that owns obj (its value bytes hold the pointer).
  static Entry* NewObject(std::string_view key, ObjType type, types::Object* obj, bool with_expire);
  static void Destroy(Entry* e);

  bool is_object() const { return type != ObjType::kString; }
  types::Object* object() const {
    types::Object* o;
    std::memcpy(&o, key_data() + key_len, sizeof(o));
    return o;
  }
  void set_object(types::Object* o) { std::memcpy(val_data(), &o, sizeof(o)); }
  // The typed structure of a non-string entry: As<types::List>() and so on.
  template <class T>
  T* As() const {
    return static_cast<T*>(object());
  }
};

// OBJECT ENCODING of an entry: the string encoding, or the one its structure reports.
const char* EncodingNameOf(const Entry* e);

// Picks OBJECT ENCODING for a freshly set string value as Redis does (int / embstr / raw).
Encoding StringEncodingFor(std::string_view value);

}  // namespace weir::engine
