// HyperLogLog registers, encodings and estimator; see hyperloglog.h for the byte format.
#include "types/hyperloglog.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace weir::types::hll {
namespace {

// ---- Sparse opcodes -------------------------------------------------------------------------

constexpr uint8_t kXZeroTag = 0x40;  // 01xxxxxx yyyyyyyy
constexpr uint8_t kValTag = 0x80;    // 1vvvvvxx
constexpr int kZeroMaxLen = 64;
constexpr int kValMaxLen = 4;

bool IsZero(uint8_t op) { return (op & 0xc0) == 0; }
bool IsXZero(uint8_t op) { return (op & 0xc0) == kXZeroTag; }
bool IsVal(uint8_t op) { return (op & kValTag) != 0; }
int ZeroLen(uint8_t op) { return (op & 0x3f) + 1; }
int ValValue(uint8_t op) { return ((op >> 2) & 0x1f) + 1; }
int ValLen(uint8_t op) { return (op & 0x3) + 1; }
// An XZERO's second byte past the end of the string reads as zero: Redis reads the NUL that
// terminates every sds there.
int XZeroLen(const uint8_t* p, const uint8_t* end) {
  int low = p + 1 < end ? p[1] : 0;
  return (((p[0] & 0x3f) << 8) | low) + 1;
}
uint8_t MakeVal(int value, int len) {
  return static_cast<uint8_t>(kValTag | ((value - 1) << 2) | (len - 1));
}
uint8_t MakeZero(int len) { return static_cast<uint8_t>(len - 1); }
void MakeXZero(uint8_t* out, int len) {
  out[0] = static_cast<uint8_t>(kXZeroTag | ((len - 1) >> 8));
  out[1] = static_cast<uint8_t>((len - 1) & 0xff);
}
// A run of zero registers as the shortest opcode: ZERO up to 64, XZERO beyond. Returns bytes.
int MakeZeroRun(uint8_t* out, int len) {
  if (len > kZeroMaxLen) {
    MakeXZero(out, len);
    return 2;
  }
  out[0] = MakeZero(len);
  return 1;
}

enum class Op { kZero, kXZero, kVal };

// Calls fn(op, value, run) for each opcode of a sparse body in order (value 0 for zero runs);
// stops when fn returns false.
template <class Fn>
void ForEachOpcode(std::string_view value, Fn fn) {
  const auto* p = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
  const auto* end = reinterpret_cast<const uint8_t*>(value.data()) + value.size();
  while (p < end) {
    bool go_on;
    if (IsZero(*p)) {
      go_on = fn(Op::kZero, 0, ZeroLen(*p));
      p += 1;
    } else if (IsXZero(*p)) {
      go_on = fn(Op::kXZero, 0, XZeroLen(p, end));
      p += 2;
    } else {
      go_on = fn(Op::kVal, ValValue(*p), ValLen(*p));
      p += 1;
    }
    if (!go_on) return;
  }
}

// Walks the runs of a sparse body, calling fn(first, value, run) for registers
// [first, first + run) holding value (0 for ZERO / XZERO). The body is valid when its runs add
// up to exactly 16384 registers. A run that would pass the last register ends the walk as
// corrupt: that is the rule of Redis 7.2.10 and later (the CVE-2025-32023 fix) and of Debian's
// patched 7.0.15. Redis 7.2.6 let PFMERGE and the dense conversion accept a VAL past the end
// when the runs before it added up exactly; the fixed rule is the one kept here.
template <class Fn>
bool WalkRuns(std::string_view value, Fn fn) {
  int index = 0;
  bool valid = true;
  ForEachOpcode(value, [&](Op, int val, int run) {
    if (index + run > kRegisters) {
      valid = false;
      return false;
    }
    fn(index, val, run);
    index += run;
    return true;
  });
  return valid && index == kRegisters;
}

// ---- The estimator --------------------------------------------------------------------------
// Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog sketches"
// (arXiv:1702.01284), as Redis 7.2 computes it. The arithmetic is plain IEEE double in the same
// order as Redis, so the result is bit-for-bit Redis's (this file is built with
// -ffp-contract=off so that no fused multiply-add changes a rounding).

constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)

