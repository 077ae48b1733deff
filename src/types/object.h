// The structure behind a key that is not a string (list, hash, set, sorted set, stream). An
// entry of such a key stores a pointer to its Object in its value bytes and owns it.
#pragma once

#include <cstddef>

namespace weir::types {

class Object {
 public:
  virtual ~Object() = default;

  // A deep copy (COPY, and anything else that duplicates a key).
  virtual Object* Clone() const = 0;
  // Number of elements (list items, hash fields, set/zset members, stream entries). Commands
  // delete a list/hash/set/zset key whose size drops to 0; streams may stay empty.
  virtual size_t Size() const = 0;
  // Bytes of memory the structure holds (MEMORY USAGE; whether to free it off the event loop).
  virtual size_t MemoryUsage() const = 0;
  // The name OBJECT ENCODING reports, as Redis names it: "listpack", "quicklist", "intset",
  // "hashtable", "skiplist", "stream".
  virtual const char* EncodingName() const = 0;
};

}  // namespace weir::types
