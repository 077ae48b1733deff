// Unit tests for src/types/bitops: Redis 7.2 bitops.tcl / bitfield.tcl vectors plus randomized
// comparisons against naive bit-by-bit reference models.
#include "types/bitops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace weir::types {
namespace {

using std::nullopt;
using std::string;

// ---- Naive reference models ------------------------------------------------------------------

int NaiveBit(const string& s, uint64_t pos) {
  if (pos / 8 >= s.size()) return 0;
  return (static_cast<uint8_t>(s[pos / 8]) >> (7 - pos % 8)) & 1;
}

void NaiveSetBit(string* s, uint64_t pos, int v) {
  if (pos / 8 >= s->size()) s->resize(pos / 8 + 1, '\0');
  uint8_t byte = static_cast<uint8_t>((*s)[pos / 8]);
  const uint8_t m = static_cast<uint8_t>(0x80 >> (pos % 8));
  byte = v ? (byte | m) : (byte & ~m);
  (*s)[pos / 8] = static_cast<char>(byte);
}

// Redis's range rules restated: resolve negatives, clamp into the string, in `unit`s.
struct Range {
  int64_t first;
  int64_t last;  // inclusive; first > last means empty
};
Range RefResolve(int64_t total, int64_t start, int64_t end) {
  int64_t first = start < 0 ? std::max<int64_t>(0, total + start) : start;
  int64_t last = end < 0 ? std::max<int64_t>(0, total + end) : end;
  last = std::min(last, total - 1);
  return {first, last};
}

int64_t RefBitCount(const string& s, int64_t start, int64_t end, bool bit_unit) {
  if (start < 0 && end < 0 && start > end) return 0;
  const int64_t unit = bit_unit ? 1 : 8;
  const int64_t total = static_cast<int64_t>(s.size()) * 8 / unit;
  const Range r = RefResolve(total, start, end);
  int64_t count = 0;
  for (int64_t u = r.first; u <= r.last; ++u) {
    for (int64_t b = u * unit; b < (u + 1) * unit; ++b) count += NaiveBit(s, b);
  }
  return count;
}

int64_t RefBitPos(const string& s, int bit, std::optional<int64_t> start,
                  std::optional<int64_t> end, bool bit_unit) {
  const int64_t unit = bit_unit ? 1 : 8;
  const int64_t total = static_cast<int64_t>(s.size()) * 8 / unit;
  const Range r = RefResolve(total, start.value_or(0), end.value_or(total - 1));
  if (r.first > r.last) return -1;
  for (int64_t b = r.first * unit; b < (r.last + 1) * unit; ++b) {
    if (NaiveBit(s, b) == bit) return b;
  }
  if (bit == 1 || end.has_value()) return -1;
  return static_cast<int64_t>(s.size()) * 8;
}

uint64_t NaiveGetUnsigned(const string& s, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i) v = (v << 1) | NaiveBit(s, offset + i);
  return v;
}

int64_t NaiveGet(const string& s, uint64_t offset, BitfieldType t) {
  uint64_t v = NaiveGetUnsigned(s, offset, t.bits);
  if (t.is_signed && t.bits < 64 && ((v >> (t.bits - 1)) & 1)) v |= ~uint64_t{0} << t.bits;
  return static_cast<int64_t>(v);
}

void NaiveSet(string* s, uint64_t offset, int bits, uint64_t v) {
  for (int i = 0; i < bits; ++i) NaiveSetBit(s, offset + i, (v >> (bits - 1 - i)) & 1);
}

string RandomBytes(std::mt19937_64& rng, size_t len, int style) {
  string s(len, '\0');
  for (auto& c : s) {
    // Mix dense, sparse and uniform runs so word-skipping paths get exercised.
    switch (style) {
      case 0:
        c = static_cast<char>(rng());
        break;
      case 1:
        c = (rng() % 50 == 0) ? static_cast<char>(1u << (rng() % 8)) : '\0';
        break;
      default:
        c = (rng() % 50 == 0) ? static_cast<char>(~(1u << (rng() % 8))) : '\xff';
        break;
    }
  }
  return s;
}

BitfieldType T(const char* text) { return BitfieldType::Parse(text).value(); }

// ---- BITCOUNT --------------------------------------------------------------------------------

TEST(BitCountTest, EmptyAndOutOfRange) {
  EXPECT_EQ(BitCount(""), 0);
  EXPECT_EQ(BitCount("", 0, 1000, true), 0);
  EXPECT_EQ(BitCount("xxxx", 4, 10, false), 0);
  EXPECT_EQ(BitCount("xxxx", 32, 87, true), 0);
  EXPECT_EQ(BitCount("xxxx", -6, -7, false), 0);
  EXPECT_EQ(BitCount("xxxx", -6, -15, true), 0);
  // Both negative with start > end is empty even though clamping would make it 0..0.
  EXPECT_EQ(BitCount("\xff", -50, -100, false), 0);
  // But start clamps to 0 when only it is far negative.
  EXPECT_EQ(BitCount("\xff", -100, -50, false), 8);
}

