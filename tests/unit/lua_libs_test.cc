// Unit tests for src/scripting/libs: the cmsgpack, struct, cjson and bit globals scripts get,
// checked as Lua snippets against lua-cmsgpack 0.4.0 / lua_struct / lua-cjson 2.1.0 / LuaBitOp
// behaviour, including every library case of Redis 7.2's tests/unit/scripting.tcl.
#include <gtest/gtest.h>

#include <string>

#include "scripting/libs/libs.h"

namespace weir::scripting {
namespace {

// hex(s) / unhex(h) for byte-exact checks (Lua 5.1 strings have no \x escapes), and show(...)
// joining any values, nils included, with "," (a table shows as "table").
constexpr const char* kHelpers = R"lua(
function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end
function unhex(h) return (h:gsub('..', function(b) return string.char(tonumber(b, 16)) end)) end
function show(...)
  local out = {}
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    out[i] = type(v) == 'table' and 'table' or tostring(v)
  end
  return table.concat(out, ',')
end
)lua";

class LuaLibsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    L_ = luaL_newstate();
    luaL_openlibs(L_);
    OpenScriptLibraries(L_);
    ASSERT_EQ(Run(kHelpers), "");
  }
  void TearDown() override { lua_close(L_); }

  // Runs `code` as a chunk. Returns its results as tostring() shows them, joined by ",", or
  // "ERR: test:1: <message>" when it raised an error.
  std::string Run(const std::string& code) {
    const int base = lua_gettop(L_);
    if (luaL_loadbuffer(L_, code.data(), code.size(), "=test") != 0 ||
        lua_pcall(L_, 0, LUA_MULTRET, 0) != 0) {
      std::string err = std::string("ERR: ") + lua_tostring(L_, -1);
      lua_settop(L_, base);
      return err;
    }
    std::string out;
    for (int i = base + 1; i <= lua_gettop(L_); ++i) {
      lua_getglobal(L_, "tostring");
      lua_pushvalue(L_, i);
      lua_call(L_, 1, 1);
      if (i > base + 1) out += ",";
      out += lua_tostring(L_, -1);
      lua_pop(L_, 1);
    }
    lua_settop(L_, base);
    return out;
  }

  std::string PackHex(const std::string& lua_value) {
    return Run("return hex(cmsgpack.pack(" + lua_value + "))");
  }

  lua_State* L_ = nullptr;
};

// ---- cmsgpack: encoding ---------------------------------------------------------------------

TEST_F(LuaLibsTest, CmsgpackIntegerWidthBoundaries) {
  const std::pair<const char*, const char*> cases[] = {
      {"0", "00"},
      {"127", "7f"},
      {"128", "cc80"},
      {"255", "ccff"},
      {"256", "cd0100"},
      {"65535", "cdffff"},
      {"65536", "ce00010000"},
      {"2^32-1", "ceffffffff"},
      {"2^32", "cf0000000100000000"},
      {"2^53", "cf0020000000000000"},
      {"-1", "ff"},
      {"-32", "e0"},
      {"-33", "d0df"},
      {"-128", "d080"},
      {"-129", "d1ff7f"},
      {"-32768", "d18000"},
      {"-32769", "d2ffff7fff"},
      {"-2^31", "d280000000"},
      {"-2^31-1", "d3ffffffff7fffffff"},
      {"-2^63", "d38000000000000000"},
      {"-0.0", "00"},
  };
  for (const auto& [value, bytes] : cases) {
    EXPECT_EQ(PackHex(value), bytes) << value;
    // And back.
    EXPECT_EQ(Run(std::string("return cmsgpack.unpack(cmsgpack.pack(") + value + ")) == " + value),
              "true")
        << value;
  }
}

TEST_F(LuaLibsTest, CmsgpackFloats) {
  EXPECT_EQ(PackHex("1.5"), "ca3fc00000");  // exact as a float32
  EXPECT_EQ(PackHex("-0.25"), "cabe800000");
  EXPECT_EQ(PackHex("0.1"), "cb3fb999999999999a");  // needs a float64
  EXPECT_EQ(PackHex("1e300"), "cb7e37e43c8800759c");
  EXPECT_EQ(PackHex("1/0"), "ca7f800000");
  EXPECT_EQ(PackHex("-1/0"), "caff800000");
  EXPECT_EQ(PackHex("0/0"), "cbfff8000000000000");
  // Integral but beyond int64: 2^63 and 2^64 are exact float32s, 2^63+2^30 is not.
  EXPECT_EQ(PackHex("2^63"), "ca5f000000");
  EXPECT_EQ(PackHex("2^64"), "ca5f800000");
  EXPECT_EQ(PackHex("2^63+2^30"), "cb43e0000000080000");
  EXPECT_EQ(Run("return cmsgpack.unpack(cmsgpack.pack(1.5)), cmsgpack.unpack(cmsgpack.pack(0.1))"),
            "1.5,0.1");
}

TEST_F(LuaLibsTest, CmsgpackStringLengths) {
  const std::pair<int, const char*> cases[] = {
      {0, "a0"},       {31, "bf"},        {32, "d920"},          {255, "d9ff"},
      {256, "da0100"}, {65535, "daffff"}, {65536, "db00010000"},
  };
  for (const auto& [len, header] : cases) {
    const std::string n = std::to_string(len);
    const std::string h = header;
    EXPECT_EQ(Run("local s = string.rep('x', " + n + ") local e = cmsgpack.pack(s) " +
                  "return hex(e:sub(1, " + std::to_string(h.size() / 2) + ")), #e, " +
                  "cmsgpack.unpack(e) == s"),
              h + "," + std::to_string(len + h.size() / 2) + ",true")
        << len;
  }
  EXPECT_EQ(PackHex("'a\\0b'"), "a3610062");
}

