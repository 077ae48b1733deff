// Unit tests for src/types/lcs: Redis 7.2 string.tcl LCS vectors plus randomized checks against
// a naive DP and structural properties of the reported ranges.
#include "types/lcs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace weir::types {
namespace {

using std::string;

const char* kRna1 =
    "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGG"
    "CTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCT"
    "GCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
const char* kRna2 =
    "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTG"
    "GCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTAT"
    "CTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
const char* kRnaLcs =
    "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGC"
    "TGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTG"
    "CTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

LcsMatch M(uint32_t as, uint32_t ae, uint32_t bs, uint32_t be) {
  return LcsMatch{as, ae, bs, be, ae - as + 1};
}

LcsOptions Idx(int64_t min_match_len = 0) {
  LcsOptions o;
  o.want_matches = true;
  o.min_match_len = min_match_len;
  return o;
}

LcsOptions LenOnly() {
  LcsOptions o;
  o.want_string = false;
  return o;
}

// Textbook DP indexed from the ends of the strings (suffixes), so it shares no code shape with
// the implementation under test.
uint32_t NaiveLcsLength(const string& a, const string& b) {
  std::vector<std::vector<uint32_t>> t(a.size() + 2, std::vector<uint32_t>(b.size() + 2, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      t[i][j] = a[i] == b[j] ? t[i + 1][j + 1] + 1 : std::max(t[i + 1][j], t[i][j + 1]);
    }
  }
  return t[0][0];
}

bool IsSubsequence(const string& sub, const string& s) {
  size_t k = 0;
  for (char c : s) {
    if (k < sub.size() && sub[k] == c) ++k;
  }
  return k == sub.size();
}

TEST(LcsTest, RedisSuiteBasicAndLen) {
  const LcsResult r = ComputeLcs(kRna1, kRna2);
  ASSERT_EQ(r.status, LcsStatus::kOk);
  EXPECT_EQ(r.lcs, kRnaLcs);
  EXPECT_EQ(r.length, string(kRnaLcs).size());
  EXPECT_TRUE(r.matches.empty());

  const LcsResult len = ComputeLcs(kRna1, kRna2, LenOnly());
  ASSERT_EQ(len.status, LcsStatus::kOk);
  EXPECT_EQ(len.length, 227u);
  EXPECT_TRUE(len.lcs.empty());
}

TEST(LcsTest, RedisSuiteIndexes) {
  const LcsResult r = ComputeLcs(kRna1, kRna2, Idx());
  ASSERT_EQ(r.status, LcsStatus::kOk);
  const std::vector<LcsMatch> expected = {M(238, 238, 239, 239), M(236, 236, 238, 238),
                                          M(229, 230, 236, 237), M(224, 224, 235, 235),
                                          M(1, 222, 13, 234)};
  EXPECT_EQ(r.matches, expected);
  EXPECT_EQ(r.matches[2].length, 2u);
  EXPECT_EQ(r.matches[4].length, 222u);
  EXPECT_EQ(r.length, 227u);

  const LcsResult filtered = ComputeLcs(kRna1, kRna2, Idx(5));
  ASSERT_EQ(filtered.matches.size(), 1u);
  EXPECT_EQ(filtered.matches[0], M(1, 222, 13, 234));
  EXPECT_EQ(filtered.length, 227u);
}

TEST(LcsTest, DocumentationExample) {
  const LcsResult r = ComputeLcs("ohmytext", "mynewtext", Idx());
  EXPECT_EQ(r.lcs, "mytext");
  EXPECT_EQ(r.length, 6u);
  const std::vector<LcsMatch> expected = {M(4, 7, 5, 8), M(2, 3, 0, 1)};
  EXPECT_EQ(r.matches, expected);
  const LcsResult min4 = ComputeLcs("ohmytext", "mynewtext", Idx(4));
  EXPECT_EQ(min4.matches, std::vector<LcsMatch>{M(4, 7, 5, 8)});
  // Negative MINMATCHLEN behaves as 0.
  EXPECT_EQ(ComputeLcs("ohmytext", "mynewtext", Idx(-3)).matches, expected);
}

TEST(LcsTest, TieBreakMatchesRedis) {
  // On equal neighbours Redis steps left (in b), so "ab" vs "ba" yields "b", not "a".
  const LcsResult r = ComputeLcs("ab", "ba", Idx());
  EXPECT_EQ(r.lcs, "b");
  EXPECT_EQ(r.matches, std::vector<LcsMatch>{M(1, 1, 0, 0)});
  EXPECT_EQ(ComputeLcs("ba", "ab").lcs, "a");
}

TEST(LcsTest, EmptyAndIdentical) {
  for (const auto& [a, b] :
       std::vector<std::pair<string, string>>{{"", ""}, {"abc", ""}, {"", "abc"}, {"abc", "xyz"}}) {
    const LcsResult r = ComputeLcs(a, b, Idx());
    EXPECT_EQ(r.status, LcsStatus::kOk);
    EXPECT_EQ(r.length, 0u);
    EXPECT_EQ(r.lcs, "");
    EXPECT_TRUE(r.matches.empty());
  }
  const LcsResult same = ComputeLcs("hello", "hello", Idx());
  EXPECT_EQ(same.lcs, "hello");
  EXPECT_EQ(same.matches, std::vector<LcsMatch>{M(0, 4, 0, 4)});
  // Binary-safe: NUL bytes are ordinary characters.
  const LcsResult bin = ComputeLcs(string("a\0b", 3), string("\0b", 2));
  EXPECT_EQ(bin.lcs, string("\0b", 2));
}

TEST(LcsTest, TableLimit) {
  LcsOptions o;
  o.max_table_bytes = 4 * 4 * 6;  // (3 + 1) * (5 + 1) cells of 4 bytes: exactly allowed.
  EXPECT_EQ(ComputeLcs("abc", "abcde", o).status, LcsStatus::kOk);
  o.max_table_bytes -= 1;
  EXPECT_EQ(ComputeLcs("abc", "abcde", o).status, LcsStatus::kTableTooLarge);
  // LEN is held to the same limit as Redis, even though it needs less memory here.
  LcsOptions len = LenOnly();
  len.max_table_bytes = o.max_table_bytes;
  EXPECT_EQ(ComputeLcs("abc", "abcde", len).status, LcsStatus::kTableTooLarge);
}

TEST(LcsTest, RandomAgainstNaiveAndRangeProperties) {
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 3000; ++iter) {
    const int alphabet = 1 + static_cast<int>(rng() % 4);
    auto gen = [&](size_t n) {
      string s(n, 'a');
      for (auto& c : s) c = static_cast<char>('a' + rng() % alphabet);
      return s;
    };
    const string a = gen(rng() % 40);
    const string b = gen(rng() % 40);
    const uint32_t expected_len = NaiveLcsLength(a, b);

    const LcsResult full = ComputeLcs(a, b, Idx());
    ASSERT_EQ(full.status, LcsStatus::kOk);
    ASSERT_EQ(full.length, expected_len) << a << " / " << b;
    ASSERT_EQ(full.lcs.size(), expected_len);
    ASSERT_TRUE(IsSubsequence(full.lcs, a) && IsSubsequence(full.lcs, b)) << a << " / " << b;
    ASSERT_EQ(ComputeLcs(a, b, LenOnly()).length, expected_len);
    ASSERT_EQ(ComputeLcs(a, b).lcs, full.lcs);

    // Ranges are listed back to front, disjoint, equal in both strings, and together spell the
    // LCS (read in reverse order).
    string spelled;
    uint32_t total = 0;
    for (size_t k = 0; k < full.matches.size(); ++k) {
      const LcsMatch& m = full.matches[k];
      ASSERT_EQ(m.length, m.a_end - m.a_start + 1);
      ASSERT_EQ(m.length, m.b_end - m.b_start + 1);
      ASSERT_EQ(a.substr(m.a_start, m.length), b.substr(m.b_start, m.length));
      if (k > 0) {
        ASSERT_LT(m.a_end, full.matches[k - 1].a_start);
        ASSERT_LT(m.b_end, full.matches[k - 1].b_start);
      }
      spelled = a.substr(m.a_start, m.length) + spelled;
      total += m.length;
    }
    ASSERT_EQ(total, expected_len);
    ASSERT_EQ(spelled, full.lcs);

    const int64_t min_len = static_cast<int64_t>(rng() % 4);
    const LcsResult filtered = ComputeLcs(a, b, Idx(min_len));
    std::vector<LcsMatch> kept;
    for (const LcsMatch& m : full.matches) {
      if (m.length >= min_len) kept.push_back(m);
    }
    ASSERT_EQ(filtered.matches, kept);
    ASSERT_EQ(filtered.lcs, full.lcs);
  }
}

}  // namespace
}  // namespace weir::types