TEST(BitCountTest, TestVectors) {
  const std::vector<std::pair<string, int64_t>> vectors = {
      {"", 0}, {"\xaa", 4}, {string("\x00\x00\xff", 3), 8}, {"foobar", 26}, {"123", 10}};
  for (const auto& [vec, expected] : vectors) {
    EXPECT_EQ(BitCount(vec), expected) << vec;
    EXPECT_EQ(BitCount(vec, 0, -1, false), expected) << vec;
    EXPECT_EQ(BitCount(vec, 0, -1, true), expected) << vec;
  }
}

TEST(BitCountTest, StartEndLikeRedisSuite) {
  const string s = "foobar";
  EXPECT_EQ(BitCount(s, 1, -2, false), BitCount("ooba"));
  EXPECT_EQ(BitCount(s, -2, 1, false), 0);
  EXPECT_EQ(BitCount(s, 0, 1000, false), BitCount(s));
  EXPECT_EQ(BitCount(s, 10, 14, true), RefBitCount(s, 10, 14, true));
  EXPECT_EQ(BitCount(s, 10, -34, true), RefBitCount(s, 10, 14, true));
  EXPECT_EQ(BitCount(s, 3, -34, true), RefBitCount(s, 3, 14, true));
  EXPECT_EQ(BitCount(s, 3, -19, true), RefBitCount(s, 3, 29, true));
  EXPECT_EQ(BitCount(s, -2, 1, true), 0);
  EXPECT_EQ(BitCount(s, 0, 1000, true), BitCount(s));
  // "foobar" bits 10..14: 'o' = 01101111, bits 2..6 -> 10111 -> 4.
  EXPECT_EQ(BitCount(s, 10, 14, true), 4);
  EXPECT_EQ(BitCount("ab", 1, -1, false), 3);
  EXPECT_EQ(BitCount("__PPxxxxxxxxxxxxxxxxRR__", 2, -3, false), 74);
}

TEST(BitCountTest, RandomAgainstNaive) {
  std::mt19937_64 rng(1);
  for (int iter = 0; iter < 3000; ++iter) {
    const string s = RandomBytes(rng, rng() % 300, static_cast<int>(rng() % 3));
    const int64_t span = static_cast<int64_t>(s.size()) * 8 + 20;
    const int64_t start = static_cast<int64_t>(rng() % (2 * span)) - span;
    const int64_t end = static_cast<int64_t>(rng() % (2 * span)) - span;
    const bool bit_unit = rng() % 2;
    ASSERT_EQ(BitCount(s, start, end, bit_unit), RefBitCount(s, start, end, bit_unit))
        << "len=" << s.size() << " start=" << start << " end=" << end << " bit=" << bit_unit;
  }
}

TEST(BitCountTest, UnalignedViewsAndLargeBuffer) {
  std::mt19937_64 rng(2);
  const string big = RandomBytes(rng, (1 << 20) + 77, 0);
  int64_t naive = 0;
  for (unsigned char c : big) naive += __builtin_popcount(c);
  EXPECT_EQ(BitCount(big), naive);
  // Views starting at every alignment must agree with the byte-wise total.
  for (size_t skip = 0; skip < 9; ++skip) {
    const std::string_view v(big.data() + skip, big.size() - skip);
    int64_t expected = naive;
    for (size_t k = 0; k < skip; ++k) expected -= __builtin_popcount(uint8_t(big[k]));
    EXPECT_EQ(BitCount(v), expected) << skip;
  }
  const string ones(64 << 20, '\xff');
  EXPECT_EQ(BitCount(ones), int64_t{64 << 20} * 8);
  EXPECT_EQ(BitCount(ones, 3, -4, true), int64_t{64 << 20} * 8 - 6);
}

// ---- BITPOS ----------------------------------------------------------------------------------

int64_t Pos(const string& s, int bit) { return BitPos(s, bit, nullopt, nullopt, false, false); }
int64_t Pos(const string& s, int bit, int64_t start) {
  return BitPos(s, bit, start, nullopt, false, false);
}
int64_t Pos(const string& s, int bit, int64_t start, int64_t end, bool bit_unit = false) {
  return BitPos(s, bit, start, end, bit_unit, true);
}

TEST(BitPosTest, ShortStrings) {
  EXPECT_EQ(Pos(string("\xff\xf0\x00", 3), 0), 12);
  EXPECT_EQ(Pos(string("\xff\xf0\x00", 3), 0, 0, -1, true), 12);
  EXPECT_EQ(Pos(string("\x00\x0f\x00", 3), 1), 12);
  EXPECT_EQ(Pos(string("\x00\x0f\x00", 3), 1, 0, -1, true), 12);
  EXPECT_EQ(Pos(string("\xff\xf0\x00", 3), 0, 1), 12);
  EXPECT_EQ(Pos(string("\xff\xf0\x00", 3), 0, 1, -1, true), 12);
  EXPECT_EQ(Pos(string("\x00\x0f\xff", 3), 1, 1), 12);
  EXPECT_EQ(Pos(string("\x00\x0f\xff", 3), 1, 1, -1, true), 12);
}