TEST_F(LuaLibsTest, CmsgpackScalarsAndUnsupportedTypes) {
  EXPECT_EQ(PackHex("true"), "c3");
  EXPECT_EQ(PackHex("false"), "c2");
  EXPECT_EQ(PackHex("nil"), "c0");
  EXPECT_EQ(PackHex("print"), "c0");
  EXPECT_EQ(PackHex("coroutine.create(function() end)"), "c0");
  EXPECT_EQ(PackHex("1, 'a', nil, true"), "01a161c0c3");
}

TEST_F(LuaLibsTest, CmsgpackArraysAndMaps) {
  EXPECT_EQ(PackHex("{}"), "90");
  EXPECT_EQ(PackHex("{1, 2, 3}"), "93010203");
  EXPECT_EQ(PackHex("{[1]='a', [2]='b'}"), "92a161a162");
  EXPECT_EQ(PackHex("{a=1}"), "81a16101");
  // A hole, a zero, a fractional or a string key: a map.
  EXPECT_EQ(PackHex("{1, nil, 3}"), "8201010303");
  EXPECT_EQ(PackHex("{[0]=1}"), "810001");
  EXPECT_EQ(PackHex("{[1.5]=1}"), "81ca3fc0000001");
  EXPECT_EQ(PackHex("{[2]=2}"), "810202");
  // Array and map header widths.
  EXPECT_EQ(
      Run("local t = {} for i = 1, 15 do t[i] = 0 end return hex(cmsgpack.pack(t):sub(1, 1))"),
      "9f");
  EXPECT_EQ(
      Run("local t = {} for i = 1, 16 do t[i] = 0 end return hex(cmsgpack.pack(t):sub(1, 3))"),
      "dc0010");
  EXPECT_EQ(
      Run("local t = {} for i = 1, 65536 do t[i] = 0 end return hex(cmsgpack.pack(t):sub(1, 5))"),
      "dd00010000");
  EXPECT_EQ(Run("local t = {} for i = 1, 16 do t['k'..i] = 0 end "
                "return hex(cmsgpack.pack(t):sub(1, 3))"),
            "de0010");
  EXPECT_EQ(Run("local t = {} for i = 1, 65536 do t['k'..i] = 0 end "
                "return hex(cmsgpack.pack(t):sub(1, 5))"),
            "df00010000");
  // Round trip of a nested mix.
  EXPECT_EQ(Run("local t = cmsgpack.unpack(cmsgpack.pack({1, {a={true, 'x'}}, [3]=-7})) "
                "return t[1], t[2].a[1], t[2].a[2], t[3]"),
            "1,true,x,-7");
}

TEST_F(LuaLibsTest, CmsgpackNestingLimit) {
  // Tables at level 16 (the 17th table down) are encoded as nil.
  EXPECT_EQ(Run("local v = 1 for i = 1, 16 do v = {v} end return hex(cmsgpack.pack(v))"),
            "9191919191919191919191919191919101");
  EXPECT_EQ(Run("local v = 1 for i = 1, 17 do v = {v} end return hex(cmsgpack.pack(v))"),
            "91919191919191919191919191919191c0");
  EXPECT_EQ(Run("local v = 1 for i = 1, 30 do v = {v} end return hex(cmsgpack.pack(v))"),
            "91919191919191919191919191919191c0");
  // The limit counts from each argument.
  EXPECT_EQ(Run("local v = 1 for i = 1, 17 do v = {v} end "
                "return #cmsgpack.pack(v, v) == 2 * #cmsgpack.pack(v)"),
            "true");
  // Map keys count as one level deeper too.
  EXPECT_EQ(Run("local v = 1 for i = 1, 16 do v = {v} end return hex(cmsgpack.pack({[{}]=v}))"),
            "8190919191919191919191919191919191c0");
}

// Redis: "EVAL - cmsgpack can pack double?"
TEST_F(LuaLibsTest, RedisCmsgpackCanPackDouble) {
  EXPECT_EQ(Run(R"lua(local encoded = cmsgpack.pack(0.1)
                local h = ""
                for i = 1, #encoded do
                    h = h .. string.format("%02x",string.byte(encoded,i))
                end
                return h)lua"),
            "cb3fb999999999999a");
}

// Redis: "EVAL - cmsgpack can pack negative int64?"
TEST_F(LuaLibsTest, RedisCmsgpackCanPackNegativeInt64) {
  EXPECT_EQ(Run(R"lua(local encoded = cmsgpack.pack(-1099511627776)
                local h = ""
                for i = 1, #encoded do
                    h = h .. string.format("%02x",string.byte(encoded,i))
                end
                return h)lua"),
            "d3ffffff0000000000");
}

