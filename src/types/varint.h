// Unsigned LEB128 lengths: 7 bits a byte, low bits first, a set high bit meaning "more follows".
// The length headers of StringTable elements and of the small hash encoding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace weir::types {

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes v at p; returns the byte after it.
inline uint8_t* PutVarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

// Reads a varint at p into *v; returns the byte after it.
inline const uint8_t* GetVarint(const uint8_t* p, uint64_t* v) {
  uint64_t result = *p & 0x7f;
  int shift = 7;
  while (*p++ & 0x80) {
    result |= uint64_t{*p & 0x7fu} << shift;
    shift += 7;
  }
  *v = result;
  return p;
}

}  // namespace weir::types
