// Table-driven reflected CRC-64 (one table lookup per byte). Payloads checked with it are
// function libraries and key dumps, small enough that slicing-by-8 would not pay for its tables.
#include "common/crc64.h"

#include <array>

namespace weir {
namespace {

// The Jones polynomial 0xad93d23594c935a9 with its bits reversed, for the reflected form.
constexpr uint64_t kReflectedPolynomial = 0x95ac9329ac4bc9b5ULL;

constexpr std::array<uint64_t, 256> BuildTable() {
  std::array<uint64_t, 256> table{};
  for (uint64_t byte = 0; byte < 256; ++byte) {
    uint64_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? (crc >> 1) ^ kReflectedPolynomial : crc >> 1;
    }
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<uint64_t, 256> kTable = BuildTable();

}  // namespace

uint64_t Crc64(uint64_t crc, std::string_view data) {
  for (unsigned char c : data) crc = kTable[(crc ^ c) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace weir
