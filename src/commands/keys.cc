// The keyspace and expiry family: DEL UNLINK EXISTS TYPE RENAME RENAMENX COPY MOVE SWAPDB,
// SCAN KEYS RANDOMKEY DBSIZE FLUSHDB FLUSHALL, the EXPIRE / TTL commands, PERSIST, TOUCH, OBJECT.
#include <absl/strings/str_cat.h>

#include <cctype>
#include <climits>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/glob.h"
#include "common/memory.h"
#include "common/numbers.h"
#include "protocol/errors.h"

namespace weir::commands {
namespace {

using engine::Entry;
using engine::ObjType;
namespace errors = protocol::errors;

// ---- Shared helpers ----

// Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH), used by EXISTS, TYPE, TTL and OBJECT: lazy
// expiry and keyspace hit/miss accounting, but the key's access clock is left alone.
engine::DbView NoTouchView(CommandContext& ctx) {
  engine::DbView view = ctx.db;
  view.set_no_touch(true);
  return view;
}

// Redis formats some errors with "%s", which stops at the first NUL byte of the argument.
std::string_view CString(std::string_view s) { return s.substr(0, s.find('\0')); }

// A database index argument as Redis's getIntFromObjectOrReply reads it: an integer (else
// err_text, or the integer error) that fits an int (else err_text, or a range error naming the
// int bounds); checked against the database count after.
bool DbIndexArg(CommandContext& ctx, std::string_view s, int64_t* out,
                std::string_view err_text = {}) {
  if (!ParseInt64(s, out)) {
    ctx.reply.Error(err_text.empty() ? errors::kNotInteger : err_text);
    return false;
  }
  if (*out < INT_MIN || *out > INT_MAX) {
    ctx.reply.Error(err_text.empty()
                        ? "ERR value is out of range, value must between -2147483648 and "
                          "2147483647"
                        : err_text);
    return false;
  }
  return true;
}

bool DbIndexInRange(CommandContext& ctx, int64_t db) {
  return db >= 0 && db < ctx.db.engine().num_dbs();
}

// ---- DEL UNLINK EXISTS TYPE TOUCH ----

void DeleteKeys(CommandContext& ctx, bool lazy) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (ctx.db.Delete(ctx.arg(i), {kNotifyGeneric, "del"}, lazy)) ++deleted;
  }
  ctx.reply.Integer(deleted);
}

void CmdDel(CommandContext& ctx) {
  DeleteKeys(ctx, ctx.server.config().Int("lazyfree-lazy-user-del") != 0);
}

void CmdUnlink(CommandContext& ctx) { DeleteKeys(ctx, true); }

void CmdExists(CommandContext& ctx) {
  engine::DbView view = NoTouchView(ctx);
  int64_t count = 0;
  // Repeated keys count once per mention, as in Redis.
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (view.Find(ctx.arg(i)) != nullptr) ++count;
  }
  ctx.reply.Integer(count);
}

void CmdType(CommandContext& ctx) {
  engine::DbView view = NoTouchView(ctx);
  const Entry* e = view.Find(ctx.arg(1));
  ctx.reply.SimpleString(e == nullptr ? "none" : engine::TypeName(e->type));
}

void CmdTouch(CommandContext& ctx) {
  int64_t touched = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (ctx.db.Find(ctx.arg(i)) != nullptr) ++touched;
  }
  ctx.reply.Integer(touched);
}

// ---- RENAME RENAMENX COPY MOVE SWAPDB ----