// Redis: "EVAL - cmsgpack pack/unpack smoke test"
TEST_F(LuaLibsTest, RedisCmsgpackSmokeTest) {
  EXPECT_EQ(Run(R"lua(
                local str_lt_32 = string.rep("x", 30)
                local str_lt_255 = string.rep("x", 250)
                local str_lt_65535 = string.rep("x", 65530)
                local str_long = string.rep("x", 100000)
                local array_lt_15 = {1, 2, 3, 4, 5}
                local array_lt_65535 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}
                local array_big = {}
                for i=1, 100000 do
                    array_big[i] = i
                end
                local map_lt_15 = {a=1, b=2}
                local map_big = {}
                for i=1, 100000 do
                    map_big[tostring(i)] = i
                end
                local some_map = {
                    s1=str_lt_32,
                    s2=str_lt_255,
                    s3=str_lt_65535,
                    s4=str_long,
                    d1=0.1,
                    i1=1,
                    i2=250,
                    i3=65530,
                    i4=100000,
                    i5=2^40,
                    i6=-1,
                    i7=-120,
                    i8=-32000,
                    i9=-100000,
                    i10=-3147483648,
                    a1=array_lt_15,
                    a2=array_lt_65535,
                    a3=array_big,
                    m1=map_lt_15,
                    m2=map_big,
                    b1=false,
                    b2=true,
                    n=nil
                }
                local encoded = cmsgpack.pack(some_map)
                local decoded = cmsgpack.unpack(encoded)
                assert(table.concat(some_map) == table.concat(decoded))
                local offset, decoded_one = cmsgpack.unpack_one(encoded, 0)
                assert(table.concat(some_map) == table.concat(decoded_one))
                assert(offset == -1)

                local encoded_multiple = cmsgpack.pack(str_lt_32, str_lt_255, str_lt_65535, str_long)
                local offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, 0)
                assert(obj == str_lt_32)
                offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
                assert(obj == str_lt_255)
                offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
                assert(obj == str_lt_65535)
                offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
                assert(obj == str_long)
                assert(offset == -1)
                -- Beyond Redis's test: the decoded values themselves.
                assert(decoded.s4 == str_long and decoded.d1 == 0.1 and decoded.i5 == 2^40)
                assert(decoded.i10 == -3147483648 and decoded.a3[100000] == 100000)
                assert(decoded.m2["99999"] == 99999 and decoded.b1 == false and decoded.b2 == true)
                return "ok")lua"),
            "ok");
}

// Redis: "EVAL - cmsgpack can pack and unpack circular references?"
TEST_F(LuaLibsTest, RedisCmsgpackCircularReferences) {
  EXPECT_EQ(Run(R"lua(local a = {x=nil,y=5}
                local b = {x=a}
                a['x'] = b
                local encoded = cmsgpack.pack(a)
                local h = ""
                for i = 1, #encoded do
                    h = h .. string.format("%02x",string.byte(encoded,i))
                end
                local re = cmsgpack.unpack(encoded)
                assert(re)
                assert(re.x)
                assert(re.x.x.y == re.y)
                assert(re.x.x.x.x.y == re.y)
                assert(re.x.x.x.x.x.x.y == re.y)
                assert(re.x.x.x.x.x.x.x.x.x.x.y == re.y)
                assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.y == re.y)
                assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x)
                assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x == nil)
                return h, re.x.x.x.x.x.x.x.x.y == re.y, re.y == 5)lua"),
            "82a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881"
            "a17882a17905a17881a17882a17905a17881a17882a17905a17881a178c0,true,true");
}

TEST_F(LuaLibsTest, CmsgpackPackErrors) {
  EXPECT_EQ(Run("return cmsgpack.pack()"),
            "ERR: test:1: bad argument #0 to 'pack' (MessagePack pack needs input.)");
  EXPECT_EQ(Run("return cmsgpack._NAME, cmsgpack._VERSION"), "cmsgpack,lua-cmsgpack 0.4.0");
}

// ---- cmsgpack: decoding ---------------------------------------------------------------------

TEST_F(LuaLibsTest, CmsgpackDecodesEveryType) {
  const std::pair<const char*, const char*> cases[] = {
      {"00", "0"},
      {"7f", "127"},
      {"e0", "-32"},
      {"ff", "-1"},
      {"cc80", "128"},
      {"cdffff", "65535"},
      {"ceffffffff", "4294967295"},
      {"cf0000000100000000", "4294967296"},
      // lua-cmsgpack reads uint64 through a signed int64.
      {"cfffffffffffffffff", "-1"},
      {"cf8000000000000000", "-9.2233720368548e+18"},
      {"d0df", "-33"},
      {"d1ff7f", "-129"},
      {"d2ffff7fff", "-32769"},
      {"d3ffffffff7fffffff", "-2147483649"},
      {"ca3fc00000", "1.5"},
      {"cb3fb999999999999a", "0.1"},
      {"c0", "nil"},
      {"c2", "false"},
      {"c3", "true"},
      {"a3616263", "abc"},
      {"d903616263", "abc"},
      {"da0003616263", "abc"},
      {"db00000003616263", "abc"},
  };
  for (const auto& [bytes, shown] : cases) {
    EXPECT_EQ(Run(std::string("return cmsgpack.unpack(unhex('") + bytes + "'))"), shown) << bytes;
  }
  // Containers of every header width.
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('920102')) return #t, t[1], t[2]"), "2,1,2");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('dc00020102')) return #t, t[2]"), "2,2");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('dd000000020102')) return #t, t[2]"), "2,2");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('81a16101')) return t.a"), "1");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('de0001a16101')) return t.a"), "1");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('df00000001a16101')) return t.a"), "1");
  // nil elements leave holes; tables can be keys.
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('93c001c0')) return t[1], t[2], t[3]"),
            "nil,1,nil");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('819001')) local k = next(t) "
                "return type(k), t[k]"),
            "table,1");
  // No nesting limit of its own (msgpack-c's unpacker stops at 32).
  EXPECT_EQ(Run("local t = cmsgpack.unpack(string.rep(unhex('91'), 100) .. unhex('07')) "
                "for i = 1, 100 do t = t[1] end return t"),
            "7");
  // Several values.
  EXPECT_EQ(Run("return show(cmsgpack.unpack(cmsgpack.pack(1, 'a', nil, true)))"), "1,a,nil,true");
  EXPECT_EQ(Run("return select('#', cmsgpack.unpack(''))"), "0");
}

