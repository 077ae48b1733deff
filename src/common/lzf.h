// LZF decompression, for the strings Redis stores LZF-compressed in RDB payloads (FUNCTION DUMP
// and DUMP from Redis compress values longer than 20 bytes when rdbcompression is on).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weir {

// Decompresses `in` into exactly `out_len` bytes. False when the input is malformed (a
// back-reference before the start, a run past either end) or does not fill out_len exactly.
bool LzfDecompress(std::string_view in, size_t out_len, std::string* out);

}  // namespace weir