void RenameGeneric(CommandContext& ctx, bool nx) {
  std::string_view src = ctx.arg(1);
  std::string_view dst = ctx.arg(2);
  Entry* e = ctx.db.FindForWrite(src);
  if (e == nullptr) return ctx.reply.Error(errors::kNoSuchKey);
  // Renaming a key onto itself changes nothing, but only once the key is known to exist.
  if (src == dst) return nx ? ctx.reply.Integer(0) : ctx.reply.Ok();
  int64_t expire = e->expire_at();
  if (ctx.db.FindForWrite(dst) != nullptr) {
    if (nx) return ctx.reply.Integer(0);
    Entry::Destroy(ctx.db.Detach(dst));
  }
  // Move the entry itself: its value is never copied and it keeps its TTL and access clock.
  // Events as Redis: "new" on dst (Attach), then "rename_from" on src, "rename_to" on dst.
  ctx.db.Attach(ctx.db.Detach(src), dst, expire);
  ctx.db.Modified(src, {kNotifyGeneric, "rename_from"});
  ctx.db.Modified(dst, {kNotifyGeneric, "rename_to"});
  nx ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

void CmdRename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void CmdRenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

void CmdCopy(CommandContext& ctx) {
  int64_t dst_db = ctx.db.index();
  bool replace = false;
  // Options are checked left to right; the first bad one decides the error.
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(opt, "db") && j + 1 < ctx.argc()) {
      if (!DbIndexArg(ctx, ctx.arg(j + 1), &dst_db)) return;
      if (!DbIndexInRange(ctx, dst_db)) return ctx.reply.Error(errors::kDbIndex);
      ++j;
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  std::string_view src = ctx.arg(1);
  std::string_view dst = ctx.arg(2);
  if (dst_db == ctx.db.index() && src == dst) return ctx.reply.Error(errors::kSameObject);

  const Entry* e = ctx.db.Find(src);
  if (e == nullptr) return ctx.reply.Integer(0);
  int64_t expire = e->expire_at();
  engine::DbView target = ctx.db.WithDb(static_cast<int>(dst_db));
  target.set_no_touch(ctx.session.no_touch);
  if (target.FindForWrite(dst) != nullptr) {
    if (!replace) return ctx.reply.Integer(0);
    Entry::Destroy(target.Detach(dst));
  }
  Entry* copy = ctx.db.Clone(e);
  // The copy is a new object: its idle time starts now.
  copy->lru = ctx.db.LruNow();
  target.Attach(copy, dst, expire);
  target.Modified(dst, {kNotifyGeneric, "copy_to"});
  ctx.reply.Integer(1);
}

void CmdMove(CommandContext& ctx) {
  int64_t dst_db;
  if (!DbIndexArg(ctx, ctx.arg(2), &dst_db)) return;
  if (!DbIndexInRange(ctx, dst_db)) return ctx.reply.Error(errors::kDbIndex);
  if (dst_db == ctx.db.index()) return ctx.reply.Error(errors::kSameObject);
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  int64_t expire = e->expire_at();
  engine::DbView target = ctx.db.WithDb(static_cast<int>(dst_db));
  target.set_no_touch(ctx.session.no_touch);
  if (target.FindForWrite(key) != nullptr) return ctx.reply.Integer(0);
  // Same key, so same shard: the dispatcher's lock covers both databases.
  // "new" in the target database (Attach), then "move_from" here and "move_to" there.
  target.Attach(ctx.db.Detach(key), key, expire);
  ctx.db.Modified(key, {kNotifyGeneric, "move_from"});
  target.Modified(key, {kNotifyGeneric, "move_to"});
  ctx.reply.Integer(1);
}

void CmdSwapDb(CommandContext& ctx) {
  int64_t a, b;
  if (!DbIndexArg(ctx, ctx.arg(1), &a, "ERR invalid first DB index")) return;
  if (!DbIndexArg(ctx, ctx.arg(2), &b, "ERR invalid second DB index")) return;
  if (!DbIndexInRange(ctx, a) || !DbIndexInRange(ctx, b)) {
    return ctx.reply.Error(errors::kDbIndex);
  }
  engine::Engine& engine = ctx.db.engine();
  if (a != b) {
    engine::DbView va = ctx.db.WithDb(static_cast<int>(a));
    engine::DbView vb = ctx.db.WithDb(static_cast<int>(b));
    // Clients stay on their database index and so see different data: WATCHes on either side
    // are invalidated, as Redis does.
    va.TouchAllWatched(&vb);
    vb.TouchAllWatched(&va);
    engine.SwapDbs(static_cast<int>(a), static_cast<int>(b));
    // Clients blocked on a key stay with their database index and may now find it filled.
    va.NoteWaitedKeysReady();
    vb.NoteWaitedKeysReady();
  }
  engine.AddDirty(1);
  ctx.reply.Ok();
}

// ---- FLUSHDB FLUSHALL ----

// Redis's getFlushCommandFlags: a lone ASYNC or SYNC; no argument means the
// lazyfree-lazy-user-flush default; anything else (even "ASYNC SYNC") is a syntax error.
bool FlushMode(CommandContext& ctx, bool* async) {
  if (ctx.argc() == 1) {
    *async = ctx.server.config().Bool("lazyfree-lazy-user-flush");
    return true;
  }
  if (ctx.argc() == 2 && EqualsIgnoreCase(ctx.arg(1), "sync")) {
    *async = false;
    return true;
  }
  if (ctx.argc() == 2 && EqualsIgnoreCase(ctx.arg(1), "async")) {
    *async = true;
    return true;
  }
  ReplySyntaxError(ctx);
  return false;
}

// An empty database has nothing to free: flushing it in the background would only start a
// thread.
bool HasKeys(engine::DbView& view) { return view.engine().KeyCount(view.index()) > 0; }

void CmdFlushDb(CommandContext& ctx) {
  bool async;
  if (!FlushMode(ctx, &async)) return;
  ctx.db.TouchAllWatched();
  ctx.db.Flush(async && HasKeys(ctx.db));
  ctx.db.engine().NotifyFlushed(async);  // tracking clients: every key is invalid
  ctx.reply.Ok();
}

void CmdFlushAll(CommandContext& ctx) {
  bool async;
  if (!FlushMode(ctx, &async)) return;
  for (int i = 0; i < ctx.db.engine().num_dbs(); ++i) {
    engine::DbView view = ctx.db.WithDb(i);
    view.TouchAllWatched();
    view.Flush(async && HasKeys(view));
  }
  ctx.db.engine().NotifyFlushed(async);  // once, not per database
  ctx.reply.Ok();
}

// ---- SCAN KEYS RANDOMKEY DBSIZE ----

// The SCAN TYPE names Redis knows; kNoType matches no key (Redis 7.2 accepts unknown names).
constexpr int kNoType = -1;
int ScanTypeByName(std::string_view name) {
  static constexpr ObjType kTypes[] = {ObjType::kString, ObjType::kList, ObjType::kSet,
                                       ObjType::kZSet,   ObjType::kHash, ObjType::kStream};
  for (ObjType t : kTypes) {
    if (EqualsIgnoreCase(name, engine::TypeName(t))) return static_cast<int>(t);
  }
  return kNoType;
}

// Holds one shard for a SCAN step. SCAN runs without dispatcher locks, but inside EXEC the
// caller's LockSet may already hold some shards: those are used as they are; a shard above all
// held ones can be waited for in order; one below them is only tried, since waiting for it out
// of order could deadlock. When that fails, the scan stops there and the cursor resumes it.
class ScanShardLock {
 public:
  ScanShardLock(engine::Engine& engine, const engine::LockSet& held, int max_held, int shard)
      : engine_(engine), own_(engine), shard_(shard) {
    if (held.Holds(shard)) {
      ok_ = true;
    } else if (shard > max_held) {
      own_.AddShard(shard);
      own_.Lock();
      ok_ = true;
    } else {
      ok_ = tried_ = engine.TryLockShard(shard);
    }
  }
  ~ScanShardLock() {
    if (tried_) engine_.UnlockShard(shard_);
  }
  ScanShardLock(const ScanShardLock&) = delete;
  ScanShardLock& operator=(const ScanShardLock&) = delete;

  bool ok() const { return ok_; }

 private:
  engine::Engine& engine_;
  engine::LockSet own_;
  int shard_;
  bool ok_ = false;
  bool tried_ = false;
};

// The cursor is the shard index in the low shard_bits() bits and that shard's table cursor
// (Redis's reverse-binary bucket order) above them. Shards are scanned in order, each under its
// own lock only; a shard is left when its table cursor comes back to 0.
void CmdScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ScanCursorArg(ctx, ctx.arg(1), &cursor)) return;
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  bool use_type = false;
  int type = kNoType;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    bool has_value = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "count") && has_value) {
      if (!IntArg(ctx, ctx.arg(i + 1), &count)) return;
      if (count < 1) return ReplySyntaxError(ctx);
    } else if (EqualsIgnoreCase(opt, "match") && has_value) {
      pattern = ctx.arg(i + 1);
      // A lone "*" matches everything (GlobMatch would refuse the empty key).
      use_pattern = pattern != "*";
    } else if (EqualsIgnoreCase(opt, "type") && has_value) {
      use_type = true;
      type = ScanTypeByName(ctx.arg(i + 1));
    } else {
      return ReplySyntaxError(ctx);
    }
  }

  engine::Engine& engine = ctx.db.engine();
  const int bits = engine.shard_bits();
  const int num_shards = engine.num_shards();
  int shard = static_cast<int>(cursor & ((uint64_t{1} << bits) - 1));
  uint64_t table_cursor = cursor >> bits;
  int max_held = -1;
  for (int s = 0; s < num_shards && !ctx.locks.holds_all(); ++s) {
    if (ctx.locks.Holds(s)) max_held = s;
  }

  // As Redis: visit buckets until COUNT entries were seen (matching or not), but at most
  // COUNT*10 buckets, so a sparse table cannot make one call long.
  int64_t budget = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  int64_t sampled = 0;
  bool done = false;
  std::vector<std::string> keys;
  std::vector<std::string> batch;
  engine::DbView typed = NoTouchView(ctx);
  for (;;) {
    {
      ScanShardLock lock(engine, ctx.locks, max_held, shard);
      if (!lock.ok()) break;
      batch.clear();
      do {
        table_cursor = ctx.db.ScanShard(shard, table_cursor, [&](Entry* e) {
          ++sampled;
          if (use_pattern && !GlobMatch(pattern, e->key())) return;
          batch.emplace_back(e->key());
        });
      } while (table_cursor != 0 && budget-- > 0 && sampled < count);
      // Expired keys are deleted and left out; with TYPE the check is a counted read lookup,
      // as Redis 7.2 filters the type there.
      for (std::string& key : batch) {
        if (use_type) {
          const Entry* e = typed.Find(key);
          if (e == nullptr || static_cast<int>(e->type) != type) continue;
        } else if (ctx.db.FindQuiet(key) == nullptr) {
          continue;
        }
        keys.push_back(std::move(key));
      }
    }
    if (table_cursor != 0) break;
    if (++shard == num_shards) {
      done = true;
      break;
    }
    if (sampled >= count || budget <= 0) break;
  }

  uint64_t next = done ? 0 : (table_cursor << bits) | static_cast<uint64_t>(shard);
  ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayLen(static_cast<int64_t>(keys.size()));
  for (const std::string& key : keys) ctx.reply.Bulk(key);
}