TEST_F(LuaLibsTest, CmsgpackUnpackOneAndLimitOffsets) {
  ASSERT_EQ(Run("s = cmsgpack.pack(1, 'ab', {1, 2}) return #s"), "7");
  EXPECT_EQ(Run("return show(cmsgpack.unpack_one(s))"), "1,1");
  EXPECT_EQ(Run("return show(cmsgpack.unpack_one(s, 1))"), "4,ab");
  EXPECT_EQ(Run("local off, t = cmsgpack.unpack_one(s, 4) return off, t[2]"), "-1,2");
  EXPECT_EQ(Run("return show(cmsgpack.unpack_one(s, 7))"), "-1");
  EXPECT_EQ(Run("return show(cmsgpack.unpack_limit(s, 2))"), "4,1,ab");
  EXPECT_EQ(Run("return show(cmsgpack.unpack_limit(s, 2, 1))"), "-1,ab,table");
  EXPECT_EQ(Run("return select('#', cmsgpack.unpack_limit(s, 5)), (cmsgpack.unpack_limit(s, 5))"),
            "4,-1");
  // limit 0 and offset 0 mean "decode everything", without an offset in front.
  EXPECT_EQ(Run("return show(cmsgpack.unpack_limit(s, 0))"), "1,ab,table");
  EXPECT_EQ(Run("return show(cmsgpack.unpack_limit(s, 0, 1))"), "1");
  EXPECT_EQ(Run("return show(cmsgpack.unpack_limit(s, 1.9))"), "1,1");
  EXPECT_EQ(Run("return cmsgpack.unpack_one(s, 8)"),
            "ERR: test:1: Start offset 8 greater than input length 7.");
  EXPECT_EQ(Run("return cmsgpack.unpack_one(s, -1)"),
            "ERR: test:1: Invalid request to unpack with offset of -1 and limit of 7.");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit(s, -1)"),
            "ERR: test:1: Invalid request to unpack with offset of 0 and limit of 7.");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit(s)"),
            "ERR: test:1: bad argument #2 to 'unpack_limit' (number expected, got no value)");
  EXPECT_EQ(Run("return cmsgpack.unpack_one(s, 'x')"),
            "ERR: test:1: bad argument #2 to 'unpack_one' (number expected, got string)");
  EXPECT_EQ(Run("return cmsgpack.unpack()"),
            "ERR: test:1: bad argument #1 to 'unpack' (string expected, got no value)");
}

TEST_F(LuaLibsTest, CmsgpackBadInput) {
  const char* missing[] = {"cd01",         "cf00",   "92",           "9201",
                           "d9",           "d90561", "db0000000561", "ddffffffff",
                           "dfffffffff01", "a2",     "cb3fb9",       "81a161"};
  for (const char* bytes : missing) {
    EXPECT_EQ(Run(std::string("return cmsgpack.unpack(unhex('") + bytes + "'))"),
              "ERR: test:1: Missing bytes in input.")
        << bytes;
  }
  // 0xc1, bin, ext and fixext are not lua-cmsgpack 0.4.0 types, even when truncated.
  const char* bad[] = {"c1",     "c40161", "c5000161", "c60000000161", "c7010161",
                       "d40161", "d8",     "92c401",   "01c1"};
  for (const char* bytes : bad) {
    EXPECT_EQ(Run(std::string("return cmsgpack.unpack(unhex('") + bytes + "'))"),
              "ERR: test:1: Bad data format in input.")
        << bytes;
  }
  // The values before a bad one are still consumed by unpack_one.
  EXPECT_EQ(Run("return show(cmsgpack.unpack_one(unhex('01c1')))"), "1,1");
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('81c001'))"), "ERR: table index is nil");
  EXPECT_EQ(
      Run("return cmsgpack.unpack(string.rep(unhex('01'), 10000))"),
      "ERR: test:1: stack overflow (too many return values at once; use unpack_one or unpack_limit "
      "instead.)");
  EXPECT_EQ(Run("return (cmsgpack.unpack_limit(string.rep(unhex('01'), 10000), 3))"), "3");
}

// ---- struct ---------------------------------------------------------------------------------

TEST_F(LuaLibsTest, StructPackIntegers) {
  EXPECT_EQ(Run("return hex(struct.pack('b', -1)), hex(struct.pack('B', 255))"), "ff,ff");
  EXPECT_EQ(Run("return hex(struct.pack('<h', -2)), hex(struct.pack('>h', -2))"), "feff,fffe");
  EXPECT_EQ(Run("return hex(struct.pack('<H', 0x1234)), hex(struct.pack('>H', 0x1234))"),
            "3412,1234");
  EXPECT_EQ(Run("return hex(struct.pack('>i', 1)), hex(struct.pack('<i', 1))"),
            "00000001,01000000");
  EXPECT_EQ(Run("return hex(struct.pack('>I', 2^32-1)), hex(struct.pack('i', 1))"),
            "ffffffff,01000000");
  EXPECT_EQ(Run("return hex(struct.pack('>l', -2)), hex(struct.pack('<L', 2^40))"),
            "fffffffffffffffe,0000000000010000");
  EXPECT_EQ(Run("return hex(struct.pack('>T', 258))"), "0000000000000102");
  EXPECT_EQ(Run("return hex(struct.pack('>i3', -2)), hex(struct.pack('<I3', 0x010203))"),
            "fffffe,030201");
  EXPECT_EQ(Run("return hex(struct.pack('>I1', 300)), hex(struct.pack('i0', 5))"), "2c,");
  // Sizes past 8: the top bytes are zero, negative numbers included.
  EXPECT_EQ(Run("return hex(struct.pack('<i16', -1))"), "ffffffffffffffff0000000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>I10', 1))"), "00000000000000000001");
  // Truncation of fractions; out-of-range values convert as on x86-64.
  EXPECT_EQ(Run("return hex(struct.pack('>i', 3.9)), hex(struct.pack('>i', -3.9))"),
            "00000003,fffffffd");
  EXPECT_EQ(Run("return hex(struct.pack('>L', 2^63)), hex(struct.pack('>L', 2^64))"),
            "8000000000000000,0000000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>l', -2^64)), hex(struct.pack('>l', 0/0))"),
            "8000000000000000,8000000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>I2 <I2 I2', 1, 1, 1))"), "000101000100");
}

