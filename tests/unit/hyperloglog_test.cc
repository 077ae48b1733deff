// Unit tests for src/types/hyperloglog: register packing, the sparse encoding and its
// conversion to dense, promotion, the estimator, and values made by a real redis-server
// (fixtures below), plus a fuzz of corrupt values (nothing may read or write out of bounds).
#include "types/hyperloglog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace weir::types::hll {
namespace {

// ---- Fixtures made by Redis -----------------------------------------------------------------
// How they were made: tests/unit/hyperloglog_fixtures.py runs Debian's redis-server 7.0.15
// (whose HLL code differs from Redis 7.2.6's only in how much memory a sparse value reserves,
// not in its bytes or estimator), PFADDs "e:<set>:<i>" for i < elements one at a time, runs
// PFCOUNT, and records GET: the value with the cached cardinality. Values longer than 700 bytes
// are recorded by their FNV-1a 64 digest and a few registers (PFDEBUG GETREG). The unions are
// PFCOUNT of several of those keys and the digest of PFMERGE into a new key.

struct RedisFixture {
  int set;
  int elements;
  uint64_t count;
  bool sparse;
  const char* hex;  // the GET bytes in hex; "" when only the digest is kept
  uint64_t digest;  // FNV-1a 64 of the GET bytes
  size_t size;
  std::vector<int> registers;  // registers 0-5, 1000, 8191, 16382, 16383 (long values only)
};

struct RedisUnion {
  std::vector<int> sets;
  uint64_t count;
  uint64_t merged_digest;
  size_t merged_size;
};

// Made by tests/unit/hyperloglog_fixtures.py against redis-server 7.0.15.
const RedisFixture kRedisFixtures[] = {
    {0, 0, 0, true, "48594c4c0100000000000000000000007fff", 0xfd8f436a8f6e62f9ULL, 18, {}},
    {1, 1, 1, true, "48594c4c010000000100000000000000463f8479be", 0xd219fa680827ca24ULL, 21, {}},
    {2,
     10,
     10,
     true,
     "48594c4c010000000a00000000000000442a80421780456c8c541b8040c68846fe80412780431c80"
     "48518c4674804557",
     0xa168fc568fd2bd52ULL,
     48,
     {}},
    {3,
     100,
     99,
     true,
     "48594c4c010000006300000000000000416a80410e80407e8040e68040d584278441168440da8441"
     "36842d84417d8024800180328440b2883b802f8840a080413f802c84404a8840928041008c407f8c"
     "028041b8841184404e8c1284349441728040c38840b2801d84018040ca80409b80407b80404f8841"
     "e080407e944086842c802a8041f18040b180408d8440cf842e80407c8040688840b4804064844060"
     "84417d80308040d18442df80368440778040d084298040d984405a841188348c3384058019844095"
     "844085842b984098841380405580411084404188409880418880405b844173882b8c3b8441768013"
     "840188405b8041f38c068c40528842aa90800a84198840aa80433894068040648c414880411d",
     0x7eedb1a0f91719fcULL,
     278,
     {}},
    {4,
     300,
     299,
     true,
     "48594c4c010000002b01000000000000008040a4802684800f8006804049883f802a844045801988"
     "1b842780406b90404b8424840f80406b881e80408a8021800c842a80406d8010800480239016881f"
     "8011904061883780338402842c88078440a9888c0b84129040428019843a80099c04800e84408a88"
     "05800a80018015800980398809844051800c800e802a800680088412801080049440fa9433801d80"
     "411280405b84278039800e84407e804062841c804068803684406280408e80404280408c80128002"
     "840080128440418440578439801a840e8414840b9807801180409780405284268000984053841684"
     "17803c804072801584406688406280389c0080406d804057840a841980408b844058880280298426"
     "80148017801f800a8040748402801280404b8040a2800c883c8c04882280408780404980404b801e"
     "844063880c8040b48430840b8120844056842d803f8814801f8c07801480405c803388404f88407f"
     "8040a784406c80268004800b84409780405184048c0f8013901f8040638003800684118813803688"
     "2e804073880990078088178c3a84405080407c8c1b84405a800384408580408588404780048c406d"
     "803a801c802f840190405d8c308040b8880280138831840780178040858001844054842b802f8009"
     "804054802b84098c40569418841080406d800c800f80079029801680405a80405680148009844071"
     "801480098040aa85404d800084308440779c25803a80407e8012801780404288268427800e8040a6"
     "804051804050844100843e84068819804047801c802780407e88404a8440808c407184404f803580"
     "1280149021840280404fa03f88268840d780841180406d8c40a0800e80883180128012843a800684"
     "1d880580388440438023801e841d802a8040a58806800a881d804077884075842280208c2b8840d1"
     "803e800180406e88902d8802804059",
     0x499659f90451a2a0ULL,
     695,
     {}},
    {5, 1000, 996, true, "", 0xf1d46ac559c666eaULL, 1870, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
    {6, 2500, 2495, false, "", 0xfab8402f4fbbd720ULL, 12304, {0, 0, 0, 0, 0, 0, 0, 0, 0, 5}},
    {7, 20000, 19958, false, "", 0xc391875e3be41d3aULL, 12304, {4, 3, 0, 0, 1, 0, 2, 5, 1, 0}},
    {8, 200000, 202805, false, "", 0x02f2b0b96bae820dULL, 12304, {7, 5, 7, 6, 8, 12, 5, 3, 4, 5}},
};
const RedisUnion kRedisUnions[] = {
    {{2, 3, 4}, 409, 0x8118150308fad152ULL, 887},
    {{3, 5, 7}, 20985, 0xc2ae2cea72f73b2eULL, 12304},
    {{1, 6, 8}, 205826, 0x757c33515284a255ULL, 12304},
};

const int kSampledRegisters[] = {0, 1, 2, 3, 4, 5, 1000, 8191, 16382, 16383};

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string Hex(std::string_view s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// What PFADD does to a key, one element per call, and then PFCOUNT (which caches the count).
std::string RedisSet(int set, int elements, uint64_t* count) {
  std::string v = NewSparse();
  for (int i = 0; i < elements; ++i) {
    std::string e = "e:" + std::to_string(set) + ":" + std::to_string(i);
    EXPECT_GE(Add(&v, e, 3000), 0);
    InvalidateCache(v.data());
  }
  bool invalid = false;
  *count = CacheValid(v) ? CachedCardinality(v) : Count(v, &invalid);
  EXPECT_FALSE(invalid);
  SetCachedCardinality(v.data(), *count);
  return v;
}

std::vector<uint8_t> Registers(std::string v) {
  EXPECT_TRUE(SparseToDense(&v));
  std::vector<uint8_t> regs(kRegisters);
  for (int i = 0; i < kRegisters; ++i) {
    regs[i] = DenseGet(reinterpret_cast<const uint8_t*>(v.data()) + kHeaderSize, i);
  }
  return regs;
}

TEST(HyperLogLogRedis, ValuesAndCountsMatchRedis) {
  for (const RedisFixture& f : kRedisFixtures) {
    SCOPED_TRACE("set " + std::to_string(f.set) + ", " + std::to_string(f.elements));
    uint64_t count;
    std::string v = RedisSet(f.set, f.elements, &count);
    EXPECT_EQ(count, f.count);
    EXPECT_EQ(v.size(), f.size);
    EXPECT_EQ(EncodingOf(v) == kSparse, f.sparse);
    if (f.hex[0] != '\0') {
      EXPECT_EQ(Hex(v), f.hex);
    }
    EXPECT_EQ(Fnv1a64(v), f.digest);
    if (!f.registers.empty()) {
      std::vector<uint8_t> regs = Registers(v);
      for (size_t i = 0; i < f.registers.size(); ++i) {
        EXPECT_EQ(regs[kSampledRegisters[i]], f.registers[i]) << kSampledRegisters[i];
      }
    }
    // A count from scratch agrees with the cached one.
    bool invalid = false;
    EXPECT_EQ(Count(v, &invalid), f.count);
  }
}

TEST(HyperLogLogRedis, UnionsAndMergesMatchRedis) {
  std::vector<std::string> values;
  for (const RedisFixture& f : kRedisFixtures) {
    uint64_t count;
    values.push_back(RedisSet(f.set, f.elements, &count));
  }
  for (const RedisUnion& u : kRedisUnions) {
    // PFCOUNT k1 k2 k3: the registers' maxima, counted.
    std::vector<uint8_t> max(kRegisters, 0);
    bool any_dense = false;
    for (int s : u.sets) {
      ASSERT_TRUE(MergeInto(max.data(), values[s]));
      any_dense |= EncodingOf(values[s]) == kDense;
    }
    EXPECT_EQ(CountRegisters(max.data()), u.count);
    // PFMERGE into a new key: raise the registers of an empty HLL in order.
    std::string merged = NewSparse();
    if (any_dense) {
      ASSERT_TRUE(SparseToDense(&merged));
    }
    for (int j = 0; j < kRegisters; ++j) {
      if (max[j] != 0) Set(&merged, j, max[j], 3000);
    }
    InvalidateCache(merged.data());
    EXPECT_EQ(merged.size(), u.merged_size);
    EXPECT_EQ(Fnv1a64(merged), u.merged_digest);
  }
}

// ---- Hashing ---------------------------------------------------------------------------------

TEST(HyperLogLogHash, PatternOfOneElementMatchesRedis) {
  // Fixture set 1 is "e:1:0" alone: XZERO 1600, VAL 2x1, XZERO 14783.
  int index;
  EXPECT_EQ(PatternLength("e:1:0", &index), 2);
  EXPECT_EQ(index, 1600);
}

TEST(HyperLogLogHash, MurmurTailAndBlocks) {
  // Every length from 0 to 24 goes through a different tail/block split; the hash must depend
  // on each byte and on the length.
  std::string s;
  std::vector<uint64_t> seen;
  for (int len = 0; len <= 24; ++len) {
    seen.push_back(MurmurHash64A(s.data(), s.size(), 0xadc83b19));
    s += static_cast<char>('a' + len);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
  EXPECT_NE(MurmurHash64A("ab", 2, 0), MurmurHash64A("ba", 2, 0));
  EXPECT_NE(MurmurHash64A("a", 1, 0), MurmurHash64A("a", 1, 1));
}

TEST(HyperLogLogHash, PatternLengthIsBounded) {
  for (int i = 0; i < 100000; ++i) {
    int index;
    int n = PatternLength("x" + std::to_string(i), &index);
    ASSERT_GE(n, 1);
    ASSERT_LE(n, kQ + 1);
    ASSERT_GE(index, 0);
    ASSERT_LT(index, kRegisters);
  }
}

// ---- Register math ---------------------------------------------------------------------------

TEST(HyperLogLogDense, RegistersRoundTripAndKeepNeighbours) {
  std::mt19937 rng(1);
  // One guard byte past the registers: the last register must never touch it.
  std::vector<uint8_t> buf(kDenseRegisterBytes + 1, 0xa5);
  uint8_t* regs = buf.data();
  std::vector<uint8_t> want(kRegisters);
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < kRegisters; ++i) {
      want[i] = static_cast<uint8_t>(rng() & kRegisterMax);
      DenseSetRaw(regs, i, want[i]);
    }
    for (int i = 0; i < kRegisters; ++i) ASSERT_EQ(DenseGet(regs, i), want[i]) << i;
    ASSERT_EQ(buf[kDenseRegisterBytes], 0xa5);
  }
  // Setting one register leaves its neighbours alone.
  for (int i : {0, 1, 2, 3, 4, 5, 8190, 16383}) {
    uint8_t before_prev = i > 0 ? DenseGet(regs, i - 1) : 0;
    uint8_t before_next = i + 1 < kRegisters ? DenseGet(regs, i + 1) : 0;
    DenseSetRaw(regs, i, 63);
    EXPECT_EQ(DenseGet(regs, i), 63);
    if (i > 0) {
      EXPECT_EQ(DenseGet(regs, i - 1), before_prev);
    }
    if (i + 1 < kRegisters) {
      EXPECT_EQ(DenseGet(regs, i + 1), before_next);
    }
  }
  EXPECT_EQ(buf[kDenseRegisterBytes], 0xa5);
}

TEST(HyperLogLogDense, LayoutIsLittleEndianSixBitFields) {
  std::vector<uint8_t> regs(kDenseRegisterBytes, 0);
  DenseSetRaw(regs.data(), 0, 0x3f);  // bits 0-5 of byte 0
  EXPECT_EQ(regs[0], 0x3f);
  DenseSetRaw(regs.data(), 1, 0x3f);  // bits 6-7 of byte 0, 0-3 of byte 1
  EXPECT_EQ(regs[0], 0xff);
  EXPECT_EQ(regs[1], 0x0f);
  DenseSetRaw(regs.data(), 3, 0x21);  // bits 2-7 of byte 2
  EXPECT_EQ(regs[2], 0x84);
  DenseSetRaw(regs.data(), kRegisters - 1, 0x3f);  // bits 2-7 of the last byte
  EXPECT_EQ(regs[kDenseRegisterBytes - 1], 0xfc);
}

TEST(HyperLogLogDense, SetOnlyRaises) {
  std::vector<uint8_t> regs(kDenseRegisterBytes, 0);
  EXPECT_TRUE(DenseSet(regs.data(), 7, 5));
  EXPECT_FALSE(DenseSet(regs.data(), 7, 5));
  EXPECT_FALSE(DenseSet(regs.data(), 7, 3));
  EXPECT_EQ(DenseGet(regs.data(), 7), 5);
  EXPECT_TRUE(DenseSet(regs.data(), 7, 6));
}

// ---- Sparse encoding -------------------------------------------------------------------------

TEST(HyperLogLogSparse, EmptyValue) {
  std::string v = NewSparse();
  EXPECT_EQ(Hex(v), "48594c4c0100000000000000000000007fff");
  EXPECT_TRUE(IsHll(v));
  EXPECT_TRUE(CacheValid(v));
  EXPECT_EQ(CachedCardinality(v), 0u);
  EXPECT_EQ(DecodeSparse(v), "Z:16384");
  bool invalid = false;
  EXPECT_EQ(Count(v, &invalid), 0u);
  EXPECT_FALSE(invalid);
}

TEST(HyperLogLogSparse, SplitsAndMergesOpcodes) {
  std::string v = NewSparse();
  // Registers 1000, 1020 and 1021 (the example of Redis's documentation).
  EXPECT_EQ(Set(&v, 1000, 2, 3000), 1);
  EXPECT_EQ(DecodeSparse(v), "Z:1000 v:2,1 Z:15383");
  EXPECT_FALSE(CacheValid(v));
  EXPECT_EQ(Set(&v, 1020, 3, 3000), 1);
  EXPECT_EQ(Set(&v, 1021, 3, 3000), 1);
  EXPECT_EQ(DecodeSparse(v), "Z:1000 v:2,1 z:19 v:3,2 Z:15362");
  // Lower or equal values change nothing.
  EXPECT_EQ(Set(&v, 1000, 1, 3000), 0);
  EXPECT_EQ(Set(&v, 1021, 3, 3000), 0);
  // Raising one register of a run of two splits it.
  EXPECT_EQ(Set(&v, 1020, 4, 3000), 1);
  EXPECT_EQ(DecodeSparse(v), "Z:1000 v:2,1 z:19 v:4,1 v:3,1 Z:15362");
  // Neighbours of equal value merge, up to four registers per VAL.
  EXPECT_EQ(Set(&v, 1022, 3, 3000), 1);
  EXPECT_EQ(DecodeSparse(v), "Z:1000 v:2,1 z:19 v:4,1 v:3,2 Z:15361");
  EXPECT_EQ(Set(&v, 0, 1, 3000), 1);
  EXPECT_EQ(Set(&v, 16383, 32, 3000), 1);
  EXPECT_EQ(DecodeSparse(v), "v:1,1 Z:999 v:2,1 z:19 v:4,1 v:3,2 Z:15360 v:32,1");
  EXPECT_EQ(EncodingOf(v), kSparse);
}

TEST(HyperLogLogSparse, ValueAbove32PromotesToDense) {
  std::string v = NewSparse();
  EXPECT_EQ(Set(&v, 5, 3, 3000), 1);
  EXPECT_EQ(Set(&v, 9, 33, 3000), 1);
  ASSERT_EQ(EncodingOf(v), kDense);
  ASSERT_EQ(v.size(), kDenseSize);
  const auto* regs = reinterpret_cast<const uint8_t*>(v.data()) + kHeaderSize;
  EXPECT_EQ(DenseGet(regs, 5), 3);
  EXPECT_EQ(DenseGet(regs, 9), 33);
  EXPECT_TRUE(IsHll(v));
}

TEST(HyperLogLogSparse, GrowthPastMaxBytesPromotes) {
  for (size_t max_bytes : {0, 20, 100, 500, 3000}) {
    std::string v = NewSparse();
    std::mt19937 rng(static_cast<unsigned>(max_bytes));
    for (int i = 0; i < 5000 && EncodingOf(v) == kSparse; ++i) {
      ASSERT_LE(v.size(), std::max<size_t>(max_bytes, kHeaderSize + 2));
      Set(&v, static_cast<int>(rng() % kRegisters), static_cast<uint8_t>(1 + rng() % 3), max_bytes);
    }
    EXPECT_EQ(EncodingOf(v), kDense) << max_bytes;
  }
}

TEST(HyperLogLogSparse, SparseAndDenseAgree) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::string sparse = NewSparse();
    std::vector<uint8_t> want(kRegisters, 0);
    std::vector<uint8_t> dense(kDenseRegisterBytes, 0);
    int n = static_cast<int>(rng() % 400);
    for (int i = 0; i < n; ++i) {
      int index = static_cast<int>(rng() % kRegisters);
      // Clustered indexes exercise VAL runs and merges.
      if (rng() % 2) index = static_cast<int>(rng() % 64);
      uint8_t count = static_cast<uint8_t>(1 + rng() % 32);
      int changed = Set(&sparse, index, count, 1 << 20);
      ASSERT_EQ(changed, count > want[index] ? 1 : 0);
      want[index] = std::max(want[index], count);
      DenseSet(dense.data(), index, count);
    }
    ASSERT_EQ(EncodingOf(sparse), kSparse);
    std::vector<uint8_t> max(kRegisters, 0);
    ASSERT_TRUE(MergeInto(max.data(), sparse));
    EXPECT_EQ(max, want);
    bool invalid = false;
    uint64_t sparse_count = Count(sparse, &invalid);
    EXPECT_FALSE(invalid);
    ASSERT_TRUE(SparseToDense(&sparse));
    for (int i = 0; i < kRegisters; ++i) {
      ASSERT_EQ(DenseGet(reinterpret_cast<const uint8_t*>(sparse.data()) + kHeaderSize, i),
                want[i]);
    }
    EXPECT_EQ(std::memcmp(sparse.data() + kHeaderSize, dense.data(), kDenseRegisterBytes), 0);
    EXPECT_EQ(Count(sparse, &invalid), sparse_count);
    EXPECT_EQ(CountRegisters(want.data()), sparse_count);
  }
}