void CmdKeys(CommandContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  // A lone "*" matches every key, the empty one included.
  bool all = pattern == "*";
  size_t mark = ctx.reply.BeginDeferred();
  int64_t n = 0;
  // Expired keys are skipped but not deleted here, as Redis's KEYS only checks them.
  ctx.db.ForEachEntry([&](Entry* e) {
    if ((all || GlobMatch(pattern, e->key())) && !ctx.db.IsExpired(e)) {
      ctx.reply.Bulk(e->key());
      ++n;
    }
  });
  ctx.reply.EndDeferredArray(mark, n);
}

void CmdRandomKey(CommandContext& ctx) {
  const Entry* e = ctx.db.RandomEntry();
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(e->key());
}

void CmdDbSize(CommandContext& ctx) {
  // Like Redis, counts keys that have expired but were not deleted yet.
  ctx.reply.Integer(ctx.db.engine().KeyCount(ctx.db.index()));
}

// ---- EXPIRE family, TTL family, PERSIST ----

enum ExpireOpt : uint32_t { kExpNx = 1, kExpXx = 2, kExpGt = 4, kExpLt = 8 };

void ReplyInvalidExpire(CommandContext& ctx) {
  ctx.reply.Error(absl::StrCat("ERR invalid expire time in '", ctx.spec.FullName(), "' command"));
}

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT in Redis's order: options first, then the number,
// then overflow checks, then the key.
void ExpireGeneric(CommandContext& ctx, bool relative, bool seconds) {
  uint32_t opts = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "nx")) {
      opts |= kExpNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      opts |= kExpXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      opts |= kExpGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      opts |= kExpLt;
    } else {
      return ctx.reply.Error("ERR Unsupported option " + std::string(CString(opt)));
    }
  }
  if ((opts & kExpNx) && (opts & (kExpXx | kExpGt | kExpLt))) {
    return ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((opts & kExpGt) && (opts & kExpLt)) {
    return ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
  }

  int64_t when;
  if (!IntArg(ctx, ctx.arg(2), &when)) return;
  // Negative times are allowed (they delete the key); only overflow is an error.
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) return ReplyInvalidExpire(ctx);
    when *= 1000;
  }
  int64_t base = relative ? ctx.db.now_ms() : 0;
  if (when > INT64_MAX - base) return ReplyInvalidExpire(ctx);
  when += base;

  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (opts != 0) {
    int64_t current = e->expire_at();
    if ((opts & kExpNx) && current != -1) return ctx.reply.Integer(0);
    if ((opts & kExpXx) && current == -1) return ctx.reply.Integer(0);
    // No TTL counts as an infinite one: GT never applies to it, LT always does.
    if ((opts & kExpGt) && (current == -1 || when <= current)) return ctx.reply.Integer(0);
    if ((opts & kExpLt) && current != -1 && when >= current) return ctx.reply.Integer(0);
  }
  if (when <= ctx.db.now_ms()) {
    // A deadline already past deletes the key, and that still counts as success ("del").
    ctx.db.Delete(key, {kNotifyGeneric, "del"});
    return ctx.reply.Integer(1);
  }
  ctx.db.SetExpire(e, when);
  ctx.db.Modified(key, {kNotifyGeneric, "expire"});
  ctx.reply.Integer(1);
}