TEST_F(LuaLibsTest, StructUnpackIntegers) {
  EXPECT_EQ(Run("return show(struct.unpack('b', unhex('ff')))"), "-1,2");
  EXPECT_EQ(Run("return show(struct.unpack('B', unhex('ff')))"), "255,2");
  EXPECT_EQ(Run("return show(struct.unpack('>h <h', unhex('fffe' .. 'feff')))"), "-2,-2,5");
  EXPECT_EQ(Run("return show(struct.unpack('>H', unhex('fffe')))"), "65534,3");
  EXPECT_EQ(Run("return show(struct.unpack('>i', unhex('00000001')))"), "1,5");
  EXPECT_EQ(Run("return show(struct.unpack('<i', unhex('feffffff')))"), "-2,5");
  EXPECT_EQ(Run("return show(struct.unpack('<I', unhex('feffffff')))"), "4294967294,5");
  EXPECT_EQ(Run("return show(struct.unpack('>l', unhex('fffffffffffffffe')))"), "-2,9");
  EXPECT_EQ(Run("return show(struct.unpack('>L', unhex('ffffffffffffffff')))"),
            "1.844674407371e+19,9");
  EXPECT_EQ(Run("return show(struct.unpack('>T', unhex('0000000000000102')))"), "258,9");
  EXPECT_EQ(Run("return show(struct.unpack('>i3', unhex('fffffe')))"), "-2,4");
  EXPECT_EQ(Run("return show(struct.unpack('>I3', unhex('fffffe')))"), "16777214,4");
  EXPECT_EQ(Run("return show(struct.unpack('i0', 'x'))"), "0,1");
  EXPECT_EQ(Run("return show(struct.unpack('<i16', struct.pack('<i16', -1)))"), "-1,17");
  EXPECT_EQ(Run("return show(struct.unpack('>i9', unhex('000000000000000080')))"), "-128,10");
  // Starting position, and the position after the last byte read.
  EXPECT_EQ(Run("return show(struct.unpack('bb', unhex('010203'), 2))"), "2,3,4");
  EXPECT_EQ(Run("return show(struct.unpack('', 'abc', 3))"), "3");
}

TEST_F(LuaLibsTest, StructFloatsStringsPaddingAlignment) {
  EXPECT_EQ(Run("return hex(struct.pack('<f', 1.5)), hex(struct.pack('>f', 1.5))"),
            "0000c03f,3fc00000");
  EXPECT_EQ(Run("return hex(struct.pack('<d', 1.5)), hex(struct.pack('>d', 1.5))"),
            "000000000000f83f,3ff8000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>f', 1e300)), hex(struct.pack('>f', 0.1))"),
            "7f800000,3dcccccd");
  EXPECT_EQ(Run("return show(struct.unpack('>f <d', unhex('3fc00000' .. '000000000000f83f')))"),
            "1.5,1.5,13");
  EXPECT_EQ(Run("return show(struct.unpack('>f', struct.pack('>f', 0.1)))"), "0.10000000149012,5");
  EXPECT_EQ(Run("return struct.pack('c5', 'hello world'), struct.pack('c0', 'abc')"), "hello,abc");
  EXPECT_EQ(Run("return hex(struct.pack('s', 'ab')), hex(struct.pack('c', 'xyz'))"), "616200,78");
  EXPECT_EQ(Run("return show(struct.unpack('c3 c2', 'abcde'))"), "abc,de,6");
  EXPECT_EQ(Run("return show(struct.unpack('s s', 'ab' .. string.char(0, 0)))"), "ab,,5");
  EXPECT_EQ(Run("return show(struct.unpack('s b', 'ab' .. string.char(0, 7)))"), "ab,7,5");
  // c0 takes its length from the previous result (a number, or a string that reads as one).
  EXPECT_EQ(Run("return show(struct.unpack('b c0 b', unhex('03') .. 'abc' .. unhex('09')))"),
            "abc,9,6");
  EXPECT_EQ(Run("return show(struct.unpack('c1 c0', '3abcd'))"), "abc,5");
  EXPECT_EQ(
      Run("return hex(struct.pack('bxb', 1, 2)), show(struct.unpack('bxb', unhex('010002')))"),
      "010002,1,2,4");
  // Alignment: items align to min(their size, the '!' setting); spaces are ignored.
  EXPECT_EQ(Run("return hex(struct.pack('!4 b i', 1, 2))"), "0100000002000000");
  EXPECT_EQ(Run("return hex(struct.pack('! b d', 1, 0))"), "01" + std::string(30, '0'));
  EXPECT_EQ(Run("return hex(struct.pack('!2 b i b h', 1, 2, 3, 4))"), "01000200000003000400");
  // A 3-byte integer at offset 4 gets 2 bytes of padding: (3 - (4 & 2)) & 2.
  EXPECT_EQ(Run("return hex(struct.pack('!8 b c3 i3', 1, 'abc', 5))"), "016162630000050000");
  EXPECT_EQ(Run("return show(struct.unpack('!4 b i', unhex('0100000002000000')))"), "1,2,9");
  EXPECT_EQ(Run("return struct.size('!4 b i'), struct.size('!8 b d'), struct.size('b d')"),
            "8,16,9");
}

