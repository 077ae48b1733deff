// struct: Roberto Ierusalimschy's binary packing library as Redis 7.2 bundles it (struct.pack,
// struct.unpack, struct.size), with the bounds checks Redis added for its CVE fixes and the same
// error texts. Behaviour that C leaves undefined there (out-of-range number conversions, shifts
// past 63 bits) is done the way Redis's x86-64 build does it, so results match byte for byte.
#include <bit>
#include <cctype>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "scripting/libs/libs.h"

namespace weir::scripting {

namespace {

// The library's integer is a C long, 64 bits on the platforms Redis and Weir run on.
using Int = int64_t;
using Uint = uint64_t;

constexpr int kMaxIntSize = 32;  // largest n in i<n> / I<n>
constexpr int kMaxAlign = 8;     // default of '!': the alignment of a double
constexpr int kIntSize = 4;      // i / I without a size: sizeof(int)

enum class Endian { kBig, kLittle };

constexpr Endian kNative =
    std::endian::native == std::endian::little ? Endian::kLittle : Endian::kBig;

struct Header {
  Endian endian = kNative;
  int align = 1;
};

// ---- Conversions as x86-64 does them --------------------------------------------------------

// cvttsd2si: truncates; NaN and out-of-range values give INT64_MIN.
int64_t TruncToInt64(double d) {
  if (!(d >= -0x1p63 && d < 0x1p63)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

// What gcc emits for (unsigned long)d on x86-64: values from 2^63 up are shifted down by 2^63
// first and the top bit put back, so [2^63, 2^64) is exact and anything larger becomes 0.
uint64_t TruncToUint64(double d) {
  if (!(d >= 0x1p63)) return static_cast<uint64_t>(TruncToInt64(d));
  return static_cast<uint64_t>(TruncToInt64(d - 0x1p63)) ^ (uint64_t{1} << 63);
}

// IEEE round-to-nearest double -> float, spelled out for values beyond FLT_MAX (where the C++
// conversion is undefined): within half an ulp they round to FLT_MAX, past it to infinity.
float ToFloat(double d) {
  if (std::isfinite(d) && std::fabs(d) > FLT_MAX) {
    const bool to_inf = std::fabs(d) >= static_cast<double>(FLT_MAX) + 0x1p103;
    const float mag = to_inf ? HUGE_VALF : FLT_MAX;
    return d < 0 ? -mag : mag;
  }
  return static_cast<float>(d);
}

// ---- Format parsing -------------------------------------------------------------------------

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Reads the decimal number at *fmt if there is one, else returns `def`.
int GetNum(lua_State* L, const char** fmt, int def) {
  if (!IsDigit(**fmt)) return def;
  int a = 0;
  do {
    const int digit = **fmt - '0';
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - digit) luaL_error(L, "integral size overflow");
    a = a * 10 + digit;
    ++*fmt;
  } while (IsDigit(**fmt));
  return a;
}

// The size of option `opt`, reading its count from *fmt for c, i and I; 0 for options that take
// no room (and for unknown ones).
size_t OptSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
      return 8;
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return GetNum(L, fmt, 1);
    case 'i':
    case 'I': {
      const int size = GetNum(L, fmt, kIntSize);
      if (size > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", size, kMaxIntSize);
      }
      return size;
    }
    default:
      return 0;
  }
}

// Padding needed before an item of `size` bytes at offset `len`. The alignment is the item's size
// capped at the '!' setting; sizes that are not powers of two give the library's odd paddings.
size_t ToAlign(size_t len, const Header& h, char opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<size_t>(h.align)) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

// Endianness, alignment and spaces; anything else is an invalid option.
void ControlOption(lua_State* L, char opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h->endian = Endian::kBig;
      return;
    case '<':
      h->endian = Endian::kLittle;
      return;
    case '!': {
      const int a = GetNum(L, fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

// Reverses a native float/double's bytes when `endian` is not the machine's.
void CorrectBytes(char* b, size_t size, Endian endian) {
  if (endian == kNative) return;
  for (size_t i = 0, j = size - 1; i < j; ++i, --j) std::swap(b[i], b[j]);
}

// ---- pack -----------------------------------------------------------------------------------

// Writes the low `size` bytes of the number at `arg`. Sizes past 8 are zero-filled at the top
// (negative numbers are not sign-extended there), as in the library.
void PutInteger(lua_State* L, std::string* out, int arg, Endian endian, size_t size) {
  const lua_Number n = luaL_checknumber(L, arg);
  Uint value = n < 0 ? static_cast<Uint>(TruncToInt64(n)) : TruncToUint64(n);
  char buf[kMaxIntSize];
  for (size_t i = 0; i < size; ++i) {
    const size_t at = endian == Endian::kLittle ? i : size - 1 - i;
    buf[at] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  out->append(buf, size);
}

// struct.pack(fmt, v1, v2, ...)
int Pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  // A nil after the arguments, as the library pushes: a missing argument reads as "got nil".
  lua_pushnil(L);
  std::string out;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    size_t size = OptSize(L, opt, &fmt);
    const size_t pad = ToAlign(total, h, opt, size);
    total += pad;
    out.append(pad, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        PutInteger(L, &out, arg++, h.endian, size);
        break;
      case 'x':
        out.push_back('\0');
        break;
      case 'f': {
        float f = ToFloat(luaL_checknumber(L, arg++));
        CorrectBytes(reinterpret_cast<char*>(&f), sizeof(f), h.endian);
        out.append(reinterpret_cast<const char*>(&f), sizeof(f));
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        CorrectBytes(reinterpret_cast<char*>(&d), sizeof(d), h.endian);
        out.append(reinterpret_cast<const char*>(&d), sizeof(d));
        break;
      }
      case 'c':
      case 's': {
        size_t len = 0;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (size == 0) size = len;
        // The library names the argument after the string's (arg was already advanced).
        luaL_argcheck(L, len >= size, arg, "string too short");
        out.append(s, size);
        if (opt == 's') {
          out.push_back('\0');
          ++size;
        }
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    total += size;
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

// ---- unpack ---------------------------------------------------------------------------------

// Reads a `size`-byte integer. Past 8 bytes only the 8 least significant survive, and the sign
// mask is shifted by (size * 8 - 1) mod 64 as x86's shift instruction does in the library.
lua_Number GetInteger(const char* buf, Endian endian, bool is_signed, size_t size) {
  Uint l = 0;
  for (size_t i = 0; i < size; ++i) {
    const size_t at = endian == Endian::kBig ? i : size - 1 - i;
    l = (l << 8) | static_cast<unsigned char>(buf[at]);
  }
  if (!is_signed) return static_cast<lua_Number>(l);
  const Uint mask = ~Uint{0} << ((size * 8 - 1) & 63);
  if ((l & mask) != 0) l |= mask;
  return static_cast<lua_Number>(static_cast<Int>(l));
}

// struct.unpack(fmt, s[, pos]): the values, then the position after the last byte read.
int Unpack(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  size_t ld = 0;
  const char* data = luaL_checklstring(L, 2, &ld);
  // A negative position becomes a huge size_t and fails the "data string too short" check.
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  int n = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    size_t size = OptSize(L, opt, &fmt);
    pos += ToAlign(pos, h, opt, size);
    luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");  // the item and the final position
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(L, GetInteger(data + pos, h.endian,
                                     std::islower(static_cast<unsigned char>(opt)) != 0, size));
        ++n;
        break;
      case 'x':
        break;
      case 'f': {
        float f;
        std::memcpy(&f, data + pos, sizeof(f));
        CorrectBytes(reinterpret_cast<char*>(&f), sizeof(f), h.endian);
        lua_pushnumber(L, f);
        ++n;
        break;
      }
      case 'd': {
        double d;
        std::memcpy(&d, data + pos, sizeof(d));
        CorrectBytes(reinterpret_cast<char*>(&d), sizeof(d), h.endian);
        lua_pushnumber(L, d);
        ++n;
        break;
      }
      case 'c':
        if (size == 0) {
          // c0: the length is the previous result (a number, or a string that reads as one).
          if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          size = TruncToUint64(lua_tonumber(L, -1));
          lua_pop(L, 1);
          --n;
          luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++n;
        break;
      case 's': {
        const void* end = std::memchr(data + pos, '\0', ld - pos);
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<const char*>(end) - (data + pos) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++n;
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return n + 1;
}

// ---- size -----------------------------------------------------------------------------------

// struct.size(fmt): the bytes pack(fmt, ...) produces. Unknown letters count 0 here without an
// error (only punctuation goes through the option check), as in the library.
int Size(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  size_t pos = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    const size_t size = OptSize(L, opt, &fmt);
    pos += ToAlign(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(static_cast<unsigned char>(opt))) ControlOption(L, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int OpenStructLib(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, Unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, Size);
  lua_setfield(L, -2, "size");
  return 1;
}

}  // namespace weir::scripting
