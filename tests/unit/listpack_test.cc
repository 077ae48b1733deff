// Unit tests for src/types/listpack: encodings at their boundaries, and random operation
// sequences checked against a std::vector<std::string> model.
#include "types/listpack.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace weir::types {
namespace {

using Pos = Listpack::Pos;

std::string At(const Listpack& lp, Pos p) {
  char buf[Listpack::kIntBufSize];
  return std::string(lp.GetString(p, buf));
}

// Checks contents forwards, backwards and by index against the model.
void ExpectSame(const Listpack& lp, const std::vector<std::string>& model) {
  ASSERT_TRUE(lp.Validate());
  ASSERT_EQ(lp.size(), model.size());
  ASSERT_EQ(lp.empty(), model.empty());
  size_t i = 0;
  for (Pos p = lp.First(); p != Listpack::kNone; p = lp.Next(p), i++) {
    ASSERT_LT(i, model.size());
    ASSERT_EQ(At(lp, p), model[i]) << "forward index " << i;
  }
  ASSERT_EQ(i, model.size());
  for (Pos p = lp.Last(); p != Listpack::kNone; p = lp.Prev(p)) {
    ASSERT_GT(i, 0u);
    i--;
    ASSERT_EQ(At(lp, p), model[i]) << "backward index " << i;
  }
  ASSERT_EQ(i, 0u);
}

TEST(ListpackTest, EmptyOwnsNothing) {
  Listpack lp;
  EXPECT_TRUE(lp.empty());
  EXPECT_EQ(lp.size(), 0u);
  EXPECT_EQ(lp.bytes(), 0u);
  EXPECT_EQ(lp.MemoryUsage(), 0u);
  EXPECT_EQ(lp.First(), Listpack::kNone);
  EXPECT_EQ(lp.Last(), Listpack::kNone);
  EXPECT_EQ(lp.Seek(0), Listpack::kNone);
  EXPECT_EQ(lp.Find(lp.First(), "x"), Listpack::kNone);
  EXPECT_TRUE(lp.Validate());
}

TEST(ListpackTest, IntegerBoundariesRoundTrip) {
  const int64_t values[] = {0,
                            1,
                            127,
                            128,
                            -1,
                            -4096,
                            4095,
                            -4097,
                            4096,
                            32767,
                            -32768,
                            32768,
                            -32769,
                            8388607,
                            -8388608,
                            8388608,
                            -8388609,
                            2147483647,
                            INT32_MIN,
                            int64_t{2147483648},
                            int64_t{-2147483649},
                            INT64_MAX,
                            INT64_MIN};
  Listpack lp;
  std::vector<std::string> model;
  for (int64_t v : values) {
    lp.AppendInt(v);
    model.push_back(std::to_string(v));
    lp.Append(std::to_string(v));
    model.push_back(std::to_string(v));
  }
  ExpectSame(lp, model);
  size_t i = 0;
  for (Pos p = lp.First(); p != Listpack::kNone; p = lp.Next(p), i++) {
    Listpack::Value v = lp.Get(p);
    EXPECT_TRUE(v.is_int);
    EXPECT_EQ(v.num, values[i / 2]);
  }
}

TEST(ListpackTest, SmallValuesAreCompact) {
  Listpack lp;
  lp.Append("5");
  EXPECT_EQ(lp.bytes(), Listpack::kHeaderBytes + 2);  // 1 encoding byte + 1 back-length
  lp.Append("item:1");
  EXPECT_EQ(lp.bytes(), Listpack::kHeaderBytes + 2 + 8);
  EXPECT_EQ(Listpack::ElementSizeFor("1000"), 3u);
  EXPECT_EQ(Listpack::ElementSizeFor(std::string(63, 'a')), 65u);
  EXPECT_EQ(Listpack::ElementSizeFor(std::string(64, 'a')), 67u);
  EXPECT_EQ(Listpack::ElementSizeFor(std::string(200, 'a')), 204u);
}

TEST(ListpackTest, NonCanonicalNumbersStayStrings) {
  Listpack lp;
  for (const char* s : {"007", "+1", "-0", " 1", "1 ", "1.0", "9223372036854775808",
                        "-9223372036854775809", "", "0x10"}) {
    lp.Append(s);
    Listpack::Value v = lp.Get(lp.Last());
    EXPECT_FALSE(v.is_int) << s;
    EXPECT_EQ(v.str, s);
  }
}

TEST(ListpackTest, StringLengthBoundaries) {
  Listpack lp;
  std::vector<std::string> model;
  for (size_t n : {0, 1, 63, 64, 127, 128, 4095, 4096, 16383, 16384, 70000}) {
    model.push_back(std::string(n, static_cast<char>('a' + n % 26)));
    lp.Append(model.back());
  }
  ExpectSame(lp, model);
}

TEST(ListpackTest, FindComparesIntegersByValueAndSkips) {
  Listpack lp;
  for (const char* s : {"a", "1", "b", "100", "c", "1", "100", "x"}) lp.Append(s);
  EXPECT_EQ(At(lp, lp.Find(lp.First(), "100")), "100");
  EXPECT_EQ(lp.Find(lp.First(), "0100"), Listpack::kNone);
  EXPECT_EQ(lp.Find(lp.First(), "zz"), Listpack::kNone);
  // Fields only (skip=1, even indexes): "100" is a value at index 3 but a field at index 6;
  // "1" is only ever a value.
  Pos p = lp.Find(lp.First(), "100", 1);
  ASSERT_NE(p, Listpack::kNone);
  EXPECT_EQ(At(lp, lp.Next(p)), "x");
  EXPECT_EQ(lp.Find(lp.First(), "1", 1), Listpack::kNone);
  EXPECT_EQ(lp.Find(lp.First(), "c", 1), lp.Seek(4));
  EXPECT_TRUE(lp.Equals(lp.Seek(1), "1"));
  EXPECT_FALSE(lp.Equals(lp.Seek(1), "01"));
  EXPECT_TRUE(lp.Equals(lp.Seek(0), "a"));
}

TEST(ListpackTest, ReplaceWithOwnElement) {
  Listpack lp;
  lp.Append(std::string(100, 'x'));
  lp.Append("short");
  // Replace the short element with a view of the long one (which the splice moves).
  Listpack::Value long_one = lp.Get(lp.First());
  lp.Replace(lp.Last(), long_one.str);
  ExpectSame(lp, {std::string(100, 'x'), std::string(100, 'x')});
  lp.InsertBefore(lp.First(), lp.Get(lp.Last()).str);
  ExpectSame(lp, {std::string(100, 'x'), std::string(100, 'x'), std::string(100, 'x')});
}

TEST(ListpackTest, DeleteToEmptyFrees) {
  Listpack lp;
  lp.Append("a");
  lp.Append("b");
  EXPECT_EQ(At(lp, lp.Delete(lp.First())), "b");
  EXPECT_EQ(lp.Delete(lp.First()), Listpack::kNone);
  EXPECT_TRUE(lp.empty());
  EXPECT_EQ(lp.MemoryUsage(), 0u);
  lp.Prepend("c");
  ExpectSame(lp, {"c"});
}

std::string RandomValue(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return std::to_string(static_cast<int64_t>(rng() % 256) - 128);
    case 1:
      return std::to_string(static_cast<int64_t>(rng() % 20000) - 10000);
    case 2:
      return std::to_string(static_cast<int64_t>(rng()));
    case 3:
      return std::to_string(static_cast<int32_t>(rng()));
    case 4:
      return std::string(rng() % 70, static_cast<char>('a' + rng() % 26));
    case 5:
      return std::string(rng() % 5000, 'z');
    case 6:
      return "0" + std::to_string(rng() % 100);  // not canonical: stays a string
    default:
      return "item:" + std::to_string(rng() % 1000000);
  }
}

