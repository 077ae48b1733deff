// The HyperLogLog family: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST. An HLL is a plain
// string value in Redis's byte format (types/hyperloglog.h), so GET, SET, APPEND... see the
// same bytes Redis would hold, and every reply and error follows Redis 7.2's hyperloglog.c.
//
// Dense values (12 KiB) are edited in place in the key's entry. Sparse values (at most
// hll-sparse-max-bytes, 3000 by default) are edited in a scratch copy and stored back once per
// command: the sparse edits move bytes around and may turn the value dense, and a copy of a
// few hundred bytes is cheaper than resizing the entry for every opcode split.
#include "types/hyperloglog.h"

#include <cstring>
#include <string>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/strings.h"

namespace weir::commands {
namespace {

namespace hll = types::hll;
using engine::Entry;
using engine::ExpireMode;
using engine::ObjType;

constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kCorrupt = "INVALIDOBJ Corrupted HLL object detected";

size_t SparseMaxBytes(CommandContext& ctx) {
  thread_local ConfigHandles<1> handles;
  return static_cast<size_t>(handles.Read(ctx.server.config(), {"hll-sparse-max-bytes"})[0]);
}

// Redis's isHLLObjectOrReply for an existing key: a string with a valid HLL header, else
// WRONGTYPE (the usual text for another type, the HLL one for another string).
bool CheckHll(CommandContext& ctx, const Entry* e) {
  if (!CheckType(ctx, e, ObjType::kString)) return false;
  if (!hll::IsHll(e->value())) {
    ctx.reply.Error(kNotHll);
    return false;
  }
  return true;
}

// The commands that may write an HLL unshare it first in Redis (dbUnshareStringValue), which
// leaves it a raw string even when nothing changes: OBJECT ENCODING says so afterwards.
void Unshare(Entry* e) { e->encoding = engine::Encoding::kRaw; }

bool IsDense(const Entry* e) { return hll::EncodingOf(e->value()) == hll::kDense; }

uint8_t* DenseRegisters(Entry* e) {
  return reinterpret_cast<uint8_t*>(e->val_data()) + hll::kHeaderSize;
}

// PFADD and PFMERGE both announce "pfadd" (Redis: a merge is a mass add).
constexpr KeyEvent kPfAddEvent{kNotifyString, "pfadd"};

// Stores an edited copy of a key's value (keeping its TTL) through the commit path, recording
// event; returns the entry now holding it.
Entry* Store(CommandContext& ctx, std::string_view key, std::string_view value,
             const KeyEvent& event) {
  Entry* e = ctx.db.SetString(key, value, ExpireMode::kKeep, -1, event);
  Unshare(e);
  return e;
}

// The copy sparse edits work on; one per thread, reused so that PFADD does not allocate.
std::string& Scratch() {
  thread_local std::string scratch;
  return scratch;
}

// The value PFADD and PFMERGE create a key with (assigned into the scratch copy, whose buffer
// a move-assignment of a fresh string would throw away).
const std::string& EmptyHll() {
  static const std::string empty = hll::NewSparse();
  return empty;
}

// ---- PFADD key [element ...] ----------------------------------------------------------------

void CmdPfAdd(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e != nullptr && !CheckHll(ctx, e)) return;
  // Redis counts one dirty change per register raised (plus one for creating the key).
  int64_t updated = 0;
  if (e != nullptr && IsDense(e)) {
    Unshare(e);
    uint8_t* regs = DenseRegisters(e);
    for (size_t i = 2; i < ctx.argc(); ++i) updated += hll::DenseAdd(regs, ctx.arg(i)) ? 1 : 0;
    if (updated > 0) {
      hll::InvalidateCache(e->val_data());
      ctx.db.Modified(key, kPfAddEvent);
      ctx.db.engine().AddDirty(updated - 1);
    }
    return ctx.reply.Integer(updated > 0 ? 1 : 0);
  }

