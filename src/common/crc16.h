// Redis Cluster's key hash slot: CRC16 (XMODEM) of the key or of its first non-empty {hashtag}.
#pragma once

#include <cstdint>
#include <string_view>

namespace weir {

inline constexpr uint32_t kHashSlots = 16384;

uint16_t Crc16(std::string_view data);

// CRC16 of the hashtag (the bytes between the first '{' and the next '}', if non-empty) or of
// the whole key, modulo 16384 — exactly as Redis Cluster's keyHashSlot.
uint32_t KeyHashSlot(std::string_view key);

}  // namespace weir