TEST_F(LuaLibsTest, StructSize) {
  EXPECT_EQ(Run("return struct.size('bBhHlLTiIfdx')"), "51");
  EXPECT_EQ(Run("return struct.size('i3 I10 c7')"), "20");
  EXPECT_EQ(Run("return struct.size(''), struct.size('>< ')"), "0,0");
  // Unknown letters count nothing in size (pack and unpack reject them).
  EXPECT_EQ(Run("return struct.size('z'), struct.size('b2')"), "0,1");
  EXPECT_EQ(Run("return struct.size('s')"),
            "ERR: test:1: bad argument #1 to 'size' (option 's' has no fixed size)");
  EXPECT_EQ(Run("return struct.size('c0')"),
            "ERR: test:1: bad argument #1 to 'size' (option 'c0' has no fixed size)");
  EXPECT_EQ(Run("return struct.size('?')"),
            "ERR: test:1: bad argument #1 to 'size' (invalid format option '?')");
}

TEST_F(LuaLibsTest, StructErrors) {
  EXPECT_EQ(Run("return struct.pack('z')"),
            "ERR: test:1: bad argument #1 to 'pack' (invalid format option 'z')");
  EXPECT_EQ(Run("return struct.pack('b2', 1)"),
            "ERR: test:1: bad argument #1 to 'pack' (invalid format option '2')");
  EXPECT_EQ(Run("return struct.unpack('z', '')"),
            "ERR: test:1: bad argument #1 to 'unpack' (invalid format option 'z')");
  EXPECT_EQ(Run("return struct.pack('i33', 1)"),
            "ERR: test:1: integral size 33 is larger than limit of 32");
  EXPECT_EQ(Run("return struct.size('I99')"),
            "ERR: test:1: integral size 99 is larger than limit of 32");
  EXPECT_EQ(Run("return struct.pack('i99999999999', 1)"), "ERR: test:1: integral size overflow");
  EXPECT_EQ(Run("return struct.unpack('c2147483648', 'a')"), "ERR: test:1: integral size overflow");
  EXPECT_EQ(Run("return struct.size('!99999999999')"), "ERR: test:1: integral size overflow");
  EXPECT_EQ(Run("return struct.pack('!3 b', 1)"), "ERR: test:1: alignment 3 is not a power of 2");
  EXPECT_EQ(Run("return struct.pack('!0 b', 1)"), "ERR: test:1: alignment 0 is not a power of 2");
  EXPECT_EQ(Run("return struct.pack('c5', 'ab')"),
            "ERR: test:1: bad argument #3 to 'pack' (string too short)");
  EXPECT_EQ(Run("return struct.pack('bb', 1)"),
            "ERR: test:1: bad argument #3 to 'pack' (number expected, got nil)");
  EXPECT_EQ(Run("return struct.pack('b', 'x')"),
            "ERR: test:1: bad argument #2 to 'pack' (number expected, got string)");
  EXPECT_EQ(Run("return struct.pack()"),
            "ERR: test:1: bad argument #1 to 'pack' (string expected, got no value)");
  EXPECT_EQ(Run("return struct.unpack('i', 'abc')"),
            "ERR: test:1: bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(Run("return struct.unpack('c2147483647', 'abc')"),
            "ERR: test:1: bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(Run("return struct.unpack('b', 'a', 2)"),
            "ERR: test:1: bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(Run("return struct.unpack('b', 'a', -1)"),
            "ERR: test:1: bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(Run("return struct.unpack('b', 'a', 0)"),
            "ERR: test:1: bad argument #3 to 'unpack' (offset must be 1 or greater)");
  EXPECT_EQ(Run("return struct.unpack('b c0', unhex('05') .. 'abc')"),
            "ERR: test:1: bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(Run("return struct.unpack('b c0', unhex('ff') .. 'abc')"),
            "ERR: test:1: bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(Run("return struct.unpack('c0', 'abc')"),
            "ERR: test:1: format 'c0' needs a previous size");
  EXPECT_EQ(Run("return struct.unpack('c1 c0', 'xabc')"),
            "ERR: test:1: format 'c0' needs a previous size");
  EXPECT_EQ(Run("return struct.unpack('s', 'abc')"), "ERR: test:1: unfinished string in data");
  EXPECT_EQ(Run("return select('#', struct.unpack(string.rep('b', 9000), string.rep('a', 9000)))"),
            "ERR: test:1: stack overflow (too many results)");
}

// ---- cjson ----------------------------------------------------------------------------------

