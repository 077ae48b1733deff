// Bit-level algorithms over string values (GETBIT, SETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD),
// treating a string as a big-endian bit array: bit 0 is the most significant bit of byte 0.
// Pure functions: callers own key lookup, argument arity and reply formatting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::types {

// Redis's default proto-max-bulk-len; the bit offset parsers reject offsets whose byte index
// reaches it (callers replaying from a master pass UINT64_MAX).
inline constexpr uint64_t kDefaultMaxBulkBytes = 512ull * 1024 * 1024;

// ---- BITCOUNT / BITPOS ----------------------------------------------------------------------

// Set bits of the whole string.
int64_t BitCount(std::string_view s);

// BITCOUNT key start end [BYTE|BIT]: start/end are inclusive byte indexes (or bit indexes when
// bit_unit), negative values count from the end, the range is clamped to the string, and an
// empty range counts 0.
int64_t BitCount(std::string_view s, int64_t start, int64_t end, bool bit_unit);

// BITPOS key bit [start [end [BYTE|BIT]]] on an existing key (a missing key is the caller's:
// Redis answers 0 for bit 0 and -1 for bit 1). `bit` must be 0 or 1. With no start the whole
// string is searched; `end` is used when it has a value (otherwise the range runs to the end of
// the string). `end_given` says the user passed an explicit end: then looking for 0 in a range of
// all 1s gives -1; without it the answer is the first bit past the string. -1 also for an empty
// range and when looking for 1 in a range of all 0s.
int64_t BitPos(std::string_view s, int bit, std::optional<int64_t> start,
               std::optional<int64_t> end, bool bit_unit, bool end_given);

// ---- GETBIT / SETBIT ------------------------------------------------------------------------

// Parses a GETBIT/SETBIT offset: a strict non-negative decimal integer whose byte index
// (offset / 8) is below max_bytes. nullopt means "bit offset is not an integer or out of range".
std::optional<uint64_t> ParseBitOffset(std::string_view arg,
                                       uint64_t max_bytes = kDefaultMaxBulkBytes);

// Bit at `offset`; bits past the end of the string read as 0.
int GetBit(std::string_view s, uint64_t offset);

// Grows *s with zero bytes so that bit `max_bit` exists. Returns true when *s got longer.
bool GrowToBit(std::string* s, uint64_t max_bit);

// Sets the bit at `offset` to `value` (0 or 1), growing *s with zero bytes as needed. Returns the
// previous bit.
int SetBit(std::string* s, uint64_t offset, int value);

// ---- BITOP ----------------------------------------------------------------------------------

enum class BitOpKind { kAnd, kOr, kXor, kNot };

// Case-insensitive "AND" / "OR" / "XOR" / "NOT".
std::optional<BitOpKind> ParseBitOpKind(std::string_view name);

// Combines the sources byte by byte; shorter sources (missing keys are empty) act as if padded
// with zero bytes to the longest. The result is as long as the longest source, so an empty
// result means the destination key is to be deleted. For kNot only sources[0] is inverted (the
// command layer enforces a single source).
std::string BitOp(BitOpKind op, const std::vector<std::string_view>& sources);

// ---- BITFIELD -------------------------------------------------------------------------------

enum class BitfieldOverflow { kWrap, kSat, kFail };

// Case-insensitive "WRAP" / "SAT" / "FAIL".
std::optional<BitfieldOverflow> ParseBitfieldOverflow(std::string_view name);

// A BITFIELD integer type: i1..i64 or u1..u63 (u64 is refused because replies are signed).
struct BitfieldType {
  bool is_signed = false;
  int bits = 0;

  // Parses "i8", "u16", ...; nullopt means "Invalid bitfield type".
  static std::optional<BitfieldType> Parse(std::string_view text);
};

// Parses a BITFIELD offset: "123" is a bit offset, "#3" means 3 * type.bits. Negative, garbage or
// too large (byte index >= max_bytes) offsets give nullopt.
std::optional<uint64_t> ParseBitfieldOffset(std::string_view arg, BitfieldType type,
                                            uint64_t max_bytes = kDefaultMaxBulkBytes);

// GET: the integer stored at `offset`; bits past the end of the string read as 0.
int64_t BitfieldGet(std::string_view s, uint64_t offset, BitfieldType type);

// Outcome of a BITFIELD SET or INCRBY.
struct BitfieldWriteResult {
  bool failed = false;   // OVERFLOW FAIL hit: reply nil; the field was not written.
  int64_t value = 0;     // Reply value: the old value for SET, the new value for INCRBY.
  bool changed = false;  // The stored field changed (feeds dirty / keyspace notification).
  bool grew = false;     // *s was extended to hold the field.
};

// SET: stores `value` (wrapped, saturated or refused per `overflow` when it does not fit).
// *s is extended with zero bytes to cover the field even when FAIL refuses the write, because
// Redis sizes the value for every write op of a command before running any of them.
BitfieldWriteResult BitfieldSet(std::string* s, uint64_t offset, BitfieldType type, int64_t value,
                                BitfieldOverflow overflow);

// INCRBY: adds `increment` to the field, with the same overflow and growth rules as SET.
BitfieldWriteResult BitfieldIncrBy(std::string* s, uint64_t offset, BitfieldType type,
                                   int64_t increment, BitfieldOverflow overflow);

}  // namespace weir::types
