// types::ZSet and its skiplist, checked against a std::set model through random operations that
// cross the listpack/skiplist conversion.
#include "types/zset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace weir::types {
namespace {

using Pair = std::pair<double, std::string>;

struct Model {
  std::set<Pair> order;
  std::map<std::string, double> scores;

  void Put(const std::string& m, double s) {
    auto it = scores.find(m);
    if (it != scores.end()) order.erase({it->second, m});
    scores[m] = s;
    order.insert({s, m});
  }
  void Erase(const std::string& m) {
    auto it = scores.find(m);
    if (it == scores.end()) return;
    order.erase({it->second, m});
    scores.erase(it);
  }
  std::vector<Pair> All() const { return {order.begin(), order.end()}; }
};

std::vector<Pair> Contents(const ZSet& z) {
  std::vector<Pair> out;
  z.ForEach([&](std::string_view m, double s) { out.emplace_back(s, std::string(m)); });
  return out;
}

std::string RandomMember(std::mt19937_64& rng, size_t max_len) {
  static const char kChars[] = "abcXYZ\x00\xff";
  size_t len = rng() % (max_len + 1);
  std::string s;
  for (size_t i = 0; i < len; ++i) s.push_back(kChars[rng() % (sizeof(kChars) - 1)]);
  return s;
}

double RandomScore(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return std::numeric_limits<double>::infinity();
    case 1:
      return -std::numeric_limits<double>::infinity();
    case 2:
      return 0;
    default:
      return static_cast<double>(static_cast<int>(rng() % 21) - 10) / 2;
  }
}

ScoreRange RandomScoreRange(std::mt19937_64& rng) {
  ScoreRange r;
  r.min = RandomScore(rng);
  r.max = RandomScore(rng);
  if (rng() % 4 == 0) std::swap(r.min, r.max);
  r.min_exclusive = rng() % 2;
  r.max_exclusive = rng() % 2;
  return r;
}

LexBound RandomLexBound(std::mt19937_64& rng, std::string* storage) {
  switch (rng() % 6) {
    case 0:
      return {LexBound::Kind::kMinusInf, true, {}};
    case 1:
      return {LexBound::Kind::kPlusInf, true, {}};
    default:
      *storage = RandomMember(rng, 3);
      return {LexBound::Kind::kValue, static_cast<bool>(rng() % 2), *storage};
  }
}

TEST(ZSkiplistTest, RanksAndSpans) {
  ZSkiplist sl;
  for (int i = 0; i < 1000; ++i) sl.Insert(i % 10, std::to_string(i));
  EXPECT_EQ(sl.size(), 1000u);
  size_t rank = 1;
  for (const ZSkiplist::Node* n = sl.First(); n != nullptr; n = n->next(), ++rank) {
    EXPECT_EQ(sl.RankOf(n), rank);
    EXPECT_EQ(sl.AtRank(rank), n);
    EXPECT_EQ(sl.Find(n->member()), n);
  }
  EXPECT_EQ(sl.AtRank(0), nullptr);
  EXPECT_EQ(sl.AtRank(1001), nullptr);
  EXPECT_EQ(sl.EraseRanks(10, 19), 10u);
  EXPECT_EQ(sl.size(), 990u);
  rank = 1;
  for (const ZSkiplist::Node* n = sl.First(); n != nullptr; n = n->next(), ++rank) {
    ASSERT_EQ(sl.RankOf(n), rank);
  }
}

