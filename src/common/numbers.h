// Number parsing and formatting with exactly Redis's rules (string2ll, string2ld, ld2string,
// %.17g).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace weir {

// Strict signed 64-bit parse as Redis's string2ll: optional '-', digits only, no leading '+',
// no spaces, no leading zeros except "0" itself, overflow rejected. "-0" is rejected.
bool ParseInt64(std::string_view s, int64_t* out);

// As ParseInt64 but for unsigned values (no sign allowed).
bool ParseUint64(std::string_view s, uint64_t* out);

// Redis's string2ld (used by INCRBYFLOAT, HINCRBYFLOAT): strtold over the whole string; rejects
// empty input, leading/trailing spaces, NaN, and overflow to infinity.
bool ParseLongDouble(std::string_view s, long double* out);

// Redis's getDoubleFromObject / string2d (ZADD scores, INCRBYFLOAT increments checks, EXPIRE
// never): strtod over the whole string; accepts "inf", "+inf", "-inf"; rejects NaN, spaces, empty.
bool ParseDouble(std::string_view s, double* out);

// Redis's ld2string(..., LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a trailing '.')
// removed; "-0" printed as "0". Used for INCRBYFLOAT results.
std::string FormatLongDouble(long double v);

// Redis's double reply text: "inf", "-inf", "nan", otherwise "%.17g" (RESP2 bulk / RESP3 ',').
std::string FormatDouble(double v);

// Decimal text of an integer without allocation: writes into buf (>= 21 bytes), returns length.
int FormatInt64(int64_t v, char* buf);

// Redis's memtoull: "100", "1k"/"1kb", "5mb", "2gb" (k=1000, kb=1024, case-insensitive).
bool ParseMemory(std::string_view s, uint64_t* out);

}  // namespace weir