void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, true, true); }
void CmdPExpire(CommandContext& ctx) { ExpireGeneric(ctx, true, false); }
void CmdExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, false, true); }
void CmdPExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, false, false); }

// TTL / PTTL / EXPIRETIME / PEXPIRETIME: -2 for a missing key, -1 without TTL.
void TtlGeneric(CommandContext& ctx, bool millis, bool absolute) {
  engine::DbView view = NoTouchView(ctx);
  const Entry* e = view.Find(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Integer(-2);
  int64_t at = e->expire_at();
  if (at == -1) return ctx.reply.Integer(-1);
  int64_t t = absolute ? at : at - ctx.db.now_ms();
  if (t < 0) t = 0;
  // Seconds are rounded to the nearest, EXPIRETIME included, as Redis does.
  ctx.reply.Integer(millis ? t : (t + 500) / 1000);
}

void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void CmdPTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void CmdExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void CmdPExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void CmdPersist(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr || !e->has_expire()) return ctx.reply.Integer(0);
  ctx.db.SetExpire(e, -1);
  ctx.db.Modified(key, {kNotifyGeneric, "persist"});
  ctx.reply.Integer(1);
}

// ---- OBJECT ----

constexpr std::string_view kLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
constexpr std::string_view kLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";

// OBJECT's lookup: counted as a read, without touching the access clock; null reply if absent.
const Entry* ObjectLookup(CommandContext& ctx) {
  engine::DbView view = NoTouchView(ctx);
  const Entry* e = view.Find(ctx.arg(2));
  if (e == nullptr) ctx.reply.Null();
  return e;
}

