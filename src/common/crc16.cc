// CRC16-XMODEM (polynomial 0x1021, init 0, no reflection) and Redis Cluster's key-to-slot
// mapping built on it.
#include "common/crc16.h"

#include <array>
#include <cstddef>

namespace weir {
namespace {

constexpr uint16_t kPolynomial = 0x1021;

// One entry per possible top byte: the remainder left after shifting that byte through the
// polynomial division eight times. Built by the compiler so the table cannot be mistyped.
constexpr std::array<uint16_t, 256> BuildCrcTable() {
  std::array<uint16_t, 256> table{};
  for (int byte = 0; byte < 256; ++byte) {
    uint16_t remainder = static_cast<uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      if (remainder & 0x8000) {
        remainder = static_cast<uint16_t>((remainder << 1) ^ kPolynomial);
      } else {
        remainder = static_cast<uint16_t>(remainder << 1);
      }
    }
    table[byte] = remainder;
  }
  return table;
}

constexpr std::array<uint16_t, 256> kCrcTable = BuildCrcTable();

static_assert(kCrcTable[1] == kPolynomial, "a lone low bit must reduce to the polynomial");

}  // namespace

uint16_t Crc16(std::string_view data) {
  uint16_t crc = 0;
  for (char ch : data) {
    const uint8_t index = static_cast<uint8_t>((crc >> 8) ^ static_cast<uint8_t>(ch));
    crc = static_cast<uint16_t>((crc << 8) ^ kCrcTable[index]);
  }
  return crc;
}

uint32_t KeyHashSlot(std::string_view key) {
  const size_t open = key.find('{');
  if (open != std::string_view::npos) {
    const size_t close = key.find('}', open + 1);
    // An empty tag ("{}") does not count: the whole key is hashed, as Redis Cluster does.
    if (close != std::string_view::npos && close != open + 1) {
      return Crc16(key.substr(open + 1, close - open - 1)) & (kHashSlots - 1);
    }
  }
  return Crc16(key) & (kHashSlots - 1);
}

}  // namespace weir