TEST(BitPosTest, UnalignedPlusFullWordsPlusRemainder) {
  string zeros_then_one(27, '\0');
  zeros_then_one += '\xf0';
  string ones_then_zero(27, '\xff');
  ones_then_zero += '\x0f';
  for (int64_t start = 0; start <= 8; ++start) {
    EXPECT_EQ(Pos(ones_then_zero, 0, start), 216) << start;
    EXPECT_EQ(Pos(zeros_then_one, 1, start), 216) << start;
    EXPECT_EQ(Pos(ones_then_zero, 0, start * 8 + 1, -1, true), 216) << start;
    EXPECT_EQ(Pos(zeros_then_one, 1, start * 8 + 1, -1, true), 216) << start;
  }
}

TEST(BitPosTest, AllZerosLookingForOne) {
  string s;
  for (int j = 0; j < 20; ++j) {
    EXPECT_EQ(Pos(s, 1), -1);
    EXPECT_EQ(Pos(s, 1, 0, -1, true), -1);
    s.push_back('\0');
  }
}

TEST(BitPosTest, Intervals) {
  const string s("\x00\xff\x00", 3);
  EXPECT_EQ(Pos(s, 0, 0, -1), 0);
  EXPECT_EQ(Pos(s, 0, 1, -1), 16);
  EXPECT_EQ(Pos(s, 0, 2, -1), 16);
  EXPECT_EQ(Pos(s, 0, 2, 200), 16);
  EXPECT_EQ(Pos(s, 0, 1, 1), -1);
  EXPECT_EQ(Pos(s, 0, 0, -1, true), 0);
  EXPECT_EQ(Pos(s, 0, 8, -1, true), 16);
  EXPECT_EQ(Pos(s, 0, 16, -1, true), 16);
  EXPECT_EQ(Pos(s, 0, 16, 200, true), 16);
  EXPECT_EQ(Pos(s, 0, 8, 8, true), -1);

  EXPECT_EQ(Pos(s, 1, 0, -1), 8);
  EXPECT_EQ(Pos(s, 1, 1, -1), 8);
  EXPECT_EQ(Pos(s, 1, 2, -1), -1);
  EXPECT_EQ(Pos(s, 1, 2, 200), -1);
  EXPECT_EQ(Pos(s, 1, 1, 1), 8);
  EXPECT_EQ(Pos(s, 1, 0, -1, true), 8);
  EXPECT_EQ(Pos(s, 1, 8, -1, true), 8);
  EXPECT_EQ(Pos(s, 1, 16, -1, true), -1);
  EXPECT_EQ(Pos(s, 1, 16, 200, true), -1);
  EXPECT_EQ(Pos(s, 1, 8, 8, true), 8);
}

TEST(BitPosTest, ZeroInAllOnesDependsOnExplicitEnd) {
  const string s("\xff\xff\xff", 3);
  EXPECT_EQ(Pos(s, 0), 24);
  EXPECT_EQ(Pos(s, 0, 0), 24);
  EXPECT_EQ(BitPos(s, 0, 0, nullopt, true, false), 24);
  EXPECT_EQ(BitPos(s, 0, 5, nullopt, true, false), 24);
  EXPECT_EQ(Pos(s, 0, 0, -1), -1);
  EXPECT_EQ(Pos(s, 0, 0, -1, true), -1);
  EXPECT_EQ(Pos(s, 0, 0, 2), -1);
  // The explicit-end rule applies inside a partial last byte too.
  EXPECT_EQ(Pos(s, 0, 3, 12, true), -1);
}

TEST(BitPosTest, EmptyStringAndEmptyRanges) {
  // An existing empty string: every range is empty.
  EXPECT_EQ(Pos("", 0), -1);
  EXPECT_EQ(Pos("", 1), -1);
  EXPECT_EQ(Pos("", 0, 0), -1);
  EXPECT_EQ(Pos("", 0, 0, -1, true), -1);
  EXPECT_EQ(Pos("ab", 1, 1, 0), -1);
  EXPECT_EQ(Pos("ab", 0, -1, -2), -1);
  EXPECT_EQ(Pos("ab", 1, 5), -1);
  EXPECT_EQ(Pos("ab", 0, 5), -1);
  // Far-negative start and end both clamp to 0 (unlike BITCOUNT): byte 0 is searched.
  EXPECT_EQ(Pos(string("\x0f\x00", 2), 1, -50, -100), 4);
}

TEST(BitPosTest, RandomAgainstNaive) {
  std::mt19937_64 rng(3);
  for (int iter = 0; iter < 5000; ++iter) {
    const string s = RandomBytes(rng, rng() % 200, static_cast<int>(rng() % 3));
    const int bit = static_cast<int>(rng() % 2);
    const bool bit_unit = rng() % 2;
    const int64_t span = static_cast<int64_t>(s.size()) * (bit_unit ? 8 : 1) + 10;
    std::optional<int64_t> start, end;
    const int shape = static_cast<int>(rng() % 3);
    if (shape >= 1) start = static_cast<int64_t>(rng() % (2 * span)) - span;
    if (shape == 2) end = static_cast<int64_t>(rng() % (2 * span)) - span;
    const bool unit = shape == 2 ? bit_unit : false;
    ASSERT_EQ(BitPos(s, bit, start, end, unit, end.has_value()),
              RefBitPos(s, bit, start, end, unit))
        << "len=" << s.size() << " bit=" << bit << " start=" << start.value_or(-999)
        << " end=" << end.value_or(-999) << " unit=" << unit;
  }
}

