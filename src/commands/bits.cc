// The bitmap family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO. The bit
// algorithms live in types/bitops; this file owns argument parsing, key handling and replies.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"
#include "protocol/errors.h"
#include "types/bitops.h"

namespace weir::commands {
namespace {

using engine::Entry;
using engine::ExpireMode;
using engine::ObjType;
namespace errors = protocol::errors;

constexpr std::string_view kBitArgument = "ERR The bit argument must be 1 or 0.";
constexpr std::string_view kBitopNotArity =
    "ERR BITOP NOT must be called with a single source key.";
constexpr std::string_view kBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
    "is.";
constexpr std::string_view kBitfieldOverflow = "ERR Invalid OVERFLOW type specified";
constexpr std::string_view kBitfieldRoWrite = "ERR BITFIELD_RO only supports the GET subcommand";

// An entry's value length is 32 bits wide, so writes may not grow a string past that even when
// proto-max-bulk-len is configured larger (Redis itself would allocate the string).
constexpr uint64_t kMaxValueBytes = engine::Entry::kMaxValueLen;

// Offsets are limited by proto-max-bulk-len, as Redis's getBitOffsetFromArgument.
uint64_t MaxBitmapBytes(CommandContext& ctx) {
  return static_cast<uint64_t>(ctx.server.config().Int("proto-max-bulk-len"));
}

// Redis parses the BYTE|BIT unit argument with strcasecmp; anything else is a syntax error.
bool ParseUnit(CommandContext& ctx, std::string_view arg, bool* bit_unit) {
  if (EqualsIgnoreCase(arg, "bit")) {
    *bit_unit = true;
  } else if (EqualsIgnoreCase(arg, "byte")) {
    *bit_unit = false;
  } else {
    ReplySyntaxError(ctx);
    return false;
  }
  return true;
}

constexpr KeyEvent kSetBitEvent{kNotifyString, "setbit"};

// Redis's lookupStringForBitCommand: finds the string at key (replying WRONGTYPE and returning
// null for other types), creating it or padding it with zero bytes so byte `last_byte` exists.
// Like Redis's dbUnshareStringValue, the value always ends up raw-encoded. *created / *grew say
// what happened; creation has already gone through DbView's commit path (SetString, which
// announces "new"), so the caller then only Notifies its event for a created key.
Entry* StringForBitWrite(CommandContext& ctx, std::string_view key, uint64_t last_byte,
                         bool* created, bool* grew) {
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kString)) return nullptr;
  *created = e == nullptr;
  if (e == nullptr) e = ctx.db.SetString(key, "", ExpireMode::kClear, -1, KeyEvent{});
  const size_t old_len = e->val_len;
  const size_t need = static_cast<size_t>(last_byte) + 1;
  *grew = need > old_len;
  if (*grew) {
    e = ctx.db.ResizeString(e, need);
    std::memset(e->val_data() + old_len, 0, need - old_len);
  }
  e->encoding = engine::Encoding::kRaw;
  return e;
}

// ---- SETBIT / GETBIT ----

void CmdSetBit(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  const std::optional<uint64_t> offset =
      types::ParseBitOffset(ctx.arg(2), std::min(MaxBitmapBytes(ctx), kMaxValueBytes));
  if (!offset) return ctx.reply.Error(errors::kBitOffset);
  int64_t on;
  if (!IntArgInRange(ctx, ctx.arg(3), 0, 1, &on, errors::kBitValue)) return;
  const uint64_t byte = *offset >> 3;
  bool created, grew;
  Entry* e = StringForBitWrite(ctx, key, byte, &created, &grew);
  if (e == nullptr) return;
  // The bit is updated through a one-byte window so the algorithm never copies the value.
  std::string window(1, e->val_data()[byte]);
  const int old_bit = types::SetBit(&window, *offset & 7, static_cast<int>(on));
  e->val_data()[byte] = window[0];
  // Redis counts a write only when the key was created, grew, or the bit flipped.
  if (created) {
    ctx.db.Notify(key, kSetBitEvent);
  } else if (grew || old_bit != on) {
    ctx.db.Modified(key, kSetBitEvent);
  }
  ctx.reply.Integer(old_bit);
}

