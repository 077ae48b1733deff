// Unit tests for src/types/set: Redis 7.2's encoding rules (predicted by a small model and
// checked after every operation), contents against std::set across conversions, the random
// member algorithms, and memory (one 32-byte object for ten small integers, nothing leaked).
#include "types/set.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/memory.h"
#include "common/numbers.h"

namespace weir::types {
namespace {

using Enc = Set::Encoding;

uint64_t TestRng() {
  static std::mt19937_64 rng(99);
  return rng();
}

struct Deleter {
  void operator()(Set* s) const { delete s; }
};
using SetPtr = std::unique_ptr<Set, Deleter>;

std::set<std::string> Contents(const Set& s) {
  std::set<std::string> out;
  char buf[Set::kIntBufSize];
  s.ForEach(
      [&](const SetMember& m) { EXPECT_TRUE(out.insert(std::string(m.ToString(buf))).second); });
  return out;
}

bool IsInt(const std::string& s) {
  int64_t v;
  return ParseInt64(s, &v);
}

// Redis's rules, as a model: which encoding a set should have after adding `member` (absent)
// to a set of `model` (before) in encoding `enc`.
Enc PredictAdd(Enc enc, const std::set<std::string>& model, const std::string& member,
               const SetLimits& l) {
  const size_t n = model.size();
  switch (enc) {
    case Enc::kIntset: {
      if (IsInt(member))
        return n + 1 > std::min<size_t>(l.max_intset_entries, 1u << 30) ? Enc::kHashtable
                                                                        : Enc::kIntset;
      size_t longest = 0;
      if (n > 0) {
        std::vector<int64_t> v;
        for (const std::string& m : model) {
          int64_t x;
          ParseInt64(m, &x);
          v.push_back(x);
        }
        std::sort(v.begin(), v.end());
        longest = std::max(std::to_string(v.front()).size(), std::to_string(v.back()).size());
      }
      if (n < l.max_listpack_entries && member.size() <= l.max_listpack_value &&
          longest <= l.max_listpack_value) {
        // Converted to a listpack, then the member appended (it fits by the same checks).
        return Enc::kListpack;
      }
      return Enc::kHashtable;
    }
    case Enc::kListpack:
      return n < l.max_listpack_entries && member.size() <= l.max_listpack_value ? Enc::kListpack
                                                                                 : Enc::kHashtable;
    case Enc::kHashtable:
      return Enc::kHashtable;
  }
  return enc;
}

TEST(SetTest, CreatePicksEncodingLikeRedis) {
  SetLimits l;
  EXPECT_EQ(SetPtr(Set::Create("12", 1, l))->encoding(), Enc::kIntset);
  EXPECT_EQ(SetPtr(Set::Create("12", 512, l))->encoding(), Enc::kIntset);
  EXPECT_EQ(SetPtr(Set::Create("12", 513, l))->encoding(), Enc::kHashtable);
  EXPECT_EQ(SetPtr(Set::Create("a", 128, l))->encoding(), Enc::kListpack);
  EXPECT_EQ(SetPtr(Set::Create("a", 129, l))->encoding(), Enc::kHashtable);
  EXPECT_EQ(SetPtr(Set::Create("012", 1, l))->encoding(), Enc::kListpack);
  EXPECT_STREQ(SetPtr(Set::NewIntset())->EncodingName(), "intset");
  EXPECT_STREQ(SetPtr(Set::NewListpack())->EncodingName(), "listpack");
  EXPECT_STREQ(SetPtr(Set::NewHashtable())->EncodingName(), "hashtable");
}

TEST(SetTest, TenSmallIntegersAreOneSmallAllocation) {
#ifdef WEIR_SANITIZE
  GTEST_SKIP() << "sizes are mimalloc's size classes";
#endif
  SetLimits l;
  int64_t before = mem::UsedMemory();
  SetPtr s(Set::Create("1", 10, l));
  for (int i = 1; i <= 10; ++i) EXPECT_TRUE(s->Add(std::to_string(i), l));
  EXPECT_EQ(s->encoding(), Enc::kIntset);
  EXPECT_EQ(s->MemoryUsage(), 32u);
  EXPECT_EQ(mem::UsedMemory() - before, 32);
  // Added one at a time from a set created for one member: the same.
  SetPtr t(Set::Create("1", 1, l));
  for (int i = 1; i <= 10; ++i) EXPECT_TRUE(t->Add(std::to_string(i), l));
  EXPECT_EQ(t->MemoryUsage(), 32u);
  // More members move to a heap block and back.
  for (int i = 11; i <= 40; ++i) t->Add(std::to_string(i), l);
  EXPECT_GT(t->MemoryUsage(), 32u);
  for (int i = 11; i <= 40; ++i) t->Remove(std::to_string(i));
  EXPECT_EQ(t->MemoryUsage(), 32u);
}

TEST(SetTest, MembershipAcrossRepresentations) {
  SetLimits l;
  for (Set* raw : {Set::NewIntset(), Set::NewListpack(), Set::NewHashtable()}) {
    SetPtr s(raw);
    EXPECT_TRUE(s->Add("5", l));
    EXPECT_FALSE(s->Add("5", l));
    SetMember five;
    five.num = 5;
    five.is_int = true;
    EXPECT_TRUE(s->Contains(five));
    EXPECT_FALSE(s->Add(five, l));
    EXPECT_TRUE(s->Contains("5"));
    EXPECT_FALSE(s->Contains("05"));
    EXPECT_FALSE(s->Contains("+5"));
    EXPECT_TRUE(s->Remove(five));
    EXPECT_FALSE(s->Remove("5"));
    EXPECT_EQ(s->Size(), 0u);
  }
}

TEST(SetTest, PrepareForAddsConvertsBigBatches) {
  SetLimits l{4, 3, 64};
  SetPtr i(Set::NewIntset());
  i->Add("1", l);
  i->PrepareForAdds(4, l);
  EXPECT_EQ(i->encoding(), Enc::kIntset);
  i->PrepareForAdds(5, l);
  EXPECT_EQ(i->encoding(), Enc::kHashtable);
  EXPECT_TRUE(i->Contains("1"));
  SetPtr p(Set::NewListpack());
  p->Add("a", l);
  p->PrepareForAdds(4, l);
  EXPECT_EQ(p->encoding(), Enc::kHashtable);
}

TEST(SetTest, MaybeConvertToIntset) {
  SetLimits l;
  SetPtr s(Set::NewListpack());
  for (const char* m : {"3", "1", "2"}) s->Add(m, l);
  s->MaybeConvertToIntset(l);
  EXPECT_EQ(s->encoding(), Enc::kIntset);
  EXPECT_EQ(Contents(*s), (std::set<std::string>{"1", "2", "3"}));
  SetPtr h(Set::NewHashtable());
  for (int i = 0; i < 300; ++i) h->Add(std::to_string(i * 1000), l);
  h->MaybeConvertToIntset(l);
  EXPECT_EQ(h->encoding(), Enc::kIntset);
  EXPECT_EQ(h->Size(), 300u);
  SetPtr mixed(Set::NewListpack());
  mixed->Add("1", l);
  mixed->Add("x", l);
  mixed->MaybeConvertToIntset(l);
  EXPECT_EQ(mixed->encoding(), Enc::kListpack);
  SetLimits tiny{2, 128, 64};
  SetPtr big(Set::NewListpack());
  for (const char* m : {"1", "2", "3"}) big->Add(m, tiny);
  big->MaybeConvertToIntset(tiny);
  EXPECT_EQ(big->encoding(), Enc::kListpack);
}

TEST(SetTest, CloneAndReplaceWith) {
  SetLimits l;
  std::vector<SetPtr> sets;
  sets.emplace_back(Set::NewIntset());
  sets.emplace_back(Set::NewListpack());
  sets.emplace_back(Set::NewHashtable());
  for (auto& s : sets) {
    for (int i = 0; i < 50; ++i) s->Add(std::to_string(i * 7), l);
    if (s->encoding() == Enc::kListpack) s->Add("x", l);
  }
  for (auto& s : sets) {
    SetPtr copy(static_cast<Set*>(s->Clone()));
    EXPECT_EQ(copy->encoding(), s->encoding());
    EXPECT_EQ(Contents(*copy), Contents(*s));
    copy->Add("new", l);
    EXPECT_FALSE(s->Contains("new"));
  }
  for (auto& target : sets) {
    for (auto& source : sets) {
      SetPtr t(static_cast<Set*>(target->Clone()));
      Set* src = static_cast<Set*>(source->Clone());
      std::set<std::string> want = Contents(*src);
      Enc want_enc = src->encoding();
      t->ReplaceWith(src);
      EXPECT_EQ(t->encoding(), want_enc);
      EXPECT_EQ(Contents(*t), want);
    }
  }
}

TEST(SetTest, RandomMembers) {
  SetLimits l;
  for (int kind = 0; kind < 3; ++kind) {
    SetPtr s(kind == 0 ? Set::NewIntset() : kind == 1 ? Set::NewListpack() : Set::NewHashtable());
    for (int i = 0; i < 100; ++i)
      s->Add(kind == 0 ? std::to_string(i) : "m" + std::to_string(i), l);
    const std::set<std::string> all = Contents(*s);
    char buf[Set::kIntBufSize];
    std::map<std::string, int> hist;
    s->RandomMembers(10000, TestRng, [&](const SetMember& m) {
      std::string v(m.ToString(buf));
      ASSERT_TRUE(all.count(v));
      ++hist[v];
    });
    EXPECT_EQ(hist.size(), 100u);
    for (size_t count : {1, 5, 30, 40, 99}) {
      std::set<std::string> got;
      size_t calls = 0;
      s->DistinctRandomMembers(count, TestRng, [&](const SetMember& m) {
        ++calls;
        std::string v(m.ToString(buf));
        ASSERT_TRUE(all.count(v));
        got.insert(v);
      });
      EXPECT_EQ(calls, count);
      EXPECT_EQ(got.size(), count);
    }
  }
}

TEST(SetTest, PopRandomMembersBothStrategies) {
  SetLimits l;
  for (int kind = 0; kind < 3; ++kind) {
    for (size_t count : {1, 3, 10, 16, 19}) {
      SetPtr s(kind == 0 ? Set::NewIntset() : kind == 1 ? Set::NewListpack() : Set::NewHashtable());
      for (int i = 0; i < 20; ++i) s->Add(std::to_string(i), l);
      const std::set<std::string> before = Contents(*s);
      std::set<std::string> popped;
      char buf[Set::kIntBufSize];
      s->PopRandomMembers(count, l, TestRng, [&](const SetMember& m) {
        EXPECT_TRUE(popped.insert(std::string(m.ToString(buf))).second);
      });
      EXPECT_EQ(popped.size(), count);
      std::set<std::string> left = Contents(*s);
      EXPECT_EQ(left.size(), 20 - count);
      for (const std::string& p : popped) EXPECT_FALSE(left.count(p));
      left.insert(popped.begin(), popped.end());
      EXPECT_EQ(left, before);
    }
  }
  // PopRandom empties a set one member at a time.
  SetPtr s(Set::NewListpack());
  for (const char* m : {"a", "1", "b"}) s->Add(m, l);
  std::set<std::string> got;
  while (s->Size() > 0) got.insert(s->PopRandom(TestRng));
  EXPECT_EQ(got, (std::set<std::string>{"1", "a", "b"}));
}

// Random operations against std::set, with random limits, checking the encoding Redis's rules
// give after every step.
TEST(SetTest, RandomisedAgainstModel) {
  std::mt19937_64 rng(4242);
  int64_t before = mem::UsedMemory();
  for (int round = 0; round < 300; ++round) {
    SetLimits l{1 + rng() % 40, 1 + rng() % 20, 1 + rng() % 12};
    auto random_member = [&]() -> std::string {
      switch (rng() % 6) {
        case 0:
          return std::to_string(static_cast<int64_t>(rng() % 200) - 100);
        case 1:
          return std::to_string(static_cast<int64_t>(rng()));
        case 2:
          return std::to_string(rng() % 100000);
        case 3:
          return "s" + std::to_string(rng() % 50);
        case 4:
          return std::string(1 + rng() % 16, static_cast<char>('a' + rng() % 3));
        default:
          return rng() % 2 ? "0" + std::to_string(rng() % 9) : "-0";
      }
    };
    std::string first = random_member();
    size_t hint = 1 + rng() % 30;
    SetPtr s(Set::Create(first, hint, l));
    std::set<std::string> model;
    Enc expected = s->encoding();
    for (int op = 0; op < 200; ++op) {
      std::string m = random_member();
      switch (rng() % 5) {
        case 0:
        case 1:
        case 2: {
          bool absent = !model.count(m);
          if (absent) expected = PredictAdd(expected, model, m, l);
          ASSERT_EQ(s->Add(m, l), absent);
          model.insert(m);
          break;
        }
        case 3:
          ASSERT_EQ(s->Remove(m), model.erase(m) == 1);
          break;
        case 4: {
          SetMember sm;
          int64_t v;
          if (ParseInt64(m, &v)) {
            sm.num = v;
            sm.is_int = true;
          } else {
            sm.str = m;
          }
          ASSERT_EQ(s->Contains(sm), model.count(m) == 1);
          break;
        }
      }
      ASSERT_EQ(s->Size(), model.size());
      ASSERT_EQ(s->encoding(), expected) << "round " << round << " op " << op << " member " << m;
    }
    ASSERT_EQ(Contents(*s), model);
    for (const std::string& m : model) ASSERT_TRUE(s->Contains(m));
  }
  EXPECT_EQ(mem::UsedMemory(), before);
}

TEST(SetTest, ScanVisitsEveryMember) {
  SetLimits l;
  SetPtr s(Set::NewHashtable());
  for (int i = 0; i < 5000; ++i) s->Add("m" + std::to_string(i), l);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = s->Scan(cursor, [&](const SetMember& m) { seen.insert(std::string(m.str)); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 5000u);
}

}  // namespace
}  // namespace weir::types
