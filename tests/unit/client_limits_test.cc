#include "server/client_limits.h"

#include <gtest/gtest.h>

namespace weir::server {
namespace {

TEST(OutputLimit, HardLimitAtOrAbove) {
  OutputLimit l{100, 0, 0};
  int64_t since = 0;
  EXPECT_FALSE(OverOutputLimit(l, 99, 1000, &since));
  EXPECT_TRUE(OverOutputLimit(l, 100, 1000, &since));
  EXPECT_EQ(since, 0);
}

TEST(OutputLimit, SoftLimitNeedsMoreThanItsSeconds) {
  OutputLimit l{0, 100, 2};
  int64_t since = 0;
  EXPECT_FALSE(OverOutputLimit(l, 150, 1000, &since));  // first seen over it
  EXPECT_EQ(since, 1000);
  EXPECT_FALSE(OverOutputLimit(l, 150, 1002, &since));  // 2 s: not more than 2
  EXPECT_TRUE(OverOutputLimit(l, 150, 1003, &since));
  // Dropping under it restarts the period.
  EXPECT_FALSE(OverOutputLimit(l, 50, 1004, &since));
  EXPECT_EQ(since, 0);
  EXPECT_FALSE(OverOutputLimit(l, 150, 1005, &since));
  EXPECT_EQ(since, 1005);
}

TEST(OutputLimit, ZeroMeansNoLimit) {
  OutputLimit l{0, 0, 0};
  int64_t since = 0;
  EXPECT_FALSE(l.any());
  EXPECT_FALSE(OverOutputLimit(l, int64_t{1} << 40, 1000, &since));
}

TEST(ClientEvictionLimit, BytesPercentAndFloor) {
  EXPECT_EQ(ClientEvictionLimit(0, 1 << 30), 0);
  EXPECT_EQ(ClientEvictionLimit(10 << 20, 0), 10 << 20);
  EXPECT_EQ(ClientEvictionLimit(1000, 0), 128 * 1024);       // at least 128 KiB
  EXPECT_EQ(ClientEvictionLimit(-10, 100 << 20), 10 << 20);  // 10% of maxmemory
  EXPECT_EQ(ClientEvictionLimit(-10, 0), 0);                 // a percentage without maxmemory: off
}

TEST(ClientLimits, ParsesCanonicalText) {
  ClientLimits limits(2);
  limits.LoadOutputLimits("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  OutputLimit p = limits.output_limit(ClientClass::kPubsub);
  EXPECT_EQ(p.hard, 33554432);
  EXPECT_EQ(p.soft, 8388608);
  EXPECT_EQ(p.soft_seconds, 60);
  EXPECT_FALSE(limits.output_limit(ClientClass::kNormal).any());
  EXPECT_EQ(limits.output_limit(ClientClass::kReplica).hard, 268435456);
  limits.AddClientMemory(0, 100);
  limits.AddClientMemory(1, 50);
  limits.AddClientMemory(0, -30);
  EXPECT_EQ(limits.TotalClientMemory(), 120);
}

}  // namespace
}  // namespace weir::server