bool LfuPolicy(CommandContext& ctx) {
  return ctx.server.config().String("maxmemory-policy").find("lfu") != std::string::npos;
}

// Redis stores int-encoded strings 0..9999 as shared objects, whose refcount reads INT_MAX,
// unless maxmemory is set with an LRU or LFU policy (which needs per-key access data).
bool IsSharedInteger(CommandContext& ctx, const Entry* e) {
  if (e->type != ObjType::kString || e->encoding != engine::Encoding::kInt) return false;
  int64_t v;
  if (!ParseInt64(e->value(), &v) || v < 0 || v >= 10000) return false;
  if (ctx.server.config().Int("maxmemory") == 0) return true;
  std::string policy = ctx.server.config().String("maxmemory-policy");
  return policy.find("lru") == std::string::npos && policy.find("lfu") == std::string::npos;
}

void CmdObjectEncoding(CommandContext& ctx) {
  const Entry* e = ObjectLookup(ctx);
  if (e != nullptr) ctx.reply.Bulk(engine::EncodingNameOf(e));
}

void CmdObjectRefcount(CommandContext& ctx) {
  const Entry* e = ObjectLookup(ctx);
  if (e != nullptr) ctx.reply.Integer(IsSharedInteger(ctx, e) ? INT_MAX : 1);
}

void CmdObjectIdletime(CommandContext& ctx) {
  const Entry* e = ObjectLookup(ctx);
  if (e == nullptr) return;
  if (LfuPolicy(ctx)) return ctx.reply.Error(kLfuSelected);
  // Unsigned difference: right even if the seconds clock wrapped since the last access.
  ctx.reply.Integer(static_cast<uint32_t>(engine::LruClock() - e->lru));
}