TEST(HyperLogLogSparse, ConversionKeepsTheHeader) {
  std::string v = NewSparse();
  Set(&v, 3, 4, 3000);
  SetCachedCardinality(v.data(), 1234);
  v[5] = 'x';  // an unused byte: carried over, as Redis copies the header
  ASSERT_TRUE(SparseToDense(&v));
  EXPECT_EQ(v.substr(0, 4), "HYLL");
  EXPECT_EQ(EncodingOf(v), kDense);
  EXPECT_EQ(v[5], 'x');
  EXPECT_EQ(CachedCardinality(v), 1234u);
  // Dense stays dense.
  std::string copy = v;
  ASSERT_TRUE(SparseToDense(&v));
  EXPECT_EQ(v, copy);
}

// ---- Header checks and the cache -------------------------------------------------------------

TEST(HyperLogLogHeader, IsHll) {
  std::string v = NewSparse();
  EXPECT_TRUE(IsHll(v));
  EXPECT_FALSE(IsHll(v.substr(0, 15)));
  EXPECT_TRUE(IsHll(v.substr(0, 16)));  // an empty sparse body passes; reading it fails
  std::string bad = v;
  bad[0] = 'h';
  EXPECT_FALSE(IsHll(bad));
  bad = v;
  bad[4] = 2;
  EXPECT_FALSE(IsHll(bad));
  bad = v;
  bad[4] = 0;  // dense of the wrong length
  EXPECT_FALSE(IsHll(bad));
  ASSERT_TRUE(SparseToDense(&v));
  EXPECT_TRUE(IsHll(v));
  EXPECT_FALSE(IsHll(v + "x"));
}

