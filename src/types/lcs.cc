// Dynamic-programming LCS for the LCS command (see lcs.h). The full table is kept so that the
// backtrack, and therefore the reported string and ranges, follow Redis's path exactly.
#include "types/lcs.h"

#include <algorithm>
#include <memory>
#include <new>

namespace weir::types {
namespace {

// Length only: two rolling rows give the same number as the full table.
uint32_t LcsLengthOnly(std::string_view a, std::string_view b, bool* out_of_memory) {
  const size_t cols = b.size() + 1;
  std::unique_ptr<uint32_t[]> prev(new (std::nothrow) uint32_t[cols]());
  std::unique_ptr<uint32_t[]> cur(new (std::nothrow) uint32_t[cols]());
  if (!prev || !cur) {
    *out_of_memory = true;
    return 0;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    const char ca = a[i - 1];
    cur[0] = 0;
    for (size_t j = 1; j < cols; ++j) {
      cur[j] = ca == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  return prev[cols - 1];
}

}  // namespace

LcsResult ComputeLcs(std::string_view a, std::string_view b, const LcsOptions& options) {
  LcsResult result;
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    result.status = LcsStatus::kStringTooLong;
    return result;
  }
  const uint64_t rows = a.size() + 1;
  const uint64_t cols = b.size() + 1;
  const uint64_t cells = rows * cols;  // Cannot overflow: both factors are below 2^32.
  uint64_t table_bytes;
  if (__builtin_mul_overflow(cells, uint64_t{sizeof(uint32_t)}, &table_bytes) ||
      table_bytes > SIZE_MAX) {
    result.status = LcsStatus::kOutOfMemory;
    return result;
  }
  // Enforced even for LEN, which needs far less memory here, because Redis refuses it too.
  if (table_bytes > options.max_table_bytes) {
    result.status = LcsStatus::kTableTooLarge;
    return result;
  }

  if (!options.want_string && !options.want_matches) {
    bool out_of_memory = false;
    result.length = LcsLengthOnly(a, b, &out_of_memory);
    if (out_of_memory) result.status = LcsStatus::kOutOfMemory;
    return result;
  }

  // table[i * cols + j] = LCS length of a[0, i) and b[0, j).
  std::unique_ptr<uint32_t[]> table(new (std::nothrow) uint32_t[cells]);
  if (!table) {
    result.status = LcsStatus::kOutOfMemory;
    return result;
  }
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[i * cols + j]; };
  for (uint64_t j = 0; j < cols; ++j) at(0, j) = 0;
  for (uint64_t i = 1; i < rows; ++i) {
    const char ca = a[i - 1];
    uint32_t* row = &at(i, 0);
    const uint32_t* up = &at(i - 1, 0);
    row[0] = 0;
    for (uint64_t j = 1; j < cols; ++j) {
      row[j] = ca == b[j - 1] ? up[j - 1] + 1 : std::max(up[j], row[j - 1]);
    }
  }

  const uint32_t length = at(rows - 1, cols - 1);
  result.length = length;
  result.lcs.resize(length);

  // Walk back from the bottom-right corner. On a mismatch Redis moves up only when that cell is
  // strictly larger, otherwise left; the same tie-break picks the same LCS among equals.
  uint32_t i = static_cast<uint32_t>(a.size());
  uint32_t j = static_cast<uint32_t>(b.size());
  uint32_t fill = length;
  bool range_open = false;
  LcsMatch range;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result.lcs[--fill] = a[i - 1];
      // A run only continues through consecutive diagonal steps (a mismatch step closes it), so
      // an open range is always extended backwards by one.
      if (!range_open) {
        range_open = true;
        range.a_end = i - 1;
        range.b_end = j - 1;
      }
      range.a_start = i - 1;
      range.b_start = j - 1;
      // The run touches the start of a string: the walk ends here, so report it now.
      if (range.a_start == 0 || range.b_start == 0) emit = true;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      emit = range_open;
    }
    if (emit) {
      range.length = range.a_end - range.a_start + 1;
      if (options.want_matches &&
          (options.min_match_len <= 0 || range.length >= options.min_match_len)) {
        result.matches.push_back(range);
      }
      range_open = false;
    }
  }
  return result;
}

}  // namespace weir::types