  std::string& value = Scratch();
  if (e == nullptr) {
    value.assign(EmptyHll());
    updated = 1;
  } else {
    Unshare(e);
    value.assign(e->value());
  }
  const size_t max_bytes = SparseMaxBytes(ctx);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    int r = hll::Add(&value, ctx.arg(i), max_bytes);
    if (r < 0) {
      // A corrupt sparse value (only an existing key can be): Redis keeps the registers the
      // elements before this one raised, without counting a change; Weir stores them too, as a
      // write (WATCH sees it) that, as Redis's, announces nothing, and answers the same error.
      if (value != e->value()) Store(ctx, key, value, KeyEvent{});
      return ctx.reply.Error(kCorrupt);
    }
    updated += r;
  }
  if (updated > 0) {
    hll::InvalidateCache(value.data());
    Store(ctx, key, value, kPfAddEvent);
    ctx.db.engine().AddDirty(updated - 1);
  }
  ctx.reply.Integer(updated > 0 ? 1 : 0);
}

// ---- PFCOUNT key [key ...] ------------------------------------------------------------------

void CmdPfCount(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    // The union's registers, one byte each; missing keys count as empty HLLs. Never cached.
    uint8_t max[hll::kRegisters] = {};
    for (size_t i = 1; i < ctx.argc(); ++i) {
      Entry* e = ctx.db.Find(ctx.arg(i));
      if (e == nullptr) continue;
      if (!CheckHll(ctx, e)) return;
      if (!hll::MergeInto(max, e->value())) return ctx.reply.Error(kCorrupt);
    }
    return ctx.reply.Integer(static_cast<int64_t>(hll::CountRegisters(max)));
  }
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.Find(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!CheckHll(ctx, e)) return;
  Unshare(e);
  if (hll::CacheValid(e->value())) {
    return ctx.reply.Integer(static_cast<int64_t>(hll::CachedCardinality(e->value())));
  }
  bool invalid = false;
  uint64_t card = hll::Count(e->value(), &invalid);
  if (invalid) return ctx.reply.Error(kCorrupt);
  // Caching the count changes the value's bytes: a read-only command that writes, as in Redis
  // (WATCH sees it, and it counts as a change). Storing the same count again changes nothing,
  // so a script that starts over (scripting.cc) may repeat it safely. Redis announces no event
  // for it.
  hll::SetCachedCardinality(e->val_data(), card);
  ctx.db.Modified(key, KeyEvent{});
  ctx.reply.Integer(static_cast<int64_t>(card));
}

// ---- PFMERGE destkey [sourcekey ...] --------------------------------------------------------

void CmdPfMerge(CommandContext& ctx) {
  // Every key, the destination first, is a source: destkey's own registers stay.
  uint8_t max[hll::kRegisters] = {};
  bool use_dense = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Entry* e = ctx.db.Find(ctx.arg(i));
    if (e == nullptr) continue;
    if (!CheckHll(ctx, e)) return;
    // A dense input makes the destination dense at once, saving the conversion later.
    if (IsDense(e)) use_dense = true;
    if (!hll::MergeInto(max, e->value())) return ctx.reply.Error(kCorrupt);
  }

  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e != nullptr && IsDense(e)) {
    Unshare(e);
    uint8_t* regs = DenseRegisters(e);
    for (int j = 0; j < hll::kRegisters; ++j) {
      if (max[j] != 0) hll::DenseSet(regs, j, max[j]);
    }
    hll::InvalidateCache(e->val_data());
    ctx.db.Modified(key, kPfAddEvent);
  } else {
    // Raising the registers one by one in order, as Redis does, gives Redis's sparse bytes
    // (the sparse encoding of a set of registers depends on the order they were set in).
    std::string& value = Scratch();
    if (e == nullptr) {
      value.assign(EmptyHll());
    } else {
      value.assign(e->value());
    }
    // The destination was checked as a source, so it converts.
    if (use_dense && !hll::SparseToDense(&value)) return ctx.reply.Error(kCorrupt);
    const size_t max_bytes = SparseMaxBytes(ctx);
    for (int j = 0; j < hll::kRegisters; ++j) {
      if (max[j] != 0) hll::Set(&value, j, max[j], max_bytes);
    }
    hll::InvalidateCache(value.data());
    Store(ctx, key, value, kPfAddEvent);
  }
  ctx.reply.Ok();
}

// ---- PFDEBUG subcommand key -----------------------------------------------------------------

// PFDEBUG GETREG / TODENSE rewrite a sparse value as dense. Redis only counts a change there;
// Weir stores it through the commit path like any other write (so WATCH also sees it), with no
// keyspace event, as Redis announces none.
// Returns the entry now holding the key, or nullptr after replying the corruption error.
Entry* ConvertToDense(CommandContext& ctx, std::string_view key, Entry* e) {
  std::string& value = Scratch();
  value.assign(e->value());
  if (!hll::SparseToDense(&value)) {
    ctx.reply.Error(kCorrupt);
    return nullptr;
  }
  return Store(ctx, key, value, KeyEvent{});
}

