// Listpack encoding: element encode/decode, walking, and the byte-moving mutations.
#include "types/listpack.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <stdexcept>
#include <string>

#include "common/memory.h"
#include "common/numbers.h"

namespace weir::types {
namespace {

// Encoding byte (first byte of an element):
//   0xxxxxxx            integer 0..127
//   10xxxxxx            string of 0..63 bytes
//   110xxxxx +1 byte    13-bit signed integer (high bits here, low byte next)
//   1110xxxx +1 byte    string of up to 4095 bytes (length high bits here, low byte next)
//   11110000 +4 bytes   string with a 32-bit length
//   11110001 +2 / 11110010 +3 / 11110011 +4 / 11110100 +8   16/24/32/64-bit signed integers
constexpr uint8_t kStr32 = 0xF0;
constexpr uint8_t kInt16 = 0xF1;
constexpr uint8_t kInt24 = 0xF2;
constexpr uint8_t kInt32 = 0xF3;
constexpr uint8_t kInt64 = 0xF4;

// The longest canonical int64 text ("-9223372036854775808").
constexpr size_t kMaxIntText = 20;

inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline void StoreU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// Little-endian load/store of the low n bytes of an integer.
inline uint64_t LoadLE(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}
inline void StoreLE(uint8_t* p, uint64_t v, int n) {
  for (int i = 0; i < n; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

inline int64_t SignExtend(uint64_t v, int bits) {
  uint64_t m = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ m) - m);
}

inline size_t BacklenSize(size_t len) {
  if (len < (1u << 7)) return 1;
  if (len < (1u << 14)) return 2;
  if (len < (1u << 21)) return 3;
  if (len < (1u << 28)) return 4;
  return 5;
}

// Writes the back-length of an element whose encoding+payload is len bytes, ending at dst+n.
// The last byte holds the lowest 7 bits; a set high bit says more bytes precede it.
inline void WriteBacklen(uint8_t* dst, size_t len) {
  size_t n = BacklenSize(len);
  for (size_t i = 0; i < n; i++) {
    uint8_t b = len & 0x7F;
    len >>= 7;
    if (i + 1 < n) b |= 0x80;
    dst[n - 1 - i] = b;
  }
}

// Reads the back-length ending just before `end`; sets *width to its size in bytes.
inline size_t ReadBacklen(const uint8_t* end, size_t* width) {
  size_t len = 0;
  size_t shift = 0;
  size_t i = 0;
  uint8_t b;
  do {
    b = *(end - 1 - i);
    len |= static_cast<size_t>(b & 0x7F) << shift;
    shift += 7;
    i++;
  } while ((b & 0x80) && i < 5);
  *width = i;
  return len;
}

// Size of encoding+payload of the element at p (without back-length).
inline size_t PayloadSize(const uint8_t* p) {
  uint8_t b = p[0];
  if (b < 0x80) return 1;
  if (b < 0xC0) return 1 + (b & 0x3F);
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 2 + (((b & 0x0F) << 8) | p[1]);
  switch (b) {
    case kStr32:
      return 5 + LoadU32(p + 1);
    case kInt16:
      return 3;
    case kInt24:
      return 4;
    case kInt32:
      return 5;
    case kInt64:
      return 9;
  }
  return 0;  // invalid encoding (Validate reports it)
}

inline size_t ElementSize(const uint8_t* p) {
  size_t len = PayloadSize(p);
  return len + BacklenSize(len);
}

}  // namespace

// An element encoded but not yet placed: the header bytes (an integer's whole encoding, or a
// string's length header) and the string payload, which is copied from the caller's view.
struct Listpack::Encoded {
  uint8_t head[9];
  size_t head_len = 0;
  std::string_view str;

  size_t payload() const { return head_len + str.size(); }
  size_t total() const { return payload() + BacklenSize(payload()); }

  void SetInt(int64_t v) {
    if (v >= 0 && v <= 127) {
      head[0] = static_cast<uint8_t>(v);
      head_len = 1;
    } else if (v >= -4096 && v <= 4095) {
      uint64_t u = static_cast<uint64_t>(v) & 0x1FFF;
      head[0] = static_cast<uint8_t>(0xC0 | (u >> 8));
      head[1] = static_cast<uint8_t>(u);
      head_len = 2;
    } else {
      int n;
      if (v >= INT16_MIN && v <= INT16_MAX) {
        head[0] = kInt16, n = 2;
      } else if (v >= -(1 << 23) && v < (1 << 23)) {
        head[0] = kInt24, n = 3;
      } else if (v >= INT32_MIN && v <= INT32_MAX) {
        head[0] = kInt32, n = 4;
      } else {
        head[0] = kInt64, n = 8;
      }
      StoreLE(head + 1, static_cast<uint64_t>(v), n);
      head_len = 1 + n;
    }
    str = {};
  }