TEST(BitPosTest, FuzzWithSetBitLikeRedisSuite) {
  std::mt19937_64 rng(4);
  const uint64_t max = 524288;
  string s;
  int64_t first_one = -1;
  for (int j = 0; j < 1000; ++j) {
    ASSERT_EQ(Pos(s, 1), first_one);
    ASSERT_EQ(Pos(s, 1, 0, -1, true), first_one);
    const uint64_t pos = rng() % max;
    SetBit(&s, pos, 1);
    if (first_one == -1 || first_one > static_cast<int64_t>(pos)) first_one = pos;
  }
  s.assign(max / 8, '\xff');
  int64_t first_zero = max;
  for (int j = 0; j < 1000; ++j) {
    ASSERT_EQ(Pos(s, 0), first_zero);
    ASSERT_EQ(Pos(s, 0, 0, -1, true), first_zero == int64_t(max) ? -1 : first_zero);
    const uint64_t pos = rng() % max;
    SetBit(&s, pos, 0);
    first_zero = std::min<int64_t>(first_zero, pos);
  }
}

TEST(BitPosTest, SingleFlippedBitInRanges) {
  // Port of "BITPOS/BITCOUNT fuzzy testing using SETBIT": one odd bit in 80, every range shape.
  const int64_t max = 80;
  for (int bit = 0; bit < 2; ++bit) {
    for (int64_t j = 0; j < max; ++j) {
      string s(max / 8, bit ? '\0' : '\xff');
      SetBit(&s, j, bit);
      for (int64_t start = 0; start < max; start += 3) {
        for (int64_t end = start; end < max; end += 5) {
          const bool in = j >= start && j <= end;
          ASSERT_EQ(Pos(s, bit, start, end, true), in ? j : -1);
          ASSERT_EQ(BitCount(s, start, end, true),
                    (end - start + 1) * (1 - bit) + (in ? (bit ? 1 : -1) : 0));
          const int64_t bs = start / 8, be = end / 8;
          const bool in_bytes = j >= bs * 8 && j <= be * 8 + 7;
          ASSERT_EQ(Pos(s, bit, bs, be), in_bytes ? j : -1);
        }
      }
    }
  }
}

TEST(BitPosTest, LargeUniformRuns) {
  string s(8 << 20, '\0');
  s[s.size() - 3] = '\x01';
  EXPECT_EQ(Pos(s, 1), int64_t(s.size() - 3) * 8 + 7);
  EXPECT_EQ(Pos(s, 1, 5, -4), -1);
  EXPECT_EQ(Pos(s, 1, 5, -3), int64_t(s.size() - 3) * 8 + 7);
  string ones(8 << 20, '\xff');
  EXPECT_EQ(Pos(ones, 0), int64_t(ones.size()) * 8);
  EXPECT_EQ(Pos(ones, 0, 0, -1), -1);
  ones[1234567] = '\xfe';
  EXPECT_EQ(Pos(ones, 0, 17), 1234567 * 8 + 7);
}

// ---- GETBIT / SETBIT -------------------------------------------------------------------------

TEST(BitTest, GetSetAndGrowth) {
  string s;
  EXPECT_EQ(GetBit(s, 0), 0);
  EXPECT_EQ(GetBit(s, 1000000), 0);
  EXPECT_EQ(SetBit(&s, 7, 1), 0);
  EXPECT_EQ(s, string("\x01", 1));
  EXPECT_EQ(SetBit(&s, 7, 1), 1);
  EXPECT_EQ(SetBit(&s, 17, 1), 0);
  EXPECT_EQ(s, string("\x01\x00\x40", 3));
  EXPECT_EQ(GetBit(s, 17), 1);
  EXPECT_EQ(GetBit(s, 16), 0);
  EXPECT_EQ(SetBit(&s, 17, 0), 1);
  EXPECT_EQ(s, string("\x01\x00\x00", 3));
  // Clearing a bit past the end still grows the string.
  EXPECT_EQ(SetBit(&s, 90, 0), 0);
  EXPECT_EQ(s.size(), 12u);
  EXPECT_FALSE(GrowToBit(&s, 95));
  EXPECT_TRUE(GrowToBit(&s, 96));
  EXPECT_EQ(s.size(), 13u);
}

TEST(BitTest, RandomAgainstNaive) {
  std::mt19937_64 rng(5);
  string s, ref;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t pos = rng() % 2000;
    const int v = static_cast<int>(rng() % 2);
    ASSERT_EQ(SetBit(&s, pos, v), NaiveBit(ref, pos));
    NaiveSetBit(&ref, pos, v);
    ASSERT_EQ(s, ref);
    const uint64_t probe = rng() % 2100;
    ASSERT_EQ(GetBit(s, probe), NaiveBit(ref, probe));
  }
}

