// Bit-array algorithms behind GETBIT/SETBIT/BITCOUNT/BITPOS/BITOP/BITFIELD (see bitops.h).
// Large scans run over 64-bit words; bit numbering is big-endian within each byte, as in Redis.
#include "types/bitops.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/numbers.h"

namespace weir::types {
namespace {

using uint128 = unsigned __int128;
using int128 = __int128;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

uint64_t LoadWord(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

// The word with byte 0 in the most significant position, so that leading-zero counts give bit
// positions in string order.
uint64_t ToStringOrder(uint64_t w) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(w);
  return w;
}

int LeadingZeros8(uint8_t v) { return __builtin_clz(v) - 24; }

// Four independent accumulators keep several popcounts in flight per cycle.
inline __attribute__((always_inline)) uint64_t PopcountBody(const uint8_t* p, size_t n) {
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c0 += __builtin_popcountll(LoadWord(p + i));
    c1 += __builtin_popcountll(LoadWord(p + i + 8));
    c2 += __builtin_popcountll(LoadWord(p + i + 16));
    c3 += __builtin_popcountll(LoadWord(p + i + 24));
  }
  for (; i + 8 <= n; i += 8) c0 += __builtin_popcountll(LoadWord(p + i));
  for (; i < n; ++i) c1 += __builtin_popcount(p[i]);
  return c0 + c1 + c2 + c3;
}

uint64_t PopcountPortable(const uint8_t* p, size_t n) { return PopcountBody(p, n); }

#if defined(__x86_64__) || defined(__i386__)
// The default x86-64 target lacks POPCNT, and the libgcc fallback is several times slower, so
// the hardware instruction is selected at run time instead of assumed at build time.
__attribute__((target("popcnt"))) uint64_t PopcountHardware(const uint8_t* p, size_t n) {
  return PopcountBody(p, n);
}

bool CpuHasPopcnt() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("popcnt");
}
#endif

uint64_t Popcount(const uint8_t* p, size_t n) {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has_popcnt = CpuHasPopcnt();
  if (has_popcnt) return PopcountHardware(p, n);
#endif
  return PopcountPortable(p, n);
}

// Set bits within the inclusive bit range [first_bit, last_bit], which lies inside the data.
uint64_t CountBitsInRange(const uint8_t* p, uint64_t first_bit, uint64_t last_bit) {
  const uint64_t first_byte = first_bit >> 3;
  const uint64_t last_byte = last_bit >> 3;
  uint64_t count = Popcount(p + first_byte, last_byte - first_byte + 1);
  // Whole edge bytes were counted; take back the bits that fall outside the range.
  const uint8_t before = p[first_byte] & static_cast<uint8_t>(~(0xFFu >> (first_bit & 7)));
  const uint8_t after = p[last_byte] & static_cast<uint8_t>(0xFFu >> ((last_bit & 7) + 1));
  count -= static_cast<uint64_t>(__builtin_popcount(before) + __builtin_popcount(after));
  return count;
}

// First position in the inclusive bit range [first_bit, last_bit] holding `bit`, or -1.
int64_t FindBitInRange(const uint8_t* p, uint64_t first_bit, uint64_t last_bit, int bit) {
  // Searching for 0 is searching for 1 in the complement.
  const uint8_t flip = bit ? 0 : 0xFF;
  const uint64_t flip_word = bit ? 0 : ~uint64_t{0};
  const uint64_t first_byte = first_bit >> 3;
  const uint64_t last_byte = last_bit >> 3;
  auto edge_byte = [&](uint64_t i) -> uint8_t {
    uint8_t v = p[i] ^ flip;
    if (i == first_byte) v &= static_cast<uint8_t>(0xFFu >> (first_bit & 7));
    if (i == last_byte) v &= static_cast<uint8_t>(0xFFu << (7 - (last_bit & 7)));
    return v;
  };

  uint64_t i = first_byte;
  if (const uint8_t v = edge_byte(i); v != 0) {
    return static_cast<int64_t>(i * 8 + LeadingZeros8(v));
  }
  ++i;
  // Whole words strictly before the last byte need no masking. Skip 32 bytes at a time over long
  // uniform runs, then pinpoint the word.
  while (i + 32 <= last_byte) {
    const uint64_t any = (LoadWord(p + i) ^ flip_word) | (LoadWord(p + i + 8) ^ flip_word) |
                         (LoadWord(p + i + 16) ^ flip_word) | (LoadWord(p + i + 24) ^ flip_word);
    if (any != 0) break;
    i += 32;
  }
  while (i + 8 <= last_byte) {
    const uint64_t w = LoadWord(p + i) ^ flip_word;
    if (w != 0) return static_cast<int64_t>(i * 8 + __builtin_clzll(ToStringOrder(w)));
    i += 8;
  }
  for (; i <= last_byte; ++i) {
    if (const uint8_t v = edge_byte(i); v != 0) {
      return static_cast<int64_t>(i * 8 + LeadingZeros8(v));
    }
  }
  return -1;
}

