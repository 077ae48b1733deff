// CRC-64/Jones as Redis computes it for DUMP/RESTORE payloads and RDB files: polynomial
// 0xad93d23594c935a9, reflected input and output, initial value 0, no final xor.
#pragma once

#include <cstdint>
#include <string_view>

namespace weir {

// Continues the CRC `crc` over data (start with 0).
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace weir