TEST(BitTest, ParseBitOffset) {
  EXPECT_EQ(ParseBitOffset("0"), 0u);
  EXPECT_EQ(ParseBitOffset("123"), 123u);
  EXPECT_EQ(ParseBitOffset("4294967295"), 4294967295u);
  EXPECT_EQ(ParseBitOffset(std::to_string(kDefaultMaxBulkBytes * 8 - 1)),
            kDefaultMaxBulkBytes * 8 - 1);
  EXPECT_EQ(ParseBitOffset(std::to_string(kDefaultMaxBulkBytes * 8)), nullopt);
  EXPECT_EQ(ParseBitOffset("4294967296", UINT64_MAX), 4294967296u);
  EXPECT_EQ(ParseBitOffset("9223372036854775807", UINT64_MAX), 9223372036854775807u);
  for (const char* bad : {"", "-1", "abc", "01", "+1", " 1", "1 ", "1.0", "-0", "#3", "#",
                          "9223372036854775808", "18446744073709551616"}) {
    EXPECT_EQ(ParseBitOffset(bad, UINT64_MAX), nullopt) << bad;
  }
}

// ---- BITOP -----------------------------------------------------------------------------------

string RefBitOp(BitOpKind op, const std::vector<string>& srcs) {
  size_t max_len = 0;
  for (const auto& s : srcs) max_len = std::max(max_len, s.size());
  string out(max_len, '\0');
  for (size_t i = 0; i < max_len; ++i) {
    auto byte = [&](size_t k) -> uint8_t { return i < srcs[k].size() ? srcs[k][i] : 0; };
    uint8_t v = byte(0);
    if (op == BitOpKind::kNot) v = static_cast<uint8_t>(~v);
    for (size_t k = 1; k < srcs.size() && op != BitOpKind::kNot; ++k) {
      if (op == BitOpKind::kAnd) v &= byte(k);
      if (op == BitOpKind::kOr) v |= byte(k);
      if (op == BitOpKind::kXor) v ^= byte(k);
    }
    out[i] = static_cast<char>(v);
  }
  return out;
}

TEST(BitOpTest, RedisSuiteVectors) {
  EXPECT_EQ(BitOp(BitOpKind::kNot, {""}), "");
  EXPECT_EQ(BitOp(BitOpKind::kNot, {string("\xaa\x00\xff\x55", 4)}), string("\x55\xff\x00\xaa", 4));
  const string a("\x01\x02\xff", 3);
  EXPECT_EQ(BitOp(BitOpKind::kAnd, {a}), a);
  EXPECT_EQ(BitOp(BitOpKind::kOr, {a}), a);
  EXPECT_EQ(BitOp(BitOpKind::kXor, {a}), a);
  EXPECT_EQ(BitOp(BitOpKind::kAnd, {"", a}), string(3, '\0'));
  EXPECT_EQ(BitOp(BitOpKind::kOr, {"", a, ""}), a);
  EXPECT_EQ(BitOp(BitOpKind::kXor, {"", a}), a);
  const string l("\x01\x02\xff\xff", 4);
  EXPECT_EQ(BitOp(BitOpKind::kAnd, {l, a}), string("\x01\x02\xff\x00", 4));
  EXPECT_EQ(BitOp(BitOpKind::kOr, {l, a}), string("\x01\x02\xff\xff", 4));
  EXPECT_EQ(BitOp(BitOpKind::kXor, {l, a}), string("\x00\x00\x00\xff", 4));
  EXPECT_EQ(BitOp(BitOpKind::kXor, {"1", "2", "1"}), "2");
  EXPECT_EQ(BitOp(BitOpKind::kOr, {string(32, '\0'), ""}).size(), 32u);
  EXPECT_EQ(BitOp(BitOpKind::kAnd, {"", ""}), "");
}

TEST(BitOpTest, RandomAgainstNaive) {
  std::mt19937_64 rng(6);
  for (int iter = 0; iter < 400; ++iter) {
    const auto op = static_cast<BitOpKind>(rng() % 4);
    const size_t n = op == BitOpKind::kNot ? 1 : 1 + rng() % 10;
    std::vector<string> srcs;
    std::vector<std::string_view> views;
    for (size_t k = 0; k < n; ++k) {
      srcs.push_back(RandomBytes(rng, rng() % 300, static_cast<int>(rng() % 3)));
    }
    for (const auto& s : srcs) views.push_back(s);
    ASSERT_EQ(BitOp(op, views), RefBitOp(op, srcs)) << "op=" << int(op) << " n=" << n;
  }
}

TEST(BitOpTest, ParseKind) {
  EXPECT_EQ(ParseBitOpKind("and"), BitOpKind::kAnd);
  EXPECT_EQ(ParseBitOpKind("Or"), BitOpKind::kOr);
  EXPECT_EQ(ParseBitOpKind("XOR"), BitOpKind::kXor);
  EXPECT_EQ(ParseBitOpKind("nOt"), BitOpKind::kNot);
  EXPECT_EQ(ParseBitOpKind("nand"), nullopt);
  EXPECT_EQ(ParseBitOpKind(""), nullopt);
  EXPECT_EQ(ParseBitOpKind("and "), nullopt);
}

// ---- BITFIELD --------------------------------------------------------------------------------