double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double y = 1;
  double z = x;
  double previous;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double y = 1.0;
  double z = 1 - x;
  double previous;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    // Redis writes pow(1 - x, 2); compilers turn that into this product, which is also what
    // the Debian build of redis-server executes.
    z -= (1 - x) * (1 - x) * y;
  } while (previous != z);
  return z / 3;
}

// histogram[v] = how many registers hold v (v < 64).
uint64_t Estimate(const int64_t* histogram) {
  const double m = kRegisters;
  double z = m * Tau((m - static_cast<double>(histogram[kQ + 1])) / m);
  for (int j = kQ; j >= 1; --j) {
    z += static_cast<double>(histogram[j]);
    z *= 0.5;
  }
  z += m * Sigma(static_cast<double>(histogram[0]) / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

void DenseHistogram(const uint8_t* regs, int64_t* histogram) {
  // Four registers in every three bytes.
  for (size_t b = 0; b < kDenseRegisterBytes; b += 3) {
    const unsigned b0 = regs[b], b1 = regs[b + 1], b2 = regs[b + 2];
    ++histogram[b0 & 63];
    ++histogram[((b0 >> 6) | (b1 << 2)) & 63];
    ++histogram[((b1 >> 4) | (b2 << 4)) & 63];
    ++histogram[b2 >> 2];
  }
}

}  // namespace

// ---- Hashing --------------------------------------------------------------------------------

uint64_t MurmurHash64A(const void* key, size_t len, uint32_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  // Redis passes the length as an int; the product is the same for any length below 2^31.
  uint64_t h = seed ^ (static_cast<uint64_t>(len) * m);
  const auto* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (len & ~size_t{7});
  for (; data != end; data += 8) {
    uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | data[i];  // little-endian on any host
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t tail = len & 7;
  if (tail != 0) {
    for (size_t i = tail; i-- > 0;) h ^= static_cast<uint64_t>(data[i]) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

int PatternLength(std::string_view element, int* index) {
  constexpr uint32_t kSeed = 0xadc83b19;
  uint64_t hash = MurmurHash64A(element.data(), element.size(), kSeed);
  *index = static_cast<int>(hash & (kRegisters - 1));
  // The run of zeros in the remaining bits, plus the one that ends it; a sentinel bit above
  // the kQ used bits bounds the count to kQ + 1.
  hash >>= kP;
  hash |= uint64_t{1} << kQ;
  return __builtin_ctzll(hash) + 1;
}

// ---- The header -----------------------------------------------------------------------------

bool IsHll(std::string_view v) {
  if (v.size() < kHeaderSize || v.substr(0, 4) != "HYLL") return false;
  uint8_t encoding = EncodingOf(v);
  if (encoding > kSparse) return false;
  return encoding != kDense || v.size() == kDenseSize;
}

bool CacheValid(std::string_view v) { return (static_cast<uint8_t>(v[15]) & 0x80) == 0; }

uint64_t CachedCardinality(std::string_view v) {
  uint64_t card = 0;
  for (int i = 7; i >= 0; --i) card = (card << 8) | static_cast<uint8_t>(v[8 + i]);
  return card;
}

void SetCachedCardinality(char* v, uint64_t card) {
  for (int i = 0; i < 8; ++i) v[8 + i] = static_cast<char>((card >> (8 * i)) & 0xff);
}

void InvalidateCache(char* v) { v[15] = static_cast<char>(static_cast<uint8_t>(v[15]) | 0x80); }

std::string NewSparse() {
  std::string v(kHeaderSize + 2, '\0');
  std::memcpy(v.data(), "HYLL", 4);
  v[4] = static_cast<char>(kSparse);
  MakeXZero(reinterpret_cast<uint8_t*>(v.data()) + kHeaderSize, kRegisters);
  return v;
}

// ---- Dense registers ------------------------------------------------------------------------
// Register i occupies bits [6i, 6i+6) of the little-endian bit stream: it starts at bit 6i % 8
// of byte 6i / 8 and spills into the next byte when it starts at bit 4 or 6. Only those reads
// and writes touch the next byte, so the last register never reaches past the array.

uint8_t DenseGet(const uint8_t* regs, int index) {
  const size_t byte = static_cast<size_t>(index) * kBits / 8;
  const unsigned shift = (static_cast<unsigned>(index) * kBits) & 7;
  unsigned bits = regs[byte] >> shift;
  if (shift > 8 - kBits) bits |= static_cast<unsigned>(regs[byte + 1]) << (8 - shift);
  return static_cast<uint8_t>(bits & kRegisterMax);
}

void DenseSetRaw(uint8_t* regs, int index, uint8_t value) {
  const size_t byte = static_cast<size_t>(index) * kBits / 8;
  const unsigned shift = (static_cast<unsigned>(index) * kBits) & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMax << shift)) | (value << shift));
  if (shift > 8 - kBits) {
    const unsigned spill = 8 - shift;  // bits of the register that fit in the first byte
    regs[byte + 1] =
        static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMax >> spill)) | (value >> spill));
  }
}

