// Unit tests for src/types/intset: widths and widening, inline room and the heap block, and a
// randomised comparison against std::set over many operation mixes.
#include "types/intset.h"

#include <gtest/gtest.h>

#include <memory>
#include <new>
#include <random>
#include <set>
#include <vector>

#include "common/memory.h"

namespace weir::types {
namespace {

// An IntSet placed at the start of an owned buffer with `inline_bytes` of inline room, as an
// owner such as types::Set places it.
class Placed {
 public:
  explicit Placed(size_t inline_bytes)
      : buf_(new unsigned char[IntSet::FootprintFor(inline_bytes)]),
        set_(new (buf_.get()) IntSet(inline_bytes)) {}
  ~Placed() { set_->~IntSet(); }
  IntSet& operator*() { return *set_; }
  IntSet* operator->() { return set_; }

 private:
  std::unique_ptr<unsigned char[]> buf_;
  IntSet* set_;
};

std::vector<int64_t> Contents(const IntSet& s) {
  std::vector<int64_t> out;
  s.ForEach([&](int64_t v) { out.push_back(v); });
  return out;
}

void ExpectSame(const IntSet& s, const std::set<int64_t>& model) {
  ASSERT_EQ(s.size(), model.size());
  std::vector<int64_t> want(model.begin(), model.end());
  EXPECT_EQ(Contents(s), want);
  for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(s.At(i), want[i]);
  if (!want.empty()) {
    EXPECT_EQ(s.Min(), want.front());
    EXPECT_EQ(s.Max(), want.back());
  }
}

TEST(IntSetTest, WidthFor) {
  EXPECT_EQ(IntSet::WidthFor(0), 2);
  EXPECT_EQ(IntSet::WidthFor(32767), 2);
  EXPECT_EQ(IntSet::WidthFor(-32768), 2);
  EXPECT_EQ(IntSet::WidthFor(32768), 4);
  EXPECT_EQ(IntSet::WidthFor(-32769), 4);
  EXPECT_EQ(IntSet::WidthFor(INT32_MAX), 4);
  EXPECT_EQ(IntSet::WidthFor(INT32_MIN), 4);
  EXPECT_EQ(IntSet::WidthFor(int64_t{INT32_MAX} + 1), 8);
  EXPECT_EQ(IntSet::WidthFor(INT64_MIN), 8);
  EXPECT_EQ(IntSet::WidthFor(INT64_MAX), 8);
}

TEST(IntSetTest, EmptySet) {
  IntSet s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.width(), 2);
  EXPECT_FALSE(s.Contains(0));
  EXPECT_FALSE(s.Erase(0));
  EXPECT_EQ(s.LowerBound(5), 0u);
  EXPECT_EQ(s.HeapBytes(), 0u);
}

TEST(IntSetTest, InsertKeepsOrderAndRefusesDuplicates) {
  IntSet s;
  EXPECT_TRUE(s.Insert(5));
  EXPECT_TRUE(s.Insert(6));
  EXPECT_TRUE(s.Insert(4));
  EXPECT_TRUE(s.Insert(4000));
  EXPECT_FALSE(s.Insert(5));
  EXPECT_FALSE(s.Insert(4000));
  EXPECT_EQ(Contents(s), (std::vector<int64_t>{4, 5, 6, 4000}));
  EXPECT_EQ(s.width(), 2);
  EXPECT_TRUE(s.Contains(6));
  EXPECT_FALSE(s.Contains(7));
  EXPECT_EQ(s.LowerBound(5), 1u);
  EXPECT_EQ(s.LowerBound(7), 3u);
  EXPECT_EQ(s.LowerBound(5000), 4u);
}

TEST(IntSetTest, WideningPrependsAndAppends) {
  IntSet s;
  for (int64_t v : {32, 16, 8}) s.Insert(v);
  s.Insert(65535);  // above every element: appended at width 4
  EXPECT_EQ(s.width(), 4);
  EXPECT_EQ(Contents(s), (std::vector<int64_t>{8, 16, 32, 65535}));
  s.Insert(-4294967295LL);  // below every element: prepended at width 8
  EXPECT_EQ(s.width(), 8);
  EXPECT_EQ(Contents(s), (std::vector<int64_t>{-4294967295LL, 8, 16, 32, 65535}));
  // Removing the wide values keeps the width (Redis never narrows).
  s.Erase(-4294967295LL);
  s.Erase(65535);
  EXPECT_EQ(s.width(), 8);
  EXPECT_EQ(Contents(s), (std::vector<int64_t>{8, 16, 32}));
  // A value wider than every stored element is simply absent.
  IntSet t;
  t.Insert(1);
  EXPECT_FALSE(t.Contains(1LL << 40));
  EXPECT_FALSE(t.Erase(1LL << 40));
}

TEST(IntSetTest, ExtremeValues) {
  IntSet s;
  for (int64_t v : {INT64_MAX, INT64_MIN, int64_t{0}, int64_t{-1}, int64_t{INT32_MIN}}) {
    EXPECT_TRUE(s.Insert(v));
  }
  EXPECT_EQ(Contents(s), (std::vector<int64_t>{INT64_MIN, INT32_MIN, -1, 0, INT64_MAX}));
  EXPECT_TRUE(s.Contains(INT64_MIN));
  EXPECT_TRUE(s.Contains(INT64_MAX));
}

TEST(IntSetTest, InlineRoomThenHeapThenBackInline) {
  Placed s(20);  // ten 2-byte elements inline
  EXPECT_EQ(s->inline_bytes(), 20u);
  for (int64_t v = 1; v <= 10; ++v) s->Insert(v);
  EXPECT_FALSE(s->on_heap());
  EXPECT_EQ(s->HeapBytes(), 0u);
  s->Insert(11);
  EXPECT_TRUE(s->on_heap());
  EXPECT_GT(s->HeapBytes(), 0u);
  EXPECT_EQ(s->size(), 11u);
  s->Erase(3);
  EXPECT_FALSE(s->on_heap());
  EXPECT_EQ(Contents(*s), (std::vector<int64_t>{1, 2, 4, 5, 6, 7, 8, 9, 10, 11}));
  // Widening past the inline room moves to the heap too.
  s->Insert(1LL << 40);
  EXPECT_TRUE(s->on_heap());
  EXPECT_EQ(s->width(), 8);
  EXPECT_EQ(s->Max(), 1LL << 40);
}

TEST(IntSetTest, InlineBytesAreClamped) {
  EXPECT_EQ(IntSet::InlineBytesFor(0), IntSet::kMinInlineBytes);
  EXPECT_EQ(IntSet::InlineBytesFor(IntSet::FootprintFor(30)), 30u);
  EXPECT_EQ(IntSet::InlineBytesFor(100000), IntSet::kMaxInlineBytes);
}

TEST(IntSetTest, ForEachStopsEarly) {
  IntSet s;
  for (int64_t v = 0; v < 100; ++v) s.Insert(v);
  int seen = 0;
  s.ForEach([&](int64_t v) {
    ++seen;
    return v < 9;
  });
  EXPECT_EQ(seen, 10);
}

TEST(IntSetTest, CopyFromCopiesElementsAndWidth) {
  Placed a(40);
  for (int64_t v : {7, -70000, 3}) a->Insert(v);
  Placed b(8);
  b->Insert(1);
  b->CopyFrom(*a);
  EXPECT_EQ(b->width(), 4);
  EXPECT_EQ(Contents(*b), Contents(*a));
  Placed c(200);
  IntSet big;
  for (int64_t v = 0; v < 1000; ++v) big.Insert(v * 3);
  c->CopyFrom(big);
  EXPECT_EQ(Contents(*c), Contents(big));
  c->CopyFrom(*a);  // from heap back to inline
  EXPECT_FALSE(c->on_heap());
  EXPECT_EQ(Contents(*c), Contents(*a));
}

TEST(IntSetTest, FreesEverything) {
  int64_t before = mem::UsedMemory();
  {
    IntSet s;
    for (int64_t v = 0; v < 5000; ++v) s.Insert(v * 7919 % 100003);
    for (int64_t v = 0; v < 4990; ++v) s.Erase(v * 7919 % 100003);
    EXPECT_EQ(s.size(), 10u);
  }
  {
    IntSet s;
    for (int64_t v = 0; v < 5000; ++v) s.Insert(v);
    s.Clear();
    EXPECT_TRUE(s.empty());
    EXPECT_FALSE(s.on_heap());
  }
  EXPECT_EQ(mem::UsedMemory(), before);
}

// Random operation mixes against std::set, over several inline rooms and value ranges (so
// that sets start narrow and widen at random moments).
TEST(IntSetTest, RandomisedAgainstStdSet) {
  std::mt19937_64 rng(12345);
  const int64_t ranges[] = {50, 40000, 3000000000LL, INT64_MAX};
  for (size_t room : {8, 20, 64, 255}) {
    for (int round = 0; round < 30; ++round) {
      Placed s(room);
      std::set<int64_t> model;
      int ops = 200 + static_cast<int>(rng() % 2000);
      for (int i = 0; i < ops; ++i) {
        // The value range grows over time, so widening happens mid-sequence.
        int64_t range = ranges[std::min<size_t>(3, (i * 4 / ops + rng() % 2))];
        int64_t v = static_cast<int64_t>(rng() % static_cast<uint64_t>(range));
        if (rng() % 2) v = -v;
        switch (rng() % 4) {
          case 0:
          case 1:
            ASSERT_EQ(s->Insert(v), model.insert(v).second);
            break;
          case 2:
            ASSERT_EQ(s->Erase(v), model.erase(v) == 1);
            break;
          case 3: {
            // Erase an existing element, so sets also shrink.
            if (model.empty()) break;
            auto it = model.begin();
            std::advance(it, rng() % model.size());
            int64_t x = *it;
            model.erase(it);
            ASSERT_TRUE(s->Erase(x));
            break;
          }
        }
        ASSERT_EQ(s->Contains(v), model.count(v) == 1);
        if (i % 64 == 0) ExpectSame(*s, model);
      }
      ExpectSame(*s, model);
      // The width is the narrowest one that fits what was ever inserted, so at least the
      // narrowest that fits what is there now.
      for (int64_t v : model) ASSERT_LE(IntSet::WidthFor(v), s->width());
    }
  }
}

}  // namespace
}  // namespace weir::types
