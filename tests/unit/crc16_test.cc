// Tests for Crc16 (XMODEM) and Redis Cluster's KeyHashSlot, including hashtag edge cases.
#include "common/crc16.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace weir {
namespace {

TEST(Crc16Test, StandardCheckValue) {
  // The published XMODEM check value, also asserted by Redis's own crc16 test.
  EXPECT_EQ(Crc16("123456789"), 0x31C3);
}

TEST(Crc16Test, EmptyInputIsZero) { EXPECT_EQ(Crc16(""), 0); }

TEST(Crc16Test, SingleBytes) {
  // With a zero initial value one byte b yields the table entry for b.
  EXPECT_EQ(Crc16(std::string_view("\x01", 1)), 0x1021);
  EXPECT_EQ(Crc16("A"), 0x58E5);
  EXPECT_EQ(Crc16(std::string_view("\xff", 1)), 0x1EF0);
}

TEST(Crc16Test, EmbeddedNulAndHighBytesCount) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(Crc16(with_nul), Crc16("ab"));
  EXPECT_NE(Crc16(std::string_view("\x80", 1)), Crc16(std::string_view("\x00", 1)));
}

TEST(KeyHashSlotTest, KnownSlots) {
  EXPECT_EQ(KeyHashSlot("foo"), 12182u);
  EXPECT_EQ(KeyHashSlot("bar"), 5061u);
  EXPECT_EQ(KeyHashSlot("123456789"), 0x31C3u);
  EXPECT_EQ(KeyHashSlot(""), 0u);
}

TEST(KeyHashSlotTest, AlwaysBelowSlotCount) {
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "key:" + std::to_string(i);
    ASSERT_LT(KeyHashSlot(key), kHashSlots) << key;
    ASSERT_EQ(KeyHashSlot(key), Crc16(key) % kHashSlots) << key;
  }
}

TEST(KeyHashSlotTest, HashtagSelectsSubstring) {
  EXPECT_EQ(KeyHashSlot("{user1000}.following"), KeyHashSlot("user1000"));
  EXPECT_EQ(KeyHashSlot("{user1000}.followers"), KeyHashSlot("user1000"));
  EXPECT_EQ(KeyHashSlot("prefix{foo}suffix"), KeyHashSlot("foo"));
}

TEST(KeyHashSlotTest, OnlyFirstBraceCounts) {
  // The tag runs from the first '{' to the next '}'.
  EXPECT_EQ(KeyHashSlot("foo{bar}{zap}"), KeyHashSlot("bar"));
  EXPECT_EQ(KeyHashSlot("foo{{bar}}zap"), KeyHashSlot("{bar"));
  EXPECT_EQ(KeyHashSlot("{a}{b}"), KeyHashSlot("a"));
}

TEST(KeyHashSlotTest, EmptyTagHashesWholeKey) {
  const std::string_view key = "foo{}{bar}";
  EXPECT_EQ(KeyHashSlot(key), Crc16(key) & (kHashSlots - 1));
  EXPECT_NE(KeyHashSlot(key), KeyHashSlot("bar"));
}

TEST(KeyHashSlotTest, UnclosedTagHashesWholeKey) {
  EXPECT_EQ(KeyHashSlot("foo{bar"), Crc16("foo{bar") & (kHashSlots - 1));
  EXPECT_EQ(KeyHashSlot("foo}bar{"), Crc16("foo}bar{") & (kHashSlots - 1));
  EXPECT_NE(KeyHashSlot("foo{bar"), KeyHashSlot("bar"));
}

}  // namespace
}  // namespace weir
