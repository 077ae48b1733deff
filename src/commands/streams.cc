// The stream family, entries half: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD, XSETID,
// XINFO; and the helpers stream_groups.cc shares (stream_common.h).
#include <algorithm>
#include <cctype>

#include "commands/args.h"
#include "commands/registry.h"
#include "commands/stream_common.h"
#include "common/config.h"
#include "common/strings.h"
#include "protocol/errors.h"

namespace weir::commands {
namespace streams {

using engine::Entry;
using engine::ObjType;
namespace errors = protocol::errors;

// ---- Shared helpers (stream_common.h) ----

bool ParseId(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, StreamId* id) {
  if (types::ParseStreamId(arg, missing_seq, false, id)) return true;
  ctx.reply.Error(kInvalidId);
  return false;
}

bool ParseStrictId(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, StreamId* id,
                   bool* seq_given) {
  if (types::ParseStreamId(arg, missing_seq, true, id, seq_given)) return true;
  ctx.reply.Error(kInvalidId);
  return false;
}

namespace {
// "(" + ID is an exclusive bound, parsed strictly ("(-" is not an ID).
bool ParseBound(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, StreamId* id,
                bool* exclusive) {
  *exclusive = arg.size() > 1 && arg[0] == '(';
  if (*exclusive) return ParseStrictId(ctx, arg.substr(1), missing_seq, id);
  return ParseId(ctx, arg, missing_seq, id);
}
}  // namespace

bool ParseRangeStart(CommandContext& ctx, std::string_view arg, StreamId* id) {
  bool exclusive;
  if (!ParseBound(ctx, arg, 0, id, &exclusive)) return false;
  if (exclusive && !id->Increment()) {
    ctx.reply.Error("ERR invalid start ID for the interval");
    return false;
  }
  return true;
}

bool ParseRangeEnd(CommandContext& ctx, std::string_view arg, StreamId* id) {
  bool exclusive;
  if (!ParseBound(ctx, arg, UINT64_MAX, id, &exclusive)) return false;
  if (exclusive && !id->Decrement()) {
    ctx.reply.Error("ERR invalid end ID for the interval");
    return false;
  }
  return true;
}

void ReplyId(CommandContext& ctx, StreamId id) {
  char buf[StreamId::kMaxText];
  ctx.reply.Bulk(std::string_view(buf, id.Format(buf)));
}

void ReplyEntry(CommandContext& ctx, const Stream::Iterator& it) {
  ctx.reply.ArrayLen(2);
  ReplyId(ctx, it.id());
  ctx.reply.ArrayLen(static_cast<int64_t>(it.field_count() * 2));
  for (size_t i = 0; i < it.field_count(); ++i) {
    ctx.reply.Bulk(it.field(i));
    ctx.reply.Bulk(it.value(i));
  }
}

bool ReplyEntryById(CommandContext& ctx, const Stream& s, StreamId id) {
  Stream::Iterator it(s, id, id, false);
  if (!it.Next()) return false;
  ReplyEntry(ctx, it);
  return true;
}

Stream::Limits NodeLimits(CommandContext& ctx) {
  return {ctx.server.config().Int("stream-node-max-entries"),
          ctx.server.config().Int("stream-node-max-bytes")};
}

namespace {

// The index of the argument after STREAMS as both the parser and the key finders see it: the
// options before it, each with its arguments; 0 when there is none.
size_t FindStreamsArg(ArgList args) {
  const size_t argc = args.size();
  for (size_t i = 1; i < argc; ++i) {
    size_t more = argc - i - 1;
    std::string_view o = args[i];
    if ((EqualsIgnoreCase(o, "block") || EqualsIgnoreCase(o, "count")) && more >= 1) {
      ++i;
    } else if (EqualsIgnoreCase(o, "streams") && more >= 1) {
      return i + 1;
    } else if (EqualsIgnoreCase(o, "group") && more >= 2) {
      i += 2;
    } else if (!EqualsIgnoreCase(o, "noack")) {
      return 0;
    }
  }
  return 0;
}

void ReadKeys(ArgList args, std::vector<int>* out) {
  size_t first = FindStreamsArg(args);
  if (first == 0) return;
  size_t n = args.size() - first;
  if (n == 0 || n % 2 != 0) return;
  for (size_t i = 0; i < n / 2; ++i) out->push_back(static_cast<int>(first + i));
}

}  // namespace

void XReadKeys(ArgList args, std::vector<int>* out) { ReadKeys(args, out); }
void XReadGroupKeys(ArgList args, std::vector<int>* out) { ReadKeys(args, out); }

bool ParseReadArgs(CommandContext& ctx, bool xreadgroup, ReadArgs* out) {
  const size_t argc = ctx.argc();
  bool has_group = false;
  for (size_t i = 1; i < argc; ++i) {
    size_t more = argc - i - 1;
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "block") && more >= 1) {
      if (ctx.session.in_script) {
        ctx.reply.Error(StrCat("ERR ", ctx.spec.FullName(),
                               " command is not allowed with BLOCK option from scripts"));
        return false;
      }
      if (!TimeoutMillisArg(ctx, ctx.arg(++i), &out->deadline_ms)) return false;
    } else if (EqualsIgnoreCase(o, "count") && more >= 1) {
      if (!IntArg(ctx, ctx.arg(++i), &out->count)) return false;
      if (out->count < 0) out->count = 0;
    } else if (EqualsIgnoreCase(o, "streams") && more >= 1) {
      out->first_key = i + 1;
      size_t n = argc - out->first_key;
      if (n % 2 != 0) {
        ctx.reply.Error(StrCat("ERR Unbalanced '", ctx.spec.FullName(),
                               "' list of streams: for each stream key an ID or '",
                               xreadgroup ? ">" : "$", "' must be specified."));
        return false;
      }
      out->num_keys = n / 2;
      break;
    } else if (EqualsIgnoreCase(o, "group") && more >= 2) {
      if (!xreadgroup) {
        ctx.reply.Error(
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      has_group = true;
      out->group = ctx.arg(i + 1);
      out->consumer = ctx.arg(i + 2);
      i += 2;
    } else if (EqualsIgnoreCase(o, "noack")) {
      if (!xreadgroup) {
        ctx.reply.Error(
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      out->noack = true;
    } else {
      ReplySyntaxError(ctx);
      return false;
    }
  }
  if (out->first_key == 0) {
    ReplySyntaxError(ctx);
    return false;
  }
  if (xreadgroup && !has_group) {
    ctx.reply.Error("ERR Missing GROUP option for XREADGROUP");
    return false;
  }
  return true;
}

namespace {

// Entries in [start, end] (reversed for XREVRANGE), at most count (0: all), as an array.
void ReplyRange(CommandContext& ctx, const Stream& s, StreamId start, StreamId end, int64_t count,
                bool reverse) {
  size_t mark = ctx.reply.BeginDeferred();
  int64_t n = 0;
  Stream::Iterator it(s, start, end, reverse);
  while ((count == 0 || n < count) && it.Next()) {
    ReplyEntry(ctx, it);
    ++n;
  }
  ctx.reply.EndDeferredArray(mark, n);
}

// ---- XADD / XTRIM ----

using TrimArgs = Stream::TrimArgs;

struct AddTrimArgs {
  TrimArgs trim;
  bool nomkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
  size_t id_pos = 0;  // XADD: the argument index of the ID (or of "*")
};

// Redis's streamParseAddOrTrimArgsOrReply: the options of XADD (up to the ID) or XTRIM.
bool ParseAddOrTrim(CommandContext& ctx, bool xadd, AddTrimArgs* out) {
  TrimArgs& t = out->trim;
  const size_t argc = ctx.argc();
  bool limit_given = false;
  size_t i = 2;
  for (; i < argc; ++i) {
    size_t more = argc - 1 - i;
    std::string_view opt = ctx.arg(i);
    bool is_maxlen = EqualsIgnoreCase(opt, "maxlen");
    if (xadd && opt == "*") {
      break;
    } else if ((is_maxlen || EqualsIgnoreCase(opt, "minid")) && more >= 1) {
      if (t.strategy != TrimArgs::Strategy::kNone) {
        ctx.reply.Error(
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return false;
      }
      t.approx = false;
      std::string_view next = ctx.arg(i + 1);
      if (more >= 2 && next == "~") {
        t.approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      if (is_maxlen) {
        if (!IntArg(ctx, ctx.arg(i + 1), &t.maxlen)) return false;
        if (t.maxlen < 0) {
          ctx.reply.Error("ERR The MAXLEN argument must be >= 0.");
          return false;
        }
        t.strategy = TrimArgs::Strategy::kMaxLen;
      } else {
        if (!ParseStrictId(ctx, ctx.arg(i + 1), 0, &t.minid)) return false;
        t.strategy = TrimArgs::Strategy::kMinId;
      }
      ++i;
    } else if (EqualsIgnoreCase(opt, "limit") && more >= 1) {
      if (!IntArg(ctx, ctx.arg(i + 1), &t.limit)) return false;
      if (t.limit < 0) {
        ctx.reply.Error("ERR The LIMIT argument must be >= 0.");
        return false;
      }
      limit_given = true;
      ++i;
    } else if (xadd && EqualsIgnoreCase(opt, "nomkstream")) {
      out->nomkstream = true;
    } else if (xadd) {
      // Anything else is the ID (or a syntax error that reads as an invalid ID).
      if (!ParseStrictId(ctx, opt, 0, &out->id, &out->seq_given)) return false;
      out->id_given = true;
      break;
    } else {
      ReplySyntaxError(ctx);
      return false;
    }
  }
  out->id_pos = i;
  if (t.limit != 0 && t.strategy == TrimArgs::Strategy::kNone) {
    ctx.reply.Error(
        "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return false;
  }
  if (!xadd && t.strategy == TrimArgs::Strategy::kNone) {
    ctx.reply.Error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return false;
  }
  if (limit_given) {
    if (!t.approx) {
      ctx.reply.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return false;
    }
  } else if (t.approx) {
    // Without LIMIT, `~` trims at most 100 blocks' worth, so one call never stalls the server.
    t.limit = 100 * ctx.server.config().Int("stream-node-max-entries");
    if (t.limit <= 0) t.limit = 10000;
    if (t.limit > 1000000) t.limit = 1000000;
  } else {
    t.limit = 0;
  }
  return true;
}

void CmdXAdd(CommandContext& ctx) {
  AddTrimArgs a;
  if (!ParseAddOrTrim(ctx, true, &a)) return;
  const size_t field_pos = a.id_pos + 1;
  const size_t argc = ctx.argc();
  if (field_pos > argc || argc - field_pos < 2 || (argc - field_pos) % 2 != 0) {
    ReplyWrongArity(ctx);
    return;
  }
  // Refused before the key is looked at, so no empty stream is ever created for it.
  if (a.id_given && a.seq_given && a.id.IsZero()) {
    ctx.reply.Error("ERR The ID specified in XADD must be greater than 0-0");
    return;
  }
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  if (e == nullptr && a.nomkstream) return ctx.reply.Null();
  std::unique_ptr<Stream> created;
  Stream* s;
  if (e != nullptr) {
    s = e->As<Stream>();
  } else {
    created = std::make_unique<Stream>();
    s = created.get();
  }
  if (s->last_id() == StreamId::Max()) {
    ctx.reply.Error("ERR The stream has exhausted the last possible ID, unable to add more items");
    return;
  }
  StreamId id;
  auto status =
      s->Add(a.id_given ? &a.id : nullptr, a.seq_given, static_cast<uint64_t>(ctx.db.now_ms()),
             ctx.args.subspan(field_pos), NodeLimits(ctx), &id);
  if (status == Stream::AddStatus::kIdTooSmall) {
    ctx.reply.Error(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item");
    return;
  }
  if (status == Stream::AddStatus::kTooLarge) {
    ctx.reply.Error("ERR Elements are too large to be stored");
    return;
  }
  ReplyId(ctx, id);
  const int64_t trimmed = s->Trim(a.trim);
  // As Redis: "new" for a created stream, "xadd", then "xtrim" when the trim removed entries.
  constexpr KeyEvent kXAddEvent{kNotifyStream, "xadd"};
  if (created != nullptr) {
    ctx.db.SetObject(key, ObjType::kStream, created.release(), kXAddEvent);
  } else {
    ctx.db.Modified(key, kXAddEvent);
  }
  if (trimmed != 0) ctx.db.Notify(key, {kNotifyStream, "xtrim"});
}

void CmdXTrim(CommandContext& ctx) {
  AddTrimArgs a;
  if (!ParseAddOrTrim(ctx, false, &a)) return;
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  int64_t removed = e->As<Stream>()->Trim(a.trim);
  if (removed != 0) {
    ctx.db.Modified(key, {kNotifyStream, "xtrim"});
    ctx.db.engine().AddDirty(removed - 1);
  }
  ctx.reply.Integer(removed);
}

// ---- Reads ----

void CmdXLen(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  ctx.reply.Integer(static_cast<int64_t>(e->As<Stream>()->length()));
}

void RangeCommand(CommandContext& ctx, bool reverse) {
  StreamId start, end;
  if (!ParseRangeStart(ctx, ctx.arg(reverse ? 3 : 2), &start)) return;
  if (!ParseRangeEnd(ctx, ctx.arg(reverse ? 2 : 3), &end)) return;
  int64_t count = -1;
  for (size_t j = 4; j < ctx.argc(); ++j) {
    if (EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      if (!IntArg(ctx, ctx.arg(++j), &count)) return;
      if (count < 0) count = 0;
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (e == nullptr) return ctx.reply.EmptyArray();
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  // COUNT 0 is a null reply in Redis, not an empty array.
  if (count == 0) return ctx.reply.NullArray();
  ReplyRange(ctx, *e->As<Stream>(), start, end, count < 0 ? 0 : count, reverse);
}

void CmdXRange(CommandContext& ctx) { RangeCommand(ctx, false); }
void CmdXRevRange(CommandContext& ctx) { RangeCommand(ctx, true); }

void CmdXDel(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  // Every ID is checked first: the command is all or nothing.
  std::vector<StreamId> ids(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    if (!ParseStrictId(ctx, ctx.arg(j), 0, &ids[j - 2])) return;
  }
  Stream* s = e->As<Stream>();
  int64_t deleted = 0;
  for (StreamId id : ids) deleted += s->Delete(id);
  if (deleted != 0) {
    ctx.db.Modified(key, {kNotifyStream, "xdel"});
    ctx.db.engine().AddDirty(deleted - 1);
  }
  ctx.reply.Integer(deleted);
}

// XREAD [COUNT n] [BLOCK ms] STREAMS key... id...
void CmdXRead(CommandContext& ctx) {
  ReadArgs a;
  if (!ParseReadArgs(ctx, false, &a)) return;
  const size_t n = a.num_keys;
  std::vector<StreamId> after(n);  // serve entries with IDs greater than these
  std::vector<const Stream*> streams(n);
  bool has_dollar = false;
  for (size_t i = 0; i < n; ++i) {
    Entry* e = ctx.db.Find(ctx.arg(a.first_key + i));
    if (!CheckType(ctx, e, ObjType::kStream)) return;
    const Stream* s = e != nullptr ? e->As<Stream>() : nullptr;
    streams[i] = s;
    std::string_view arg = ctx.arg(a.first_key + n + i);
    if (arg == "$") {
      has_dollar = true;
      after[i] = s != nullptr ? s->last_id() : StreamId{};
    } else if (arg == ">") {
      ctx.reply.Error(
          "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
          "<consumer> option.");
      return;
    } else if (arg == "+") {
      // Redis 7.4's "+": the last entry of the stream.
      after[i] = s != nullptr ? s->last_id() : StreamId{};
      if (s != nullptr && !after[i].Decrement()) {
        ctx.reply.Error("ERR the stream last element ID is 0-0");
        return;
      }
    } else if (!ParseStrictId(ctx, arg, 0, &after[i])) {
      return;
    }
  }

  int64_t served = 0;
  size_t mark = 0;
  for (size_t i = 0; i < n; ++i) {
    const Stream* s = streams[i];
    if (s == nullptr || s->length() == 0) continue;
    std::optional<StreamId> last = s->LastLiveId();
    if (!last || *last <= after[i]) continue;
    if (served++ == 0) mark = ctx.reply.BeginDeferred();
    if (!ctx.reply.resp3()) ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(ctx.arg(a.first_key + i));
    StreamId start = after[i];
    start.Increment();
    ReplyRange(ctx, *s, start, StreamId::Max(), a.count, false);
  }
  if (served != 0) {
    if (ctx.reply.resp3()) {
      ctx.reply.EndDeferredMap(mark, served);
    } else {
      ctx.reply.EndDeferredArray(mark, served);
    }
    return;
  }
  if (a.deadline_ms < 0) return ctx.reply.NullArray();
  if (!Block(ctx, ctx.args.subspan(a.first_key, n), ObjType::kStream, a.deadline_ms)) {
    return ctx.reply.NullArray();
  }
  // On wake-up, "$" must mean the last ID at the time the client blocked, not a later one.
  if (has_dollar) {
    std::vector<std::string>& rerun = ctx.block->rerun_args;
    rerun.assign(ctx.args.begin(), ctx.args.end());
    for (size_t i = 0; i < n; ++i) {
      if (ctx.arg(a.first_key + n + i) == "$") rerun[a.first_key + n + i] = after[i].ToString();
    }
  }
}

// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
void CmdXSetId(CommandContext& ctx) {
  StreamId id, max_deleted;
  int64_t entries_added = -1;
  if (!ParseStrictId(ctx, ctx.arg(2), 0, &id)) return;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    bool more = i + 1 < ctx.argc();
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "entriesadded") && more) {
      if (!IntArg(ctx, ctx.arg(i + 1), &entries_added)) return;
      if (entries_added < 0) return ctx.reply.Error("ERR entries_added must be positive");
    } else if (EqualsIgnoreCase(opt, "maxdeletedid") && more) {
      if (!ParseStrictId(ctx, ctx.arg(i + 1), 0, &max_deleted)) return;
      if (id < max_deleted) {
        return ctx.reply.Error(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  std::string_view key = ctx.arg(1);
  Entry* e = ctx.db.FindForWrite(key);
  if (e == nullptr) return ctx.reply.Error(errors::kNoSuchKey);
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  Stream* s = e->As<Stream>();
  if (id < s->max_deleted_id()) {
    return ctx.reply.Error(
        "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
  }
  if (s->length() > 0) {
    if (id < *s->LastLiveId()) {
      return ctx.reply.Error(
          "ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entries_added != -1 && s->length() > static_cast<uint64_t>(entries_added)) {
      return ctx.reply.Error(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s->SetLastId(id, entries_added, max_deleted);
  // Redis counts XSETID as a change and announces it, but does not signal the key as modified
  // (no WATCH touch).
  ctx.db.engine().AddDirty(1);
  ctx.db.Notify(key, {kNotifyStream, "xsetid"});
  ctx.reply.Ok();
}

// ---- XINFO ----

void ReplyNoGroupForKey(CommandContext& ctx, std::string_view group, std::string_view key) {
  ctx.reply.Error(StrCat("NOGROUP No such consumer group '", UntilNul(group), "' for key name '",
                         UntilNul(key), "'"));
}

void ReplyLag(CommandContext& ctx, const Stream& s, const types::ConsumerGroup& g) {
  std::optional<int64_t> lag = s.Lag(g);
  if (lag) {
    ctx.reply.Integer(*lag);
  } else {
    ctx.reply.Null();
  }
}

void ReplyEntriesRead(CommandContext& ctx, const types::ConsumerGroup& g) {
  if (g.entries_read != types::ConsumerGroup::kUnknownEntriesRead) {
    ctx.reply.Integer(g.entries_read);
  } else {
    ctx.reply.Null();
  }
}

// The stream at ctx.arg(2) for XINFO, or null after replying.
const Stream* XInfoStream(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(2));
  if (e == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return nullptr;
  }
  if (!CheckType(ctx, e, ObjType::kStream)) return nullptr;
  return e->As<Stream>();
}

void ReplyStreamHeader(CommandContext& ctx, const Stream& s) {
  ctx.reply.Bulk("length");
  ctx.reply.Integer(static_cast<int64_t>(s.length()));
  // Redis reports its radix tree; Weir's index holds one key per block as Redis holds one per
  // listpack, and "nodes" is an estimate (the keys plus the root).
  ctx.reply.Bulk("radix-tree-keys");
  ctx.reply.Integer(static_cast<int64_t>(s.block_count()));
  ctx.reply.Bulk("radix-tree-nodes");
  ctx.reply.Integer(static_cast<int64_t>(s.block_count()) + 1);
  ctx.reply.Bulk("last-generated-id");
  ReplyId(ctx, s.last_id());
  ctx.reply.Bulk("max-deleted-entry-id");
  ReplyId(ctx, s.max_deleted_id());
  ctx.reply.Bulk("entries-added");
  ctx.reply.Integer(static_cast<int64_t>(s.entries_added()));
  ctx.reply.Bulk("recorded-first-entry-id");
  ReplyId(ctx, s.first_id());
}

void ReplyStreamFull(CommandContext& ctx, const Stream& s, int64_t count) {
  ctx.reply.MapLen(9);
  ReplyStreamHeader(ctx, s);
  ctx.reply.Bulk("entries");
  ReplyRange(ctx, s, StreamId{}, StreamId::Max(), count, false);
  ctx.reply.Bulk("groups");
  ctx.reply.ArrayLen(static_cast<int64_t>(s.groups().size()));
  for (const auto& [name, g] : s.groups()) {
    ctx.reply.MapLen(7);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("last-delivered-id");
    ReplyId(ctx, g->last_id);
    ctx.reply.Bulk("entries-read");
    ReplyEntriesRead(ctx, *g);
    ctx.reply.Bulk("lag");
    ReplyLag(ctx, s, *g);
    ctx.reply.Bulk("pel-count");
    ctx.reply.Integer(static_cast<int64_t>(g->pel().size()));
    ctx.reply.Bulk("pending");
    int64_t shown = 0;
    size_t mark = ctx.reply.BeginDeferred();
    for (const auto& [id, pe] : g->pel()) {
      if (count != 0 && shown >= count) break;
      ctx.reply.ArrayLen(4);
      ReplyId(ctx, id);
      ctx.reply.Bulk(pe.consumer->name());
      ctx.reply.Integer(pe.delivery_time);
      ctx.reply.Integer(static_cast<int64_t>(pe.delivery_count));
      ++shown;
    }
    ctx.reply.EndDeferredArray(mark, shown);
    ctx.reply.Bulk("consumers");
    ctx.reply.ArrayLen(static_cast<int64_t>(g->consumers().size()));
    for (const auto& [cname, c] : g->consumers()) {
      ctx.reply.MapLen(5);
      ctx.reply.Bulk("name");
      ctx.reply.Bulk(cname);
      ctx.reply.Bulk("seen-time");
      ctx.reply.Integer(c->seen_time);
      ctx.reply.Bulk("active-time");
      ctx.reply.Integer(c->active_time);
      ctx.reply.Bulk("pel-count");
      ctx.reply.Integer(static_cast<int64_t>(c->pending.size()));
      ctx.reply.Bulk("pending");
      int64_t cshown = 0;
      size_t cmark = ctx.reply.BeginDeferred();
      for (StreamId id : c->pending) {
        if (count != 0 && cshown >= count) break;
        const types::PendingEntry& pe = g->pel().at(id);
        ctx.reply.ArrayLen(3);
        ReplyId(ctx, id);
        ctx.reply.Integer(pe.delivery_time);
        ctx.reply.Integer(static_cast<int64_t>(pe.delivery_count));
        ++cshown;
      }
      ctx.reply.EndDeferredArray(cmark, cshown);
    }
  }
}

// XINFO STREAM key [FULL [COUNT n]]
void CmdXInfoStream(CommandContext& ctx) {
  const Stream* s = XInfoStream(ctx);
  if (s == nullptr) return;
  const size_t optc = ctx.argc() - 3;
  bool full = optc != 0;
  int64_t count = 10;
  if (full) {
    if ((optc != 1 && optc != 3) || !EqualsIgnoreCase(ctx.arg(3), "full") ||
        (optc == 3 && !EqualsIgnoreCase(ctx.arg(4), "count"))) {
      return ReplySubcommandSyntaxError(ctx);
    }
    if (optc == 3) {
      if (!IntArg(ctx, ctx.arg(5), &count)) return;
      if (count < 0) count = 10;
    }
  }
  if (full) return ReplyStreamFull(ctx, *s, count);
  ctx.reply.MapLen(10);
  ReplyStreamHeader(ctx, *s);
  ctx.reply.Bulk("groups");
  ctx.reply.Integer(static_cast<int64_t>(s->groups().size()));
  ctx.reply.Bulk("first-entry");
  Stream::Iterator first(*s, StreamId{}, StreamId::Max(), false);
  if (first.Next()) {
    ReplyEntry(ctx, first);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("last-entry");
  Stream::Iterator last(*s, StreamId{}, StreamId::Max(), true);
  if (last.Next()) {
    ReplyEntry(ctx, last);
  } else {
    ctx.reply.Null();
  }
}

void CmdXInfoGroups(CommandContext& ctx) {
  const Stream* s = XInfoStream(ctx);
  if (s == nullptr) return;
  ctx.reply.ArrayLen(static_cast<int64_t>(s->groups().size()));
  for (const auto& [name, g] : s->groups()) {
    ctx.reply.MapLen(6);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("consumers");
    ctx.reply.Integer(static_cast<int64_t>(g->consumers().size()));
    ctx.reply.Bulk("pending");
    ctx.reply.Integer(static_cast<int64_t>(g->pel().size()));
    ctx.reply.Bulk("last-delivered-id");
    ReplyId(ctx, g->last_id);
    ctx.reply.Bulk("entries-read");
    ReplyEntriesRead(ctx, *g);
    ctx.reply.Bulk("lag");
    ReplyLag(ctx, *s, *g);
  }
}

void CmdXInfoConsumers(CommandContext& ctx) {
  const Stream* s = XInfoStream(ctx);
  if (s == nullptr) return;
  const types::ConsumerGroup* g = s->FindGroup(ctx.arg(3));
  if (g == nullptr) return ReplyNoGroupForKey(ctx, ctx.arg(3), ctx.arg(2));
  const int64_t now = ctx.db.now_ms();
  ctx.reply.ArrayLen(static_cast<int64_t>(g->consumers().size()));
  for (const auto& [name, c] : g->consumers()) {
    ctx.reply.MapLen(4);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("pending");
    ctx.reply.Integer(static_cast<int64_t>(c->pending.size()));
    ctx.reply.Bulk("idle");
    ctx.reply.Integer(std::max<int64_t>(0, now - c->seen_time));
    ctx.reply.Bulk("inactive");
    ctx.reply.Integer(c->active_time != -1 ? now - c->active_time : -1);
  }
}

void CmdXInfoHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {"CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.",
                  "GROUPS <key>", "    Show the stream consumer groups.",
                  "STREAM <key> [FULL [COUNT <count>]", "    Show information about the stream."});
}

}  // namespace
}  // namespace streams

void RegisterStreamCommands(CommandRegistry& r) {
  using namespace streams;  // NOLINT(build/namespaces)
  const std::vector<KeySpec> kRO = {{1, 0, 1, {"RO", "ACCESS"}}};
  r.Add({"xadd",
         -5,
         kWrite | kDenyOom | kFast,
         "write stream fast",
         {{1,
           0,
           1,
           {"RW", "UPDATE"},
           "",
           0,
           0,
           "UPDATE instead of INSERT because of the optional trimming feature"}},
         CmdXAdd,
         "Appends a new message to a stream. Creates the key if it doesn't exist.",
         "5.0.0",
         "stream",
         "O(1) when adding a new entry, O(N) when trimming where N being the number of entries "
         "evicted.",
         nullptr,
         "nondeterministic_output"});
  r.Add({"xlen",
         2,
         kReadOnly | kFast,
         "read stream fast",
         {{1, 0, 1, {"RO"}}},
         CmdXLen,
         "Return the number of messages in a stream.",
         "5.0.0",
         "stream",
         "O(1)"});
  r.Add({"xrange", -4, kReadOnly, "read stream slow", kRO, CmdXRange,
         "Returns the messages from a stream within a range of IDs.", "5.0.0", "stream",
         "O(N) with N being the number of elements being returned. If N is constant (e.g. always "
         "asking for the first 10 elements with COUNT), you can consider it O(1)."});
  r.Add({"xrevrange", -4, kReadOnly, "read stream slow", kRO, CmdXRevRange,
         "Returns the messages from a stream within a range of IDs in reverse order.", "5.0.0",
         "stream",
         "O(N) with N being the number of elements returned. If N is constant (e.g. always asking "
         "for the first 10 elements with COUNT), you can consider it O(1)."});
  r.Add({"xdel",
         -3,
         kWrite | kFast,
         "write stream fast",
         {{1, 0, 1, {"RW", "DELETE"}}},
         CmdXDel,
         "Returns the number of messages after removing them from a stream.",
         "5.0.0",
         "stream",
         "O(1) for each single item to delete in the stream, regardless of the stream size."});
  r.Add({"xtrim",
         -4,
         kWrite,
         "write stream slow",
         {{1, 0, 1, {"RW", "DELETE"}}},
         CmdXTrim,
         "Deletes messages from the beginning of a stream.",
         "5.0.0",
         "stream",
         "O(N), with N being the number of evicted entries. Constant times are very small "
         "however, since entries are organized in macro nodes containing multiple entries that "
         "can be released with a single deallocation.",
         nullptr,
         "nondeterministic_output"});
  r.Add({"xread",
         -4,
         kReadOnly | kBlocking,
         "read stream slow blocking",
         {{0, -1, 1, {"RO", "ACCESS"}, "STREAMS", 1, 2}},
         CmdXRead,
         "Returns messages from multiple streams with IDs greater than the ones requested. Blocks "
         "until a message is available otherwise.",
         "5.0.0",
         "stream",
         "",
         XReadKeys});
  r.Add({"xsetid",
         -3,
         kWrite | kDenyOom | kFast,
         "write stream fast",
         {{1, 0, 1, {"RW", "UPDATE"}}},
         CmdXSetId,
         "An internal command for replicating stream values.",
         "5.0.0",
         "stream",
         "O(1)"});
  r.Add({"xinfo",
         -2,
         0,
         "slow",
         {},
         nullptr,
         "A container for stream introspection commands.",
         "5.0.0",
         "stream",
         "Depends on subcommand."});
  const std::vector<KeySpec> kInfoKey = {{2, 0, 1, {"RO", "ACCESS"}}};
  r.AddSubcommand(
      "xinfo", {"consumers", 4, kReadOnly, "read stream slow", kInfoKey, CmdXInfoConsumers,
                "Returns a list of the consumers in a consumer group.", "5.0.0", "stream", "O(1)",
                nullptr, "nondeterministic_output"});
  r.AddSubcommand(
      "xinfo", {"groups", 3, kReadOnly, "read stream slow", kInfoKey, CmdXInfoGroups,
                "Returns a list of the consumer groups of a stream.", "5.0.0", "stream", "O(1)"});
  r.AddSubcommand("xinfo", {"help",
                            2,
                            kLoading | kStale | kNoLock,
                            "stream slow",
                            {},
                            CmdXInfoHelp,
                            "Returns helpful text about the different subcommands.",
                            "5.0.0",
                            "stream",
                            "O(1)"});
  r.AddSubcommand("xinfo", {"stream", -3, kReadOnly, "read stream slow", kInfoKey, CmdXInfoStream,
                            "Returns information about a stream.", "5.0.0", "stream", "O(1)"});
  RegisterStreamGroupCommands(r);
}

}  // namespace weir::commands