TEST_F(LuaLibsTest, CjsonNumbersAndValues) {
  // 14 significant digits, as Redis's copy (lua-cjson 2.1.0's default).
  EXPECT_EQ(Run("return cjson.encode(0.1), cjson.encode(1e100), cjson.encode(3)"), "0.1,1e+100,3");
  EXPECT_EQ(Run("return cjson.encode(1/3), cjson.encode(-0.5), cjson.encode(2^53)"),
            "0.33333333333333,-0.5,9.007199254741e+15");
  EXPECT_EQ(Run("return cjson.encode_number_precision()"), "14");
  EXPECT_EQ(Run("return cjson.encode({1, 'a', true, false, cjson.null})"),
            R"([1,"a",true,false,null])");
  EXPECT_EQ(Run("return cjson.encode({a = {b = 'x/y'}})"), R"({"a":{"b":"x\/y"}})");
  EXPECT_EQ(Run("return cjson.encode({}), cjson.encode({[1]=1, [3]=3})"), "{},[1,null,3]");
  EXPECT_EQ(Run("return cjson.encode(0/0)"),
            "ERR: test:1: Cannot serialise number: must not be NaN or Inf");
  EXPECT_EQ(Run("return cjson.encode(print)"),
            "ERR: test:1: Cannot serialise function: type not supported");
  EXPECT_EQ(Run("return cjson.encode({[true] = 1})"),
            "ERR: test:1: Cannot serialise boolean: table key must be a number or string");
  EXPECT_EQ(Run("return cjson.encode()"),
            "ERR: test:1: bad argument #1 to 'encode' (expected 1 argument)");
  EXPECT_EQ(Run("return cjson.decode()"),
            "ERR: test:1: bad argument #1 to 'decode' (expected 1 argument)");
  EXPECT_EQ(Run("return cjson.decode({})"),
            "ERR: test:1: bad argument #1 to 'decode' (string expected, got table)");
  EXPECT_EQ(Run("local t = cjson.decode('{\"a\":[1,2.5,\"x\",null,true]}') "
                "return t.a[1], t.a[2], t.a[3], t.a[4] == cjson.null, t.a[5]"),
            "1,2.5,x,true,true");
  EXPECT_EQ(Run("return cjson.decode('[1,')"),
            "ERR: test:1: Expected value but found T_END at character 4");
  EXPECT_EQ(Run("return cjson._NAME, cjson._VERSION"), "cjson,2.1.0");
}

TEST_F(LuaLibsTest, CjsonSparseArraysAndNesting) {
  EXPECT_EQ(Run("return cjson.encode({[1] = 1, [20] = 2})"),
            "ERR: test:1: Cannot serialise table: excessively sparse array");
  EXPECT_EQ(Run("cjson.encode_sparse_array(true) "
                "local d = cjson.decode(cjson.encode({[1] = 1, [20] = 2})) return d['1'], d['20']"),
            "1,2");
  EXPECT_EQ(Run("local t = {} t[1] = t return cjson.encode(t)"),
            "ERR: test:1: Cannot serialise, excessive nesting (1001)");
  EXPECT_EQ(Run("local t = {} t.a = t return cjson.encode(t)"),
            "ERR: test:1: Cannot serialise, excessive nesting (1001)");
  EXPECT_EQ(
      Run("return #cjson.encode(cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000)))"),
      "2000");
  EXPECT_EQ(Run("return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))"),
            "ERR: test:1: Found too many nested data structures (1001) at character 1001");
  EXPECT_EQ(
      Run("cjson.encode_max_depth(2) return cjson.encode({{1}}), pcall(cjson.encode, {{{}}})"),
      "[[1]],false,Cannot serialise, excessive nesting (3)");
  EXPECT_EQ(Run("cjson.decode_max_depth(2) return pcall(cjson.decode, '[[[1]]]')"),
            "false,Found too many nested data structures (3) at character 3");
  // cjson.new() gives an instance with its own (default) settings, guarded like the global one.
  EXPECT_EQ(Run("local j = cjson.new() return j.encode_max_depth(), j.encode({1})"), "1000,[1]");
}

TEST_F(LuaLibsTest, CjsonKeepBuffer) {
  EXPECT_EQ(Run("return cjson.encode_keep_buffer()"), "true");
  EXPECT_EQ(Run("return cjson.encode_keep_buffer(false), cjson.encode({a = 1}), "
                "cjson.encode_keep_buffer(true), cjson.encode({1})"),
            R"(false,{"a":1},true,[1])");
}

// Debian's cjson would overflow its int-sized buffer (CVE-2022-24834 in Redis's copy); the guard
// refuses such an encode instead.
TEST_F(LuaLibsTest, CjsonRefusesOutputPastItsBufferLimit) {
  EXPECT_EQ(Run("local s = string.rep('a', 50 * 1024 * 1024) "
                "return cjson.encode({s, s, s, s, s, s, s})"),
            "ERR: test:1: Cannot serialise, output too large (over 2000000000 bytes)");
  EXPECT_EQ(Run("local s = string.rep('a', 50 * 1024 * 1024) return #cjson.encode({s, s})"),
            "104857607");
  // The walk stops where cjson itself fails, so deep or cyclic tables fail as cjson says.
  EXPECT_EQ(Run("local t = {} t[1] = t t[2] = t return cjson.encode(t)"),
            "ERR: test:1: Cannot serialise, excessive nesting (1001)");
}

// Redis: "EVAL - JSON numeric decoding"
TEST_F(LuaLibsTest, RedisJsonNumericDecoding) {
  EXPECT_EQ(Run(R"lua(return
                 table.concat(
                   cjson.decode(
                    "[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]"), " "))lua"),
            "0 -5000 -1 0.0003 1023.2 0");
}

// Redis: "EVAL - JSON string decoding"
TEST_F(LuaLibsTest, RedisJsonStringDecoding) {
  EXPECT_EQ(Run(R"lua(local decoded = cjson.decode('{"keya": "a", "keyb": "b"}')
                return decoded.keya, decoded.keyb)lua"),
            "a,b");
}

