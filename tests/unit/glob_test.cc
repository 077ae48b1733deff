// Tests for GlobMatch against Redis stringmatchlen semantics, malformed patterns included.
#include "common/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

namespace weir {
namespace {

TEST(GlobTest, Literals) {
  EXPECT_TRUE(GlobMatch("hello", "hello"));
  EXPECT_FALSE(GlobMatch("hello", "hellO"));
  EXPECT_FALSE(GlobMatch("hello", "hell"));
  EXPECT_FALSE(GlobMatch("hell", "hello"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_FALSE(GlobMatch("a", ""));
}

TEST(GlobTest, Star) {
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("h*o", "hello"));
  EXPECT_TRUE(GlobMatch("h*o", "ho"));
  EXPECT_TRUE(GlobMatch("user:*", "user:"));
  EXPECT_TRUE(GlobMatch("*:*:*", "a:b:c"));
  EXPECT_FALSE(GlobMatch("h*o", "hellx"));
  EXPECT_TRUE(GlobMatch("***a***", "bab"));
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("a**", "a"));
}

TEST(GlobTest, StarNeverMatchesEmptyString) {
  // Redis's matcher only enters its loop with input left, so a lone "*" rejects "". KEYS and
  // SCAN special-case "*" before calling it; the matcher itself must keep this behaviour.
  EXPECT_FALSE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("**", ""));
}

TEST(GlobTest, QuestionMark) {
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h?llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h?llo", "hllo"));
  EXPECT_TRUE(GlobMatch("???", "abc"));
  EXPECT_FALSE(GlobMatch("???", "ab"));
  EXPECT_TRUE(GlobMatch("?", "\xff"));
}

TEST(GlobTest, Classes) {
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_FALSE(GlobMatch("h[a-b]llo", "hcllo"));
  EXPECT_TRUE(GlobMatch("[0-9][0-9]", "42"));
  EXPECT_FALSE(GlobMatch("[^0-9]", "7"));
  EXPECT_TRUE(GlobMatch("[^0-9]", "x"));
}

TEST(GlobTest, ReversedRangeIsSwapped) {
  EXPECT_TRUE(GlobMatch("[z-a]", "m"));
  EXPECT_FALSE(GlobMatch("[z-a]", "A"));
}

TEST(GlobTest, Escapes) {
  EXPECT_TRUE(GlobMatch("h\\*llo", "h*llo"));
  EXPECT_FALSE(GlobMatch("h\\*llo", "hello"));
  EXPECT_TRUE(GlobMatch("\\?", "?"));
  EXPECT_FALSE(GlobMatch("\\?", "a"));
  EXPECT_TRUE(GlobMatch("[\\]]", "]"));
  EXPECT_TRUE(GlobMatch("[\\-]", "-"));
  EXPECT_FALSE(GlobMatch("[\\-]", "\\"));
  // A trailing backslash stands for itself.
  EXPECT_TRUE(GlobMatch("a\\", "a\\"));
  EXPECT_FALSE(GlobMatch("a\\", "a"));
}

TEST(GlobTest, UnterminatedClassUsesWhatWasSeen) {
  EXPECT_TRUE(GlobMatch("[abc", "a"));
  EXPECT_TRUE(GlobMatch("[abc", "c"));
  EXPECT_FALSE(GlobMatch("[abc", "d"));
  // The unterminated class consumes the rest of the pattern.
  EXPECT_FALSE(GlobMatch("[abc", "ab"));
  EXPECT_FALSE(GlobMatch("[", "a"));
  EXPECT_FALSE(GlobMatch("[", "["));
  EXPECT_TRUE(GlobMatch("[^", "a"));
  EXPECT_TRUE(GlobMatch("x[^", "xz"));
}

TEST(GlobTest, DashAtClassEdges) {
  // "a-]" is read as the range 'a'..']' (swapped to ']'..'a'), leaving the class unterminated.
  EXPECT_TRUE(GlobMatch("[a-]", "_"));
  EXPECT_TRUE(GlobMatch("[a-]", "^"));
  EXPECT_FALSE(GlobMatch("[a-]", "-"));
  EXPECT_FALSE(GlobMatch("[a-]", "b"));
  EXPECT_TRUE(GlobMatch("[-a]", "-"));
  EXPECT_TRUE(GlobMatch("[-a]", "a"));
}

TEST(GlobTest, EmptyClassNeverMatches) {
  EXPECT_FALSE(GlobMatch("[]", "a"));
  EXPECT_FALSE(GlobMatch("[]a", "a"));
  EXPECT_TRUE(GlobMatch("[^]", "a"));
}

TEST(GlobTest, NoCase) {
  EXPECT_TRUE(GlobMatch("HELLO", "hello", /*nocase=*/true));
  EXPECT_FALSE(GlobMatch("HELLO", "hello", /*nocase=*/false));
  EXPECT_TRUE(GlobMatch("h[A-C]llo", "hbllo", true));
  EXPECT_FALSE(GlobMatch("h[A-C]llo", "hbllo", false));
  EXPECT_TRUE(GlobMatch("[XYZ]", "y", true));
  EXPECT_TRUE(GlobMatch("maxmemory-*", "MAXMEMORY-POLICY", true));
  // Escaped class members are compared exactly even in nocase mode.
  EXPECT_FALSE(GlobMatch("[\\A]", "a", true));
  EXPECT_TRUE(GlobMatch("[\\A]", "A", true));
  // Only ASCII letters fold.
  EXPECT_FALSE(GlobMatch("\xc0", "\xe0", true));
}

TEST(GlobTest, HighBytesCompareAsSignedChars) {
  // Redis ranges compare signed chars, so 0x80..0xff sort below ASCII.
  EXPECT_TRUE(GlobMatch("[a-\xff]", "\xff"));
  EXPECT_TRUE(GlobMatch("[a-\xff]", "0"));
  EXPECT_FALSE(GlobMatch("[a-\xff]", "z"));
  EXPECT_FALSE(GlobMatch("[\x80-\x90]", "a"));
  EXPECT_TRUE(GlobMatch("[\x80-\x90]", "\x85"));
}

TEST(GlobTest, HighBytesUnderNoCaseFollowGlibcTolower) {
  // Folding maps bytes 0x80..0xfe to 128..254 but leaves 0xff at -1, so the same range matches
  // differently once nocase is on.
  EXPECT_TRUE(GlobMatch("[\x80-a]", "\x90"));
  EXPECT_TRUE(GlobMatch("[\x80-a]", "0"));
  EXPECT_FALSE(GlobMatch("[\x80-a]", "\x90", true));
  EXPECT_FALSE(GlobMatch("[\x80-a]", "0", true));
  EXPECT_TRUE(GlobMatch("[\xff-a]", "0", true));
  EXPECT_FALSE(GlobMatch("[\xff-a]", "\x90", true));
}

TEST(GlobTest, BinarySafe) {
  const std::string key("a\0b", 3);
  EXPECT_TRUE(GlobMatch("a?b", key));
  EXPECT_TRUE(GlobMatch(std::string_view("a\0*", 3), key));
  EXPECT_FALSE(GlobMatch("a", key));
}

TEST(GlobTest, PathologicalPatternIsFast) {
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "a*";
  pattern += "b";
  const std::string subject(200000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch(pattern, subject));
  EXPECT_TRUE(GlobMatch(pattern, subject + "b"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(GlobTest, NestingLimitGivesUpLikeRedis) {
  // Each "*a" adds a level of recursion; Redis stops and answers "no match" past 1000 levels.
  auto make = [](int n) {
    std::string p;
    for (int i = 0; i < n; ++i) p += "*a";
    return p;
  };
  EXPECT_TRUE(GlobMatch(make(1000), std::string(1000, 'a')));
  EXPECT_FALSE(GlobMatch(make(1001), std::string(1001, 'a')));
}

}  // namespace
}  // namespace weir