TEST(HyperLogLogHeader, CachedCardinality) {
  std::string v = NewSparse();
  SetCachedCardinality(v.data(), 0x0102030405060708ULL);
  EXPECT_EQ(Hex(v.substr(8, 8)), "0807060504030201");
  EXPECT_TRUE(CacheValid(v));
  InvalidateCache(v.data());
  EXPECT_FALSE(CacheValid(v));
  EXPECT_EQ(static_cast<uint8_t>(v[15]), 0x81);
}

// ---- Estimator -------------------------------------------------------------------------------

TEST(HyperLogLogCount, EdgeHistograms) {
  std::vector<uint8_t> regs(kRegisters, 0);
  EXPECT_EQ(CountRegisters(regs.data()), 0u);
  regs[0] = 1;
  EXPECT_EQ(CountRegisters(regs.data()), 1u);
  // Every register at its maximum, and at values the hash can never give (52-63): finite.
  for (uint8_t v : {51, 52, 63}) {
    std::fill(regs.begin(), regs.end(), v);
    EXPECT_GT(CountRegisters(regs.data()), 0u);
  }
}

TEST(HyperLogLogCount, SelfTestPasses) { EXPECT_EQ(SelfTest(3000, 42), ""); }

// ---- Corrupt values --------------------------------------------------------------------------