// Redis: "EVAL - JSON smoke test"
TEST_F(LuaLibsTest, RedisJsonSmokeTest) {
  EXPECT_EQ(Run(R"lua(
            local some_map = {
                s1="Some string",
                n1=100,
                a1={"Some","String","Array"},
                nil1=nil,
                b1=true,
                b2=false}
            local encoded = cjson.encode(some_map)
            local decoded = cjson.decode(encoded)
            assert(table.concat(some_map) == table.concat(decoded))

            cjson.encode_keep_buffer(false)
            encoded = cjson.encode(some_map)
            decoded = cjson.decode(encoded)
            assert(table.concat(some_map) == table.concat(decoded))

            -- Table with numeric keys
            local table1 = {one="one", [1]="one"}
            encoded = cjson.encode(table1)
            decoded = cjson.decode(encoded)
            assert(decoded["one"] == table1["one"])
            assert(decoded["1"] == table1[1])

            -- Array
            local array1 = {[1]="one", [2]="two"}
            encoded = cjson.encode(array1)
            decoded = cjson.decode(encoded)
            assert(table.concat(array1) == table.concat(decoded))

            -- Invalid keys
            local invalid_map = {}
            invalid_map[false] = "false"
            local ok, encoded = pcall(cjson.encode, invalid_map)
            assert(ok == false)

            -- Max depth
            cjson.encode_max_depth(1)
            ok, encoded = pcall(cjson.encode, some_map)
            assert(ok == false)

            cjson.decode_max_depth(1)
            ok, decoded = pcall(cjson.decode, '{"obj": {"array": [1,2,3,4]}}')
            assert(ok == false)

            -- Invalid numbers
            ok, encoded = pcall(cjson.encode, {num1=0/0})
            assert(ok == false)
            cjson.encode_invalid_numbers(true)
            ok, encoded = pcall(cjson.encode, {num1=0/0})
            assert(ok == true)

            -- Restore defaults
            cjson.decode_max_depth(1000)
            cjson.encode_max_depth(1000)
            cjson.encode_invalid_numbers(false)
            return "ok")lua"),
            "ok");
}

// ---- bit ------------------------------------------------------------------------------------

// Redis: "EVAL - Numerical sanity check from bitop"
TEST_F(LuaLibsTest, RedisNumericalSanityCheckFromBitop) {
  EXPECT_EQ(Run(R"lua(assert(0x7fffffff == 2147483647, "broken hex literals");
                assert(0xffffffff == -1 or 0xffffffff == 2^32-1,
                    "broken hex literals");
                assert(tostring(-1) == "-1", "broken tostring()");
                assert(tostring(0xffffffff) == "-1" or
                    tostring(0xffffffff) == "4294967295",
                    "broken tostring()")
                return "ok")lua"),
            "ok");
}

// Redis: "EVAL - Verify minimal bitop functionality"
TEST_F(LuaLibsTest, RedisVerifyMinimalBitopFunctionality) {
  EXPECT_EQ(Run(R"lua(assert(bit.tobit(1) == 1);
                assert(bit.band(1) == 1);
                assert(bit.bxor(1,2) == 3);
                assert(bit.bor(1,2,4,8,16,32,64,128) == 255)
                return "ok")lua"),
            "ok");
}

// Redis: "lua bit.tohex bug" (CVE-2024-31449; Debian's lua-bitop crashes here).
TEST_F(LuaLibsTest, RedisLuaBitTohexBug) {
  EXPECT_EQ(Run("return bit.tohex(65535, -2147483648)"), "0000FFFF");
}

TEST_F(LuaLibsTest, BitOperations) {
  EXPECT_EQ(Run("return bit.tobit(0xffffffff), bit.tobit(2^32 + 1), bit.tobit(-1)"), "-1,1,-1");
  EXPECT_EQ(Run("return bit.bnot(0), bit.band(0x12345678, 0xff), bit.bor(1, 2, 4)"), "-1,120,7");
  EXPECT_EQ(Run("return bit.bxor(0xf0, 0xff), bit.lshift(1, 8), bit.lshift(1, 40)"), "15,256,256");
  EXPECT_EQ(Run("return bit.rshift(256, 8), bit.rshift(-256, 8), bit.arshift(-256, 8)"),
            "1,16777215,-1");
  EXPECT_EQ(Run("return bit.tohex(bit.rol(0x12345678, 12)), bit.tohex(bit.ror(0x12345678, 12))"),
            "45678123,67812345");
  EXPECT_EQ(Run("return bit.tohex(bit.bswap(0x12345678)), bit.tohex(1), bit.tohex(-1)"),
            "78563412,00000001,ffffffff");
  EXPECT_EQ(Run("return bit.tohex(-1, -8), bit.tohex(0x21, 4), bit.tohex(0x87654321, 4)"),
            "FFFFFFFF,0021,4321");
  EXPECT_EQ(Run("return bit.tohex(0x1234, 12), bit.tohex(0x1234, 0), bit.tohex(0x1234, -2)"),
            "00001234,,34");
  EXPECT_EQ(Run("return bit.tohex()"),
            "ERR: test:1: bad argument #1 to 'tohex' (number expected, got no value)");
  EXPECT_EQ(Run("return bit.tohex('x')"),
            "ERR: test:1: bad argument #1 to 'tohex' (number expected, got string)");
  EXPECT_EQ(Run("return bit.tohex('16')"), "00000010");
}

}  // namespace
}  // namespace weir::scripting
