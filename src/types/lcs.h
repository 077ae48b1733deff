// The LCS command's algorithm: longest common subsequence of two strings, its length and the
// matching ranges reported by IDX, computed exactly as Redis does (same table, same tie-breaks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weir::types {

// One contiguous run of the LCS: a[a_start..a_end] == b[b_start..b_end] (inclusive).
struct LcsMatch {
  uint32_t a_start = 0;
  uint32_t a_end = 0;
  uint32_t b_start = 0;
  uint32_t b_end = 0;
  uint32_t length = 0;  // a_end - a_start + 1, the WITHMATCHLEN value.

  bool operator==(const LcsMatch&) const = default;
};

struct LcsOptions {
  // False for LCS ... LEN: only the length is computed (no string, no ranges).
  bool want_string = true;
  // True for IDX: fill LcsResult::matches.
  bool want_matches = false;
  // MINMATCHLEN: ranges shorter than this are left out (values <= 0 keep every range).
  int64_t min_match_len = 0;
  // proto-max-bulk-len: the DP table ((|a|+1) * (|b|+1) 4-byte cells) may not exceed it.
  uint64_t max_table_bytes = 512ull * 1024 * 1024;
};

enum class LcsStatus {
  kOk,
  kStringTooLong,  // An input reaches UINT32_MAX - 1 bytes: "String too long for LCS".
  kTableTooLarge,  // "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len".
  kOutOfMemory,    // "Insufficient memory, failed allocating transient memory for LCS".
};

struct LcsResult {
  LcsStatus status = LcsStatus::kOk;
  uint32_t length = 0;
  std::string lcs;  // Filled when want_string or want_matches.
  // Filled when want_matches: ranges from the end of the strings backwards, as Redis lists them.
  std::vector<LcsMatch> matches;
};

LcsResult ComputeLcs(std::string_view a, std::string_view b, const LcsOptions& options = {});

}  // namespace weir::types