void CmdGetBit(CommandContext& ctx) {
  const std::optional<uint64_t> offset = types::ParseBitOffset(ctx.arg(2), MaxBitmapBytes(ctx));
  if (!offset) return ctx.reply.Error(errors::kBitOffset);
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kString)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  ctx.reply.Integer(types::GetBit(e->value(), *offset));
}

// ---- BITCOUNT / BITPOS ----

void CmdBitCount(CommandContext& ctx) {
  // Redis looks the key up before parsing the range: a missing key counts 0 whatever follows.
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kString)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  std::string_view s = e->value();
  if (ctx.argc() == 2) return ctx.reply.Integer(types::BitCount(s));
  if (ctx.argc() != 4 && ctx.argc() != 5) return ReplySyntaxError(ctx);
  int64_t start, end;
  if (!IntArg(ctx, ctx.arg(2), &start) || !IntArg(ctx, ctx.arg(3), &end)) return;
  // Redis answers 0 for two negative indexes in reverse order before it looks at the unit, so
  // "BITCOUNT k -1 -2 junk" is 0, not a syntax error.
  if (start < 0 && end < 0 && start > end) return ctx.reply.Integer(0);
  bool bit_unit = false;
  if (ctx.argc() == 5 && !ParseUnit(ctx, ctx.arg(4), &bit_unit)) return;
  ctx.reply.Integer(types::BitCount(s, start, end, bit_unit));
}

void CmdBitPos(CommandContext& ctx) {
  int64_t bit;
  if (!IntArg(ctx, ctx.arg(2), &bit)) return;
  if (bit != 0 && bit != 1) return ctx.reply.Error(kBitArgument);
  Entry* e = ctx.db.Find(ctx.arg(1));
  // A missing key is an endless run of zeros; Redis answers before parsing the range.
  if (e == nullptr) return ctx.reply.Integer(bit ? -1 : 0);
  if (!CheckType(ctx, e, ObjType::kString)) return;
  std::string_view s = e->value();
  if (ctx.argc() == 3) {
    return ctx.reply.Integer(types::BitPos(s, static_cast<int>(bit), std::nullopt, std::nullopt,
                                           /*bit_unit=*/false, /*end_given=*/false));
  }
  if (ctx.argc() > 6) return ReplySyntaxError(ctx);
  int64_t start;
  if (!IntArg(ctx, ctx.arg(3), &start)) return;
  // Redis checks the unit before parsing the end index.
  bool bit_unit = false;
  if (ctx.argc() == 6 && !ParseUnit(ctx, ctx.arg(5), &bit_unit)) return;
  std::optional<int64_t> end;
  if (ctx.argc() >= 5) {
    int64_t v;
    if (!IntArg(ctx, ctx.arg(4), &v)) return;
    end = v;
  }
  ctx.reply.Integer(types::BitPos(s, static_cast<int>(bit), start, end, bit_unit, end.has_value()));
}

// ---- BITOP ----

void CmdBitOp(CommandContext& ctx) {
  const std::optional<types::BitOpKind> op = types::ParseBitOpKind(ctx.arg(1));
  if (!op) return ReplySyntaxError(ctx);
  if (*op == types::BitOpKind::kNot && ctx.argc() != 4) return ctx.reply.Error(kBitopNotArity);
  std::vector<std::string_view> sources;
  sources.reserve(ctx.argc() - 3);
  for (size_t i = 3; i < ctx.argc(); ++i) {
    const Entry* e = ctx.db.Find(ctx.arg(i));
    if (!CheckType(ctx, e, ObjType::kString)) return;
    sources.push_back(e == nullptr ? std::string_view() : e->value());
  }
  // Computed before the destination is written: it may be one of the sources.
  const std::string result = types::BitOp(*op, sources);
  std::string_view dest = ctx.arg(2);
  if (result.empty()) {
    ctx.db.Delete(dest, {kNotifyGeneric, "del"});
  } else {
    // Redis stores the result object as built, without trying a shorter encoding.
    Entry* e = ctx.db.SetString(dest, result, ExpireMode::kClear, -1, {kNotifyString, "set"});
    e->encoding = engine::Encoding::kRaw;
  }
  ctx.reply.Integer(static_cast<int64_t>(result.size()));
}

