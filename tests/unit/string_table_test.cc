// Unit tests for types::StringTable: randomised against absl::flat_hash_map, the probing
// invariant after every kind of change, and the scan guarantee across growth and shrinking.
#include "types/string_table.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/memory.h"

namespace weir::types {
namespace {

using Model = absl::flat_hash_map<std::string, std::string>;

// Keys and values of assorted lengths: most short, some past the one-byte length header.
std::string RandomString(std::mt19937_64& rng, size_t space) {
  std::string s = "k" + std::to_string(rng() % space);
  switch (rng() % 10) {
    case 0:
      s.append(200, 'x');
      break;
    case 1:
      s.append(rng() % 40, 'y');
      break;
    default:
      break;
  }
  return s;
}

std::string RandomValue(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return "";
    case 1:
      return std::string(130 + rng() % 300, 'v');
    case 2:
      return std::string(20000, 'w');
    default:
      return std::to_string(rng());
  }
}

void ExpectSameAs(const StringTable& t, const Model& model) {
  ASSERT_TRUE(t.Validate());
  ASSERT_EQ(t.size(), model.size());
  size_t seen = 0;
  for (const auto& e : t) {
    auto it = model.find(std::string(e.key()));
    ASSERT_NE(it, model.end()) << e.key();
    if (t.with_values()) {
      ASSERT_EQ(e.value(), it->second);
    }
    ++seen;
  }
  ASSERT_EQ(seen, model.size());
  for (const auto& [k, v] : model) {
    const StringTable::Element* e = t.Find(k);
    ASSERT_NE(e, nullptr) << k;
    ASSERT_EQ(e->key(), k);
    if (t.with_values()) {
      ASSERT_EQ(e->value(), v);
    }
  }
}

TEST(StringTableTest, EmptyTable) {
  StringTable t(true);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.Find("a"), nullptr);
  EXPECT_FALSE(t.Erase("a"));
  EXPECT_EQ(t.Random(), nullptr);
  EXPECT_EQ(t.Scan(0, [](const StringTable::Element&) { FAIL(); }), 0u);
  EXPECT_EQ(t.begin(), t.end());
  EXPECT_TRUE(t.Validate());
}

TEST(StringTableTest, InsertUpsertErase) {
  StringTable t(true);
  EXPECT_TRUE(t.Insert("f", "1"));
  EXPECT_FALSE(t.Insert("f", "2"));
  EXPECT_EQ(t.Find("f")->value(), "1");
  EXPECT_FALSE(t.Upsert("f", "22"));
  EXPECT_EQ(t.Find("f")->value(), "22");
  EXPECT_TRUE(t.Upsert("g", ""));
  EXPECT_EQ(t.Find("g")->value(), "");
  EXPECT_EQ(t.size(), 2u);
  // Erasing by a key that lives inside the element being erased.
  const StringTable::Element* e = t.Find("f");
  EXPECT_TRUE(t.Erase(e->key()));
  EXPECT_EQ(t.Find("f"), nullptr);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_TRUE(t.Validate());
}

TEST(StringTableTest, BinaryAndEmptyKeys) {
  StringTable t(true);
  std::string bin("a\0b", 3);
  EXPECT_TRUE(t.Insert(bin, std::string("\0\0", 2)));
  EXPECT_TRUE(t.Insert("", "empty"));
  EXPECT_TRUE(t.Insert("a", "x"));
  EXPECT_EQ(t.Find(bin)->value(), std::string("\0\0", 2));
  EXPECT_EQ(t.Find("")->value(), "empty");
  EXPECT_EQ(t.Find(std::string("a\0c", 3)), nullptr);
}

