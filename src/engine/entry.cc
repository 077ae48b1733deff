// Entry allocation and the names Redis uses for types and encodings.
#include "engine/entry.h"

#include <new>

#include "common/memory.h"
#include "common/numbers.h"

namespace weir::engine {

const char* TypeName(ObjType t) {
  switch (t) {
    case ObjType::kString:
      return "string";
    case ObjType::kList:
      return "list";
    case ObjType::kSet:
      return "set";
    case ObjType::kZSet:
      return "zset";
    case ObjType::kHash:
      return "hash";
    case ObjType::kStream:
      return "stream";
  }
  return "none";
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kRaw:
      return "raw";
    case Encoding::kInt:
      return "int";
    case Encoding::kEmbStr:
      return "embstr";
    case Encoding::kHashTable:
      return "hashtable";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kQuicklist:
      return "quicklist";
    case Encoding::kIntset:
      return "intset";
    case Encoding::kSkiplist:
      return "skiplist";
    case Encoding::kStream:
      return "stream";
  }
  return "unknown";
}

Encoding StringEncodingFor(std::string_view value) {
  // Redis stores values that round-trip as a long as "int" (up to 20 chars), short ones as
  // embstr (<= 44 bytes, OBJ_ENCODING_EMBSTR_SIZE_LIMIT), and the rest raw.
  int64_t v;
  if (value.size() <= 20 && ParseInt64(value, &v)) return Encoding::kInt;
  return value.size() <= 44 ? Encoding::kEmbStr : Encoding::kRaw;
}

size_t Entry::ValueCapacity() const {
  size_t usable = mem::UsableSize(const_cast<Entry*>(this));
  size_t used = SizeFor(key_len, 0, has_expire());
  return usable - used;
}

Entry* Entry::NewString(std::string_view key, std::string_view value, bool with_expire,
                        Encoding enc) {
  void* mem = mem::Allocate(SizeFor(key.size(), value.size(), with_expire));
  Entry* e = new (mem) Entry{};
  e->next = nullptr;
  e->key_len = static_cast<uint32_t>(key.size());
  e->val_len = static_cast<uint32_t>(value.size());
  e->type = ObjType::kString;
  e->encoding = enc;
  e->flags = with_expire ? kHasExpire : 0;
  e->lfu_counter = 5;  // LFU_INIT_VAL
  if (with_expire) *e->expire_info() = {0, 0, 0};
  std::memcpy(e->key_data(), key.data(), key.size());
  if (!value.empty()) std::memcpy(e->val_data(), value.data(), value.size());
  return e;
}

Entry* Entry::NewObject(std::string_view key, ObjType type, types::Object* obj, bool with_expire) {
  Entry* e = NewString(key, std::string_view(reinterpret_cast<const char*>(&obj), sizeof(obj)),
                       with_expire, Encoding::kRaw);
  e->type = type;
  return e;
}

void Entry::Destroy(Entry* e) {
  if (e->is_object()) delete e->object();
  mem::Free(e);
}

const char* EncodingNameOf(const Entry* e) {
  return e->is_object() ? e->object()->EncodingName() : EncodingName(e->encoding);
}

}  // namespace weir::engine