// ---- BITFIELD / BITFIELD_RO ----

struct FieldOp {
  enum class Kind { kGet, kSet, kIncrBy };
  Kind kind;
  types::BitfieldType type;
  uint64_t offset;
  int64_t value;  // SET value or INCRBY increment
  types::BitfieldOverflow overflow;
};

// Runs one SET / INCRBY on the bytes of e covering the field, through a window of at most 9 bytes
// so the algorithm never copies the whole value. The bytes exist: the value was grown first.
types::BitfieldWriteResult WriteField(Entry* e, const FieldOp& op) {
  const uint64_t first_byte = op.offset >> 3;
  const uint64_t rel = op.offset & 7;
  const size_t nbytes = static_cast<size_t>((rel + op.type.bits + 7) / 8);
  char* bytes = e->val_data() + first_byte;
  std::string window(bytes, nbytes);
  const types::BitfieldWriteResult r =
      op.kind == FieldOp::Kind::kSet
          ? types::BitfieldSet(&window, rel, op.type, op.value, op.overflow)
          : types::BitfieldIncrBy(&window, rel, op.type, op.value, op.overflow);
  if (!r.failed) std::memcpy(bytes, window.data(), nbytes);
  return r;
}

void BitfieldGeneric(CommandContext& ctx, bool read_only_command) {
  // Redis parses and validates every subcommand before touching the key, so an error in any of
  // them leaves the key alone.
  const uint64_t max_bytes = MaxBitmapBytes(ctx);
  std::vector<FieldOp> ops;
  types::BitfieldOverflow overflow = types::BitfieldOverflow::kWrap;
  bool writes = false;
  uint64_t highest_write_bit = 0;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const size_t remaining = ctx.argc() - j - 1;
    std::string_view sub = ctx.arg(j);
    FieldOp op{};
    if (EqualsIgnoreCase(sub, "get") && remaining >= 2) {
      op.kind = FieldOp::Kind::kGet;
    } else if (EqualsIgnoreCase(sub, "set") && remaining >= 3) {
      op.kind = FieldOp::Kind::kSet;
    } else if (EqualsIgnoreCase(sub, "incrby") && remaining >= 3) {
      op.kind = FieldOp::Kind::kIncrBy;
    } else if (EqualsIgnoreCase(sub, "overflow") && remaining >= 1) {
      const std::optional<types::BitfieldOverflow> o = types::ParseBitfieldOverflow(ctx.arg(++j));
      if (!o) return ctx.reply.Error(kBitfieldOverflow);
      overflow = *o;
      continue;
    } else {
      return ReplySyntaxError(ctx);
    }
    const std::optional<types::BitfieldType> type = types::BitfieldType::Parse(ctx.arg(j + 1));
    if (!type) return ctx.reply.Error(kBitfieldType);
    const std::optional<uint64_t> offset =
        types::ParseBitfieldOffset(ctx.arg(j + 2), *type, max_bytes);
    if (!offset) return ctx.reply.Error(errors::kBitOffset);
    op.type = *type;
    op.offset = *offset;
    op.overflow = overflow;
    if (op.kind != FieldOp::Kind::kGet) {
      const uint64_t last_bit = *offset + static_cast<uint64_t>(type->bits) - 1;
      if ((last_bit >> 3) >= kMaxValueBytes) return ctx.reply.Error(errors::kBitOffset);
      writes = true;
      highest_write_bit = std::max(highest_write_bit, last_bit);
      if (!IntArg(ctx, ctx.arg(j + 3), &op.value)) return;
    }
    ops.push_back(op);
    j += op.kind == FieldOp::Kind::kGet ? 2 : 3;
  }

  std::string_view key = ctx.arg(1);
  Entry* e;
  bool created = false, grew = false;
  if (!writes) {
    e = ctx.db.Find(key);
    if (!CheckType(ctx, e, ObjType::kString)) return;
  } else {
    if (read_only_command) return ctx.reply.Error(kBitfieldRoWrite);
    // Sized once for the farthest write: the string grows (and is created) even when every
    // write is then refused by OVERFLOW FAIL, as in Redis.
    e = StringForBitWrite(ctx, key, highest_write_bit >> 3, &created, &grew);
    if (e == nullptr) return;
  }

  ctx.reply.ArrayLen(static_cast<int64_t>(ops.size()));
  int64_t changes = 0;
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::Kind::kGet) {
      std::string_view s = e == nullptr ? std::string_view() : e->value();
      ctx.reply.Integer(types::BitfieldGet(s, op.offset, op.type));
      continue;
    }
    const types::BitfieldWriteResult r = WriteField(e, op);
    if (r.failed) {
      ctx.reply.Null();
      continue;
    }
    ctx.reply.Integer(r.value);
    // As Redis, every write that took place counts once when the string was created or grown.
    if (created || grew || r.changed) ++changes;
  }
  if (changes > 0) {
    // Redis adds one to the dirty counter per counted write; Modified (or the creating
    // SetString) adds the first. BITFIELD announces "setbit", as SETBIT does.
    if (created) {
      ctx.db.Notify(key, kSetBitEvent);
    } else {
      ctx.db.Modified(key, kSetBitEvent);
    }
    ctx.db.engine().AddDirty(changes - 1);
  }
}