void RandomisedAgainstModel(bool with_values, uint64_t seed, size_t key_space, int ops) {
  std::mt19937_64 rng(seed);
  StringTable t(with_values);
  Model model;
  for (int i = 0; i < ops; ++i) {
    std::string key = RandomString(rng, key_space);
    std::string value = with_values ? RandomValue(rng) : std::string();
    switch (rng() % 6) {
      case 0:
      case 1: {
        bool added = t.Insert(key, value);
        ASSERT_EQ(added, model.emplace(key, value).second);
        break;
      }
      case 2:
        if (with_values) {
          bool added = t.Upsert(key, value);
          ASSERT_EQ(added, !model.contains(key));
          model[key] = value;
        }
        break;
      case 3:
      case 4:
        ASSERT_EQ(t.Erase(key), model.erase(key) == 1);
        break;
      case 5: {
        const StringTable::Element* e = t.Find(key);
        ASSERT_EQ(e != nullptr, model.contains(key));
        break;
      }
    }
    if (i % 997 == 0) ExpectSameAs(t, model);
    // Phases that drive the table to grow big and shrink back.
    if (i % 20000 == 10000) {
      for (auto it = model.begin(); it != model.end();) {
        if (rng() % 10 != 0) {
          ASSERT_TRUE(t.Erase(it->first));
          model.erase(it++);
        } else {
          ++it;
        }
      }
      ExpectSameAs(t, model);
    }
  }
  ExpectSameAs(t, model);
  StringTable copy(t);
  ExpectSameAs(copy, model);
  StringTable moved(std::move(copy));
  ExpectSameAs(moved, model);
  for (const auto& [k, v] : model) ASSERT_TRUE(t.Erase(k));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(t.Validate());
  EXPECT_EQ(t.slot_count(), 0u);
}

TEST(StringTableTest, RandomisedMapAgainstFlatHashMap) {
  for (uint64_t seed = 1; seed <= 3; ++seed) RandomisedAgainstModel(true, seed, 3000, 60000);
}

TEST(StringTableTest, RandomisedSetAgainstFlatHashMap) {
  for (uint64_t seed = 10; seed <= 12; ++seed) RandomisedAgainstModel(false, seed, 3000, 60000);
}

TEST(StringTableTest, SmallKeySpaceManyCollisionsOfSlots) {
  RandomisedAgainstModel(true, 99, 20, 20000);
}

// Past 2^16 slots a home needs more bits than the tag holds; exercise that path.
TEST(StringTableTest, LargeTableBeyondTagBits) {
  StringTable t(true);
  Model model;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 120000; ++i) {
    std::string k = "key:" + std::to_string(i);
    std::string v = std::to_string(rng());
    ASSERT_TRUE(t.Insert(k, v));
    model.emplace(k, v);
  }
  EXPECT_GT(t.slot_count(), size_t{1} << 16);
  ExpectSameAs(t, model);
  for (int i = 0; i < 120000; i += 2) {
    std::string k = "key:" + std::to_string(i);
    ASSERT_TRUE(t.Erase(k));
    model.erase(k);
  }
  ExpectSameAs(t, model);
}

TEST(StringTableTest, UpsertReusesOrReplacesAllocation) {
  StringTable t(true);
  t.Insert("f", std::string(5000, 'a'));
  size_t big = t.MemoryUsage();
  t.Upsert("f", "b");
  EXPECT_LT(t.MemoryUsage(), big - 4000);  // a small value does not keep the big allocation
  EXPECT_EQ(t.Find("f")->value(), "b");
  t.Upsert("f", "c");
  EXPECT_EQ(t.Find("f")->value(), "c");
  t.Upsert("f", std::string(300, 'd'));  // the length header grows to two bytes
  EXPECT_EQ(t.Find("f")->value(), std::string(300, 'd'));
  EXPECT_TRUE(t.Validate());
}

TEST(StringTableTest, MemoryUsageTracksAllocations) {
  int64_t before = mem::UsedMemory();
  auto* t = new StringTable(true);
  for (int i = 0; i < 1000; ++i) t->Insert("field:" + std::to_string(i), "value");
  int64_t after = mem::UsedMemory();
  // The temporaries above are freed; what remains is the table (its object and its memory).
  EXPECT_EQ(static_cast<int64_t>(t->MemoryUsage() - sizeof(StringTable)),
            after - before - static_cast<int64_t>(mem::UsableSize(t)));
  // Lean: well under the 24-byte dictEntry plus two sds strings per field Redis would use.
  EXPECT_LT(t->MemoryUsage() / 1000, 48u);
  delete t;
}

TEST(StringTableTest, RandomIsUniform) {
  StringTable t(false);
  const int n = 50;
  for (int i = 0; i < n; ++i) t.Insert("m" + std::to_string(i));
  absl::flat_hash_map<std::string, int> counts;
  const int draws = 100000;
  for (int i = 0; i < draws; ++i) counts[std::string(t.Random()->key())]++;
  ASSERT_EQ(counts.size(), static_cast<size_t>(n));
  double expected = static_cast<double>(draws) / n;
  double chi2 = 0;
  for (const auto& [k, c] : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 100.0);  // 49 degrees of freedom: p < 1e-4 beyond this
}

