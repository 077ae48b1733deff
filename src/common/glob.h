// Glob-style pattern matching as Redis's stringmatchlen (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE).
#pragma once

#include <string_view>

namespace weir {

// Supports '*', '?', '[abc]', '[^abc]', '[a-z]' (reversed ranges too) and '\' escapes, byte-wise.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace weir
