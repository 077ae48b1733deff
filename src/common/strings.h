// String building and splitting over std::string_view. (Debian's abseil is built with its own
// absl::string_view, so absl::StrCat/StrSplit do not accept std::string_view arguments.)
#pragma once

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/numbers.h"

namespace weir {

namespace strings_internal {
inline void AppendOne(std::string* out, std::string_view s) { out->append(s); }
inline void AppendOne(std::string* out, const char* s) { out->append(s); }
inline void AppendOne(std::string* out, const std::string& s) { out->append(s); }
inline void AppendOne(std::string* out, char c) { out->push_back(c); }
template <typename T>
requires(std::integral<T> && !std::same_as<T, char> &&
         !std::same_as<T, bool>) void AppendOne(std::string* out, T v) {
  char buf[24];
  if constexpr (std::is_signed_v<T>) {
    out->append(buf, FormatInt64(static_cast<int64_t>(v), buf));
  } else {
    out->append(std::to_string(v));
  }
}
}  // namespace strings_internal

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (strings_internal::AppendOne(out, args), ...);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  StrAppend(&out, args...);
  return out;
}

// The text up to its first NUL byte: what C's %s prints of it. Redis builds many error texts
// with %s from keys and names, so they end at a NUL.
inline std::string_view UntilNul(std::string_view s) { return s.substr(0, s.find('\0')); }

// Splits a line into arguments exactly as Redis's sdssplitargs (inline commands, config
// files): blanks separate, "double quotes" take \n \r \t \b \a \xHH escapes, 'single
// quotes' only \', a closing quote must be followed by a blank, and a NUL byte ends the line.
// nullopt means unbalanced quotes.
std::optional<std::vector<std::string>> SplitArgs(std::string_view line);

// Redis's sdscatrepr: s in double quotes, with \\ \" \n \r \t \a \b escaped and other
// non-printable bytes as \xHH, so SplitArgs reads it back unchanged (CONFIG REWRITE, MONITOR).
void AppendRepr(std::string_view s, std::string* out);
inline std::string Repr(std::string_view s) {
  std::string out;
  AppendRepr(s, &out);
  return out;
}

// Redis's bytesToHuman (INFO's *_human fields): bytes, then K/M/G/T/P with two decimals.
std::string BytesToHuman(int64_t n);

// Splits on sep, dropping empty pieces (as Redis splits config values on spaces).
std::vector<std::string_view> SplitNonEmpty(std::string_view s, char sep);

}  // namespace weir