TEST(BitfieldTest, ParseType) {
  auto i8 = BitfieldType::Parse("i8");
  ASSERT_TRUE(i8.has_value());
  EXPECT_TRUE(i8->is_signed);
  EXPECT_EQ(i8->bits, 8);
  auto u16 = BitfieldType::Parse("u16");
  ASSERT_TRUE(u16.has_value());
  EXPECT_FALSE(u16->is_signed);
  EXPECT_EQ(u16->bits, 16);
  EXPECT_EQ(BitfieldType::Parse("i64")->bits, 64);
  EXPECT_EQ(BitfieldType::Parse("u63")->bits, 63);
  EXPECT_EQ(BitfieldType::Parse("u1")->bits, 1);
  EXPECT_EQ(BitfieldType::Parse(string("i8\0zz", 5))->bits, 8);
  for (const char* bad : {"", "i", "u", "u64", "i65", "i0", "u0", "i-1", "x8", "I8", "U8", "i08",
                          "i+8", "i8 ", "8"}) {
    EXPECT_EQ(BitfieldType::Parse(bad), nullopt) << bad;
  }
}

TEST(BitfieldTest, ParseOffset) {
  EXPECT_EQ(ParseBitfieldOffset("123", T("u8")), 123u);
  EXPECT_EQ(ParseBitfieldOffset("#3", T("u8")), 24u);
  EXPECT_EQ(ParseBitfieldOffset("#3", T("i5")), 15u);
  EXPECT_EQ(ParseBitfieldOffset("#0", T("i64")), 0u);
  for (const char* bad : {"-1", "#-1", "#", "##1", "abc", "", "1#", "#01", "+5", "-0"}) {
    EXPECT_EQ(ParseBitfieldOffset(bad, T("u8")), nullopt) << bad;
  }
  EXPECT_EQ(ParseBitfieldOffset("#" + std::to_string(kDefaultMaxBulkBytes), T("u8")), nullopt);
  EXPECT_EQ(ParseBitfieldOffset("#" + std::to_string(kDefaultMaxBulkBytes - 1), T("u8")),
            (kDefaultMaxBulkBytes - 1) * 8);
  // Products that do not fit a signed 64-bit offset are refused, not wrapped.
  EXPECT_EQ(ParseBitfieldOffset("#4611686018427387904", T("i64"), UINT64_MAX), nullopt);
  EXPECT_EQ(ParseBitfieldOffset("#288230376151711745", T("i64"), UINT64_MAX), nullopt);
}

TEST(BitfieldTest, ParseOverflow) {
  EXPECT_EQ(ParseBitfieldOverflow("wrap"), BitfieldOverflow::kWrap);
  EXPECT_EQ(ParseBitfieldOverflow("SAT"), BitfieldOverflow::kSat);
  EXPECT_EQ(ParseBitfieldOverflow("Fail"), BitfieldOverflow::kFail);
  EXPECT_EQ(ParseBitfieldOverflow("saturate"), nullopt);
}

constexpr auto kWrap = BitfieldOverflow::kWrap;
constexpr auto kSat = BitfieldOverflow::kSat;
constexpr auto kFail = BitfieldOverflow::kFail;

TEST(BitfieldTest, RedisSuiteBasics) {
  string s;
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), -100, kWrap).value, 0);
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), 101, kWrap).value, -100);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), 101);

  s.clear();
  EXPECT_EQ(BitfieldSet(&s, 0, T("u8"), 255, kWrap).value, 0);
  EXPECT_EQ(BitfieldSet(&s, 0, T("u8"), 100, kWrap).value, 255);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 100);

  s.clear();
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), 255, kWrap).value, 0);
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), 100, kWrap).value, -1);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), 100);

  s.clear();
  EXPECT_EQ(BitfieldSet(&s, 0, T("u8"), 255, kWrap).value, 0);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u8"), 100, kWrap).value, 99);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 99);

  s.clear();
  BitfieldSet(&s, 0, T("u8"), 65, kWrap);
  BitfieldSet(&s, 8, T("u8"), 66, kWrap);
  BitfieldSet(&s, 16, T("u8"), 67, kWrap);
  EXPECT_EQ(s, "ABC");

  s.clear();
  BitfieldSet(&s, 0, T("u8"), 10, kWrap);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u8"), 100, kWrap).value, 110);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u8"), 100, kWrap).value, 210);
}

TEST(BitfieldTest, RedisSuiteOverflow) {
  string s;
  BitfieldSet(&s, 0, T("u8"), 100, kWrap);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u8"), 257, kWrap).value, 101);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 101);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u8"), 255, kWrap).value, 100);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 100);

  s.clear();
  BitfieldSet(&s, 0, T("u8"), 100, kWrap);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u8"), 257, kSat).value, 255);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 255);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u8"), -255, kSat).value, 0);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 0);

  s.clear();
  BitfieldSet(&s, 0, T("i8"), 100, kWrap);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("i8"), 257, kWrap).value, 101);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), 101);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("i8"), 255, kWrap).value, 100);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), 100);

  s.clear();
  BitfieldSet(&s, 0, T("u8"), 100, kWrap);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("i8"), 257, kSat).value, 127);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), 127);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("i8"), -255, kSat).value, -128);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), -128);
}

TEST(BitfieldTest, RedisRegressions) {
  // #3221: GET on an integer-looking value reads its text bytes ("1" is 0x31).
  EXPECT_EQ(BitfieldGet("1", 0, T("u1")), 0);
  EXPECT_EQ(BitfieldGet("1", 2, T("u2")), 3);
  // #3564: SET i8 0 10, SET i8 64 10, INCRBY i8 10 99900 -> 0 0 60.
  string s;
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), 10, kWrap).value, 0);
  EXPECT_EQ(BitfieldSet(&s, 64, T("i8"), 10, kWrap).value, 0);
  EXPECT_EQ(BitfieldIncrBy(&s, 10, T("i8"), 99900, kWrap).value, 60);
}