// Runs a full scan with `mutate` called between calls, and checks that every element present
// from start to end was returned.
template <class Mutate>
void ScanWhileMutating(StringTable& t, absl::flat_hash_set<std::string>& live, Mutate mutate) {
  absl::flat_hash_set<std::string> stable = live;  // loses every key erased during the scan
  absl::flat_hash_set<std::string> ever = live;    // every key that existed during the scan
  absl::flat_hash_set<std::string> returned;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = t.Scan(cursor,
                    [&](const StringTable::Element& e) { returned.insert(std::string(e.key())); });
    mutate(stable, ever);
    if (++calls % 64 == 0) {
      ASSERT_TRUE(t.Validate());
    }
    ASSERT_LT(calls, 10000000);
  } while (cursor != 0);
  for (const auto& k : stable) ASSERT_TRUE(returned.contains(k)) << k;
  for (const auto& k : returned) ASSERT_TRUE(ever.contains(k)) << k;
}

TEST(StringTableTest, ScanWithoutChangesReturnsEachOnce) {
  StringTable t(false);
  for (int i = 0; i < 5000; ++i) t.Insert("m" + std::to_string(i));
  std::vector<std::string> got;
  uint64_t cursor = 0;
  do {
    cursor = t.Scan(cursor, [&](const StringTable::Element& e) { got.emplace_back(e.key()); });
  } while (cursor != 0);
  EXPECT_EQ(got.size(), 5000u);
  absl::flat_hash_set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), 5000u);
}

TEST(StringTableTest, ScanGuaranteeAcrossGrowth) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    StringTable t(false);
    absl::flat_hash_set<std::string> live;
    for (int i = 0; i < 50; ++i) {
      std::string k = "a" + std::to_string(rng());
      t.Insert(k);
      live.insert(k);
    }
    int next = 0;
    ScanWhileMutating(t, live, [&](auto& stable, auto& ever) {
      // Grow fast: several doublings during one scan (then stop, or the scan never ends).
      for (int i = 0; i < 40 && next < 8000; ++i) {
        std::string k = "g" + std::to_string(round) + ":" + std::to_string(next++);
        t.Insert(k);
        live.insert(k);
        ever.insert(k);
      }
    });
  }
}

TEST(StringTableTest, ScanGuaranteeAcrossShrinking) {
  std::mt19937_64 rng(8);
  for (int round = 0; round < 20; ++round) {
    StringTable t(false);
    absl::flat_hash_set<std::string> live;
    for (int i = 0; i < 5000; ++i) {
      std::string k = "s" + std::to_string(rng());
      t.Insert(k);
      live.insert(k);
    }
    ScanWhileMutating(t, live, [&](auto& stable, auto& ever) {
      // Erase random keys, keeping about 100 that must survive to the end.
      for (int i = 0; i < 50 && live.size() > 100; ++i) {
        auto it = live.begin();
        std::advance(it, rng() % live.size());
        std::string k = *it;
        ASSERT_TRUE(t.Erase(k));
        live.erase(k);
        stable.erase(k);
      }
    });
  }
}

TEST(StringTableTest, ScanGuaranteeUnderMixedChurn) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 20; ++round) {
    StringTable t(true);
    absl::flat_hash_set<std::string> live;
    for (int i = 0; i < static_cast<int>(rng() % 3000); ++i) {
      std::string k = "x" + std::to_string(rng() % 100000);
      if (t.Insert(k, "v")) live.insert(k);
    }
    bool growing = true;
    ScanWhileMutating(t, live, [&](auto& stable, auto& ever) {
      if (rng() % 8 == 0) growing = !growing;
      int n = static_cast<int>(rng() % 300);
      for (int i = 0; i < n; ++i) {
        if (growing || live.empty()) {
          std::string k = "x" + std::to_string(rng() % 100000);
          if (t.Insert(k, "w")) {
            live.insert(k);
            ever.insert(k);
          }
        } else {
          auto it = live.begin();
          std::advance(it, rng() % live.size());
          std::string k = *it;
          ASSERT_TRUE(t.Erase(k));
          live.erase(k);
          stable.erase(k);
        }
      }
    });
  }
}

// A cursor from before a shrink may land inside a merged slot: nothing is lost.
TEST(StringTableTest, ScanResumesAnyCursor) {
  StringTable t(false);
  for (int i = 0; i < 1000; ++i) t.Insert("m" + std::to_string(i));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) {
    uint64_t cursor = rng();
    uint64_t next = t.Scan(cursor, [](const StringTable::Element&) {});
    EXPECT_TRUE(next == 0 || next > cursor);
  }
}

}  // namespace
}  // namespace weir::types