// Redis's index normalisation shared by BITCOUNT and BITPOS: negative indexes count from the
// end, then both ends are clamped into [0, total - 1] (leaving start > end for empty ranges).
void NormalizeRange(int64_t total, int64_t* start, int64_t* end) {
  if (*start < 0) *start += total;
  if (*end < 0) *end += total;
  if (*start < 0) *start = 0;
  if (*end < 0) *end = 0;
  if (*end >= total) *end = total - 1;
}

std::optional<uint64_t> ParseOffset(std::string_view arg, int hash_bits, uint64_t max_bytes) {
  const bool use_hash = hash_bits > 0 && !arg.empty() && arg[0] == '#';
  if (use_hash) arg.remove_prefix(1);
  int64_t value;
  // Redis parses offsets as signed integers (string2ll), so "-1" is well formed but refused.
  if (!ParseInt64(arg, &value) || value < 0) return std::nullopt;
  uint64_t offset = static_cast<uint64_t>(value);
  // Redis multiplies in signed 64-bit without a check; an overflowing product is rejected here
  // rather than wrapped into some unrelated offset.
  if (use_hash && (__builtin_mul_overflow(offset, static_cast<uint64_t>(hash_bits), &offset) ||
                   offset > static_cast<uint64_t>(INT64_MAX))) {
    return std::nullopt;
  }
  if ((offset >> 3) >= max_bytes) return std::nullopt;
  return offset;
}

uint64_t FieldMask(int bits) { return bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// Reads `bits` (1..64) bits starting at bit `offset` as an unsigned number; bytes at or past
// `len` read as zero.
uint64_t LoadField(const uint8_t* p, size_t len, uint64_t offset, int bits) {
  const uint64_t first_byte = offset >> 3;
  const int shift = static_cast<int>(offset & 7);
  const int nbytes = (shift + bits + 7) / 8;  // At most 9 bytes.
  uint128 acc = 0;
  for (int i = 0; i < nbytes; ++i) {
    acc <<= 8;
    const uint64_t index = first_byte + static_cast<uint64_t>(i);
    if (index < len) acc |= p[index];
  }
  acc >>= (nbytes * 8 - shift - bits);
  return static_cast<uint64_t>(acc) & FieldMask(bits);
}

// Writes the low `bits` bits of `value` at bit `offset`; the bytes must exist.
void StoreField(uint8_t* p, uint64_t offset, int bits, uint64_t value) {
  const uint64_t first_byte = offset >> 3;
  const int shift = static_cast<int>(offset & 7);
  const int nbytes = (shift + bits + 7) / 8;
  uint128 acc = 0;
  for (int i = 0; i < nbytes; ++i) acc = (acc << 8) | p[first_byte + static_cast<uint64_t>(i)];
  const int low = nbytes * 8 - shift - bits;
  const uint128 mask = static_cast<uint128>(FieldMask(bits)) << low;
  acc = (acc & ~mask) | ((static_cast<uint128>(value & FieldMask(bits)) << low) & mask);
  for (int i = nbytes - 1; i >= 0; --i) {
    p[first_byte + static_cast<uint64_t>(i)] = static_cast<uint8_t>(acc);
    acc >>= 8;
  }
}

int64_t SignExtend(uint64_t raw, int bits) {
  if (bits < 64 && ((raw >> (bits - 1)) & 1)) raw |= ~FieldMask(bits);
  return static_cast<int64_t>(raw);
}

int64_t ReadTyped(std::string_view s, uint64_t offset, BitfieldType type) {
  const uint64_t raw = LoadField(Bytes(s), s.size(), offset, type.bits);
  return type.is_signed ? SignExtend(raw, type.bits) : static_cast<int64_t>(raw);
}

struct Fitted {
  int64_t value = 0;
  bool overflow = false;
};

// Brings an exact (unbounded) result into the type's range per the overflow policy: WRAP keeps
// the low bits (two's complement for signed), SAT clamps to the nearest bound.
Fitted FitToType(int128 v, BitfieldType type, BitfieldOverflow overflow) {
  int128 min, max;
  if (type.is_signed) {
    max = (int128{1} << (type.bits - 1)) - 1;
    min = -max - 1;
  } else {
    max = (int128{1} << type.bits) - 1;
    min = 0;
  }
  if (v >= min && v <= max) return {static_cast<int64_t>(v), false};
  if (overflow == BitfieldOverflow::kSat) return {static_cast<int64_t>(v > max ? max : min), true};
  const uint64_t low = static_cast<uint64_t>(static_cast<uint128>(v)) & FieldMask(type.bits);
  return {type.is_signed ? SignExtend(low, type.bits) : static_cast<int64_t>(low), true};
}

BitfieldWriteResult WriteField(std::string* s, uint64_t offset, BitfieldType type, int128 target,
                               bool reply_new, BitfieldOverflow overflow) {
  BitfieldWriteResult result;
  result.grew = GrowToBit(s, offset + static_cast<uint64_t>(type.bits) - 1);
  const int64_t old_value = ReadTyped(*s, offset, type);
  const Fitted fitted = FitToType(target, type, overflow);
  if (fitted.overflow && overflow == BitfieldOverflow::kFail) {
    result.failed = true;
    return result;
  }
  StoreField(reinterpret_cast<uint8_t*>(s->data()), offset, type.bits,
             static_cast<uint64_t>(fitted.value));
  result.value = reply_new ? fitted.value : old_value;
  result.changed = fitted.value != old_value;
  return result;
}

}  // namespace

