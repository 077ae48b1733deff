// Tests for the Redis-exact number parsers and formatters in common/numbers.h.
#include "common/numbers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <string_view>

namespace weir {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// ---- ParseInt64 ----

TEST(ParseInt64Test, AcceptsCanonicalIntegers) {
  int64_t v = -1;
  ASSERT_TRUE(ParseInt64("0", &v));
  EXPECT_EQ(v, 0);
  ASSERT_TRUE(ParseInt64("7", &v));
  EXPECT_EQ(v, 7);
  ASSERT_TRUE(ParseInt64("-7", &v));
  EXPECT_EQ(v, -7);
  ASSERT_TRUE(ParseInt64("1234567890", &v));
  EXPECT_EQ(v, 1234567890);
  ASSERT_TRUE(ParseInt64("9223372036854775807", &v));
  EXPECT_EQ(v, kInt64Max);
  ASSERT_TRUE(ParseInt64("-9223372036854775808", &v));
  EXPECT_EQ(v, kInt64Min);
}

TEST(ParseInt64Test, RejectsNonCanonicalForms) {
  for (std::string_view bad : {"",
                               "+1",
                               " 1",
                               "1 ",
                               "01",
                               "00",
                               "-0",
                               "-01",
                               "-",
                               "--1",
                               "1-",
                               "0x10",
                               "1e3",
                               "1.0",
                               "abc",
                               "12a",
                               "\t1",
                               "9223372036854775808",
                               "-9223372036854775809",
                               "18446744073709551616",
                               "99999999999999999999",
                               "100000000000000000000"}) {
    int64_t v = 42;
    EXPECT_FALSE(ParseInt64(bad, &v)) << "'" << bad << "'";
    EXPECT_EQ(v, 42) << "output touched for '" << bad << "'";
  }
}

TEST(ParseInt64Test, UsesOnlyTheViewBytes) {
  int64_t v = 0;
  const std::string text = "12345";
  ASSERT_TRUE(ParseInt64(std::string_view(text).substr(0, 3), &v));
  EXPECT_EQ(v, 123);
  EXPECT_FALSE(ParseInt64(std::string_view("1\0", 2), &v));
}

TEST(ParseInt64Test, RoundTripsThroughFormatInt64) {
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 20000; ++i) {
    const int64_t value = static_cast<int64_t>(rng()) >> (rng() % 64);
    char buf[24];
    const int len = FormatInt64(value, buf);
    int64_t parsed = 0;
    ASSERT_TRUE(ParseInt64(std::string_view(buf, len), &parsed)) << value;
    ASSERT_EQ(parsed, value);
  }
}

// ---- ParseUint64 ----

