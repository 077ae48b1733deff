// RESP request parser: whole buffers, byte-by-byte and random splits, inline commands, errors.
#include "protocol/resp_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/strings.h"

namespace weir::protocol {
namespace {

using Status = RespParser::Status;

// Feeds `input` to a parser in the given chunk sizes, as a connection would, and collects the
// requests. Returns false if the parser reported an error.
bool ParseAll(const std::string& input, const std::vector<size_t>& chunks,
              std::vector<std::vector<std::string>>* out, std::string* error = nullptr) {
  RespParser parser;
  std::string buf;
  size_t fed = 0, chunk_i = 0;
  while (fed < input.size() || !buf.empty()) {
    if (fed < input.size()) {
      size_t n = chunks.empty() ? input.size() : chunks[chunk_i++ % chunks.size()];
      n = std::min(n, input.size() - fed);
      buf.append(input, fed, n);
      fed += n;
    }
    while (!buf.empty()) {
      Status st = parser.Parse(buf);
      if (st == Status::kError) {
        if (error) *error = parser.error();
        return false;
      }
      if (st == Status::kIncomplete) break;
      if (!parser.args().empty()) {
        out->emplace_back(parser.args().begin(), parser.args().end());
      }
      buf.erase(0, parser.consumed());
      parser.Reset();
    }
    if (fed >= input.size() && !buf.empty()) {
      // Nothing more to feed: what is left must be an incomplete request.
      return parser.Parse(buf) == Status::kIncomplete;
    }
  }
  return true;
}

TEST(RespParser, MultibulkWhole) {
  std::vector<std::vector<std::string>> reqs;
  ASSERT_TRUE(ParseAll("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*1\r\n$4\r\nPING\r\n", {}, &reqs));
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0], (std::vector<std::string>{"GET", "key"}));
  EXPECT_EQ(reqs[1], (std::vector<std::string>{"PING"}));
}

TEST(RespParser, BinarySafeBulk) {
  std::string value("a\r\nb\0c", 6);
  std::string input = "*2\r\n$4\r\nECHO\r\n$6\r\n" + value + "\r\n";
  std::vector<std::vector<std::string>> reqs;
  ASSERT_TRUE(ParseAll(input, {}, &reqs));
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0][1], value);
}

TEST(RespParser, ByteByByteEqualsWhole) {
  std::string input;
  for (int i = 0; i < 50; ++i) {
    std::string k = "key" + std::to_string(i), v(i * 7, 'x');
    input += "*3\r\n$3\r\nSET\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n$" +
             std::to_string(v.size()) + "\r\n" + v + "\r\n";
  }
  std::vector<std::vector<std::string>> whole, bytes;
  ASSERT_TRUE(ParseAll(input, {}, &whole));
  ASSERT_TRUE(ParseAll(input, {1}, &bytes));
  EXPECT_EQ(whole.size(), 50u);
  EXPECT_EQ(whole, bytes);
}

TEST(RespParser, RandomSplitsEqualWhole) {
  std::mt19937 rng(42);
  std::string input;
  for (int i = 0; i < 200; ++i) {
    int argc = 1 + rng() % 5;
    input += "*" + std::to_string(argc) + "\r\n";
    for (int a = 0; a < argc; ++a) {
      std::string v(rng() % 40, static_cast<char>('a' + rng() % 26));
      input += "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
    }
  }
  std::vector<std::vector<std::string>> whole;
  ASSERT_TRUE(ParseAll(input, {}, &whole));
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<size_t> chunks;
    for (int i = 0; i < 64; ++i) chunks.push_back(1 + rng() % 97);
    std::vector<std::vector<std::string>> split;
    ASSERT_TRUE(ParseAll(input, chunks, &split));
    EXPECT_EQ(split, whole);
  }
}

TEST(RespParser, InlineCommands) {
  std::vector<std::vector<std::string>> reqs;
  ASSERT_TRUE(ParseAll("SET k \"hello world\"\r\nPING\n\r\n", {}, &reqs));
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0], (std::vector<std::string>{"SET", "k", "hello world"}));
  EXPECT_EQ(reqs[1], (std::vector<std::string>{"PING"}));
}

TEST(RespParser, InlineEscapes) {
  auto out = SplitArgs(R"(a "b\x41\n" 'c\'d')");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, (std::vector<std::string>{"a", "bA\n", "c'd"}));
  EXPECT_FALSE(SplitArgs(R"(a "unterminated)").has_value());
  EXPECT_FALSE(SplitArgs(R"("closed"x)").has_value());
}

TEST(RespParser, ProtocolErrors) {
  struct Case {
    std::string input, error;
  } cases[] = {
      {"*abc\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*3000000000\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*1\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'"},
      {"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$600000000\r\n", "ERR Protocol error: invalid bulk length"},
      {"SET \"a\r\n", "ERR Protocol error: unbalanced quotes in request"},
  };
  for (const auto& c : cases) {
    std::vector<std::vector<std::string>> reqs;
    std::string err;
    EXPECT_FALSE(ParseAll(c.input, {}, &reqs, &err)) << c.input;
    EXPECT_EQ(err, c.error) << c.input;
  }
}

TEST(RespParser, TooBigInline) {
  RespParser parser;
  std::string big(70 * 1024, 'a');
  EXPECT_EQ(parser.Parse(big), Status::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: too big inline request");
}

TEST(RespParser, EmptyAndNullMultibulkAreSkipped) {
  std::vector<std::vector<std::string>> reqs;
  ASSERT_TRUE(ParseAll("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", {}, &reqs));
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0][0], "PING");
}

TEST(RespParser, BulkBytesPendingHintsLargeReads) {
  RespParser parser;
  std::string buf = "*1\r\n$100000\r\n" + std::string(10, 'x');
  EXPECT_EQ(parser.Parse(buf), Status::kIncomplete);
  EXPECT_EQ(parser.BulkBytesPending(buf), 100000u - 10 + 2);
}

}  // namespace
}  // namespace weir::protocol