TEST(BitfieldTest, FailLeavesValueButSizesString) {
  string s;
  auto r = BitfieldSet(&s, 100, T("u8"), 1000, kFail);
  EXPECT_TRUE(r.failed);
  EXPECT_FALSE(r.changed);
  EXPECT_TRUE(r.grew);
  EXPECT_EQ(s, string(14, '\0'));
  r = BitfieldSet(&s, 0, T("u8"), 200, kFail);
  EXPECT_FALSE(r.failed);
  EXPECT_TRUE(r.changed);
  EXPECT_FALSE(r.grew);
  r = BitfieldIncrBy(&s, 0, T("u8"), 56, kFail);
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 200);
  r = BitfieldIncrBy(&s, 0, T("u8"), 55, kFail);
  EXPECT_FALSE(r.failed);
  EXPECT_EQ(r.value, 255);
  r = BitfieldIncrBy(&s, 0, T("u8"), -256, kFail);
  EXPECT_TRUE(r.failed);
  r = BitfieldIncrBy(&s, 0, T("u8"), -255, kFail);
  EXPECT_EQ(r.value, 0);
  // Same value written: not a change.
  r = BitfieldSet(&s, 0, T("i5"), 0, kFail);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.value, 0);
}

TEST(BitfieldTest, UnsignedSetOfNegativeValue) {
  // Redis checks the value as uint64, so -1 is "too large": SAT gives the maximum.
  string s;
  EXPECT_EQ(BitfieldSet(&s, 0, T("u8"), -1, kSat).value, 0);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 255);
  EXPECT_EQ(BitfieldSet(&s, 0, T("u8"), -2, kWrap).value, 255);
  EXPECT_EQ(BitfieldGet(s, 0, T("u8")), 254);
  EXPECT_TRUE(BitfieldSet(&s, 0, T("u8"), -1, kFail).failed);
  EXPECT_TRUE(BitfieldSet(&s, 0, T("u63"), -1, kFail).failed);
  s.clear();
  EXPECT_EQ(BitfieldSet(&s, 0, T("u63"), INT64_MAX, kFail).value, 0);
  EXPECT_EQ(BitfieldGet(s, 0, T("u63")), INT64_MAX);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u63"), 1, kWrap).value, 0);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u63"), -1, kSat).value, 0);
  EXPECT_EQ(BitfieldIncrBy(&s, 0, T("u63"), INT64_MIN, kWrap).value, 0);
}

TEST(BitfieldTest, SignedSetOfVeryNegativeValueSaturatesHigh) {
  // Verified against redis-server 7.2.6: when max - value does not fit in 64 bits, Redis's
  // check reports an upward overflow, so SAT stores the maximum rather than the minimum.
  string s;
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), INT64_MIN, kSat).value, 0);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), 127);
  s.clear();
  EXPECT_EQ(BitfieldSet(&s, 0, T("i63"), INT64_MIN, kSat).value, 0);
  EXPECT_EQ(BitfieldGet(s, 0, T("i63")), (int64_t{1} << 62) - 1);
  // Boundary for i8: max - value == INT64_MAX still saturates low; one further flips to high.
  s.clear();
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), 127 - INT64_MAX, kSat).value, 0);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), -128);
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), 126 - INT64_MAX, kSat).value, -128);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), 127);
  // WRAP and FAIL are unaffected; i64 has no such quirk.
  EXPECT_EQ(BitfieldSet(&s, 0, T("i8"), INT64_MIN, kWrap).value, 127);
  EXPECT_EQ(BitfieldGet(s, 0, T("i8")), 0);
  EXPECT_TRUE(BitfieldSet(&s, 0, T("i8"), INT64_MIN, kFail).failed);
  s.clear();
  BitfieldSet(&s, 0, T("i64"), INT64_MIN, kSat);
  EXPECT_EQ(BitfieldGet(s, 0, T("i64")), INT64_MIN);
}

TEST(BitfieldTest, Signed64Extremes) {
  string s;
  EXPECT_EQ(BitfieldSet(&s, 3, T("i64"), INT64_MAX, kFail).value, 0);
  EXPECT_EQ(s.size(), 9u);
  EXPECT_TRUE(BitfieldIncrBy(&s, 3, T("i64"), 1, kFail).failed);
  EXPECT_EQ(BitfieldIncrBy(&s, 3, T("i64"), 1, kSat).value, INT64_MAX);
  EXPECT_EQ(BitfieldIncrBy(&s, 3, T("i64"), 1, kWrap).value, INT64_MIN);
  EXPECT_TRUE(BitfieldIncrBy(&s, 3, T("i64"), -1, kFail).failed);
  EXPECT_EQ(BitfieldIncrBy(&s, 3, T("i64"), INT64_MIN, kSat).value, INT64_MIN);
  EXPECT_EQ(BitfieldIncrBy(&s, 3, T("i64"), -1, kWrap).value, INT64_MAX);
  EXPECT_EQ(BitfieldIncrBy(&s, 3, T("i64"), INT64_MIN, kWrap).value, -1);
  EXPECT_EQ(BitfieldSet(&s, 3, T("i64"), INT64_MIN, kFail).value, -1);
  EXPECT_EQ(BitfieldGet(s, 3, T("i64")), INT64_MIN);
  EXPECT_EQ(BitfieldSet(&s, 0, T("i1"), 1, kWrap).value, 0);
  EXPECT_EQ(BitfieldGet(s, 0, T("i1")), -1);
  EXPECT_EQ(BitfieldSet(&s, 0, T("i1"), 1, kSat).value, -1);
  EXPECT_EQ(BitfieldGet(s, 0, T("i1")), 0);
  EXPECT_TRUE(BitfieldSet(&s, 0, T("i1"), 1, kFail).failed);
  EXPECT_FALSE(BitfieldSet(&s, 0, T("i1"), -1, kFail).failed);
}