void CmdObjectFreq(CommandContext& ctx) {
  const Entry* e = ObjectLookup(ctx);
  if (e == nullptr) return;
  if (!LfuPolicy(ctx)) return ctx.reply.Error(kLfuNotSelected);
  ctx.reply.Integer(ctx.db.LfuDecayed(e));
}

// MEMORY USAGE key [SAMPLES count]: the bytes of the key's entry and of its structure. Weir counts
// exact sizes, so SAMPLES (how many elements Redis samples to estimate a big aggregate) is
// checked as Redis checks it and otherwise ignored. Like Redis it reads without expiring.
void CmdMemoryUsage(CommandContext& ctx) {
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (!EqualsIgnoreCase(ctx.arg(j), "samples") || j + 1 == ctx.argc()) {
      return ReplySyntaxError(ctx);
    }
    int64_t samples;
    if (!IntArg(ctx, ctx.arg(++j), &samples)) return;
    if (samples < 0) return ReplySyntaxError(ctx);
  }
  Entry* e = ctx.db.Peek(ctx.arg(2));
  if (e == nullptr) return ctx.reply.Null();
  size_t bytes = mem::UsableSize(e);
  if (e->is_object()) bytes += e->object()->MemoryUsage();
  ctx.reply.Integer(static_cast<int64_t>(bytes));
}

void CmdObjectHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {
                "ENCODING <key>",
                "    Return the kind of internal representation used in order to store the value",
                "    associated with a <key>.",
                "FREQ <key>",
                "    Return the access frequency index of the <key>. The returned integer is",
                "    proportional to the logarithm of the recent access frequency of the key.",
                "IDLETIME <key>",
                "    Return the idle time of the <key>, that is the approximated number of",
                "    seconds elapsed since the last access to the key.",
                "REFCOUNT <key>",
                "    Return the number of references of the value associated with the specified",
                "    <key>.",
            });
}

const std::vector<KeySpec> kOneKeyRO = {{1, 0, 1, {"RO", "ACCESS"}}};
const std::vector<KeySpec> kOneKeyRWUpdate = {{1, 0, 1, {"RW", "UPDATE"}}};
const std::vector<KeySpec> kObjectKey = {{2, 0, 1, {"RO"}}};

}  // namespace