// ---- BITCOUNT / BITPOS ----------------------------------------------------------------------

int64_t BitCount(std::string_view s) { return static_cast<int64_t>(Popcount(Bytes(s), s.size())); }

int64_t BitCount(std::string_view s, int64_t start, int64_t end, bool bit_unit) {
  // Checked before normalisation: clamping could otherwise turn e.g. -50..-100 into 0..0.
  if (start < 0 && end < 0 && start > end) return 0;
  const int64_t len = static_cast<int64_t>(s.size());
  NormalizeRange(bit_unit ? len * 8 : len, &start, &end);
  if (start > end) return 0;
  if (bit_unit) {
    return static_cast<int64_t>(
        CountBitsInRange(Bytes(s), static_cast<uint64_t>(start), static_cast<uint64_t>(end)));
  }
  return static_cast<int64_t>(Popcount(Bytes(s) + start, static_cast<size_t>(end - start + 1)));
}

int64_t BitPos(std::string_view s, int bit, std::optional<int64_t> start,
               std::optional<int64_t> end, bool bit_unit, bool end_given) {
  bit = bit ? 1 : 0;
  const int64_t len = static_cast<int64_t>(s.size());
  const int64_t total = bit_unit ? len * 8 : len;
  int64_t first = start.value_or(0);
  int64_t last = end.value_or(total - 1);
  NormalizeRange(total, &first, &last);
  // An empty range holds neither a 0 nor a 1.
  if (first > last) return -1;
  const uint64_t first_bit = bit_unit ? static_cast<uint64_t>(first) : uint64_t(first) * 8;
  const uint64_t last_bit = bit_unit ? static_cast<uint64_t>(last) : uint64_t(last) * 8 + 7;
  const int64_t pos = FindBitInRange(Bytes(s), first_bit, last_bit, bit);
  if (pos >= 0 || bit == 1) return pos;
  // No 0 in range: without an explicit end the string counts as zero-padded on the right, so
  // the answer is the first bit after it; an explicit end confines the search.
  if (end_given) return -1;
  return static_cast<int64_t>(last_bit + 1);
}

// ---- GETBIT / SETBIT ------------------------------------------------------------------------

std::optional<uint64_t> ParseBitOffset(std::string_view arg, uint64_t max_bytes) {
  return ParseOffset(arg, 0, max_bytes);
}

int GetBit(std::string_view s, uint64_t offset) {
  const uint64_t byte = offset >> 3;
  if (byte >= s.size()) return 0;
  return (Bytes(s)[byte] >> (7 - (offset & 7))) & 1;
}

bool GrowToBit(std::string* s, uint64_t max_bit) {
  const uint64_t needed = (max_bit >> 3) + 1;
  if (s->size() >= needed) return false;
  s->resize(needed, '\0');
  return true;
}

int SetBit(std::string* s, uint64_t offset, int value) {
  GrowToBit(s, offset);
  const uint64_t byte = offset >> 3;
  const int shift = static_cast<int>(7 - (offset & 7));
  auto* p = reinterpret_cast<uint8_t*>(s->data());
  const int old_bit = (p[byte] >> shift) & 1;
  p[byte] = static_cast<uint8_t>((p[byte] & ~(1u << shift)) | ((value ? 1u : 0u) << shift));
  return old_bit;
}

// ---- BITOP ----------------------------------------------------------------------------------

std::optional<BitOpKind> ParseBitOpKind(std::string_view name) {
  if (EqualsIgnoreCase(name, "and")) return BitOpKind::kAnd;
  if (EqualsIgnoreCase(name, "or")) return BitOpKind::kOr;
  if (EqualsIgnoreCase(name, "xor")) return BitOpKind::kXor;
  if (EqualsIgnoreCase(name, "not")) return BitOpKind::kNot;
  return std::nullopt;
}

