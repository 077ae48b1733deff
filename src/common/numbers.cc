// Redis-exact number parsing and formatting: strict integers, strtod/strtold-based floats, the
// INCRBYFLOAT long double text, the double reply text (Grisu2, as Redis 7.2 emits it) and memory
// sizes such as "5mb".
#include "common/numbers.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

namespace weir {
namespace {

// Redis refuses integer strings of this length or more (LONG_STR_SIZE) before even parsing.
constexpr size_t kMaxIntegerChars = 21;
// string2ld copies its input into a buffer of this size (MAX_LONG_DOUBLE_CHARS).
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses the magnitude shared by the signed and unsigned forms: "0", or a non-zero digit followed
// by digits, without wrapping around 64 bits.
bool ParseMagnitude(std::string_view digits, uint64_t* out) {
  if (digits.empty()) return false;
  if (digits.size() == 1 && digits[0] == '0') {
    *out = 0;
    return true;
  }
  if (digits[0] < '1' || digits[0] > '9') return false;
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : digits) {
    if (!IsDigit(c)) return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > kMax / 10) return false;
    value *= 10;
    if (value > kMax - digit) return false;
    value += digit;
  }
  *out = value;
  return true;
}

// strtod/strtold need a NUL-terminated buffer; most inputs are short, so avoid the heap for them.
class CString {
 public:
  explicit CString(std::string_view s) {
    if (s.size() < sizeof(small_)) {
      std::memcpy(small_, s.data(), s.size());
      small_[s.size()] = '\0';
      data_ = small_;
    } else {
      large_.assign(s.data(), s.size());
      data_ = large_.c_str();
    }
  }
  const char* c_str() const { return data_; }

 private:
  char small_[128];
  std::string large_;
  const char* data_;
};