void CmdBitfield(CommandContext& ctx) { BitfieldGeneric(ctx, /*read_only_command=*/false); }
void CmdBitfieldRo(CommandContext& ctx) { BitfieldGeneric(ctx, /*read_only_command=*/true); }

const std::vector<KeySpec> kOneKeyRO = {{1, 0, 1, {"RO", "ACCESS"}}};
const std::vector<KeySpec> kOneKeyRW = {{1, 0, 1, {"RW", "ACCESS", "UPDATE"}}};
// The destination, then every source to the end: BITOP's keys may span shards.
const std::vector<KeySpec> kBitOpKeys = {{2, 0, 1, {"OW", "UPDATE"}}, {3, -1, 1, {"RO", "ACCESS"}}};
const std::vector<KeySpec> kBitfieldKeys = {
    {1, 0, 1, {"RW", "ACCESS", "UPDATE", "VARIABLE_FLAGS"}}};

}  // namespace

void RegisterBitCommands(CommandRegistry& r) {
  constexpr uint32_t kW = kWrite | kDenyOom;
  r.Add({"setbit", 4, kW, "write bitmap slow", kOneKeyRW, CmdSetBit,
         "Sets or clears the bit at offset of the string value. Creates the key if it doesn't "
         "exist.",
         "2.2.0", "bitmap", "O(1)", nullptr, ""});
  r.Add({"getbit", 3, kReadOnly | kFast, "read bitmap fast", kOneKeyRO, CmdGetBit,
         "Returns a bit value by offset.", "2.2.0", "bitmap", "O(1)", nullptr, ""});
  r.Add({"bitcount", -2, kReadOnly, "read bitmap slow", kOneKeyRO, CmdBitCount,
         "Counts the number of set bits (population counting) in a string.", "2.6.0", "bitmap",
         "O(N)", nullptr, ""});
  r.Add({"bitpos", -3, kReadOnly, "read bitmap slow", kOneKeyRO, CmdBitPos,
         "Finds the first set (1) or clear (0) bit in a string.", "2.8.7", "bitmap", "O(N)",
         nullptr, ""});
  r.Add({"bitop", -4, kW, "write bitmap slow", kBitOpKeys, CmdBitOp,
         "Performs bitwise operations on multiple strings, and stores the result.", "2.6.0",
         "bitmap", "O(N)", nullptr, ""});
  r.Add({"bitfield", -2, kW, "write bitmap slow", kBitfieldKeys, CmdBitfield,
         "Performs arbitrary bitfield integer operations on strings.", "3.2.0", "bitmap",
         "O(1) for each subcommand specified", nullptr, ""});
  r.Add({"bitfield_ro", -2, kReadOnly | kFast, "read bitmap fast", kOneKeyRO, CmdBitfieldRo,
         "Performs arbitrary read-only bitfield integer operations on strings.", "6.0.0", "bitmap",
         "O(1) for each subcommand specified", nullptr, ""});
}

}  // namespace weir::commands