void RegisterKeyCommands(CommandRegistry& r) {
  constexpr const char* kMultiShard = "request_policy:multi_shard response_policy:agg_sum";
  constexpr const char* kFlushTips = "request_policy:all_shards response_policy:all_succeeded";
  r.Add({"del",
         -2,
         kWrite,
         "keyspace write slow",
         {{1, -1, 1, {"RM", "DELETE"}}},
         CmdDel,
         "Deletes one or more keys.",
         "1.0.0",
         "generic",
         "O(N) where N is the number of keys that will be removed. When a key to remove holds a "
         "value other than a string, the individual complexity for this key is O(M) where M is "
         "the number of elements in the list, set, sorted set or hash. Removing a single key "
         "that holds a string value is O(1).",
         nullptr,
         kMultiShard});
  r.Add({"unlink",
         -2,
         kWrite | kFast,
         "keyspace write fast",
         {{1, -1, 1, {"RM", "DELETE"}}},
         CmdUnlink,
         "Asynchronously deletes one or more keys.",
         "4.0.0",
         "generic",
         "O(1) for each key removed regardless of its size. Then the command does O(N) work in a "
         "different thread in order to reclaim memory, where N is the number of allocations the "
         "deleted objects where composed of.",
         nullptr,
         kMultiShard});
  r.Add({"exists",
         -2,
         kReadOnly | kFast,
         "keyspace read fast",
         {{1, -1, 1, {"RO"}}},
         CmdExists,
         "Determines whether one or more keys exist.",
         "1.0.0",
         "generic",
         "O(N) where N is the number of keys to check.",
         nullptr,
         kMultiShard});
  r.Add({"type",
         2,
         kReadOnly | kFast,
         "keyspace read fast",
         {{1, 0, 1, {"RO"}}},
         CmdType,
         "Determines the type of value stored at a key.",
         "1.0.0",
         "generic",
         "O(1)"});
  r.Add({"rename",
         3,
         kWrite,
         "keyspace write slow",
         {{1, 0, 1, {"RW", "ACCESS", "DELETE"}}, {2, 0, 1, {"OW", "UPDATE"}}},
         CmdRename,
         "Renames a key and overwrites the destination.",
         "1.0.0",
         "generic",
         "O(1)"});
  r.Add({"renamenx",
         3,
         kWrite | kFast,
         "keyspace write fast",
         {{1, 0, 1, {"RW", "ACCESS", "DELETE"}}, {2, 0, 1, {"OW", "INSERT"}}},
         CmdRenameNx,
         "Renames a key only when the target key name doesn't exist.",
         "1.0.0",
         "generic",
         "O(1)"});
  r.Add({"copy",
         -3,
         kWrite | kDenyOom,
         "keyspace write slow",
         {{1, 0, 1, {"RO", "ACCESS"}}, {2, 0, 1, {"OW", "UPDATE"}}},
         CmdCopy,
         "Copies the value of a key to a new key.",
         "6.2.0",
         "generic",
         "O(N) worst case for collections, where N is the number of nested items. O(1) for "
         "string values."});
  r.Add({"move",
         3,
         kWrite | kFast,
         "keyspace write fast",
         {{1, 0, 1, {"RW", "ACCESS", "UPDATE"}}},
         CmdMove,
         "Moves a key to another database.",
         "1.0.0",
         "generic",
         "O(1)"});
  r.Add({"swapdb",
         3,
         kWrite | kFast | kAllShards,
         "keyspace write fast dangerous",
         {},
         CmdSwapDb,
         "Swaps two Redis databases.",
         "4.0.0",
         "server",
         "O(N) where N is the count of clients watching or blocking on keys from both "
         "databases."});

  // SCAN locks one shard at a time itself.
  r.Add({"scan",
         -2,
         kReadOnly | kNoLock,
         "keyspace read slow",
         {},
         CmdScan,
         "Iterates over the key names in the database.",
         "2.8.0",
         "generic",
         "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
         "the cursor to return back to 0. N is the number of elements inside the collection.",
         nullptr,
         "nondeterministic_output request_policy:special response_policy:special"});
  r.Add({"keys",
         2,
         kReadOnly | kAllShards,
         "keyspace read slow dangerous",
         {},
         CmdKeys,
         "Returns all key names that match a pattern.",
         "1.0.0",
         "generic",
         "O(N) with N being the number of keys in the database, under the assumption that the "
         "key names in the database and the given pattern have limited length.",
         nullptr,
         "request_policy:all_shards nondeterministic_output_order"});
  r.Add({"randomkey",
         1,
         kReadOnly | kAllShards,
         "keyspace read slow",
         {},
         CmdRandomKey,
         "Returns a random key name from the database.",
         "1.0.0",
         "generic",
         "O(1)",
         nullptr,
         "request_policy:all_shards response_policy:special nondeterministic_output"});
  r.Add({"dbsize",
         1,
         kReadOnly | kFast | kAllShards,
         "keyspace read fast",
         {},
         CmdDbSize,
         "Returns the number of keys in the database.",
         "1.0.0",
         "server",
         "O(1)",
         nullptr,
         "request_policy:all_shards response_policy:agg_sum"});
  r.Add({"flushdb",
         -1,
         kWrite | kAllShards,
         "keyspace write slow dangerous",
         {},
         CmdFlushDb,
         "Remove all keys from the current database.",
         "1.0.0",
         "server",
         "O(N) where N is the number of keys in the selected database",
         nullptr,
         kFlushTips});
  r.Add({"flushall",
         -1,
         kWrite | kAllShards,
         "keyspace write slow dangerous",
         {},
         CmdFlushAll,
         "Removes all keys from all databases.",
         "1.0.0",
         "server",
         "O(N) where N is the total number of keys in all databases",
         nullptr,
         kFlushTips});

  constexpr uint32_t kWF = kWrite | kFast;
  constexpr uint32_t kRF = kReadOnly | kFast;
  r.Add({"expire", -3, kWF, "keyspace write fast", kOneKeyRWUpdate, CmdExpire,
         "Sets the expiration time of a key in seconds.", "1.0.0", "generic", "O(1)"});
  r.Add({"pexpire", -3, kWF, "keyspace write fast", kOneKeyRWUpdate, CmdPExpire,
         "Sets the expiration time of a key in milliseconds.", "2.6.0", "generic", "O(1)"});
  r.Add({"expireat", -3, kWF, "keyspace write fast", kOneKeyRWUpdate, CmdExpireAt,
         "Sets the expiration time of a key to a Unix timestamp.", "1.2.0", "generic", "O(1)"});
  r.Add({"pexpireat", -3, kWF, "keyspace write fast", kOneKeyRWUpdate, CmdPExpireAt,
         "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0", "generic",
         "O(1)"});
  r.Add({"ttl", 2, kRF, "keyspace read fast", kOneKeyRO, CmdTtl,
         "Returns the expiration time in seconds of a key.", "1.0.0", "generic", "O(1)", nullptr,
         "nondeterministic_output"});
  r.Add({"pttl", 2, kRF, "keyspace read fast", kOneKeyRO, CmdPTtl,
         "Returns the expiration time in milliseconds of a key.", "2.6.0", "generic", "O(1)",
         nullptr, "nondeterministic_output"});
  r.Add({"expiretime", 2, kRF, "keyspace read fast", kOneKeyRO, CmdExpireTime,
         "Returns the expiration time of a key as a Unix timestamp.", "7.0.0", "generic", "O(1)"});
  r.Add({"pexpiretime", 2, kRF, "keyspace read fast", kOneKeyRO, CmdPExpireTime,
         "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0",
         "generic", "O(1)"});
  r.Add({"persist", 2, kWF, "keyspace write fast", kOneKeyRWUpdate, CmdPersist,
         "Removes the expiration time of a key.", "2.2.0", "generic", "O(1)"});
  r.Add({"touch",
         -2,
         kRF | kAlwaysTouches,
         "keyspace read fast",
         {{1, -1, 1, {"RO"}}},
         CmdTouch,
         "Returns the number of existing keys out of those specified after updating the time "
         "they were last accessed.",
         "3.2.1",
         "generic",
         "O(N) where N is the number of keys that will be touched.",
         nullptr,
         kMultiShard});

  r.Add({"memory",
         -2,
         0,
         "slow",
         {},
         nullptr,
         "A container for memory diagnostics commands.",
         "4.0.0",
         "server",
         "Depends on subcommand."});
  r.AddSubcommand("memory", {"usage",
                             -3,
                             kReadOnly,
                             "read slow",
                             {{2, 0, 1, {"RO"}}},
                             CmdMemoryUsage,
                             "Estimates the memory usage of a key.",
                             "4.0.0",
                             "server",
                             "O(N) where N is the number of samples."});

  r.Add({"object",
         -2,
         0,
         "slow",
         {},
         nullptr,
         "A container for object introspection commands.",
         "2.2.3",
         "generic",
         "Depends on subcommand."});
  r.AddSubcommand("object", {"encoding", 3, kReadOnly, "keyspace read slow", kObjectKey,
                             CmdObjectEncoding, "Returns the internal encoding of a Redis object.",
                             "2.2.3", "generic", "O(1)", nullptr, "nondeterministic_output"});
  r.AddSubcommand("object", {"freq", 3, kReadOnly, "keyspace read slow", kObjectKey, CmdObjectFreq,
                             "Returns the logarithmic access frequency counter of a Redis object.",
                             "4.0.0", "generic", "O(1)", nullptr, "nondeterministic_output"});
  r.AddSubcommand("object", {"help",
                             2,
                             kLoading | kStale | kNoLock,
                             "keyspace slow",
                             {},
                             CmdObjectHelp,
                             "Returns helpful text about the different subcommands.",
                             "6.2.0",
                             "generic",
                             "O(1)"});
  r.AddSubcommand("object",
                  {"idletime", 3, kReadOnly, "keyspace read slow", kObjectKey, CmdObjectIdletime,
                   "Returns the time since the last access to a Redis object.", "2.2.3", "generic",
                   "O(1)", nullptr, "nondeterministic_output"});
  r.AddSubcommand("object", {"refcount", 3, kReadOnly, "keyspace read slow", kObjectKey,
                             CmdObjectRefcount, "Returns the reference count of a value of a key.",
                             "2.2.3", "generic", "O(1)", nullptr, "nondeterministic_output"});
}

}  // namespace weir::commands
