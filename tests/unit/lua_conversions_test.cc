// RESP <-> Lua conversions (scripting/conversions.cc), against Redis's tables: each RESP2 and
// RESP3 reply type becomes the Lua value Redis gives scripts, and each Lua value returned by a
// script becomes the reply Redis sends.
#include <gtest/gtest.h>

#include <string>

#include "protocol/reply_builder.h"
#include "scripting/lua_runtime.h"

namespace weir::scripting {
namespace {

class ConversionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    L = luaL_newstate();
    luaL_openlibs(L);
  }
  void TearDown() override { lua_close(L); }

  // Converts resp to Lua, stores it as global v, then evaluates expr (a Lua expression over v)
  // and returns it as a string.
  std::string Eval(const std::string& resp, const std::string& expr) {
    PushReply(L, resp);
    lua_setglobal(L, "v");
    std::string code = "return tostring(" + expr + ")";
    EXPECT_EQ(luaL_dostring(L, code.c_str()), 0) << lua_tostring(L, -1);
    std::string out = lua_tostring(L, -1);
    lua_pop(L, 1);
    return out;
  }

  // Evaluates a Lua expression and converts its value to a reply in the given protocols.
  std::string Reply(const std::string& expr, int script_resp = 2, bool client_resp3 = false) {
    std::string code = "return " + expr;
    EXPECT_EQ(luaL_loadstring(L, code.c_str()), 0);
    EXPECT_EQ(lua_pcall(L, 0, 1, 0), 0) << lua_tostring(L, -1);
    std::string out;
    protocol::ReplyBuilder reply(&out);
    reply.set_resp3(client_resp3);
    WriteReply(L, script_resp, reply);
    EXPECT_EQ(lua_gettop(L), 0);
    return out;
  }

  lua_State* L = nullptr;
};

TEST_F(ConversionsTest, Resp2ToLua) {
  EXPECT_EQ(Eval(":42\r\n", "v"), "42");
  EXPECT_EQ(Eval(":-9007199254740992\r\n", "v"), "-9.007199254741e+15");
  EXPECT_EQ(Eval("$5\r\nhello\r\n", "v"), "hello");
  EXPECT_EQ(Eval("$0\r\n\r\n", "#v"), "0");
  EXPECT_EQ(Eval(std::string("$3\r\na\0b\r\n", 10), "#v"), "3");
  EXPECT_EQ(Eval("$-1\r\n", "v"), "false");
  EXPECT_EQ(Eval("*-1\r\n", "v"), "false");
  EXPECT_EQ(Eval("+OK\r\n", "v.ok"), "OK");
  EXPECT_EQ(Eval("-ERR bad thing\r\n", "v.err"), "ERR bad thing");
  EXPECT_EQ(
      Eval("*3\r\n:1\r\n$1\r\nx\r\n*1\r\n$-1\r\n", "#v .. type(v[1]) .. v[2] .. tostring(v[3][1])"),
      "3numberxfalse");
  EXPECT_EQ(Eval("*0\r\n", "#v"), "0");
}

TEST_F(ConversionsTest, Resp3ToLua) {
  EXPECT_EQ(Eval("_\r\n", "v"), "nil");
  EXPECT_EQ(Eval("#t\r\n", "v"), "true");
  EXPECT_EQ(Eval("#f\r\n", "v"), "false");
  EXPECT_EQ(Eval(",3.5\r\n", "v.double"), "3.5");
  EXPECT_EQ(Eval(",inf\r\n", "v.double"), "inf");
  EXPECT_EQ(Eval("(12345678901234567890\r\n", "v.big_number"), "12345678901234567890");
  EXPECT_EQ(Eval("=8\r\ntxt:abcd\r\n", "v.verbatim_string.format .. v.verbatim_string.string"),
            "txtabcd");
  EXPECT_EQ(Eval("%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n", "v.map.a + v.map.b"), "3");
  EXPECT_EQ(Eval("~2\r\n$1\r\nx\r\n$1\r\ny\r\n", "tostring(v.set.x) .. tostring(v.set.y)"),
            "truetrue");
  // Attributes are skipped; the value they annotate is what the script sees.
  EXPECT_EQ(Eval("|1\r\n$3\r\nttl\r\n:5\r\n$3\r\nval\r\n", "v"), "val");
}

TEST_F(ConversionsTest, LuaToResp2) {
  EXPECT_EQ(Reply("'hello'"), "$5\r\nhello\r\n");
  EXPECT_EQ(Reply("100.9"), ":100\r\n");  // truncated, as Redis
  EXPECT_EQ(Reply("-3.7"), ":-3\r\n");
  EXPECT_EQ(Reply("true"), ":1\r\n");
  EXPECT_EQ(Reply("false"), "$-1\r\n");
  EXPECT_EQ(Reply("nil"), "$-1\r\n");
  EXPECT_EQ(Reply("{ok='fine'}"), "+fine\r\n");
  EXPECT_EQ(Reply("{ok='a\\r\\nb'}"), "+a  b\r\n");
  EXPECT_EQ(Reply("{err='ERR boom'}"), "-ERR boom\r\n");
  EXPECT_EQ(Reply("{err='-CODE boom'}"), "-CODE boom\r\n");
  EXPECT_EQ(Reply("{1, 'two', {3}}"), "*3\r\n:1\r\n$3\r\ntwo\r\n*1\r\n:3\r\n");
  EXPECT_EQ(Reply("{1, nil, 3}"), "*1\r\n:1\r\n");  // an array ends at its first nil
  EXPECT_EQ(Reply("{}"), "*0\r\n");
  EXPECT_EQ(Reply("{foo='bar'}"), "*0\r\n");  // string keys are not array elements
  // RESP3-only shapes degrade on a RESP2 client.
  EXPECT_EQ(Reply("{double=3.5}"), "$3\r\n3.5\r\n");
  EXPECT_EQ(Reply("{map={a=1}}"), "*2\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Reply("{set={a=true}}"), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(Reply("{big_number='123'}"), "$3\r\n123\r\n");
}

TEST_F(ConversionsTest, LuaToResp3) {
  // Booleans are RESP3 booleans only when the script asked for RESP3 and the client speaks it.
  EXPECT_EQ(Reply("true", 3, true), "#t\r\n");
  EXPECT_EQ(Reply("false", 3, true), "#f\r\n");
  EXPECT_EQ(Reply("false", 2, true), "_\r\n");
  EXPECT_EQ(Reply("true", 2, true), ":1\r\n");
  EXPECT_EQ(Reply("{double=3.5}", 3, true), ",3.5\r\n");
  EXPECT_EQ(Reply("{map={a=1}}", 3, true), "%1\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Reply("{set={a=true}}", 3, true), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(Reply("{big_number='123'}", 3, true), "(123\r\n");
  EXPECT_EQ(Reply("{verbatim_string={format='txt', string='hi'}}", 3, true), "=6\r\ntxt:hi\r\n");
}

TEST_F(ConversionsTest, RecursiveTableStopsAtTheStackLimit) {
  // A table containing itself: the reply nests until Lua's stack limit, then ends with Redis's
  // error instead of overflowing the C stack.
  ASSERT_EQ(luaL_dostring(L, "local a = {} local b = {a} a[1] = b return a"), 0);
  std::string out;
  protocol::ReplyBuilder reply(&out);
  WriteReply(L, 2, reply);
  EXPECT_NE(out.find("-ERR reached lua stack limit\r\n"), std::string::npos);
}

TEST(Sha1Test, MatchesRedis) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

}  // namespace
}  // namespace weir::scripting