TEST(ParseUint64Test, AcceptsFullRange) {
  uint64_t v = 1;
  ASSERT_TRUE(ParseUint64("0", &v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(ParseUint64("9223372036854775808", &v));
  EXPECT_EQ(v, uint64_t{1} << 63);
  ASSERT_TRUE(ParseUint64("18446744073709551615", &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
}

TEST(ParseUint64Test, RejectsSignsSpacesAndOverflow) {
  for (std::string_view bad : {"", "-1", "-0", "+1", " 1", "1 ", "01", "18446744073709551616",
                               "99999999999999999999", "1.5"}) {
    uint64_t v = 42;
    EXPECT_FALSE(ParseUint64(bad, &v)) << "'" << bad << "'";
    EXPECT_EQ(v, 42u);
  }
}

// ---- FormatInt64 ----

std::string Format(int64_t v) {
  char buf[24];
  const int len = FormatInt64(v, buf);
  return std::string(buf, len);
}

TEST(FormatInt64Test, Boundaries) {
  EXPECT_EQ(Format(0), "0");
  EXPECT_EQ(Format(9), "9");
  EXPECT_EQ(Format(10), "10");
  EXPECT_EQ(Format(-10), "-10");
  EXPECT_EQ(Format(99), "99");
  EXPECT_EQ(Format(100), "100");
  EXPECT_EQ(Format(-1), "-1");
  EXPECT_EQ(Format(kInt64Max), "9223372036854775807");
  EXPECT_EQ(Format(kInt64Min), "-9223372036854775808");
}

TEST(FormatInt64Test, MatchesPrintfOnEveryDigitCount) {
  int64_t magnitude = 1;
  for (int digits = 1; digits <= 19; ++digits) {
    for (int64_t v : {magnitude, magnitude - 1, -magnitude, magnitude * 3 + 7}) {
      char expected[32];
      std::snprintf(expected, sizeof(expected), "%lld", static_cast<long long>(v));
      EXPECT_EQ(Format(v), expected);
    }
    if (digits < 19) magnitude *= 10;
  }
}

TEST(FormatInt64Test, NulTerminatesAfterDigits) {
  char buf[24];
  std::fill(std::begin(buf), std::end(buf), 'x');
  const int len = FormatInt64(-9223372036854775807LL - 1, buf);
  EXPECT_EQ(len, 20);
  EXPECT_EQ(buf[len], '\0');
}

// ---- ParseLongDouble (string2ld) ----

TEST(ParseLongDoubleTest, AcceptsWhatStrtoldAccepts) {
  long double v = 0;
  ASSERT_TRUE(ParseLongDouble("10.5", &v));
  EXPECT_EQ(v, 10.5L);
  ASSERT_TRUE(ParseLongDouble("-3", &v));
  EXPECT_EQ(v, -3.0L);
  ASSERT_TRUE(ParseLongDouble("+.5", &v));
  EXPECT_EQ(v, 0.5L);
  ASSERT_TRUE(ParseLongDouble("5.0e3", &v));
  EXPECT_EQ(v, 5000.0L);
  ASSERT_TRUE(ParseLongDouble("0x10", &v));
  EXPECT_EQ(v, 16.0L);
  ASSERT_TRUE(ParseLongDouble("007", &v));
  EXPECT_EQ(v, 7.0L);
  // Explicit infinity is accepted; INCRBYFLOAT rejects it later, after the addition.
  ASSERT_TRUE(ParseLongDouble("inf", &v));
  EXPECT_TRUE(std::isinf(v));
  ASSERT_TRUE(ParseLongDouble("-Infinity", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  // Exceeds double range but fits a long double.
  ASSERT_TRUE(ParseLongDouble("1e400", &v));
  EXPECT_GT(v, 1e300L);
}

TEST(ParseLongDoubleTest, RejectsBadInput) {
  for (std::string_view bad : {"", " 1", "1 ", "\t1", "\n1", "abc", "1.5x", "nan", "-nan", "NaN",
                               "1e99999", "-1e99999", "1e-99999", "1..2", "--1", "."}) {
    long double v = 42;
    EXPECT_FALSE(ParseLongDouble(bad, &v)) << "'" << bad << "'";
    EXPECT_EQ(v, 42) << "'" << bad << "'";
  }
  long double v = 0;
  EXPECT_FALSE(ParseLongDouble(std::string_view("1\0002", 3), &v));
}

TEST(ParseLongDoubleTest, LengthLimit) {
  // string2ld copies into a 5 KiB buffer: 5119 bytes fit, 5120 are refused even though strtold
  // alone would parse them.
  long double v = 0;
  const std::string fits = std::string(5118, '0') + "1";
  const std::string too_long = std::string(5119, '0') + "1";
  ASSERT_TRUE(ParseLongDouble(fits, &v));
  EXPECT_EQ(v, 1.0L);
  EXPECT_FALSE(ParseLongDouble(too_long, &v));
}

// ---- ParseDouble (string2d) ----

TEST(ParseDoubleTest, AcceptsNumbersAndInfinities) {
  double v = 0;
  ASSERT_TRUE(ParseDouble("1.5", &v));
  EXPECT_EQ(v, 1.5);
  ASSERT_TRUE(ParseDouble("-0.25", &v));
  EXPECT_EQ(v, -0.25);
  ASSERT_TRUE(ParseDouble("1e3", &v));
  EXPECT_EQ(v, 1000.0);
  ASSERT_TRUE(ParseDouble("inf", &v));
  EXPECT_EQ(v, std::numeric_limits<double>::infinity());
  ASSERT_TRUE(ParseDouble("+inf", &v));
  EXPECT_EQ(v, std::numeric_limits<double>::infinity());
  ASSERT_TRUE(ParseDouble("-inf", &v));
  EXPECT_EQ(v, -std::numeric_limits<double>::infinity());
  // A denormal result sets ERANGE but is not zero, so it is kept.
  ASSERT_TRUE(ParseDouble("1e-320", &v));
  EXPECT_GT(v, 0.0);
  // Long inputs take the heap path.
  ASSERT_TRUE(ParseDouble(std::string(300, '0') + "2.5", &v));
  EXPECT_EQ(v, 2.5);
}

TEST(ParseDoubleTest, RejectsBadInput) {
  for (std::string_view bad :
       {"", " 1", "1 ", "\t1", "x", "1.5.5", "nan", "NAN", "1e400", "-1e400", "1e-400", "+-1"}) {
    double v = 42;
    EXPECT_FALSE(ParseDouble(bad, &v)) << "'" << bad << "'";
    EXPECT_EQ(v, 42) << "'" << bad << "'";
  }
  double v = 0;
  EXPECT_FALSE(ParseDouble(std::string_view("1\0", 2), &v));
}

// ---- FormatLongDouble (ld2string human mode) ----

TEST(FormatLongDoubleTest, TrimsTrailingZerosAndDot) {
  EXPECT_EQ(FormatLongDouble(10.5L), "10.5");
  EXPECT_EQ(FormatLongDouble(3.0L), "3");
  EXPECT_EQ(FormatLongDouble(5.0e3L), "5000");
  EXPECT_EQ(FormatLongDouble(-1.5L), "-1.5");
  EXPECT_EQ(FormatLongDouble(0.0L), "0");
  EXPECT_EQ(FormatLongDouble(1e20L), "100000000000000000000");
}

TEST(FormatLongDoubleTest, SeventeenFractionDigitsOfLongDouble) {
  // These are what INCRBYFLOAT replies for the same long double arithmetic.
  EXPECT_EQ(FormatLongDouble(10.5L + 0.1L), "10.6");
  EXPECT_EQ(FormatLongDouble(0.1L), "0.1");
  EXPECT_EQ(FormatLongDouble(1.0L / 3), "0.33333333333333333");
  EXPECT_EQ(FormatLongDouble(123456789.123456789L), "123456789.12345678899873747");
  EXPECT_EQ(FormatLongDouble(1e-17L), "0.00000000000000001");
}

TEST(FormatLongDoubleTest, NegativeZeroAndTinyNegativesPrintAsZero) {
  EXPECT_EQ(FormatLongDouble(-0.0L), "0");
  EXPECT_EQ(FormatLongDouble(-3.0e-18L), "0");
  EXPECT_EQ(FormatLongDouble(3.0e-18L), "0");
}

TEST(FormatLongDoubleTest, NonFinite) {
  EXPECT_EQ(FormatLongDouble(std::numeric_limits<long double>::infinity()), "inf");
  EXPECT_EQ(FormatLongDouble(-std::numeric_limits<long double>::infinity()), "-inf");
  EXPECT_EQ(FormatLongDouble(std::numeric_limits<long double>::quiet_NaN()), "nan");
}

TEST(FormatLongDoubleTest, HugeValuesAreFullyExpanded) {
  const std::string text = FormatLongDouble(std::numeric_limits<long double>::max());
  EXPECT_EQ(text.size(), 4933u);
  EXPECT_EQ(text.substr(0, 5), "11897");
  EXPECT_EQ(text.find('.'), std::string::npos);
}

// ---- FormatDouble (d2string / fpconv Grisu2) ----

TEST(FormatDoubleTest, CommonValues) {
  EXPECT_EQ(FormatDouble(1.5), "1.5");
  EXPECT_EQ(FormatDouble(3), "3");
  EXPECT_EQ(FormatDouble(-3), "-3");
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(0.3), "0.3");
  EXPECT_EQ(FormatDouble(-0.5), "-0.5");
  EXPECT_EQ(FormatDouble(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatDouble(3.14159), "3.14159");
  EXPECT_EQ(FormatDouble(123456789012.5), "123456789012.5");
}

TEST(FormatDoubleTest, Specials) {
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatDouble(0.0), "0");
  EXPECT_EQ(FormatDouble(-0.0), "-0");
}

TEST(FormatDoubleTest, IntegralValuesUpToHalfInt64MaxPrintAsIntegers) {
  EXPECT_EQ(FormatDouble(1e15), "1000000000000000");
  EXPECT_EQ(FormatDouble(1e17), "100000000000000000");
  EXPECT_EQ(FormatDouble(4611686018427387904.0), "4611686018427387904");
  EXPECT_EQ(FormatDouble(-4611686018427387904.0), "-4611686018427387904");
  // Beyond LLONG_MAX/2 Grisu2 takes over and pads with zeros.
  EXPECT_EQ(FormatDouble(9223372036854775808.0), "9223372036854776000");
}

TEST(FormatDoubleTest, ExponentForms) {
  EXPECT_EQ(FormatDouble(1e20), "1e+20");
  EXPECT_EQ(FormatDouble(-1e20), "-1e+20");
  EXPECT_EQ(FormatDouble(1e21), "1e+21");
  EXPECT_EQ(FormatDouble(1e100), "1e+100");
  EXPECT_EQ(FormatDouble(1.5e300), "1.5e+300");
  EXPECT_EQ(FormatDouble(1e-300), "1e-300");
  EXPECT_EQ(FormatDouble(1e-7), "1e-7");
  EXPECT_EQ(FormatDouble(1e-6), "0.000001");
  EXPECT_EQ(FormatDouble(5e-5), "0.00005");
  EXPECT_EQ(FormatDouble(1.2345678901234567e-5), "1.2345678901234568e-5");
  EXPECT_EQ(FormatDouble(5e-324), "5e-324");
  EXPECT_EQ(FormatDouble(2.2250738585072014e-308), "2.2250738585072014e-308");
  EXPECT_EQ(FormatDouble(1.7976931348623157e308), "1.7976931348623157e+308");
}

TEST(FormatDoubleTest, Grisu2IsNotAlwaysShortest) {
  // Redis 7.2 prints these longer than the shortest round-trip text ("1e+23", "4.0753355");
  // a shortest-digits printer would differ from Redis here.
  EXPECT_EQ(FormatDouble(1e23), "99999999999999990000000");
  EXPECT_EQ(FormatDouble(4.0753355), "4.0753355000000004");
  EXPECT_EQ(FormatDouble(7.5823353), "7.5823352999999996");
}

TEST(FormatDoubleTest, RoundTripsThroughParseDouble) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    if (std::isnan(d)) continue;
    const std::string text = FormatDouble(d);
    double back = 0;
    ASSERT_TRUE(ParseDouble(text, &back)) << text;
    ASSERT_EQ(std::memcmp(&back, &d, sizeof(d)), 0) << text;
  }
}

// ---- ParseMemory (memtoull) ----

TEST(ParseMemoryTest, Units) {
  uint64_t v = 0;
  ASSERT_TRUE(ParseMemory("100", &v));
  EXPECT_EQ(v, 100u);
  ASSERT_TRUE(ParseMemory("100b", &v));
  EXPECT_EQ(v, 100u);
  ASSERT_TRUE(ParseMemory("1k", &v));
  EXPECT_EQ(v, 1000u);
  ASSERT_TRUE(ParseMemory("1kb", &v));
  EXPECT_EQ(v, 1024u);
  ASSERT_TRUE(ParseMemory("5m", &v));
  EXPECT_EQ(v, 5000000u);
  ASSERT_TRUE(ParseMemory("5mb", &v));
  EXPECT_EQ(v, 5u * 1024 * 1024);
  ASSERT_TRUE(ParseMemory("2g", &v));
  EXPECT_EQ(v, 2000000000u);
  ASSERT_TRUE(ParseMemory("2gb", &v));
  EXPECT_EQ(v, 2ull * 1024 * 1024 * 1024);
  ASSERT_TRUE(ParseMemory("1GB", &v));
  EXPECT_EQ(v, 1073741824u);
  ASSERT_TRUE(ParseMemory("3Mb", &v));
  EXPECT_EQ(v, 3u * 1024 * 1024);
  ASSERT_TRUE(ParseMemory("007K", &v));
  EXPECT_EQ(v, 7000u);
}

TEST(ParseMemoryTest, RejectsUnknownUnitsSignsAndSpaces) {
  for (std::string_view bad :
       {"-1", "-1kb", "+1", " 1", "1 ", "1tb", "1kbb", "1.5mb", "1 kb", "k1", "abc"}) {
    uint64_t v = 42;
    EXPECT_FALSE(ParseMemory(bad, &v)) << "'" << bad << "'";
  }
  // The digits are copied into a 128-byte C buffer first: 127 digits fit, 128 do not.
  uint64_t v = 0;
  EXPECT_FALSE(ParseMemory(std::string(127, '0') + "5", &v));
  EXPECT_FALSE(ParseMemory(std::string(127, '0') + "5kb", &v));
  ASSERT_TRUE(ParseMemory(std::string(126, '0') + "5", &v));
  EXPECT_EQ(v, 5u);
}

TEST(ParseMemoryTest, RedisQuirksArePreserved) {
  uint64_t v = 99;
  // No digits at all parse as zero.
  ASSERT_TRUE(ParseMemory("", &v));
  EXPECT_EQ(v, 0u);
  v = 99;
  ASSERT_TRUE(ParseMemory("kb", &v));
  EXPECT_EQ(v, 0u);
  // strtoull saturates and the unit multiplication wraps, unchecked, as in Redis.
  ASSERT_TRUE(ParseMemory("99999999999999999999", &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  ASSERT_TRUE(ParseMemory("99999999999999999999k", &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max() * 1000);
  ASSERT_TRUE(ParseMemory("18446744073709551615kb", &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max() * 1024);
  // The C-string parser never sees bytes after a NUL.
  ASSERT_TRUE(ParseMemory(std::string_view("10\0zz", 5), &v));
  EXPECT_EQ(v, 10u);
}

}  // namespace
}  // namespace weir