std::string BitOp(BitOpKind op, const std::vector<std::string_view>& sources) {
  size_t max_len = 0;
  for (std::string_view src : sources) max_len = std::max(max_len, src.size());
  if (max_len == 0) return {};

  // Start from the first source zero-padded, then fold the others in one pass each; the result
  // buffer stays hot in cache for typical source counts.
  std::string out(max_len, '\0');
  std::memcpy(out.data(), sources[0].data(), sources[0].size());
  auto* res = reinterpret_cast<uint8_t*>(out.data());

  if (op == BitOpKind::kNot) {
    size_t i = 0;
    for (; i + 8 <= max_len; i += 8) {
      const uint64_t w = ~LoadWord(res + i);
      std::memcpy(res + i, &w, sizeof(w));
    }
    for (; i < max_len; ++i) res[i] = static_cast<uint8_t>(~res[i]);
    return out;
  }

  for (size_t k = 1; k < sources.size(); ++k) {
    const uint8_t* src = Bytes(sources[k]);
    const size_t n = sources[k].size();
    size_t i = 0;
    switch (op) {
      case BitOpKind::kAnd:
        for (; i + 8 <= n; i += 8) {
          const uint64_t w = LoadWord(res + i) & LoadWord(src + i);
          std::memcpy(res + i, &w, sizeof(w));
        }
        for (; i < n; ++i) res[i] &= src[i];
        // Past this source's end it contributes zeros, which clear the result.
        if (n < max_len) std::memset(res + n, 0, max_len - n);
        break;
      case BitOpKind::kOr:
        for (; i + 8 <= n; i += 8) {
          const uint64_t w = LoadWord(res + i) | LoadWord(src + i);
          std::memcpy(res + i, &w, sizeof(w));
        }
        for (; i < n; ++i) res[i] |= src[i];
        break;
      case BitOpKind::kXor:
        for (; i + 8 <= n; i += 8) {
          const uint64_t w = LoadWord(res + i) ^ LoadWord(src + i);
          std::memcpy(res + i, &w, sizeof(w));
        }
        for (; i < n; ++i) res[i] ^= src[i];
        break;
      case BitOpKind::kNot:
        break;
    }
  }
  return out;
}

// ---- BITFIELD -------------------------------------------------------------------------------

std::optional<BitfieldOverflow> ParseBitfieldOverflow(std::string_view name) {
  if (EqualsIgnoreCase(name, "wrap")) return BitfieldOverflow::kWrap;
  if (EqualsIgnoreCase(name, "sat")) return BitfieldOverflow::kSat;
  if (EqualsIgnoreCase(name, "fail")) return BitfieldOverflow::kFail;
  return std::nullopt;
}

std::optional<BitfieldType> BitfieldType::Parse(std::string_view text) {
  // Redis reads the type as a C string, so anything from an embedded NUL on is ignored.
  text = text.substr(0, text.find('\0'));
  if (text.empty() || (text[0] != 'i' && text[0] != 'u')) return std::nullopt;
  const bool is_signed = text[0] == 'i';
  uint64_t bits;
  if (!ParseUint64(text.substr(1), &bits) || bits < 1 || bits > (is_signed ? 64u : 63u)) {
    return std::nullopt;
  }
  return BitfieldType{is_signed, static_cast<int>(bits)};
}

std::optional<uint64_t> ParseBitfieldOffset(std::string_view arg, BitfieldType type,
                                            uint64_t max_bytes) {
  return ParseOffset(arg, type.bits, max_bytes);
}

int64_t BitfieldGet(std::string_view s, uint64_t offset, BitfieldType type) {
  return ReadTyped(s, offset, type);
}

BitfieldWriteResult BitfieldSet(std::string* s, uint64_t offset, BitfieldType type, int64_t value,
                                BitfieldOverflow overflow) {
  // Redis range-checks an unsigned SET value as uint64, so a negative value counts as huge: it
  // saturates to the maximum and fails under FAIL, while WRAP keeps its low bits.
  int128 target = type.is_signed ? int128{value} : int128{static_cast<uint64_t>(value)};
  if (type.is_signed && type.bits < 64 && overflow == BitfieldOverflow::kSat) {
    // Redis computes (max - value) in 64 bits; when that distance does not fit, its check sees
    // an overflow upwards, so a very negative value saturates to the type's maximum.
    const int128 max = (int128{1} << (type.bits - 1)) - 1;
    if (max - target > INT64_MAX) target = max + 1;
  }
  return WriteField(s, offset, type, target, /*reply_new=*/false, overflow);
}

BitfieldWriteResult BitfieldIncrBy(std::string* s, uint64_t offset, BitfieldType type,
                                   int64_t increment, BitfieldOverflow overflow) {
  // Bits past the end read as zero, so the old value is known before any growth.
  const int128 target = int128{ReadTyped(*s, offset, type)} + increment;
  return WriteField(s, offset, type, target, /*reply_new=*/true, overflow);
}

}  // namespace weir::types