TEST(ZSkiplistTest, ScanVisitsEveryMemberAcrossResizes) {
  ZSkiplist sl;
  for (int i = 0; i < 500; ++i) sl.Insert(i, "m" + std::to_string(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor =
        sl.Scan(cursor, [&](const ZSkiplist::Node* n) { seen.insert(std::string(n->member())); });
    // Grow and shrink the index between steps with members that come and go.
    if (++step % 7 == 0) {
      for (int i = 0; i < 300; ++i) sl.Insert(-1, "tmp" + std::to_string(i));
    } else if (step % 7 == 3 && sl.Find("tmp0") != nullptr) {
      for (int i = 0; i < 300; ++i) sl.Erase("tmp" + std::to_string(i));
    }
  } while (cursor != 0);
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(seen.count("m" + std::to_string(i))) << i;
}

TEST(ZSetTest, EncodingThresholds) {
  ZSetLimits limits{4, 8};
  auto z = ZSet::Create(1, 1, limits);
  EXPECT_STREQ(z->EncodingName(), "listpack");
  for (int i = 0; i < 4; ++i) z->Add("m" + std::to_string(i), i, 0, limits);
  EXPECT_STREQ(z->EncodingName(), "listpack");
  z->Add("m4", 4, 0, limits);
  EXPECT_STREQ(z->EncodingName(), "skiplist");
  // Never converts back on removal.
  for (int i = 0; i < 4; ++i) z->Remove("m" + std::to_string(i));
  EXPECT_STREQ(z->EncodingName(), "skiplist");

  auto big = ZSet::Create(1, 1, limits);
  big->Add("123456789", 1, 0, limits);  // longer than 8 bytes
  EXPECT_STREQ(big->EncodingName(), "skiplist");
  EXPECT_STREQ(ZSet::Create(5, 1, limits)->EncodingName(), "skiplist");
  EXPECT_STREQ(ZSet::Create(4, 9, limits)->EncodingName(), "skiplist");

  auto small = ZSet::FromPairs({{"a", 2}, {"b", 1}}, limits);
  EXPECT_STREQ(small->EncodingName(), "listpack");
  EXPECT_EQ(Contents(*small), (std::vector<Pair>{{1, "b"}, {2, "a"}}));
  auto many = ZSet::FromPairs({{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}, {"e", 1}}, limits);
  EXPECT_STREQ(many->EncodingName(), "skiplist");
  EXPECT_EQ(Contents(*many).front(), (Pair{1, "a"}));
}

TEST(ZSetTest, ListpackScoresRoundTrip) {
  ZSetLimits limits;
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> scores = {0,
                                      -64,
                                      127,
                                      128,
                                      -65,
                                      255,
                                      -32768,
                                      32767,
                                      1e15,
                                      -1e15,
                                      0.5,
                                      -2.25,
                                      1e300,
                                      -1e-300,
                                      9007199254740993.0,
                                      4.611686018427388e18,
                                      -9.2233720368547758e18,
                                      inf,
                                      -inf,
                                      0.1};
  auto z = ZSet::Create(0, 0, limits);
  for (size_t i = 0; i < scores.size(); ++i) z->Add("m" + std::to_string(i), scores[i], 0, limits);
  ASSERT_STREQ(z->EncodingName(), "listpack");
  for (size_t i = 0; i < scores.size(); ++i)
    EXPECT_EQ(z->Score("m" + std::to_string(i)), scores[i]);
  // Members whose element reads as a canonical integer (score code '1' is -15).
  z->Add("23", -15, 0, limits);
  z->Add("", -15, 0, limits);
  z->Add("0", -16, 0, limits);
  EXPECT_EQ(z->Score("23"), -15);
  EXPECT_EQ(z->Score(""), -15);
  EXPECT_EQ(z->Score("0"), -16);
  EXPECT_EQ(*z->Rank("0", false, nullptr) + 1, *z->Rank("", false, nullptr));
  // -0 reads back as 0 in a listpack, as in Redis.
  z->Add("negzero", -0.0, 0, limits);
  EXPECT_FALSE(std::signbit(*z->Score("negzero")));
}

TEST(ZSetTest, AddFlags) {
  ZSetLimits limits;
  for (size_t entries : {size_t{128}, size_t{0}}) {
    limits.max_listpack_entries = entries;
    auto z = ZSet::Create(0, 0, limits);
    EXPECT_EQ(z->Add("a", 1, 0, limits).outcome, ZAddResult::kAdded);
    EXPECT_EQ(z->Add("a", 1, 0, limits).outcome, ZAddResult::kUnchanged);
    EXPECT_EQ(z->Add("a", 2, kZAddNx, limits).outcome, ZAddResult::kSkipped);
    EXPECT_EQ(z->Add("b", 2, kZAddXx, limits).outcome, ZAddResult::kSkipped);
    EXPECT_EQ(z->Add("a", 0, kZAddGt, limits).outcome, ZAddResult::kSkipped);
    EXPECT_EQ(z->Add("a", 1, kZAddGt, limits).outcome, ZAddResult::kSkipped);
    EXPECT_EQ(z->Add("a", 5, kZAddGt | kZAddXx, limits).outcome, ZAddResult::kUpdated);
    EXPECT_EQ(z->Add("a", 9, kZAddLt, limits).outcome, ZAddResult::kSkipped);
    ZAddResult r = z->Add("a", 2.5, kZAddIncr, limits);
    EXPECT_EQ(r.outcome, ZAddResult::kUpdated);
    EXPECT_EQ(r.score, 7.5);
    r = z->Add("c", 3, kZAddIncr | kZAddGt, limits);  // new members ignore GT
    EXPECT_EQ(r.outcome, ZAddResult::kAdded);
    EXPECT_EQ(r.score, 3);
    EXPECT_EQ(z->Add("c", -1, kZAddIncr | kZAddGt, limits).outcome, ZAddResult::kSkipped);
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(z->Add("d", inf, 0, limits).outcome, ZAddResult::kAdded);
    EXPECT_EQ(z->Add("d", -inf, kZAddIncr, limits).outcome, ZAddResult::kNan);
    EXPECT_EQ(z->Score("d"), inf);
    EXPECT_EQ(z->Add("e", std::nan(""), 0, limits).outcome, ZAddResult::kNan);
    EXPECT_EQ(z->Size(), 3u);
  }
}

TEST(ZSetTest, RandomMembers) {
  ZSetLimits limits{16, 64};
  for (int n : {10, 100}) {
    auto z = ZSet::Create(0, 0, limits);
    for (int i = 0; i < n; ++i) z->Add("m" + std::to_string(i), i, 0, limits);
    for (size_t count : {size_t{1}, size_t{3}, size_t(n / 2), size_t(n - 1)}) {
      std::set<std::string> got;
      size_t calls = 0;
      z->RandomMembers(count, true, [&](std::string_view m, double s) {
        got.insert(std::string(m));
        EXPECT_EQ(z->Score(m), s);
        ++calls;
      });
      EXPECT_EQ(calls, count);
      EXPECT_EQ(got.size(), count);
    }
    std::map<std::string, int> hits;
    z->RandomMembers(20 * n, false, [&](std::string_view m, double) { hits[std::string(m)]++; });
    EXPECT_GT(hits.size(), static_cast<size_t>(n) / 2);
  }
}

// Random operations on a ZSet and the model, comparing every observable.
void RunModelCheck(uint64_t seed, ZSetLimits limits, size_t max_member_len, int ops,
                   bool equal_scores = false) {
  std::mt19937_64 rng(seed);
  Model model;
  auto z = ZSet::Create(0, 0, limits);
  for (int op = 0; op < ops; ++op) {
    const std::string m = RandomMember(rng, max_member_len);
    switch (rng() % 12) {
      case 0:
      case 1:
      case 2: {
        double s = equal_scores ? 1 : RandomScore(rng);
        uint32_t flags = (!equal_scores && rng() % 3 == 0) ? uint32_t{kZAddIncr} : 0u;
        ZAddResult r = z->Add(m, s, flags, limits);
        auto it = model.scores.find(m);
        double want = s;
        if (it != model.scores.end() && (flags & kZAddIncr)) want = it->second + s;
        if (std::isnan(want)) {
          ASSERT_EQ(r.outcome, ZAddResult::kNan);
        } else {
          ASSERT_NE(r.outcome, ZAddResult::kNan);
          ASSERT_EQ(r.outcome == ZAddResult::kAdded, it == model.scores.end());
          model.Put(m, want);
        }
        break;
      }
      case 3: {
        bool had = model.scores.count(m);
        ASSERT_EQ(z->Remove(m), had);
        model.Erase(m);
        break;
      }
      case 4: {
        auto it = model.scores.find(m);
        double score = 0;
        auto rank = z->Rank(m, rng() % 2, &score);
        ASSERT_EQ(rank.has_value(), it != model.scores.end());
        if (rank) {
          ASSERT_EQ(score, it->second);
          auto all = model.All();
          size_t fwd = std::find(all.begin(), all.end(), Pair{it->second, m}) - all.begin();
          auto rev_rank = z->Rank(m, true, nullptr);
          auto fwd_rank = z->Rank(m, false, nullptr);
          ASSERT_EQ(*fwd_rank, fwd);
          ASSERT_EQ(*rev_rank, all.size() - 1 - fwd);
        }
        break;
      }
      case 5: {
        ScoreRange r = RandomScoreRange(rng);
        bool reverse = rng() % 2;
        size_t offset = rng() % 3;
        int64_t limit = static_cast<int64_t>(rng() % 5) - 1;
        std::vector<Pair> want;
        for (const Pair& p : model.order) {
          if (r.Contains(p.first)) want.push_back(p);
        }
        ASSERT_EQ(z->Count(r), want.size());
        if (reverse) std::reverse(want.begin(), want.end());
        want.erase(want.begin(), want.begin() + std::min(offset, want.size()));
        if (limit >= 0 && want.size() > static_cast<size_t>(limit)) want.resize(limit);
        std::vector<Pair> got;
        size_t n = z->VisitRange(r, reverse, offset, limit, [&](std::string_view mm, double s) {
          got.emplace_back(s, std::string(mm));
        });
        ASSERT_EQ(got, want);
        ASSERT_EQ(n, want.size());
        // VisitRangeWhile: the range from its low end, until the visitor says stop.
        std::vector<Pair> forward;
        for (const Pair& p : model.order) {
          if (r.Contains(p.first)) forward.push_back(p);
        }
        const size_t stop = 1 + rng() % 4;
        forward.resize(std::min(forward.size(), stop));
        std::vector<Pair> got_while;
        z->VisitRangeWhile(r, [&](std::string_view mm, double s) {
          got_while.emplace_back(s, std::string(mm));
          return got_while.size() < stop;
        });
        ASSERT_EQ(got_while, forward);
        break;
      }
      case 6: {
        std::string a, b;
        LexRange r{RandomLexBound(rng, &a), RandomLexBound(rng, &b)};
        bool reverse = rng() % 2;
        std::vector<Pair> want;
        for (const Pair& p : model.order) {
          if (r.Contains(p.second)) want.push_back(p);
        }
        // Lex ranges are meaningful when all scores are equal; check the contiguous prefix the
        // set's search finds instead of assuming so.
        std::vector<Pair> got;
        z->VisitRange(r, reverse, 0, -1,
                      [&](std::string_view mm, double s) { got.emplace_back(s, std::string(mm)); });
        bool same_score = true;
        for (const Pair& p : model.order) same_score &= p.first == model.order.begin()->first;
        if (same_score) {
          if (reverse) std::reverse(want.begin(), want.end());
          ASSERT_EQ(got, want);
          ASSERT_EQ(z->Count(r), want.size());
        }
        break;
      }
      case 7: {
        size_t size = model.order.size();
        if (size == 0) break;
        size_t start = rng() % size, end = start + rng() % 4;
        bool reverse = rng() % 2;
        auto all = model.All();
        if (reverse) std::reverse(all.begin(), all.end());
        std::vector<Pair> want(all.begin() + start, all.begin() + std::min(end + 1, size));
        std::vector<Pair> got;
        z->VisitRanks(start, end, reverse,
                      [&](std::string_view mm, double s) { got.emplace_back(s, std::string(mm)); });
        ASSERT_EQ(got, want);
        break;
      }
      case 8: {
        if (rng() % 4 != 0) break;  // removals are rarer, so sets grow past the threshold
        ScoreRange r = RandomScoreRange(rng);
        size_t removed = z->RemoveRange(r);
        size_t want = 0;
        for (auto it = model.order.begin(); it != model.order.end();) {
          if (r.Contains(it->first)) {
            model.scores.erase(it->second);
            it = model.order.erase(it);
            ++want;
          } else {
            ++it;
          }
        }
        ASSERT_EQ(removed, want);
        break;
      }
      case 9: {
        if (rng() % 4 != 0 || model.order.empty()) break;
        size_t start = rng() % model.order.size(), end = start + rng() % 3;
        auto all = model.All();
        size_t want = std::min(end, all.size() - 1) - start + 1;
        for (size_t i = start; i < start + want; ++i) model.Erase(all[i].second);
        ASSERT_EQ(z->RemoveRanks(start, end), want);
        break;
      }
      case 10: {
        if (rng() % 4 != 0) break;
        std::string a, b;
        LexRange r{RandomLexBound(rng, &a), RandomLexBound(rng, &b)};
        bool same_score = true;
        for (const Pair& p : model.order) same_score &= p.first == model.order.begin()->first;
        size_t removed = z->RemoveRange(r);
        if (same_score) {
          size_t want = 0;
          for (auto it = model.order.begin(); it != model.order.end();) {
            if (r.Contains(it->second)) {
              model.scores.erase(it->second);
              it = model.order.erase(it);
              ++want;
            } else {
              ++it;
            }
          }
          ASSERT_EQ(removed, want);
        } else {
          // Mixed scores leave lex ranges unspecified (as in Redis): resynchronise the model.
          model = Model();
          for (const Pair& p : Contents(*z)) model.Put(p.second, p.first);
        }
        break;
      }
      case 11: {
        auto it = model.scores.find(m);
        auto s = z->Score(m);
        ASSERT_EQ(s.has_value(), it != model.scores.end());
        if (s) {
          ASSERT_EQ(*s, it->second);
        }
        break;
      }
    }
    ASSERT_EQ(z->Size(), model.order.size());
    if (op % 50 == 0) {
      ASSERT_EQ(Contents(*z), model.All()) << "op " << op;
      std::unique_ptr<Object> copy(z->Clone());
      ASSERT_EQ(Contents(*static_cast<ZSet*>(copy.get())), model.All());
      ASSERT_STREQ(copy->EncodingName(), z->EncodingName());
    }
    if (model.order.empty() && rng() % 8 == 0) z = ZSet::Create(0, 0, limits);
  }
  ASSERT_EQ(Contents(*z), model.All());
}

// Lex ranges over members whose scores differ (so the set is not in member order). Redis's
// answer is then whatever its walk gives; these reproduce that walk over the set's order for the
// listpack encoding, where it is linear and so deterministic.
struct LexWalk {
  const std::vector<Pair>& all;
  const LexRange& r;

  bool MayHold() const {
    return !r.Empty() && !all.empty() && r.AboveMin(all.back().second) &&
           r.BelowMax(all.front().second);
  }
  // Index of the first member in range as Redis finds it, or -1.
  int First() const {
    if (!MayHold()) return -1;
    for (size_t i = 0; i < all.size(); ++i) {
      if (r.AboveMin(all[i].second)) return r.BelowMax(all[i].second) ? static_cast<int>(i) : -1;
    }
    return -1;
  }
  int Last() const {
    if (!MayHold()) return -1;
    for (size_t i = all.size(); i-- > 0;) {
      if (r.BelowMax(all[i].second)) return r.AboveMin(all[i].second) ? static_cast<int>(i) : -1;
    }
    return -1;
  }
  std::vector<Pair> Visit(bool reverse, size_t offset, int64_t limit) const {
    std::vector<Pair> out;
    int i = reverse ? Last() : First();
    if (i < 0) return out;
    const int step = reverse ? -1 : 1;
    for (; i >= 0 && i < static_cast<int>(all.size()) && offset > 0; --offset) i += step;
    for (; i >= 0 && i < static_cast<int>(all.size()) &&
           (limit < 0 || static_cast<int64_t>(out.size()) < limit);
         i += step) {
      const std::string& m = all[i].second;
      if (reverse ? !r.AboveMin(m) : !r.BelowMax(m)) break;
      out.push_back(all[i]);
    }
    return out;
  }
  size_t Count() const { return Visit(false, 0, -1).size(); }
};

std::vector<Pair> VisitLex(const ZSet& z, const LexRange& r, bool reverse, size_t offset,
                           int64_t limit) {
  std::vector<Pair> out;
  z.VisitRange(r, reverse, offset, limit,
               [&](std::string_view m, double s) { out.emplace_back(s, std::string(m)); });
  return out;
}

// Listpack: every lex operation on a mixed-score set gives exactly Redis's walk.
TEST(ZSetTest, LexRangesOnMixedScoresListpack) {
  std::mt19937_64 rng(7);
  const ZSetLimits limits{128, 64};
  for (int round = 0; round < 3000; ++round) {
    auto z = ZSet::Create(0, 0, limits);
    Model model;
    const size_t n = rng() % 8;
    for (size_t i = 0; i < n; ++i) {
      std::string m = RandomMember(rng, 3);
      double s = RandomScore(rng);
      z->Add(m, s, 0, limits);
      model.Put(m, s);
    }
    ASSERT_TRUE(z->is_listpack());
    const std::vector<Pair> all = model.All();
    for (int q = 0; q < 10; ++q) {
      std::string a, b;
      LexRange r{RandomLexBound(rng, &a), RandomLexBound(rng, &b)};
      LexWalk walk{all, r};
      bool reverse = rng() % 2;
      size_t offset = rng() % 3;
      int64_t limit = static_cast<int64_t>(rng() % 5) - 1;
      ASSERT_EQ(z->Count(r), walk.Count());
      ASSERT_EQ(VisitLex(*z, r, reverse, offset, limit), walk.Visit(reverse, offset, limit));
    }
    std::string a, b;
    LexRange r{RandomLexBound(rng, &a), RandomLexBound(rng, &b)};
    LexWalk walk{all, r};
    std::vector<Pair> removed = walk.Visit(false, 0, -1);
    ASSERT_EQ(z->RemoveRange(r), removed.size());
    for (const Pair& p : removed) model.Erase(p.second);
    ASSERT_EQ(Contents(*z), model.All());
  }
}

// Skiplist: the walk depends on the nodes' random heights (in Redis too), so check what always
// holds: nothing reads outside the list, the members returned are a run of consecutive members
// from one in range, each on the right side of the bound walked towards, the count is Redis's rank
// arithmetic, and a removal takes out such a run.
TEST(ZSetTest, LexRangesOnMixedScoresSkiplist) {
  std::mt19937_64 rng(8);
  const ZSetLimits limits{0, 0};
  for (int round = 0; round < 3000; ++round) {
    auto z = ZSet::Create(0, 0, limits);
    z->ConvertToSkiplist();  // an empty set stays a listpack until its first member
    Model model;
    const size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      std::string m = RandomMember(rng, 3);
      double s = RandomScore(rng);
      z->Add(m, s, 0, limits);
      model.Put(m, s);
    }
    ASSERT_FALSE(z->is_listpack());
    const std::vector<Pair> all = model.All();
    auto index_of = [&](const Pair& p) {
      return std::find(all.begin(), all.end(), p) - all.begin();
    };
    for (int q = 0; q < 10; ++q) {
      std::string a, b;
      LexRange r{RandomLexBound(rng, &a), RandomLexBound(rng, &b)};
      bool reverse = rng() % 2;
      std::vector<Pair> got = VisitLex(*z, r, reverse, 0, -1);
      for (size_t i = 0; i < got.size(); ++i) {
        // The walk starts in range and then checks only the end it walks towards (as Redis).
        if (i == 0) {
          ASSERT_TRUE(r.Contains(got[i].second));
        }
        ASSERT_TRUE(reverse ? r.AboveMin(got[i].second) : r.BelowMax(got[i].second));
        if (i > 0) {
          ASSERT_EQ(index_of(got[i]), index_of(got[i - 1]) + (reverse ? -1 : 1));
        }
      }
      std::vector<Pair> first = VisitLex(*z, r, false, 0, -1);
      std::vector<Pair> last = VisitLex(*z, r, true, 0, -1);
      size_t want = 0;
      if (!first.empty()) {
        want = all.size() - index_of(first.front());
        if (!last.empty()) want -= all.size() - 1 - index_of(last.front());
      }
      ASSERT_EQ(z->Count(r), want);
    }
    std::string a, b;
    LexRange r{RandomLexBound(rng, &a), RandomLexBound(rng, &b)};
    size_t removed = z->RemoveRange(r);
    std::vector<Pair> left = Contents(*z);
    ASSERT_EQ(left.size() + removed, all.size());
    // What is left is the list with one run of in-range members cut out.
    size_t i = 0;
    while (i < left.size() && left[i] == all[i]) ++i;
    for (size_t j = i; j < i + removed; ++j) {
      ASSERT_TRUE(j == i ? r.Contains(all[j].second) : r.BelowMax(all[j].second));
    }
    for (size_t j = i; j < left.size(); ++j) ASSERT_EQ(left[j], all[j + removed]);
  }
}

TEST(ZSetTest, ModelSmallListpack) { RunModelCheck(1, {8, 4}, 3, 20000); }
TEST(ZSetTest, ModelDefaultLimits) { RunModelCheck(2, {128, 64}, 4, 20000); }
TEST(ZSetTest, ModelSkiplistOnly) { RunModelCheck(3, {0, 0}, 5, 20000); }
TEST(ZSetTest, ModelLongMembers) { RunModelCheck(4, {64, 2}, 3, 20000); }
// Equal scores: lexicographic ranges are fully specified.
TEST(ZSetTest, ModelLexListpack) { RunModelCheck(5, {128, 64}, 4, 20000, true); }
TEST(ZSetTest, ModelLexSkiplist) { RunModelCheck(6, {0, 0}, 4, 20000, true); }

}  // namespace
}  // namespace weir::types