bool DenseSet(uint8_t* regs, int index, uint8_t count) {
  if (count <= DenseGet(regs, index)) return false;
  DenseSetRaw(regs, index, count);
  return true;
}

bool DenseAdd(uint8_t* regs, std::string_view element) {
  int index;
  uint8_t count = static_cast<uint8_t>(PatternLength(element, &index));
  return DenseSet(regs, index, count);
}

// ---- Sparse <-> dense -----------------------------------------------------------------------

bool SparseToDense(std::string* value) {
  if (EncodingOf(*value) == kDense) return true;
  // The header (magic, unused bytes, cached cardinality) carries over; registers start at zero.
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), value->data(), kHeaderSize);
  dense[4] = static_cast<char>(kDense);
  auto* regs = reinterpret_cast<uint8_t*>(dense.data()) + kHeaderSize;
  bool valid = WalkRuns(*value, [&](int first, int val, int run) {
    if (val == 0) return;
    for (int i = first; i < first + run; ++i) DenseSetRaw(regs, i, static_cast<uint8_t>(val));
  });
  if (!valid) return false;
  *value = std::move(dense);
  return true;
}

namespace {

// Redis's sparse update, step by step, so that the resulting bytes are Redis's: find the opcode
// covering `index`; update it in place when trivial; otherwise split it into at most three
// opcodes (zeros before, the new VAL, zeros or the old value after); promote to dense when the
// value does not fit a VAL or the split would pass sparse_max_bytes; finally merge the new VAL
// with equal neighbours, looking at no more than five opcodes from the one before it.
int SparseSet(std::string* value, int index, uint8_t count, size_t sparse_max_bytes) {
  auto promote = [&]() -> int {
    if (!SparseToDense(value)) return -1;
    return DenseSet(reinterpret_cast<uint8_t*>(value->data()) + kHeaderSize, index, count) ? 1 : 0;
  };
  if (count > kSparseValMax) return promote();

  auto* base = reinterpret_cast<uint8_t*>(value->data());
  const size_t start = kHeaderSize;
  size_t end = value->size();

  // Step 1: the opcode at `pos` covers registers [first, first + span).
  size_t pos = start;
  size_t prev = SIZE_MAX;  // the opcode before it, if any
  int64_t first = 0;
  int span = 0;
  while (pos < end) {
    size_t oplen = 1;
    uint8_t op = base[pos];
    if (IsZero(op)) {
      span = ZeroLen(op);
    } else if (IsVal(op)) {
      span = ValLen(op);
    } else {
      span = XZeroLen(base + pos, base + end);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = pos;
    pos += oplen;
    first += span;
  }
  if (span == 0 || pos >= end) return -1;  // the body covers fewer registers than index

  const uint8_t op = base[pos];
  const bool is_xzero = IsXZero(op);
  const bool is_val = IsVal(op);
  const int runlen = is_val ? ValLen(op) : (is_xzero ? span : ZeroLen(op));

  // Step 2: updates that rewrite the opcode in place.
  bool in_place = false;
  if (is_val) {
    if (ValValue(op) >= count) return 0;
    if (runlen == 1) in_place = true;
  } else if (!is_xzero && runlen == 1) {
    in_place = true;  // a ZERO of one register becomes a VAL of one
  }
  if (in_place) {
    base[pos] = MakeVal(count, 1);
  } else {
    // The general case: the opcode splits around `index`.
    uint8_t seq[5];
    int n = 0;
    const int64_t last = first + span - 1;
    if (is_val) {
      const int old = ValValue(op);
      if (index != first) seq[n++] = MakeVal(old, static_cast<int>(index - first));
      seq[n++] = MakeVal(count, 1);
      if (index != last) seq[n++] = MakeVal(old, static_cast<int>(last - index));
    } else {
      if (index != first) n += MakeZeroRun(seq + n, static_cast<int>(index - first));
      seq[n++] = MakeVal(count, 1);
      if (index != last) n += MakeZeroRun(seq + n, static_cast<int>(last - index));
    }
    // Step 3: put the sequence in place of the opcode.
    const int oldlen = is_xzero ? 2 : 1;
    const int64_t delta = n - oldlen;
    if (delta > 0 && end + delta > sparse_max_bytes) return promote();
    // Redis replaces `oldlen` bytes and moves the rest by `delta`. When the opcode was an XZERO
    // cut short by the end of the string, only one of its bytes exists and Redis's copy runs
    // one byte past the new length; the string keeps end + delta bytes either way.
    const size_t present = std::min<size_t>(oldlen, end - pos);
    value->replace(pos, present, reinterpret_cast<const char*>(seq), n);
    value->resize(end + delta);
    base = reinterpret_cast<uint8_t*>(value->data());
    end = value->size();
  }

  // Step 4: merge adjacent VALs of the same value while their total run fits one opcode.
  size_t p = prev != SIZE_MAX ? prev : start;
  int budget = 5;
  while (p < end && budget-- > 0) {
    const uint8_t a = base[p];
    if (IsXZero(a)) {
      p += 2;
      continue;
    }
    if (IsZero(a)) {
      p += 1;
      continue;
    }
    if (p + 1 < end && IsVal(base[p + 1]) && ValValue(a) == ValValue(base[p + 1])) {
      const int len = ValLen(a) + ValLen(base[p + 1]);
      if (len <= kValMaxLen) {
        base[p + 1] = MakeVal(ValValue(a), len);
        value->erase(p, 1);
        base = reinterpret_cast<uint8_t*>(value->data());
        end = value->size();
        continue;  // the merged opcode may merge with the next one too
      }
    }
    p += 1;
  }
  InvalidateCache(value->data());
  return 1;
}

}  // namespace

int Set(std::string* value, int index, uint8_t count, size_t sparse_max_bytes) {
  if (EncodingOf(*value) == kDense) {
    return DenseSet(reinterpret_cast<uint8_t*>(value->data()) + kHeaderSize, index, count) ? 1 : 0;
  }
  return SparseSet(value, index, count, sparse_max_bytes);
}

int Add(std::string* value, std::string_view element, size_t sparse_max_bytes) {
  int index;
  uint8_t count = static_cast<uint8_t>(PatternLength(element, &index));
  return Set(value, index, count, sparse_max_bytes);
}

// ---- Counting and merging -------------------------------------------------------------------

uint64_t Count(std::string_view value, bool* invalid) {
  int64_t histogram[64] = {};
  if (EncodingOf(value) == kDense) {
    DenseHistogram(reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize, histogram);
  } else if (!WalkRuns(value, [&](int, int val, int run) { histogram[val] += run; })) {
    *invalid = true;
  }
  return Estimate(histogram);
}

uint64_t CountRegisters(const uint8_t* registers) {
  int64_t histogram[64] = {};
  for (int i = 0; i < kRegisters; ++i) ++histogram[registers[i] & 63];
  return Estimate(histogram);
}

bool MergeInto(uint8_t* max, std::string_view value) {
  if (EncodingOf(value) == kDense) {
    const auto* regs = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
    for (size_t b = 0, i = 0; b < kDenseRegisterBytes; b += 3, i += 4) {
      const unsigned b0 = regs[b], b1 = regs[b + 1], b2 = regs[b + 2];
      const uint8_t r[4] = {
          static_cast<uint8_t>(b0 & 63), static_cast<uint8_t>(((b0 >> 6) | (b1 << 2)) & 63),
          static_cast<uint8_t>(((b1 >> 4) | (b2 << 4)) & 63), static_cast<uint8_t>(b2 >> 2)};
      for (int k = 0; k < 4; ++k) max[i + k] = std::max(max[i + k], r[k]);
    }
    return true;
  }
  return WalkRuns(value, [&](int first, int val, int run) {
    for (int i = first; i < first + run; ++i) max[i] = std::max<uint8_t>(max[i], val);
  });
}

std::string DecodeSparse(std::string_view value) {
  std::string out;
  ForEachOpcode(value, [&](Op op, int val, int run) {
    if (!out.empty()) out += ' ';
    switch (op) {
      case Op::kZero:
        out += "z:" + std::to_string(run);
        break;
      case Op::kXZero:
        out += "Z:" + std::to_string(run);
        break;
      case Op::kVal:
        out += "v:" + std::to_string(val) + "," + std::to_string(run);
        break;
    }
    return true;
  });
  return out;
}

// ---- Self test ------------------------------------------------------------------------------

std::string SelfTest(size_t sparse_max_bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  // 1. Every register keeps its value and leaves its neighbours alone.
  std::string dense(kDenseSize, '\0');
  auto* regs = reinterpret_cast<uint8_t*>(dense.data()) + kHeaderSize;
  uint8_t expected[kRegisters];
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < kRegisters; ++i) {
      expected[i] = static_cast<uint8_t>(rng() & kRegisterMax);
      DenseSetRaw(regs, i, expected[i]);
    }
    for (int i = 0; i < kRegisters; ++i) {
      uint8_t got = DenseGet(regs, i);
      if (got != expected[i]) {
        return "TESTFAILED Register " + std::to_string(i) + " should be " +
               std::to_string(expected[i]) + " but is " + std::to_string(got);
      }
    }
  }

  // 2. The estimate of n distinct elements stays within six standard errors (1.04 / sqrt(m))
  // at n = 1, 10, 100, ... 10^7, the sparse encoding is used while it should be, and sparse
  // and dense give the same count.
  std::memset(regs, 0, kDenseRegisterBytes);
  std::memcpy(dense.data(), "HYLL", 4);  // encoding 0: dense
  std::string sparse = NewSparse();
  const double relative_error = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  const uint64_t element_seed = rng();
  uint64_t checkpoint = 1;
  for (uint64_t j = 1; j <= 10000000; ++j) {
    uint64_t element = j ^ element_seed;
    std::string_view bytes(reinterpret_cast<const char*>(&element), sizeof(element));
    DenseAdd(regs, bytes);
    Add(&sparse, bytes, sparse_max_bytes);
    if (j != checkpoint) continue;
    if (j < sparse_max_bytes / 2 && EncodingOf(sparse) != kSparse) {
      return "TESTFAILED sparse encoding not used";
    }
    bool invalid = false;
    const uint64_t dense_count = Count(dense, &invalid);
    if (dense_count != Count(sparse, &invalid)) return "TESTFAILED dense/sparse disagree";
    int64_t error = static_cast<int64_t>(checkpoint) - static_cast<int64_t>(dense_count);
    if (error < 0) error = -error;
    // At 10 a single collision is already a 10% error: allow one.
    uint64_t max_error =
        j == 10 ? 1 : static_cast<uint64_t>(std::ceil(relative_error * 6 * checkpoint));
    if (static_cast<uint64_t>(error) > max_error) {
      return "TESTFAILED Too big error. card:" + std::to_string(checkpoint) +
             " abserr:" + std::to_string(error);
    }
    checkpoint *= 10;
  }
  return "";
}

}  // namespace weir::types::hll