// Shared acceptance rule of string2d/string2ld: the whole input must be consumed, no leading
// whitespace, and neither NaN nor an overflow/underflow-to-zero range error.
template <typename Float>
bool AcceptFloat(const char* begin, const char* end_ptr, size_t len, Float value, int err) {
  if (len == 0) return false;
  if (std::isspace(static_cast<unsigned char>(begin[0]))) return false;
  if (static_cast<size_t>(end_ptr - begin) != len) return false;
  if (err == ERANGE && (std::isinf(value) || std::fpclassify(value) == FP_ZERO)) return false;
  if (err == EINVAL) return false;
  if (std::isnan(value)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Double reply text. Redis 7.2 prints doubles with the Grisu2 algorithm (deps/fpconv), which is
// not always the shortest round-trip form, so a generic shortest printer would differ in rare
// cases. This is an independent implementation of the same algorithm, step for step, so the
// produced digits are identical.

struct DiyFp {
  uint64_t f;
  int e;  // value == f * 2^e
};

// Cached powers 10^k for k = kFirstPower + i * kPowerStep, each as a 64-bit significand with
// the top bit set, rounded to nearest. Computed at compile time with a small bignum.
constexpr int kFirstPower = -348;
constexpr int kPowerStep = 8;
constexpr int kNumPowers = 87;

struct BigUint {
  static constexpr int kWords = 40;  // 1280 bits: enough for 2^1270 and for 10^340.
  std::array<uint32_t, kWords> w{};

  constexpr void MulSmall(uint32_t m) {
    uint64_t carry = 0;
    for (uint32_t& word : w) {
      const uint64_t t = static_cast<uint64_t>(word) * m + carry;
      word = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
  }
  constexpr void DivSmall(uint32_t d) {
    uint64_t rem = 0;
    for (int i = kWords - 1; i >= 0; --i) {
      const uint64_t cur = (rem << 32) | w[i];
      w[i] = static_cast<uint32_t>(cur / d);
      rem = cur % d;
    }
  }
  constexpr int TopBit() const {
    for (int i = kWords - 1; i >= 0; --i) {
      if (w[i] != 0) {
        int b = 31;
        while (((w[i] >> b) & 1) == 0) --b;
        return i * 32 + b;
      }
    }
    return -1;
  }
  constexpr bool Bit(int n) const { return n >= 0 && ((w[n / 32] >> (n % 32)) & 1) != 0; }
  // value = *this * 2^scale; returns it as a normalized, round-half-up DiyFp.
  constexpr DiyFp ToDiyFp(int scale) const {
    const int top = TopBit();
    uint64_t f = 0;
    for (int b = top; b > top - 64; --b) f = (f << 1) | (Bit(b) ? 1 : 0);
    int e = top - 63 + scale;
    if (Bit(top - 64)) {
      ++f;
      if (f == 0) {  // Carried out of 64 bits.
        f = uint64_t{1} << 63;
        ++e;
      }
    }
    return DiyFp{f, e};
  }
};

constexpr std::array<DiyFp, kNumPowers> BuildCachedPowers() {
  std::array<DiyFp, kNumPowers> table{};
  // Index of the first non-negative exponent (k = 4).
  constexpr int kFirstPositive = -kFirstPower / kPowerStep + 1;
  constexpr uint32_t kStepFactor = 100000000;  // 10^kPowerStep.

  // Negative k: 10^k = floor(2^1270 / 10^-k) * 2^-1270, with far more than 64 bits kept.
  constexpr int kScaleBits = 1270;
  BigUint neg{};
  neg.w[kScaleBits / 32] = uint32_t{1} << (kScaleBits % 32);
  const int first_negative_k = kFirstPower + (kFirstPositive - 1) * kPowerStep;  // -4
  for (int i = 0; i < -first_negative_k; ++i) neg.DivSmall(10);
  for (int idx = kFirstPositive - 1; idx >= 0; --idx) {
    table[idx] = neg.ToDiyFp(-kScaleBits);
    neg.DivSmall(kStepFactor);
  }

  // Non-negative k: exact integers.
  BigUint pos{};
  pos.w[0] = 1;
  const int first_positive_k = kFirstPower + kFirstPositive * kPowerStep;  // 4
  for (int i = 0; i < first_positive_k; ++i) pos.MulSmall(10);
  for (int idx = kFirstPositive; idx < kNumPowers; ++idx) {
    table[idx] = pos.ToDiyFp(0);
    pos.MulSmall(kStepFactor);
  }
  return table;
}

constexpr std::array<DiyFp, kNumPowers> kCachedPowers = BuildCachedPowers();

// Spot checks against exactly representable powers: 10^4, 10^12 and 10^20.
static_assert(kCachedPowers[44].f == 11258999068426240000ULL && kCachedPowers[44].e == -50);
static_assert(kCachedPowers[45].f == 16777216000000000000ULL && kCachedPowers[45].e == -24);
static_assert(kCachedPowers[46].f == 12500000000000000000ULL && kCachedPowers[46].e == 3);

constexpr uint64_t kPow10[] = {1ULL,      10ULL,      100ULL,      1000ULL,      10000ULL,
                               100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL};

constexpr uint64_t kMantissaMask = 0x000FFFFFFFFFFFFFULL;
constexpr uint64_t kExponentMask = 0x7FF0000000000000ULL;
constexpr uint64_t kHiddenBit = 0x0010000000000000ULL;
constexpr int kExponentBias = 1023 + 52;

DiyFp Decompose(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  const int biased = static_cast<int>((bits & kExponentMask) >> 52);
  if (biased == 0) return DiyFp{bits & kMantissaMask, 1 - kExponentBias};
  return DiyFp{(bits & kMantissaMask) + kHiddenBit, biased - kExponentBias};
}

DiyFp Normalize(DiyFp v) {
  while ((v.f & kHiddenBit) == 0) {
    v.f <<= 1;
    --v.e;
  }
  v.f <<= 11;
  v.e -= 11;
  return v;
}

// The half-way points to the neighbouring doubles, both expressed with the upper one's exponent.
void Boundaries(DiyFp v, DiyFp* lower, DiyFp* upper) {
  DiyFp hi{(v.f << 1) + 1, v.e - 1};
  while ((hi.f & (kHiddenBit << 1)) == 0) {
    hi.f <<= 1;
    --hi.e;
  }
  hi.f <<= 10;
  hi.e -= 10;
  // At a power of two the gap below is half the gap above.
  const int shift = v.f == kHiddenBit ? 2 : 1;
  DiyFp lo{(v.f << shift) - 1, v.e - shift};
  lo.f <<= lo.e - hi.e;
  lo.e = hi.e;
  *lower = lo;
  *upper = hi;
}

// 64x64 -> upper 64 bits, rounding on the discarded half.
DiyFp Multiply(DiyFp a, DiyFp b) {
  constexpr uint64_t kLow32 = 0xFFFFFFFFULL;
  const uint64_t a_hi = a.f >> 32, a_lo = a.f & kLow32;
  const uint64_t b_hi = b.f >> 32, b_lo = b.f & kLow32;
  const uint64_t hi_lo = a_hi * b_lo;
  const uint64_t lo_hi = a_lo * b_hi;
  const uint64_t lo_lo = a_lo * b_lo;
  const uint64_t hi_hi = a_hi * b_hi;
  uint64_t mid = (hi_lo & kLow32) + (lo_hi & kLow32) + (lo_lo >> 32);
  mid += uint64_t{1} << 31;
  return DiyFp{hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (mid >> 32), a.e + b.e + 64};
}

// Picks the cached power that brings the upper boundary's exponent into [-60, -32]. The first
// guess and the direction of the walk matter when two powers qualify, so they follow Redis.
DiyFp CachedPowerFor(int upper_exponent, int* k) {
  constexpr double kLog10Of2 = 0.30102999566398114;
  constexpr int kMinTarget = -60;
  constexpr int kMaxTarget = -32;
  const int approx = static_cast<int>(-(upper_exponent + kNumPowers) * kLog10Of2);
  int idx = (approx - kFirstPower) / kPowerStep;
  while (true) {
    const int scaled = upper_exponent + kCachedPowers[idx].e + 64;
    if (scaled < kMinTarget) {
      ++idx;
    } else if (scaled > kMaxTarget) {
      --idx;
    } else {
      break;
    }
  }
  *k = kFirstPower + idx * kPowerStep;
  return kCachedPowers[idx];
}

// Nudges the last digit down while that moves the result closer to the real value and keeps it
// inside the safe interval.
void RoundLastDigit(char* digits, int count, uint64_t delta, uint64_t rest, uint64_t ten_kappa,
                    uint64_t distance) {
  while (rest < distance && delta - rest >= ten_kappa &&
         (rest + ten_kappa < distance || distance - rest > rest + ten_kappa - distance)) {
    --digits[count - 1];
    rest += ten_kappa;
  }
}

int GenerateDigits(DiyFp w, DiyFp upper, DiyFp lower, char* digits, int* decimal_exponent) {
  const uint64_t distance = upper.f - w.f;
  uint64_t delta = upper.f - lower.f;
  const int shift = -upper.e;
  const uint64_t one = uint64_t{1} << shift;
  uint32_t integral = static_cast<uint32_t>(upper.f >> shift);
  uint64_t fraction = upper.f & (one - 1);

  int count = 0;
  int kappa = 10;
  for (int power = 9; kappa > 0; --power) {
    const uint64_t divisor = kPow10[power];
    const uint32_t digit = static_cast<uint32_t>(integral / divisor);
    if (digit != 0 || count != 0) digits[count++] = static_cast<char>('0' + digit);
    integral -= static_cast<uint32_t>(digit * divisor);
    --kappa;
    const uint64_t rest = (static_cast<uint64_t>(integral) << shift) + fraction;
    if (rest <= delta) {
      *decimal_exponent += kappa;
      RoundLastDigit(digits, count, delta, rest, divisor << shift, distance);
      return count;
    }
  }

  uint64_t unit = 10;
  while (true) {
    fraction *= 10;
    delta *= 10;
    --kappa;
    const uint32_t digit = static_cast<uint32_t>(fraction >> shift);
    if (digit != 0 || count != 0) digits[count++] = static_cast<char>('0' + digit);
    fraction &= one - 1;
    if (fraction < delta) {
      *decimal_exponent += kappa;
      RoundLastDigit(digits, count, delta, fraction, one, distance * unit);
      return count;
    }
    unit *= 10;
  }
}

// Digits of a finite, non-zero, positive double; value == digits * 10^decimal_exponent.
int Grisu2(double d, char* digits, int* decimal_exponent) {
  const DiyFp v = Decompose(d);
  DiyFp lower, upper;
  Boundaries(v, &lower, &upper);
  const DiyFp w = Normalize(v);
  int k = 0;
  const DiyFp power = CachedPowerFor(upper.e, &k);
  const DiyFp scaled_w = Multiply(w, power);
  DiyFp scaled_upper = Multiply(upper, power);
  DiyFp scaled_lower = Multiply(lower, power);
  // Shrink the interval by one unit on each side to stay safe despite the rounded multiply.
  ++scaled_lower.f;
  --scaled_upper.f;
  *decimal_exponent = -k;
  return GenerateDigits(scaled_w, scaled_upper, scaled_lower, digits, decimal_exponent);
}

// Lays out the digits the way fpconv does: plain integer, plain decimal, or d.ddde±x.
void EmitDigits(const char* digits, int count, int decimal_exponent, bool negative,
                std::string* out) {
  const int magnitude = std::abs(decimal_exponent + count - 1);
  if (decimal_exponent >= 0 && magnitude < count + 7) {
    out->append(digits, count);
    out->append(decimal_exponent, '0');
    return;
  }
  if (decimal_exponent < 0 && (decimal_exponent > -7 || magnitude < 4)) {
    const int int_digits = count + decimal_exponent;
    if (int_digits <= 0) {
      out->append("0.");
      out->append(-int_digits, '0');
      out->append(digits, count);
    } else {
      out->append(digits, int_digits);
      out->push_back('.');
      out->append(digits + int_digits, count - int_digits);
    }
    return;
  }
  const int kept = std::min(count, negative ? 17 : 18);
  out->push_back(digits[0]);
  if (kept > 1) {
    out->push_back('.');
    out->append(digits + 1, kept - 1);
  }
  out->push_back('e');
  out->push_back(decimal_exponent + kept - 1 < 0 ? '-' : '+');
  int exp = magnitude;
  if (exp >= 100) {
    out->push_back(static_cast<char>('0' + exp / 100));
    exp %= 100;
    out->push_back(static_cast<char>('0' + exp / 10));
  } else if (exp >= 10) {
    out->push_back(static_cast<char>('0' + exp / 10));
  }
  out->push_back(static_cast<char>('0' + exp % 10));
}

// Redis's double2ll: integral doubles within +-LLONG_MAX/2 are printed as plain integers.
bool DoubleToInt64(double d, int64_t* out) {
  constexpr double kLimit = static_cast<double>(std::numeric_limits<int64_t>::max() / 2);
  if (d < -kLimit || d > kLimit) return false;
  const int64_t v = static_cast<int64_t>(d);
  if (static_cast<double>(v) != d) return false;
  *out = v;
  return true;
}

// "00" "01" ... "99", so integers can be written two digits per division.
constexpr std::array<char, 200> BuildDigitPairs() {
  std::array<char, 200> pairs{};
  for (int i = 0; i < 100; ++i) {
    pairs[2 * i] = static_cast<char>('0' + i / 10);
    pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return pairs;
}

constexpr std::array<char, 200> kDigitPairs = BuildDigitPairs();

int CountDigits(uint64_t v) {
  int count = 1;
  while (true) {
    if (v < 10) return count;
    if (v < 100) return count + 1;
    if (v < 1000) return count + 2;
    if (v < 10000) return count + 3;
    v /= 10000;
    count += 4;
  }
}

}  // namespace

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() >= kMaxIntegerChars) return false;
  const bool negative = s[0] == '-';
  if (negative) s.remove_prefix(1);
  uint64_t magnitude = 0;
  if (!ParseMagnitude(s, &magnitude)) return false;
  if (negative) {
    // "-0" is not the canonical spelling of zero.
    if (magnitude == 0) return false;
    constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;
    if (magnitude > kMinMagnitude) return false;
    *out = static_cast<int64_t>(0 - magnitude);
  } else {
    if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(magnitude);
  }
  return true;
}

bool ParseUint64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() >= kMaxIntegerChars) return false;
  return ParseMagnitude(s, out);
}

bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return false;
  const CString buf(s);
  char* end = nullptr;
  errno = 0;
  const long double value = std::strtold(buf.c_str(), &end);
  if (!AcceptFloat(buf.c_str(), end, s.size(), value, errno)) return false;
  *out = value;
  return true;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  const CString buf(s);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(buf.c_str(), &end);
  if (!AcceptFloat(buf.c_str(), end, s.size(), value, errno)) return false;
  *out = value;
  return true;
}

std::string FormatLongDouble(long double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char small[128];
  int len = std::snprintf(small, sizeof(small), "%.17Lf", v);
  std::string text;
  if (len < static_cast<int>(sizeof(small))) {
    text.assign(small, len);
  } else {
    // Only magnitudes of roughly 1e110 and up get here; long double tops out near 1.2e4932.
    text.resize(len + 1);
    std::snprintf(text.data(), text.size(), "%.17Lf", v);
    text.resize(len);
  }
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  int64_t integral = 0;
  if (DoubleToInt64(v, &integral)) {
    char buf[24];
    return std::string(buf, FormatInt64(integral, buf));
  }
  std::string out;
  const bool negative = std::signbit(v);
  if (negative) out.push_back('-');
  char digits[18];
  int decimal_exponent = 0;
  const int count = Grisu2(std::fabs(v), digits, &decimal_exponent);
  EmitDigits(digits, count, decimal_exponent, negative, &out);
  return out;
}