// Runs every reader and writer on v (a value IsHll accepted). Read-only calls get an exact-size
// heap copy, so a sanitizer build catches a read past the end.
void Exercise(const std::string& v, std::mt19937& rng) {
  std::unique_ptr<char[]> exact(new char[v.size()]);
  std::memcpy(exact.get(), v.data(), v.size());
  std::string_view view(exact.get(), v.size());
  bool invalid = false;
  Count(view, &invalid);
  std::vector<uint8_t> max(kRegisters, 0);
  MergeInto(max.data(), view);
  DecodeSparse(view);
  std::string copy = v;
  SparseToDense(&copy);
  copy = v;
  for (int i = 0; i < 8; ++i) {
    int r = Set(&copy, static_cast<int>(rng() % kRegisters), static_cast<uint8_t>(1 + rng() % 40),
                rng() % 2 ? 3000 : 40);
    if (r < 0) break;
    // Whatever an edit does to a corrupt value, it stays a value of the same encoding family:
    // never a header change, never a dense value of the wrong size.
    ASSERT_TRUE(IsHll(copy));
  }
}

TEST(HyperLogLogFuzz, RandomTruncatedAndMutatedValues) {
  std::mt19937 rng(2024);
  std::vector<std::string> seeds;
  for (int n : {0, 1, 5, 50, 300, 1200, 4000}) {
    std::string v = NewSparse();
    for (int i = 0; i < n; ++i) Add(&v, "f" + std::to_string(n) + ":" + std::to_string(i), 3000);
    seeds.push_back(v);
  }
  int checked = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string v = seeds[rng() % seeds.size()];
    switch (rng() % 5) {
      case 0:  // flip a few bytes of the body
        for (int k = 1 + rng() % 4; k > 0 && v.size() > kHeaderSize; --k) {
          v[kHeaderSize + rng() % (v.size() - kHeaderSize)] = static_cast<char>(rng());
        }
        break;
      case 1:  // truncate
        v.resize(kHeaderSize + rng() % (v.size() - kHeaderSize + 1));
        break;
      case 2:  // append junk
        for (int k = 1 + rng() % 6; k > 0; --k) v += static_cast<char>(rng());
        break;
      case 3:  // insert bytes
        for (int k = 1 + rng() % 4; k > 0; --k) {
          v.insert(v.begin() + kHeaderSize + rng() % (v.size() - kHeaderSize + 1),
                   static_cast<char>(rng()));
        }
        break;
      default: {  // a random body, often made of XZERO/ZERO-looking bytes
        v.resize(kHeaderSize);
        for (int k = rng() % 40; k > 0; --k) {
          v += static_cast<char>(rng() % 3 == 0 ? 0x40 | (rng() & 0x3f) : rng());
        }
        break;
      }
    }
    if (!IsHll(v)) continue;
    ++checked;
    Exercise(v, rng);
  }
  EXPECT_GT(checked, 10000);
}