void CmdPfDebug(CommandContext& ctx) {
  // Redis compares the subcommand as a C string: it ends at a NUL byte.
  std::string_view sub = ctx.arg(1);
  sub = sub.substr(0, sub.find('\0'));
  std::string_view key = ctx.arg(2);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Error("ERR The specified key does not exist");
  if (!CheckHll(ctx, e)) return;
  Unshare(e);
  const bool sparse = !IsDense(e);

  if (EqualsIgnoreCase(sub, "getreg")) {
    if (sparse && (e = ConvertToDense(ctx, key, e)) == nullptr) return;
    const uint8_t* regs = DenseRegisters(e);
    ctx.reply.ArrayLen(hll::kRegisters);
    for (int j = 0; j < hll::kRegisters; ++j) ctx.reply.Integer(hll::DenseGet(regs, j));
  } else if (EqualsIgnoreCase(sub, "decode")) {
    if (!sparse) return ctx.reply.Error("ERR HLL encoding is not sparse");
    ctx.reply.Bulk(hll::DecodeSparse(e->value()));
  } else if (EqualsIgnoreCase(sub, "encoding")) {
    ctx.reply.SimpleString(sparse ? "sparse" : "dense");
  } else if (EqualsIgnoreCase(sub, "todense")) {
    if (sparse && ConvertToDense(ctx, key, e) == nullptr) return;
    ctx.reply.Integer(sparse ? 1 : 0);
  } else {
    ctx.reply.Error(StrCat("ERR Unknown PFDEBUG subcommand '", sub, "'"));
  }
}

// ---- PFSELFTEST -----------------------------------------------------------------------------

void CmdPfSelfTest(CommandContext& ctx) {
  std::string failure = hll::SelfTest(SparseMaxBytes(ctx), engine::RandomU64());
  if (!failure.empty()) return ctx.reply.Error(failure);
  ctx.reply.Ok();
}

}  // namespace

void RegisterHyperLogLogCommands(CommandRegistry& r) {
  r.Add({"pfadd",
         -2,
         kWrite | kDenyOom | kFast,
         "write hyperloglog fast",
         {{1, 0, 1, {"RW", "INSERT"}}},
         CmdPfAdd,
         "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.",
         "2.8.9",
         "hyperloglog",
         "O(1) to add every element."});
  KeySpec count_keys{1, -1, 1, {"RW", "ACCESS"}};
  count_keys.notes =
      "RW because it may change the internal representation of the key, and propagate to "
      "replicas";
  r.Add({"pfcount",
         -2,
         kReadOnly | kMayReplicate,
         "read hyperloglog slow",
         {count_keys},
         CmdPfCount,
         "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).",
         "2.8.9",
         "hyperloglog",
         "O(1) with a very small average constant time when called with a single key. O(N) with "
         "N being the number of keys, and much bigger constant times, when called with multiple "
         "keys."});
  r.Add({"pfmerge",
         -2,
         kWrite | kDenyOom,
         "write hyperloglog slow",
         {{1, 0, 1, {"RW", "ACCESS", "INSERT"}}, {2, -1, 1, {"RO", "ACCESS"}}},
         CmdPfMerge,
         "Merges one or more HyperLogLog values into a single key.",
         "2.8.9",
         "hyperloglog",
         "O(N) to merge N HyperLogLogs, but with high constant times."});
  r.Add({"pfdebug",
         3,
         kWrite | kDenyOom | kAdmin,
         "write hyperloglog admin slow dangerous",
         {{2, 0, 1, {"RW", "ACCESS"}}},
         CmdPfDebug,
         "Internal commands for debugging HyperLogLog values.",
         "2.8.9",
         "hyperloglog",
         "N/A"});
  r.Add({"pfselftest",
         1,
         kAdmin | kNoLock,
         "hyperloglog admin slow dangerous",
         {},
         CmdPfSelfTest,
         "An internal command for testing HyperLogLog values.",
         "2.8.9",
         "hyperloglog",
         "N/A"});
}

}  // namespace weir::commands