TEST(ListpackTest, RandomOperationsMatchModel) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 40; round++) {
    Listpack lp;
    std::vector<std::string> model;
    for (int step = 0; step < 600; step++) {
      size_t n = model.size();
      int op = static_cast<int>(rng() % 12);
      std::string v = RandomValue(rng);
      if (op <= 2 || n == 0) {
        lp.Append(v);
        model.push_back(v);
      } else if (op == 3) {
        lp.Prepend(v);
        model.insert(model.begin(), v);
      } else if (op == 4) {
        size_t i = rng() % n;
        Pos p = lp.InsertBefore(lp.Seek(static_cast<int64_t>(i)), v);
        model.insert(model.begin() + i, v);
        ASSERT_EQ(At(lp, p), v);
      } else if (op == 5) {
        size_t i = rng() % n;
        Pos p = lp.InsertAfter(lp.Seek(-1 - static_cast<int64_t>(n - 1 - i)), v);
        model.insert(model.begin() + i + 1, v);
        ASSERT_EQ(At(lp, p), v);
      } else if (op == 6) {
        size_t i = rng() % n;
        Pos p = lp.Replace(lp.Seek(static_cast<int64_t>(i)), v);
        model[i] = v;
        ASSERT_EQ(At(lp, p), v);
      } else if (op == 7) {
        size_t i = rng() % n;
        size_t count = rng() % 4;
        Pos next = lp.DeleteRange(lp.Seek(static_cast<int64_t>(i)), count);
        size_t removed = std::min(count, n - i);
        model.erase(model.begin() + i, model.begin() + i + removed);
        if (i < model.size() && count > 0) {
          ASSERT_EQ(At(lp, next), model[i]);
        }
      } else if (op == 8) {
        int64_t start = static_cast<int64_t>(rng() % n) - static_cast<int64_t>(rng() % 2 ? n : 0);
        size_t count = rng() % 5;
        lp.DeleteRange(start, count);
        size_t s = start < 0 ? static_cast<size_t>(start + static_cast<int64_t>(n))
                             : static_cast<size_t>(start);
        model.erase(model.begin() + s, model.begin() + s + std::min(count, n - s));
      } else if (op == 9) {
        // Find with skip, from a random start.
        size_t from = rng() % n;
        size_t skip = rng() % 3;
        const std::string& target = rng() % 2 ? model[rng() % n] : v;
        Pos got = lp.Find(lp.Seek(static_cast<int64_t>(from)), target, skip);
        size_t expect = SIZE_MAX;
        for (size_t j = from; j < n; j += skip + 1) {
          if (model[j] == target) {
            expect = j;
            break;
          }
        }
        if (expect == SIZE_MAX) {
          ASSERT_EQ(got, Listpack::kNone);
        } else {
          ASSERT_EQ(got, lp.Seek(static_cast<int64_t>(expect)));
        }
      } else if (op == 10) {
        // Split at a random index and merge back (possibly through a clone).
        size_t at = rng() % (n + 1);
        Listpack tail = lp.SplitAt(at);
        ASSERT_EQ(tail.size(), n - at);
        std::vector<std::string> head_model(model.begin(), model.begin() + at);
        ExpectSame(lp, head_model);
        Listpack copy = tail.Clone();
        lp.Merge(std::move(copy));
        ASSERT_TRUE(copy.empty());
      } else {
        // Random index reads from both ends.
        int64_t i = static_cast<int64_t>(rng() % n);
        ASSERT_EQ(At(lp, lp.Seek(i)), model[i]);
        ASSERT_EQ(At(lp, lp.Seek(i - static_cast<int64_t>(n))), model[i]);
        ASSERT_EQ(lp.Seek(static_cast<int64_t>(n)), Listpack::kNone);
        ASSERT_EQ(lp.Seek(-1 - static_cast<int64_t>(n)), Listpack::kNone);
      }
      ASSERT_NO_FATAL_FAILURE(ExpectSame(lp, model)) << "round " << round << " step " << step;
    }
    Listpack clone = lp.Clone();
    ExpectSame(clone, model);
    lp.ShrinkToFit();
    ExpectSame(lp, model);
  }
}

}  // namespace
}  // namespace weir::types