int FormatInt64(int64_t v, char* buf) {
  // Negate in unsigned arithmetic so INT64_MIN does not overflow.
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const int sign = v < 0 ? 1 : 0;
  const int len = sign + CountDigits(u);
  if (sign) buf[0] = '-';
  buf[len] = '\0';
  char* p = buf + len;
  while (u >= 100) {
    const size_t pair = static_cast<size_t>(u % 100) * 2;
    u /= 100;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  }
  if (u >= 10) {
    const size_t pair = static_cast<size_t>(u) * 2;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  } else {
    *--p = static_cast<char>('0' + u);
  }
  return len;
}

bool ParseMemory(std::string_view s, uint64_t* out) {
  // memtoull works on C strings, so anything after an embedded NUL is invisible to it.
  const size_t nul = s.find('\0');
  if (nul != std::string_view::npos) s = s.substr(0, nul);
  if (!s.empty() && s[0] == '-') return false;
  size_t digit_count = 0;
  while (digit_count < s.size() && IsDigit(s[digit_count])) ++digit_count;
  const std::string_view unit = s.substr(digit_count);

  auto unit_is = [&unit](std::string_view name) {
    if (unit.size() != name.size()) return false;
    for (size_t i = 0; i < unit.size(); ++i) {
      char c = unit[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != name[i]) return false;
    }
    return true;
  };
  uint64_t multiplier;
  if (unit.empty() || unit_is("b")) {
    multiplier = 1;
  } else if (unit_is("k")) {
    multiplier = 1000;
  } else if (unit_is("kb")) {
    multiplier = 1024;
  } else if (unit_is("m")) {
    multiplier = 1000 * 1000;
  } else if (unit_is("mb")) {
    multiplier = 1024 * 1024;
  } else if (unit_is("g")) {
    multiplier = 1000ULL * 1000 * 1000;
  } else if (unit_is("gb")) {
    multiplier = 1024ULL * 1024 * 1024;
  } else {
    return false;
  }
  if (digit_count >= 128) return false;

  // Redis converts the digits with strtoull and checks neither ERANGE nor the multiplication, so
  // "" / "kb" mean 0, too many digits saturate, and the product wraps; mirrored on purpose.
  uint64_t value = 0;
  for (size_t i = 0; i < digit_count; ++i) {
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      value = std::numeric_limits<uint64_t>::max();
      break;
    }
    value = value * 10 + digit;
  }
  *out = value * multiplier;
  return true;
}

}  // namespace weir