  void Set(std::string_view s) {
    int64_t v;
    if (s.size() <= kMaxIntText && !s.empty() && ParseInt64(s, &v)) return SetInt(v);
    size_t n = s.size();
    if (n <= 63) {
      head[0] = static_cast<uint8_t>(0x80 | n);
      head_len = 1;
    } else if (n <= 4095) {
      head[0] = static_cast<uint8_t>(0xE0 | (n >> 8));
      head[1] = static_cast<uint8_t>(n);
      head_len = 2;
    } else {
      if (n > UINT32_MAX) throw std::length_error("listpack element too large");
      head[0] = kStr32;
      StoreU32(head + 1, static_cast<uint32_t>(n));
      head_len = 5;
    }
    str = s;
  }

  void WriteTo(uint8_t* dst) const {
    std::memcpy(dst, head, head_len);
    if (!str.empty()) std::memcpy(dst + head_len, str.data(), str.size());
    WriteBacklen(dst + payload(), payload());
  }
};

// ---- Value ------------------------------------------------------------------------------------

std::string_view Listpack::Value::ToString(char* buf) const {
  if (!is_int) return str;
  return {buf, static_cast<size_t>(FormatInt64(num, buf))};
}

bool Listpack::Value::ToInt(int64_t* out) const {
  if (is_int) {
    *out = num;
    return true;
  }
  return ParseInt64(str, out);
}

// ---- Ownership --------------------------------------------------------------------------------

Listpack::~Listpack() { mem::Free(data_); }

Listpack& Listpack::operator=(Listpack&& other) noexcept {
  if (this != &other) {
    mem::Free(data_);
    data_ = other.data_;
    other.data_ = nullptr;
  }
  return *this;
}

Listpack Listpack::Clone() const {
  Listpack copy;
  if (data_) {
    size_t n = bytes();
    copy.data_ = static_cast<uint8_t*>(mem::Allocate(n));
    std::memcpy(copy.data_, data_, n);
  }
  return copy;
}

size_t Listpack::size() const { return data_ ? LoadU32(data_ + 4) : 0; }
size_t Listpack::bytes() const { return data_ ? LoadU32(data_) : 0; }
size_t Listpack::MemoryUsage() const { return data_ ? mem::UsableSize(data_) : 0; }

// ---- Walking ----------------------------------------------------------------------------------

Listpack::Pos Listpack::Last() const {
  if (!data_) return kNone;
  return Prev(static_cast<Pos>(bytes()));
}

Listpack::Pos Listpack::Next(Pos p) const {
  size_t next = p + ElementSize(data_ + p);
  return next < bytes() ? static_cast<Pos>(next) : kNone;
}

Listpack::Pos Listpack::Prev(Pos p) const {
  if (p <= kHeaderBytes) return kNone;
  size_t width;
  size_t len = ReadBacklen(data_ + p, &width);
  return static_cast<Pos>(p - width - len);
}

Listpack::Pos Listpack::Seek(int64_t index) const {
  int64_t n = static_cast<int64_t>(size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return kNone;
  if (index <= n / 2) {
    Pos p = First();
    while (index-- > 0) p = Next(p);
    return p;
  }
  Pos p = Last();
  for (int64_t i = n - 1; i > index; i--) p = Prev(p);
  return p;
}

Listpack::Value Listpack::Get(Pos p) const {
  const uint8_t* e = data_ + p;
  uint8_t b = e[0];
  Value v;
  if (b < 0x80) {
    v.is_int = true;
    v.num = b;
  } else if (b < 0xC0) {
    v.str = {reinterpret_cast<const char*>(e + 1), static_cast<size_t>(b & 0x3F)};
  } else if (b < 0xE0) {
    v.is_int = true;
    v.num = SignExtend((static_cast<uint64_t>(b & 0x1F) << 8) | e[1], 13);
  } else if (b < 0xF0) {
    v.str = {reinterpret_cast<const char*>(e + 2), static_cast<size_t>(((b & 0x0F) << 8) | e[1])};
  } else if (b == kStr32) {
    v.str = {reinterpret_cast<const char*>(e + 5), LoadU32(e + 1)};
  } else {
    int n = b == kInt16 ? 2 : b == kInt24 ? 3 : b == kInt32 ? 4 : 8;
    v.is_int = true;
    v.num = SignExtend(LoadLE(e + 1, n), 8 * n);
  }
  return v;
}

size_t Listpack::ElementBytes(Pos p) const { return ElementSize(data_ + p); }

bool Listpack::Equals(Pos p, std::string_view s) const {
  Value v = Get(p);
  if (!v.is_int) return v.str == s;
  int64_t n;
  return s.size() <= kMaxIntText && !s.empty() && ParseInt64(s, &n) && n == v.num;
}

Listpack::Pos Listpack::Find(Pos from, std::string_view s, size_t skip) const {
  // Parse s once: a canonical integer text can only equal integer elements, any other text
  // only string elements of the same bytes.
  int64_t as_int = 0;
  bool s_is_int = s.size() <= kMaxIntText && !s.empty() && ParseInt64(s, &as_int);
  size_t to_skip = 0;
  for (Pos p = from; p != kNone; p = Next(p)) {
    if (to_skip > 0) {
      to_skip--;
      continue;
    }
    const uint8_t* e = data_ + p;
    uint8_t b = e[0];
    bool elem_is_str = (b >= 0x80 && b < 0xC0) || (b >= 0xE0 && b <= kStr32);
    if (elem_is_str) {
      if (!s_is_int) {
        Value v = Get(p);
        if (v.str.size() == s.size() && std::memcmp(v.str.data(), s.data(), s.size()) == 0) {
          return p;
        }
      }
    } else if (s_is_int && Get(p).num == as_int) {
      return p;
    }
    to_skip = skip;
  }
  return kNone;
}

// ---- Changing ---------------------------------------------------------------------------------

uint8_t* Listpack::Splice(size_t at, size_t remove, size_t insert, int64_t count_delta) {
  size_t old_bytes = data_ ? bytes() : kHeaderBytes;
  size_t new_count = size() + count_delta;
  if (new_count == 0) {
    Clear();
    return nullptr;
  }
  size_t new_bytes = old_bytes - remove + insert;
  if (new_bytes > UINT32_MAX) throw std::length_error("listpack too large");
  size_t tail = old_bytes - at - remove;
  size_t capacity = data_ ? mem::UsableSize(data_) : 0;
  // Grow into a new allocation when needed, and give memory back when a shrink leaves more than
  // half of a non-tiny allocation unused.
  bool reallocate = new_bytes > capacity || (new_bytes < capacity / 2 && capacity > 64);
  if (reallocate) {
    auto* fresh = static_cast<uint8_t*>(mem::Allocate(new_bytes));
    if (data_) {
      std::memcpy(fresh, data_, at);
      std::memcpy(fresh + at + insert, data_ + at + remove, tail);
    }
    mem::Free(data_);
    data_ = fresh;
  } else if (insert != remove && tail > 0) {
    std::memmove(data_ + at + insert, data_ + at + remove, tail);
  }
  StoreU32(data_, static_cast<uint32_t>(new_bytes));
  StoreU32(data_ + 4, static_cast<uint32_t>(new_count));
  return data_ + at;
}

Listpack::Pos Listpack::Place(size_t at, size_t remove, Encoded& e, int64_t count_delta) {
  // The string may be a view into this listpack (an element copied elsewhere in it), which the
  // splice moves or frees: copy it out first then.
  std::string copy;
  if (!e.str.empty() && data_ && e.str.data() >= reinterpret_cast<const char*>(data_) &&
      e.str.data() < reinterpret_cast<const char*>(data_) + bytes()) {
    copy.assign(e.str);
    e.str = copy;
  }
  uint8_t* dst = Splice(at, remove, e.total(), count_delta);
  e.WriteTo(dst);
  return static_cast<Pos>(at);
}

void Listpack::Append(std::string_view s) {
  Encoded e;
  e.Set(s);
  Place(data_ ? bytes() : kHeaderBytes, 0, e, 1);
}

void Listpack::AppendInt(int64_t v) {
  Encoded e;
  e.SetInt(v);
  Place(data_ ? bytes() : kHeaderBytes, 0, e, 1);
}

void Listpack::Prepend(std::string_view s) {
  Encoded e;
  e.Set(s);
  Place(kHeaderBytes, 0, e, 1);
}

Listpack::Pos Listpack::InsertBefore(Pos p, std::string_view s) {
  Encoded e;
  e.Set(s);
  return Place(p, 0, e, 1);
}

Listpack::Pos Listpack::InsertAfter(Pos p, std::string_view s) {
  Encoded e;
  e.Set(s);
  return Place(p + ElementSize(data_ + p), 0, e, 1);
}

Listpack::Pos Listpack::InsertAt(size_t index, std::string_view s) {
  if (index >= size()) {
    Append(s);
    return Last();
  }
  return InsertBefore(Seek(static_cast<int64_t>(index)), s);
}

Listpack::Pos Listpack::Replace(Pos p, std::string_view s) {
  Encoded e;
  e.Set(s);
  return Place(p, ElementSize(data_ + p), e, 0);
}

Listpack::Pos Listpack::ReplaceInt(Pos p, int64_t v) {
  Encoded e;
  e.SetInt(v);
  return Place(p, ElementSize(data_ + p), e, 0);
}

Listpack::Pos Listpack::Delete(Pos p) { return DeleteRange(p, 1); }

Listpack::Pos Listpack::DeleteRange(Pos p, size_t count) {
  size_t end = p;
  size_t total = bytes();
  size_t n = 0;
  while (n < count && end < total) {
    end += ElementSize(data_ + end);
    n++;
  }
  if (n == 0) return kNone;
  if (!Splice(p, end - p, 0, -static_cast<int64_t>(n))) return kNone;
  return p < bytes() ? p : kNone;
}

void Listpack::DeleteRange(int64_t start, size_t count) {
  Pos p = Seek(start);
  if (p != kNone && count > 0) DeleteRange(p, count);
}

void Listpack::Clear() {
  mem::Free(data_);
  data_ = nullptr;
}

void Listpack::Merge(Listpack&& other) {
  if (other.empty()) return;
  if (empty()) {
    *this = std::move(other);
    return;
  }
  size_t add = other.bytes() - kHeaderBytes;
  uint8_t* dst = Splice(bytes(), 0, add, static_cast<int64_t>(other.size()));
  std::memcpy(dst, other.data_ + kHeaderBytes, add);
  other.Clear();
}

Listpack Listpack::SplitAt(size_t index) {
  Listpack rest;
  Pos p = Seek(static_cast<int64_t>(index));
  if (p == kNone) return rest;
  size_t moved_bytes = bytes() - p;
  size_t moved_count = size() - index;
  rest.data_ = static_cast<uint8_t*>(mem::Allocate(kHeaderBytes + moved_bytes));
  std::memcpy(rest.data_ + kHeaderBytes, data_ + p, moved_bytes);
  StoreU32(rest.data_, static_cast<uint32_t>(kHeaderBytes + moved_bytes));
  StoreU32(rest.data_ + 4, static_cast<uint32_t>(moved_count));
  Splice(p, moved_bytes, 0, -static_cast<int64_t>(moved_count));
  return rest;
}

size_t Listpack::ElementSizeFor(std::string_view s) {
  Encoded e;
  e.Set(s);
  return e.total();
}

void Listpack::ShrinkToFit() {
  if (!data_) return;
  size_t n = bytes();
  if (mem::UsableSize(data_) <= n) return;
  auto* fresh = static_cast<uint8_t*>(mem::Allocate(n));
  if (mem::UsableSize(fresh) >= mem::UsableSize(data_)) {
    mem::Free(fresh);
    return;
  }
  std::memcpy(fresh, data_, n);
  mem::Free(data_);
  data_ = fresh;
}

bool Listpack::Validate() const {
  if (!data_) return true;
  size_t total = bytes();
  if (total < kHeaderBytes) return false;
  size_t p = kHeaderBytes;
  size_t n = 0;
  size_t prev = 0;
  while (p < total) {
    uint8_t b = data_[p];
    if (b > kInt64) return false;
    if (b == kStr32 && p + 5 > total) return false;
    size_t len = PayloadSize(data_ + p);
    size_t width;
    if (p + len + BacklenSize(len) > total) return false;
    size_t end = p + len + BacklenSize(len);
    if (ReadBacklen(data_ + end, &width) != len || width != BacklenSize(len)) return false;
    if (prev != 0 && Prev(static_cast<Pos>(p)) != prev) return false;
    prev = p;
    p = end;
    n++;
  }
  return p == total && n == size() && n > 0;
}

}  // namespace weir::types
