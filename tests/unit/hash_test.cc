// Unit tests for types::Hash: randomised against a model (insertion-ordered pairs plus the
// encoding Redis's rules predict), across the listpack -> hashtable conversion.
#include "types/hash.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace weir::types {
namespace {

std::mt19937_64 g_rng(42);
uint64_t TestRng() { return g_rng(); }

// What a hash should hold: pairs in insertion order (the small encoding keeps that order) and
// the encoding the conversion rules predict.
struct Model {
  std::vector<std::pair<std::string, std::string>> pairs;
  bool hashtable = false;

  int Find(const std::string& f) const {
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (pairs[i].first == f) return static_cast<int>(i);
    }
    return -1;
  }
};

void ExpectSame(const Hash& h, const Model& m) {
  ASSERT_EQ(h.Size(), m.pairs.size());
  ASSERT_EQ(h.encoding() == Hash::Encoding::kHashtable, m.hashtable);
  ASSERT_STREQ(h.EncodingName(), m.hashtable ? "hashtable" : "listpack");
  std::vector<std::pair<std::string, std::string>> seen;
  h.ForEach([&](std::string_view f, std::string_view v) { seen.emplace_back(f, v); });
  if (!m.hashtable) {
    ASSERT_EQ(seen, m.pairs);  // insertion order
  } else {
    std::sort(seen.begin(), seen.end());
    auto expected = m.pairs;
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(seen, expected);
  }
  for (const auto& [f, v] : m.pairs) {
    std::string_view got;
    ASSERT_TRUE(h.Get(f, &got)) << f;
    ASSERT_EQ(got, v);
    ASSERT_TRUE(h.Contains(f));
  }
}

std::string RandomText(std::mt19937_64& rng, size_t max_len) {
  size_t len = rng() % 4 == 0 ? rng() % (max_len + 1) : rng() % 4;
  std::string s;
  for (size_t i = 0; i < len; ++i) s.push_back(static_cast<char>('a' + rng() % 3));
  return s;
}

void RandomisedAgainstModel(uint64_t seed, HashLimits limits, int ops) {
  std::mt19937_64 rng(seed);
  Hash h;
  Model m;
  for (int i = 0; i < ops; ++i) {
    switch (rng() % 7) {
      case 0:
      case 1:
      case 2: {  // HSET with one or more pairs
        size_t n = 1 + rng() % 3;
        std::vector<std::string> args;
        for (size_t j = 0; j < n; ++j) {
          args.push_back(RandomText(rng, limits.max_listpack_value + 3));
          args.push_back(RandomText(rng, limits.max_listpack_value + 3));
        }
        std::vector<std::string_view> views(args.begin(), args.end());
        h.PrepareForSet(views, limits);
        if (n > limits.max_listpack_entries) m.hashtable = true;
        for (const auto& a : args) {
          if (a.size() > limits.max_listpack_value) m.hashtable = true;
        }
        for (size_t j = 0; j < args.size(); j += 2) {
          int at = m.Find(args[j]);
          ASSERT_EQ(h.Set(args[j], args[j + 1], limits), at < 0);
          if (at < 0) {
            m.pairs.emplace_back(args[j], args[j + 1]);
          } else {
            m.pairs[at].second = args[j + 1];
          }
          if (m.pairs.size() > limits.max_listpack_entries) m.hashtable = true;
        }
        break;
      }
      case 3: {  // HINCRBY-like: Set without PrepareForSet
        std::string f = RandomText(rng, limits.max_listpack_value + 3);
        std::string v = RandomText(rng, limits.max_listpack_value + 3);
        if (f.size() > limits.max_listpack_value || v.size() > limits.max_listpack_value) {
          m.hashtable = true;
        }
        int at = m.Find(f);
        ASSERT_EQ(h.Set(f, v, limits), at < 0);
        if (at < 0) {
          m.pairs.emplace_back(f, v);
        } else {
          m.pairs[at].second = v;
        }
        if (m.pairs.size() > limits.max_listpack_entries) m.hashtable = true;
        break;
      }
      case 4:
      case 5: {
        std::string f = RandomText(rng, limits.max_listpack_value + 3);
        int at = m.Find(f);
        ASSERT_EQ(h.Delete(f), at >= 0);
        if (at >= 0) m.pairs.erase(m.pairs.begin() + at);
        break;
      }
      case 6: {
        std::string f = RandomText(rng, limits.max_listpack_value + 3);
        std::string_view v;
        ASSERT_EQ(h.Get(f, &v), m.Find(f) >= 0);
        break;
      }
    }
    if (i % 50 == 0) ExpectSame(h, m);
    // Like a command deleting an emptied key: start again with a new hash.
    if (m.pairs.empty() && rng() % 2 == 0) {
      h.~Hash();
      new (&h) Hash();
      m = Model();
    }
  }
  ExpectSame(h, m);
  std::unique_ptr<Hash> copy(static_cast<Hash*>(h.Clone()));
  ExpectSame(*copy, m);
}