TEST(HyperLogLogFuzz, OverlongAndShortBodiesAreCorrupt) {
  std::string v = NewSparse();
  bool invalid = false;
  // A VAL past the last register, after runs that end exactly there: corrupt (Redis 7.2.10+).
  std::string trailing = v + "\x80";
  Count(trailing, &invalid);
  EXPECT_TRUE(invalid);
  std::vector<uint8_t> max(kRegisters, 0);
  EXPECT_FALSE(MergeInto(max.data(), trailing));
  std::string copy = trailing;
  EXPECT_FALSE(SparseToDense(&copy));
  EXPECT_EQ(copy, trailing);
  // Too few registers.
  std::string short_body = v.substr(0, kHeaderSize) + "\x7f\xfe";  // XZERO 16383
  invalid = false;
  Count(short_body, &invalid);
  EXPECT_TRUE(invalid);
  copy = short_body;
  EXPECT_EQ(Set(&copy, 16383, 1, 3000), -1);
  // An empty body.
  copy = v.substr(0, kHeaderSize);
  EXPECT_EQ(Set(&copy, 0, 1, 3000), -1);
  // An XZERO cut off at the end reads its missing byte as zero (Redis reads the sds NUL):
  // 255 ZERO registers... here 0x3f ZERO (64) x 3 + ZERO 63 = 255, then XZERO 0x3f00 + 1.
  std::string cut = v.substr(0, kHeaderSize) + "\x3f\x3f\x3f\x3e\x7f";
  invalid = false;
  EXPECT_EQ(Count(cut, &invalid), 0u);
  EXPECT_FALSE(invalid);
  EXPECT_EQ(DecodeSparse(cut), "z:64 z:64 z:64 z:63 Z:16129");
}

}  // namespace
}  // namespace weir::types::hll
