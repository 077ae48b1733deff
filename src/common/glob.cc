// Glob matcher with byte-for-byte the semantics of Redis's stringmatchlen, including its
// handling of malformed patterns and its guards against exponential backtracking.
#include "common/glob.h"

#include <cstddef>

namespace weir {
namespace {

// Redis gives up (reports "no match") once '*' recursion is this deep.
constexpr int kMaxNesting = 1000;

// Redis compares plain `char`s, which are signed on the x86-64 builds clients test against; bytes
// >= 0x80 therefore sort below ASCII inside '[a-z]' ranges. Reproduce that ordering explicitly so
// the result does not depend on the platform's char signedness.
inline int ByteValue(char c) { return static_cast<signed char>(c); }

// tolower() as Redis sees it: "C" LC_CTYPE on glibc, applied to signed chars. Only 'A'..'Z'
// change case, but glibc also maps -128..-2 to 128..254 while -1 (EOF, i.e. byte 0xff) stays -1.
// That shifts where high bytes fall in nocase '[x-y]' ranges, so it is reproduced here.
inline int AsciiLower(int c) {
  if (c >= 'A' && c <= 'Z') return c + ('a' - 'A');
  if (c >= -128 && c <= -2) return c + 256;
  return c;
}

inline bool SameChar(char a, char b, bool nocase) {
  if (!nocase) return a == b;
  return AsciiLower(ByteValue(a)) == AsciiLower(ByteValue(b));
}

class Matcher {
 public:
  Matcher(std::string_view pattern, std::string_view str, bool nocase)
      : pattern_(pattern), str_(str), nocase_(nocase) {}

  bool Run() { return Match(0, 0, 0); }

 private:
  // Matches pattern_[p..] against str_[s..].
  bool Match(size_t p, size_t s, int nesting) {
    if (nesting > kMaxNesting) return false;
    const size_t plen = pattern_.size();
    const size_t slen = str_.size();

    while (p < plen && s < slen) {
      switch (pattern_[p]) {
        case '*': {
          while (p + 1 < plen && pattern_[p + 1] == '*') ++p;
          if (p + 1 == plen) return true;
          for (; s < slen; ++s) {
            if (Match(p + 1, s, nesting + 1)) return true;
            if (give_up_) return false;
          }
          // The tail after this '*' matches at no position of the remaining string, so letting
          // any earlier '*' swallow more bytes cannot help: that is what stops "a*a*a*...b"
          // from taking exponential time.
          give_up_ = true;
          return false;
        }
        case '?':
          ++s;
          break;
        case '[':
          if (!MatchClass(&p, str_[s])) return false;
          ++s;
          break;
        case '\\':
          // A trailing backslash is matched literally.
          if (p + 1 < plen) ++p;
          [[fallthrough]];
        default:
          if (!SameChar(pattern_[p], str_[s], nocase_)) return false;
          ++s;
          break;
      }
      ++p;
      if (s == slen) {
        while (p < plen && pattern_[p] == '*') ++p;
        break;
      }
    }
    return p == plen && s == slen;
  }

  // On entry *p indexes the '['; on exit it indexes the closing ']' (or, for an unterminated
  // class, the pattern's last byte) so the caller's single advance moves past the class.
  bool MatchClass(size_t* p, char c) {
    const size_t plen = pattern_.size();
    size_t i = *p + 1;
    const bool negate = i < plen && pattern_[i] == '^';
    if (negate) ++i;
    bool matched = false;
    while (true) {
      if (i == plen) {
        // No closing ']': whatever was collected so far decides, and the pattern is consumed.
        --i;
        break;
      }
      const size_t left = plen - i;
      if (pattern_[i] == '\\' && left >= 2) {
        ++i;
        // Redis compares escaped class members case-sensitively even under nocase.
        if (pattern_[i] == c) matched = true;
      } else if (pattern_[i] == ']') {
        break;
      } else if (left >= 3 && pattern_[i + 1] == '-') {
        int lo = ByteValue(pattern_[i]);
        int hi = ByteValue(pattern_[i + 2]);
        int value = ByteValue(c);
        if (lo > hi) {
          const int tmp = lo;
          lo = hi;
          hi = tmp;
        }
        if (nocase_) {
          lo = AsciiLower(lo);
          hi = AsciiLower(hi);
          value = AsciiLower(value);
        }
        i += 2;
        if (value >= lo && value <= hi) matched = true;
      } else if (SameChar(pattern_[i], c, nocase_)) {
        matched = true;
      }
      ++i;
    }
    *p = i;
    return negate ? !matched : matched;
  }

  std::string_view pattern_;
  std::string_view str_;
  bool nocase_;
  // Set once some '*' has proven its tail unmatchable anywhere; see Match.
  bool give_up_ = false;
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  return Matcher(pattern, str, nocase).Run();
}

}  // namespace weir