TEST(HashTest, RandomisedSmallLimits) {
  for (uint64_t seed = 1; seed <= 20; ++seed) RandomisedAgainstModel(seed, {8, 6}, 3000);
}

TEST(HashTest, RandomisedDefaultLimits) {
  for (uint64_t seed = 100; seed <= 102; ++seed) RandomisedAgainstModel(seed, {128, 64}, 8000);
}

TEST(HashTest, ZeroLimitsConvertAtOnce) {
  Hash h;
  std::string_view args[] = {"f", "v"};
  h.PrepareForSet(args, {0, 64});
  EXPECT_EQ(h.encoding(), Hash::Encoding::kHashtable);
  Hash h2;
  h2.Set("", "", {128, 0});  // empty strings fit a 0-byte value limit
  EXPECT_EQ(h2.encoding(), Hash::Encoding::kListpack);
  h2.Set("a", "", {128, 0});
  EXPECT_EQ(h2.encoding(), Hash::Encoding::kHashtable);
}

// Redis counts the pairs of an HSET, duplicates included, against the entry limit.
TEST(HashTest, PrepareCountsDuplicatePairs) {
  Hash h;
  std::string_view args[] = {"a", "1", "a", "2", "a", "3"};
  h.PrepareForSet(args, {2, 64});
  EXPECT_EQ(h.encoding(), Hash::Encoding::kHashtable);
}

TEST(HashTest, NeverConvertsBack) {
  Hash h;
  HashLimits limits{4, 64};
  for (int i = 0; i < 5; ++i) h.Set("f" + std::to_string(i), "v", limits);
  EXPECT_EQ(h.encoding(), Hash::Encoding::kHashtable);
  for (int i = 0; i < 4; ++i) h.Delete("f" + std::to_string(i));
  EXPECT_EQ(h.Size(), 1u);
  EXPECT_EQ(h.encoding(), Hash::Encoding::kHashtable);
}

TEST(HashTest, SmallEncodingIsCompact) {
  Hash h;
  HashLimits limits;
  for (int i = 0; i < 10; ++i) h.Set("f" + std::to_string(i), "v", limits);
  EXPECT_EQ(h.encoding(), Hash::Encoding::kListpack);
  // 16-byte object + 58 bytes of pairs in a 64-byte size class (mimalloc; other allocators may
  // round differently).
  EXPECT_LE(h.MemoryUsage(), 16u + 64u + 16u);
  // Deleting most fields gives memory back.
  for (int i = 0; i < 9; ++i) h.Delete("f" + std::to_string(i));
  EXPECT_LE(h.MemoryUsage(), 16u + 32u);
  std::string_view v;
  EXPECT_TRUE(h.Get("f9", &v));
  EXPECT_EQ(v, "v");
}