// Models the Tcl fuzzers: exact arithmetic, then overflow / wrap decided from the type's range.
TEST(BitfieldTest, OverflowAndWrapFuzz) {
  std::mt19937_64 rng(7);
  auto random_in = [&](__int128 lo, __int128 hi) -> int64_t {
    const __int128 width = hi - lo + 1;
    __int128 r = (static_cast<__int128>(rng()) << 64 | rng()) % width;
    if (r < 0) r += width;
    __int128 v = lo + r;
    v = std::min<__int128>(std::max<__int128>(v, INT64_MIN), INT64_MAX);
    return static_cast<int64_t>(v);
  };
  for (int iter = 0; iter < 20000; ++iter) {
    const int bits = 1 + static_cast<int>(rng() % 64);
    const bool is_signed = bits == 64 || rng() % 2;
    const BitfieldType type{is_signed, bits};
    const __int128 range = static_cast<__int128>(1) << bits;
    const __int128 min = is_signed ? -(range / 2) : 0;
    const __int128 max = min + range - 1;
    const int64_t value = random_in(min * 2, min * 2 + range * 2 - 1);
    const int64_t incr = random_in(min * 2, min * 2 + range * 2 - 1);
    const uint64_t offset = rng() % 40;

    // Unsigned SET compares the value as uint64 (see UnsignedSetOfNegativeValue).
    const __int128 set_as = is_signed ? __int128{value} : __int128{uint64_t(value)};
    const bool set_overflow = set_as > max || set_as < min;
    string s;
    auto r1 = BitfieldSet(&s, offset, type, value, kFail);
    ASSERT_EQ(r1.failed, set_overflow) << bits << " " << value;
    if (set_overflow) continue;
    const bool incr_overflow = __int128{value} + incr > max || __int128{value} + incr < min;
    auto r2 = BitfieldIncrBy(&s, offset, type, incr, kFail);
    ASSERT_EQ(r2.failed, incr_overflow) << bits << " " << value << "+" << incr;

    string w;
    BitfieldSet(&w, offset, type, value, kWrap);
    BitfieldIncrBy(&w, offset, type, incr, kWrap);
    __int128 expected = (__int128{value} + incr - min) % range;
    if (expected < 0) expected += range;
    expected += min;
    ASSERT_EQ(BitfieldGet(w, offset, type), static_cast<int64_t>(expected))
        << bits << " " << value << "+" << incr;

    string t;
    BitfieldSet(&t, offset, type, value, kSat);
    const auto r3 = BitfieldIncrBy(&t, offset, type, incr, kSat);
    const __int128 sat = std::min(max, std::max(min, __int128{value} + incr));
    ASSERT_EQ(r3.value, static_cast<int64_t>(sat)) << bits << " " << value << "+" << incr;
  }
}

TEST(BitfieldTest, RoundTripAgainstNaive) {
  std::mt19937_64 rng(8);
  for (int iter = 0; iter < 20000; ++iter) {
    string s = RandomBytes(rng, rng() % 20, static_cast<int>(rng() % 3));
    string ref = s;
    const int bits = 1 + static_cast<int>(rng() % 64);
    const BitfieldType type{bits == 64 || rng() % 2 == 1, bits};
    const uint64_t offset = rng() % 200;
    // GET reads zero past the end and must not depend on the string length beyond the field.
    ASSERT_EQ(BitfieldGet(s, offset, type), NaiveGet(s, offset, type));
    const uint64_t raw = rng() & (bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1);
    // A random value that fits the type, obtained by decoding random raw bits naively.
    string probe;
    NaiveSet(&probe, 0, bits, raw);
    const int64_t fitting = NaiveGet(probe, 0, type);
    const int64_t old_expected = NaiveGet(ref, offset, type);
    const size_t old_size = s.size();
    auto r = BitfieldSet(&s, offset, type, fitting, kFail);
    ASSERT_FALSE(r.failed);
    ASSERT_EQ(r.value, old_expected);
    ASSERT_EQ(r.changed, old_expected != fitting);
    NaiveSet(&ref, offset, bits, raw);
    ASSERT_EQ(s, ref) << "offset=" << offset << " bits=" << bits;
    ASSERT_EQ(r.grew, s.size() > old_size);
    ASSERT_EQ(BitfieldGet(s, offset, type), fitting);
  }
}

}  // namespace
}  // namespace weir::types
