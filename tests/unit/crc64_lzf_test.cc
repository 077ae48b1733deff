// Tests for Crc64 (Redis's CRC-64/Jones) and LzfDecompress, the two pieces of Redis's payload
// format that FUNCTION DUMP/RESTORE need.
#include <gtest/gtest.h>

#include <string>

#include "common/crc64.h"
#include "common/lzf.h"

namespace weir {
namespace {

TEST(Crc64Test, CheckValue) {
  // The check value Redis's own crc64 test asserts for "123456789".
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
}

TEST(Crc64Test, EmptyAndIncremental) {
  EXPECT_EQ(Crc64(0, ""), 0u);
  std::string text = "This is a test of the emergency broadcast system.";
  EXPECT_EQ(Crc64(Crc64(0, text.substr(0, 10)), text.substr(10)), Crc64(0, text));
}

TEST(LzfTest, LiteralsAndBackReferences) {
  // Produced by liblzf's lzf_compress from a library's code.
  const std::string compressed(
      "\x1f#!lua name=lib\nredis.register_fu\x0bnction('f', \xe0\x00\r\x0f) return 'hello "
      "\xe0\x02\x05\x05' end)",
      76);
  const std::string plain =
      "#!lua name=lib\nredis.register_function('f', function() return 'hello hello hello' end)";
  std::string out;
  ASSERT_TRUE(LzfDecompress(compressed, plain.size(), &out));
  EXPECT_EQ(out, plain);
}

TEST(LzfTest, OverlappingRun) {
  // 100 'a's: a back-reference that overlaps the bytes it writes.
  std::string out;
  ASSERT_TRUE(LzfDecompress(std::string("\x01"
                                        "aa\xe0W\x00\x01"
                                        "aa",
                                        9),
                            100, &out));
  EXPECT_EQ(out, std::string(100, 'a'));
}

TEST(LzfTest, MalformedInput) {
  std::string out;
  // A back-reference before any output.
  EXPECT_FALSE(LzfDecompress(std::string("\x20\x00", 2), 3, &out));
  // A literal run longer than the input.
  EXPECT_FALSE(LzfDecompress(std::string("\x05"
                                         "ab",
                                         3),
                             6, &out));
  // Output shorter or longer than announced.
  EXPECT_FALSE(LzfDecompress(std::string("\x01"
                                         "ab",
                                         3),
                             3, &out));
  EXPECT_FALSE(LzfDecompress(std::string("\x01"
                                         "ab",
                                         3),
                             1, &out));
  EXPECT_FALSE(LzfDecompress(std::string("\xe0", 1), 10, &out));
}

}  // namespace
}  // namespace weir
