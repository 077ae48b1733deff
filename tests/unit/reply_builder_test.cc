// Reply encoding in RESP2 and RESP3, including deferred lengths.
#include "protocol/reply_builder.h"

#include <gtest/gtest.h>

namespace weir::protocol {
namespace {

TEST(ReplyBuilder, Resp2Basics) {
  std::string out;
  ReplyBuilder r(&out);
  r.SimpleString("OK");
  r.Error("ERR bad\r\nthing");
  r.Integer(-42);
  r.Bulk("hi");
  r.Null();
  r.NullArray();
  r.MapLen(2);
  r.SetLen(3);
  r.Double(1.5);
  r.Bool(true);
  EXPECT_EQ(out,
            "+OK\r\n-ERR bad  "
            "thing\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n*4\r\n*3\r\n$3\r\n1.5\r\n:1\r\n");
  EXPECT_EQ(r.errors_emitted(), 1);
}

TEST(ReplyBuilder, Resp3Types) {
  std::string out;
  ReplyBuilder r(&out);
  r.set_resp3(true);
  r.Null();
  r.MapLen(2);
  r.SetLen(3);
  r.Double(1.5);
  r.Bool(false);
  r.Verbatim("abc");
  r.BigNumber("123");
  r.PushLen(2);
  EXPECT_EQ(out, "_\r\n%2\r\n~3\r\n,1.5\r\n#f\r\n=7\r\ntxt:abc\r\n(123\r\n>2\r\n");
}

// Coordinates as Redis's addReplyHumanLongDouble: "%.17Lf" without trailing zeros.
TEST(ReplyBuilder, HumanDouble) {
  std::string out;
  ReplyBuilder r(&out);
  r.HumanDouble(-73.94549578428268433L);
  r.HumanDouble(180.0L);
  EXPECT_EQ(out, "$21\r\n-73.94549578428268433\r\n$3\r\n180\r\n");
  out.clear();
  r.set_resp3(true);
  r.HumanDouble(0.5L);
  EXPECT_EQ(out, ",0.5\r\n");
}

TEST(ReplyBuilder, DeferredLength) {
  std::string out;
  ReplyBuilder r(&out);
  r.Bulk("x");
  size_t mark = r.BeginDeferred();
  r.Integer(1);
  r.Integer(2);
  r.EndDeferredArray(mark, 2);
  EXPECT_EQ(out, "$1\r\nx\r\n*2\r\n:1\r\n:2\r\n");
  std::string out3;
  ReplyBuilder r3(&out3);
  r3.set_resp3(true);
  size_t m = r3.BeginDeferred();
  r3.Bulk("k");
  r3.Integer(1);
  r3.EndDeferredMap(m, 1);
  EXPECT_EQ(out3, "%1\r\n$1\r\nk\r\n:1\r\n");
}

}  // namespace
}  // namespace weir::protocol
