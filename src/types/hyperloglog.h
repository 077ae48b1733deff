// HyperLogLog in Redis's exact byte format, so an HLL value is interchangeable with Redis's (GET
// / SET, and later DUMP/RESTORE and RDB) and PFCOUNT gives Redis's numbers for the same inserts.
// Pure functions over byte strings: callers own key lookup, validation replies and RESP.
//
// A value is a 16-byte header and the registers (16384 of 6 bits, P = 14):
//
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (8 bytes, LE)
//
// The cached cardinality is valid while the top bit of its last byte is clear; every change
// of a register sets that bit and PFCOUNT recomputes and stores it.
//
// Dense: 12288 bytes, register i in bits 6i..6i+5 of the byte stream, least significant first.
// Sparse: run-length opcodes covering all 16384 registers in order:
//   ZERO  00xxxxxx            1..64 zero registers (xxxxxx + 1)
//   XZERO 01xxxxxx yyyyyyyy   1..16384 zero registers (14 bits + 1)
//   VAL   1vvvvvxx            1..4 registers (xx + 1) of value 1..32 (vvvvv + 1)
// A sparse value is promoted to dense when a register needs more than 32 or when it would grow
// past hll-sparse-max-bytes (header included).
//
// Every function here is safe on arbitrary bytes once IsHll() accepted the header: a sparse
// body that does not add up to exactly 16384 registers is reported as corrupt, and no read or
// write leaves the string. Corrupt values get Redis's answers too, with one known exception:
// where Redis reads the byte after the string (an XZERO opcode cut off at the very end), these
// functions read a zero. That is the NUL ending every sds string, so the first edit of such a
// value matches Redis; but Redis's edit then leaves the split opcode's last byte in that spot,
// and a second edit reading it there can differ.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace weir::types::hll {

inline constexpr int kP = 14;                // register index bits
inline constexpr int kQ = 64 - kP;           // hash bits left for the run of zeros
inline constexpr int kRegisters = 1 << kP;   // 16384
inline constexpr int kBits = 6;              // bits per dense register
inline constexpr uint8_t kRegisterMax = 63;  // (1 << kBits) - 1
inline constexpr size_t kHeaderSize = 16;    // "HYLL", encoding, 3 unused, cardinality
inline constexpr size_t kDenseRegisterBytes = (kRegisters * kBits + 7) / 8;  // 12288
inline constexpr size_t kDenseSize = kHeaderSize + kDenseRegisterBytes;      // 12304
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;
inline constexpr int kSparseValMax = 32;  // largest value a VAL opcode holds

// ---- Hashing --------------------------------------------------------------------------------

// MurmurHash2, 64-bit (MurmurHash64A), reading 8-byte words little-endian as Redis's
// endian-neutral variant does.
uint64_t MurmurHash64A(const void* key, size_t len, uint32_t seed);

// The register an element lands in (*index, 0..16383) and the length of the run of zeros
// ending in a one in the rest of its hash, counting the one (1..kQ+1): what PFADD stores.
int PatternLength(std::string_view element, int* index);

// ---- The header -----------------------------------------------------------------------------

// Redis's isHLLObjectOrReply test: at least a header, the "HYLL" magic, a known encoding, and a
// dense value of exactly kDenseSize bytes. A sparse body is only checked when it is read.
bool IsHll(std::string_view value);
inline uint8_t EncodingOf(std::string_view value) { return static_cast<uint8_t>(value[4]); }

bool CacheValid(std::string_view value);
uint64_t CachedCardinality(std::string_view value);
// Stores card in the header (clearing the invalid bit: card < 2^63). value has a header.
void SetCachedCardinality(char* value, uint64_t card);
// Marks the cached cardinality stale (after a register changed).
void InvalidateCache(char* value);

// An empty HLL as PFADD creates it: sparse, one XZERO of 16384, cached cardinality 0.
std::string NewSparse();

// ---- Dense registers ------------------------------------------------------------------------
// `regs` points at the kDenseRegisterBytes register bytes (value + kHeaderSize).

uint8_t DenseGet(const uint8_t* regs, int index);
void DenseSetRaw(uint8_t* regs, int index, uint8_t value);  // value <= kRegisterMax
// Raises register index to count if it is lower; true when it changed.
bool DenseSet(uint8_t* regs, int index, uint8_t count);
// PFADD of one element into dense registers; true when a register changed.
bool DenseAdd(uint8_t* regs, std::string_view element);

// ---- Whole values (sparse or dense) ---------------------------------------------------------
// These take a value IsHll() accepted.

// Raises register index to count, editing a sparse value in place (splitting and re-merging
// opcodes exactly as Redis does, so the bytes match) or promoting it to dense. Returns 1 when a
// register changed, 0 when not, -1 when the sparse value is corrupt (it may then have been
// partly edited, as in Redis).
int Set(std::string* value, int index, uint8_t count, size_t sparse_max_bytes);
// PFADD of one element: 1 changed, 0 unchanged, -1 corrupt.
int Add(std::string* value, std::string_view element, size_t sparse_max_bytes);
// Converts a sparse value to dense (a dense one is left alone); false if it is corrupt, and
// then the value is unchanged.
bool SparseToDense(std::string* value);

// The estimated cardinality of the registers (Ertl's improved estimator, as Redis 7.2).
// *invalid is set when a sparse body does not cover exactly 16384 registers.
uint64_t Count(std::string_view value, bool* invalid);
// The same over one byte per register (kRegisters bytes): PFCOUNT of several keys.
uint64_t CountRegisters(const uint8_t* registers);
// max[i] = max(max[i], register i of value) over kRegisters bytes; false if corrupt (max may
// then be partly updated).
bool MergeInto(uint8_t* max, std::string_view value);

// PFDEBUG DECODE: the opcodes of a sparse body, "Z:n" (XZERO), "z:n" (ZERO), "v:value,len",
// separated by spaces.
std::string DecodeSparse(std::string_view value);

// PFSELFTEST: register packing round-trips and the estimator's error over 10 million inserts,
// with sparse and dense agreeing. Returns "" on success, else Redis's TESTFAILED error text.
std::string SelfTest(size_t sparse_max_bytes, uint64_t seed);

}  // namespace weir::types::hll