TEST(HashTest, LongValuesInSmallEncoding) {
  Hash h;
  HashLimits limits{128, 100000};
  std::string big(5000, 'x');
  h.Set("a", big, limits);
  h.Set("b", "1", limits);
  h.Set("a", "2", limits);  // shrinks the value: the length header shrinks too
  std::string_view v;
  ASSERT_TRUE(h.Get("a", &v));
  EXPECT_EQ(v, "2");
  ASSERT_TRUE(h.Get("b", &v));
  EXPECT_EQ(v, "1");
  h.Set("b", big, limits);
  ASSERT_TRUE(h.Get("b", &v));
  EXPECT_EQ(v, big);
  EXPECT_EQ(h.encoding(), Hash::Encoding::kListpack);
}

void FillHash(Hash& h, int n, HashLimits limits) {
  for (int i = 0; i < n; ++i) h.Set("field:" + std::to_string(i), "v" + std::to_string(i), limits);
}

TEST(HashTest, ScanSmallReturnsAllAtOnce) {
  Hash h;
  FillHash(h, 20, {});
  int n = 0;
  EXPECT_EQ(h.Scan(0, [&](std::string_view, std::string_view) { ++n; }), 0u);
  EXPECT_EQ(n, 20);
}

TEST(HashTest, ScanHashtableCoversAll) {
  Hash h;
  FillHash(h, 1000, {});
  ASSERT_EQ(h.encoding(), Hash::Encoding::kHashtable);
  absl::flat_hash_map<std::string, std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = h.Scan(cursor, [&](std::string_view f, std::string_view v) {
      seen.emplace(std::string(f), std::string(v));
    });
  } while (cursor != 0);
  ASSERT_EQ(seen.size(), 1000u);
  for (const auto& [f, v] : seen) EXPECT_EQ("v" + f.substr(6), v);
}

void CheckRandom(const Hash& h) {
  absl::flat_hash_map<std::string, std::string> all;
  h.ForEach(
      [&](std::string_view f, std::string_view v) { all.emplace(std::string(f), std::string(v)); });
  std::string_view f, v;
  for (int i = 0; i < 100; ++i) {
    h.RandomPair(TestRng, &f, &v);
    ASSERT_TRUE(all.contains(std::string(f)));
    ASSERT_EQ(all[std::string(f)], v);
  }
  int n = 0;
  h.RandomPairs(500, TestRng, [&](std::string_view f, std::string_view v) {
    ASSERT_EQ(all[std::string(f)], v);
    ++n;
  });
  EXPECT_EQ(n, 500);
  for (size_t count : {size_t{1}, all.size() / 10 + 1, all.size() / 2, all.size() - 1}) {
    absl::flat_hash_set<std::string> got;
    h.DistinctRandomPairs(count, TestRng, [&](std::string_view f, std::string_view v) {
      ASSERT_EQ(all[std::string(f)], v);
      ASSERT_TRUE(got.insert(std::string(f)).second) << "repeated " << f;
    });
    EXPECT_EQ(got.size(), count);
  }
}

TEST(HashTest, RandomSmall) {
  Hash h;
  FillHash(h, 50, {});
  ASSERT_EQ(h.encoding(), Hash::Encoding::kListpack);
  CheckRandom(h);
}

TEST(HashTest, RandomHashtable) {
  Hash h;
  FillHash(h, 2000, {});
  ASSERT_EQ(h.encoding(), Hash::Encoding::kHashtable);
  CheckRandom(h);
}

// Each field is about equally likely under every sampling strategy.
TEST(HashTest, DistinctRandomPairsIsFair) {
  for (int n : {20, 300}) {
    Hash h;
    FillHash(h, n, {});
    for (size_t count : {size_t{3}, static_cast<size_t>(n / 2)}) {
      absl::flat_hash_map<std::string, int> hits;
      const int rounds = 4000;
      for (int r = 0; r < rounds; ++r) {
        h.DistinctRandomPairs(
            count, TestRng, [&](std::string_view f, std::string_view) { hits[std::string(f)]++; });
      }
      double expected = static_cast<double>(rounds) * count / n;
      for (const auto& [f, c] : hits) {
        EXPECT_NEAR(c, expected, expected * 0.35 + 10) << n << " " << count << " " << f;
      }
      EXPECT_EQ(hits.size(), static_cast<size_t>(n));
    }
  }
}

}  // namespace
}  // namespace weir::types
