// The stream family, consumer-groups half: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM,
// XAUTOCLAIM.
//
// Redis counts changes to a group (new consumers, deliveries, acknowledgements, claims) as
// writes but does not signal the key as modified, so they do not invalidate WATCH; these
// handlers do the same (dirty count only). XGROUP DESTROY does signal, as it must wake the
// XREADGROUP clients blocked on the group (they then get NOGROUP).
#include <algorithm>
#include <cctype>
#include <climits>

#include "commands/args.h"
#include "commands/registry.h"
#include "commands/stream_common.h"
#include "common/strings.h"
#include "protocol/errors.h"

namespace weir::commands {
namespace streams {
namespace {

using engine::Entry;
using engine::ObjType;
using types::ConsumerGroup;
using types::PendingEntry;
using types::StreamConsumer;

void AddDirty(CommandContext& ctx, int64_t n) {
  if (n != 0) ctx.db.engine().AddDirty(n);
}

void ReplyNoGroup(CommandContext& ctx, std::string_view key, std::string_view group,
                  std::string_view suffix = {}) {
  ctx.reply.Error(StrCat("NOGROUP No such key '", UntilNul(key), "' or consumer group '",
                         UntilNul(group), "'", suffix));
}

// The events of consumer group changes. As in Redis, they count as changes (dirtiness) and are
// announced, but do not signal the key as modified (WATCH), except XGROUP CREATE ... MKSTREAM
// creating the stream.
constexpr KeyEvent kCreateConsumerEvent{kNotifyStream, "xgroup-createconsumer"};

// A consumer group change of the stream at key: counted and announced as event.
void GroupChanged(CommandContext& ctx, std::string_view key, const KeyEvent& event) {
  AddDirty(ctx, 1);
  ctx.db.Notify(key, event);
}

// The consumer named `name` in the group of the stream at key, created (seen now, never
// active; announced as "xgroup-createconsumer") if it does not exist.
StreamConsumer* LookupOrCreateConsumer(CommandContext& ctx, std::string_view key, ConsumerGroup& g,
                                       std::string_view name) {
  StreamConsumer* c = g.FindConsumer(name);
  if (c == nullptr) {
    c = g.CreateConsumer(name, ctx.db.now_ms());
    GroupChanged(ctx, key, kCreateConsumerEvent);
  }
  return c;
}

// ---- XGROUP ----

// The parts of an XGROUP call every subcommand but HELP shares (Redis's xgroupCommand
// preamble): options, the stream, the group. Returns false after replying an error.
struct XGroupTarget {
  Stream* stream = nullptr;
  ConsumerGroup* group = nullptr;
  bool mkstream = false;
  int64_t entries_read = ConsumerGroup::kUnknownEntriesRead;
};

bool ResolveXGroup(CommandContext& ctx, bool create, bool setid, bool group_needed,
                   XGroupTarget* t) {
  for (size_t i = 5; i < ctx.argc();) {
    std::string_view opt = ctx.arg(i);
    if (create && EqualsIgnoreCase(opt, "mkstream")) {
      t->mkstream = true;
      ++i;
    } else if ((create || setid) && EqualsIgnoreCase(opt, "entriesread") && i + 1 < ctx.argc()) {
      if (!IntArg(ctx, ctx.arg(i + 1), &t->entries_read)) return false;
      if (t->entries_read < 0 && t->entries_read != ConsumerGroup::kUnknownEntriesRead) {
        ctx.reply.Error("ERR value for ENTRIESREAD must be positive or -1");
        return false;
      }
      i += 2;
    } else {
      ReplySubcommandSyntaxError(ctx);
      return false;
    }
  }
  Entry* e = ctx.db.FindForWrite(ctx.arg(2));
  if (!CheckType(ctx, e, ObjType::kStream)) return false;
  if (e != nullptr) {
    t->stream = e->As<Stream>();
    t->group = t->stream->FindGroup(ctx.arg(3));
  }
  if (t->mkstream) return true;
  if (t->stream == nullptr) {
    ctx.reply.Error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
        "to use the MKSTREAM option to create an empty stream automatically.");
    return false;
  }
  if (group_needed && t->group == nullptr) {
    ctx.reply.Error(StrCat("NOGROUP No such consumer group '", UntilNul(ctx.arg(3)),
                           "' for key name '", UntilNul(ctx.arg(2)), "'"));
    return false;
  }
  return true;
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
void CmdXGroupCreate(CommandContext& ctx) {
  constexpr KeyEvent kCreateEvent{kNotifyStream, "xgroup-create"};
  XGroupTarget t;
  if (!ResolveXGroup(ctx, true, false, false, &t)) return;
  if (ctx.argc() > 8) return ReplySubcommandSyntaxError(ctx);
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = t.stream != nullptr ? t.stream->last_id() : StreamId{};
  } else if (!ParseStrictId(ctx, ctx.arg(4), 0, &id)) {
    return;
  }
  std::string_view key = ctx.arg(2);
  if (t.stream == nullptr) {
    auto* s = new Stream();
    s->CreateGroup(ctx.arg(3), id, t.entries_read);
    // "new" for the stream, then "xgroup-create".
    ctx.db.SetObject(key, ObjType::kStream, s, kCreateEvent);
    return ctx.reply.Ok();
  }
  if (t.stream->CreateGroup(ctx.arg(3), id, t.entries_read) == nullptr) {
    return ctx.reply.Error("BUSYGROUP Consumer Group name already exists");
  }
  GroupChanged(ctx, key, kCreateEvent);
  ctx.reply.Ok();
}

// XGROUP SETID key group id|$ [ENTRIESREAD n]
void CmdXGroupSetId(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, false, true, true, &t)) return;
  if (ctx.argc() != 5 && ctx.argc() != 7) return ReplySubcommandSyntaxError(ctx);
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = t.stream->last_id();
  } else if (!ParseId(ctx, ctx.arg(4), 0, &id)) {
    return;
  }
  t.group->last_id = id;
  t.group->entries_read = t.entries_read;
  GroupChanged(ctx, ctx.arg(2), {kNotifyStream, "xgroup-setid"});
  ctx.reply.Ok();
}

void CmdXGroupDestroy(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, false, false, false, &t)) return;
  if (t.group == nullptr) return ctx.reply.Integer(0);
  t.stream->DestroyGroup(ctx.arg(3));
  GroupChanged(ctx, ctx.arg(2), {kNotifyStream, "xgroup-destroy"});
  // Clients blocked in XREADGROUP on this key must wake up (and get NOGROUP).
  ctx.db.WakeWaiters(ctx.arg(2));
  ctx.reply.Integer(1);
}

void CmdXGroupCreateConsumer(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, false, false, true, &t)) return;
  bool created = t.group->CreateConsumer(ctx.arg(4), ctx.db.now_ms()) != nullptr;
  if (created) GroupChanged(ctx, ctx.arg(2), kCreateConsumerEvent);
  ctx.reply.Integer(created ? 1 : 0);
}

void CmdXGroupDelConsumer(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, false, false, true, &t)) return;
  int64_t pending = t.group->DeleteConsumer(ctx.arg(4));
  if (pending < 0) return ctx.reply.Integer(0);
  GroupChanged(ctx, ctx.arg(2), {kNotifyStream, "xgroup-delconsumer"});
  ctx.reply.Integer(pending);
}

void CmdXGroupHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CREATE <key> <groupname> <id|$> [option]",
                     "    Create a new consumer group. Options are:",
                     "    * MKSTREAM",
                     "      Create the empty stream if it does not exist.",
                     "    * ENTRIESREAD entries_read",
                     "      Set the group's entries_read counter (internal use).",
                     "CREATECONSUMER <key> <groupname> <consumer>",
                     "    Create a new consumer in the specified group.",
                     "DELCONSUMER <key> <groupname> <consumer>",
                     "    Remove the specified consumer.",
                     "DESTROY <key> <groupname>",
                     "    Remove the specified group.",
                     "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                     "    Set the current group ID and entries_read counter.",
                 });
}

// ---- XREADGROUP ----

// A history read (an explicit ID): the consumer's own pending entries from `start`, each
// counted as delivered again; an entry deleted since is replied with a null body.
void ReplyConsumerHistory(CommandContext& ctx, const Stream& s, ConsumerGroup& g, StreamConsumer& c,
                          StreamId start, int64_t count) {
  const int64_t now = ctx.db.now_ms();
  size_t mark = ctx.reply.BeginDeferred();
  int64_t n = 0;
  for (auto it = c.pending.lower_bound(start); it != c.pending.end(); ++it) {
    if (count != 0 && n >= count) break;
    StreamId id = *it;
    if (ReplyEntryById(ctx, s, id)) {
      PendingEntry* pe = g.FindPending(id);
      pe->delivery_time = now;
      ++pe->delivery_count;
    } else {
      ctx.reply.ArrayLen(2);
      ReplyId(ctx, id);
      ctx.reply.NullArray();
    }
    ++n;
  }
  ctx.reply.EndDeferredArray(mark, n);
}

// New entries (after the group's last-delivered ID) to the consumer: each advances the group
// and, unless NOACK, becomes pending for the consumer.
void ReplyNewEntries(CommandContext& ctx, Stream& s, ConsumerGroup& g, StreamConsumer& c,
                     int64_t count, bool noack) {
  const int64_t now = ctx.db.now_ms();
  StreamId start = g.last_id;
  start.Increment();
  size_t mark = ctx.reply.BeginDeferred();
  int64_t n = 0;
  Stream::Iterator it(s, start, StreamId::Max(), false);
  while ((count == 0 || n < count) && it.Next()) {
    StreamId id = it.id();
    if (id > g.last_id) s.AdvanceGroup(g, id);
    ReplyEntry(ctx, it);
    if (!noack) {
      g.Deliver(id, &c, now);
      c.active_time = now;
    }
    ++n;
  }
  ctx.reply.EndDeferredArray(mark, n);
}

// XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...
void CmdXReadGroup(CommandContext& ctx) {
  ReadArgs a;
  if (!ParseReadArgs(ctx, true, &a)) return;
  const size_t n = a.num_keys;
  struct Target {
    Stream* stream;
    ConsumerGroup* group;
    bool history;
    StreamId start;
  };
  std::vector<Target> targets(n);
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = ctx.arg(a.first_key + i);
    Entry* e = ctx.db.Find(key);
    if (!CheckType(ctx, e, ObjType::kStream)) return;
    Target& t = targets[i];
    t.stream = e != nullptr ? e->As<Stream>() : nullptr;
    t.group = t.stream != nullptr ? t.stream->FindGroup(a.group) : nullptr;
    if (t.group == nullptr) {
      return ReplyNoGroup(ctx, key, a.group, " in XREADGROUP with GROUP option");
    }
    std::string_view arg = ctx.arg(a.first_key + n + i);
    // ("+" is an invalid ID here, as in Redis 7.2; XREAD's "+" is a Redis 7.4 addition.)
    if (arg == "$") {
      return ctx.reply.Error(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
          "of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ "
          "ID would just return an empty result set.");
    }
    t.history = arg != ">";
    if (t.history && !ParseStrictId(ctx, arg, 0, &t.start)) return;
  }

  const int64_t now = ctx.db.now_ms();
  int64_t served = 0;
  size_t mark = 0;
  for (size_t i = 0; i < n; ++i) {
    Target& t = targets[i];
    bool serve = t.history;
    if (!serve && t.stream->length() > 0) {
      std::optional<StreamId> last = t.stream->LastLiveId();
      serve = last && *last > t.group->last_id;
    }
    StreamConsumer* c = LookupOrCreateConsumer(ctx, ctx.arg(a.first_key + i), *t.group, a.consumer);
    c->seen_time = now;
    if (!serve) continue;
    if (served++ == 0) mark = ctx.reply.BeginDeferred();
    if (!ctx.reply.resp3()) ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(ctx.arg(a.first_key + i));
    if (t.history) {
      // Entries after the given ID, as with new entries: "0" reads the whole history.
      StreamId start = t.start;
      start.Increment();
      ReplyConsumerHistory(ctx, *t.stream, *t.group, *c, start, a.count);
    } else {
      ReplyNewEntries(ctx, *t.stream, *t.group, *c, a.count, a.noack);
    }
    AddDirty(ctx, 1);
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
  // The wait also ends when the key is deleted or the group destroyed: the command then runs
  // again and replies NOGROUP, as in Redis.
  if (!Block(ctx, ctx.args.subspan(a.first_key, n), ObjType::kStream, a.deadline_ms, true)) {
    ctx.reply.NullArray();
  }
}

// ---- XACK ----

void CmdXAck(CommandContext& ctx) {
  Entry* e = ctx.db.FindForWrite(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  ConsumerGroup* g = e != nullptr ? e->As<Stream>()->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ctx.reply.Integer(0);
  // All IDs are checked first: the reply cannot be an error once some were acknowledged.
  std::vector<StreamId> ids(ctx.argc() - 3);
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (!ParseStrictId(ctx, ctx.arg(j), 0, &ids[j - 3])) return;
  }
  int64_t acked = 0;
  for (StreamId id : ids) acked += g->RemovePending(id);
  AddDirty(ctx, acked);
  ctx.reply.Integer(acked);
}

// ---- XPENDING ----

// XPENDING key group [[IDLE min-idle] start end count [consumer]]
void CmdXPending(CommandContext& ctx) {
  const size_t argc = ctx.argc();
  const bool summary = argc == 3;
  if (!summary && (argc < 6 || argc > 9)) return ReplySyntaxError(ctx);
  StreamId start, end;
  int64_t count = 0, min_idle = 0;
  std::string_view consumer_name;
  bool has_consumer = false;
  if (!summary) {
    size_t at = 3;
    if (EqualsIgnoreCase(ctx.arg(3), "idle")) {
      if (!IntArg(ctx, ctx.arg(4), &min_idle)) return;
      if (argc < 8) return ReplySyntaxError(ctx);
      at += 2;
    }
    if (!IntArg(ctx, ctx.arg(at + 2), &count)) return;
    if (count < 0) count = 0;
    if (!ParseRangeStart(ctx, ctx.arg(at), &start)) return;
    if (!ParseRangeEnd(ctx, ctx.arg(at + 1), &end)) return;
    if (at + 3 < argc) {
      consumer_name = ctx.arg(at + 3);
      has_consumer = true;
    }
  }
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  const ConsumerGroup* g = e != nullptr ? e->As<Stream>()->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ReplyNoGroup(ctx, ctx.arg(1), ctx.arg(2));

  if (summary) {
    ctx.reply.ArrayLen(4);
    ctx.reply.Integer(static_cast<int64_t>(g->pel().size()));
    if (g->pel().empty()) {
      ctx.reply.Null();
      ctx.reply.Null();
      ctx.reply.NullArray();
      return;
    }
    ReplyId(ctx, g->pel().begin()->first);
    ReplyId(ctx, g->pel().rbegin()->first);
    size_t mark = ctx.reply.BeginDeferred();
    int64_t n = 0;
    for (const auto& [name, c] : g->consumers()) {
      if (c->pending.empty()) continue;
      ctx.reply.ArrayLen(2);
      ctx.reply.Bulk(name);
      char buf[24];
      ctx.reply.Bulk(
          std::string_view(buf, FormatInt64(static_cast<int64_t>(c->pending.size()), buf)));
      ++n;
    }
    ctx.reply.EndDeferredArray(mark, n);
    return;
  }

  const StreamConsumer* consumer = nullptr;
  if (has_consumer) {
    consumer = g->FindConsumer(consumer_name);
    if (consumer == nullptr) return ctx.reply.EmptyArray();
  }
  const int64_t now = ctx.db.now_ms();
  size_t mark = ctx.reply.BeginDeferred();
  int64_t n = 0;
  auto reply_one = [&](StreamId id, const PendingEntry& pe) {
    if (min_idle != 0 && now - pe.delivery_time < min_idle) return;
    ctx.reply.ArrayLen(4);
    ReplyId(ctx, id);
    ctx.reply.Bulk(pe.consumer->name());
    ctx.reply.Integer(std::max<int64_t>(0, now - pe.delivery_time));
    ctx.reply.Integer(static_cast<int64_t>(pe.delivery_count));
    ++n;
    --count;
  };
  if (consumer != nullptr) {
    for (auto it = consumer->pending.lower_bound(start);
         count > 0 && it != consumer->pending.end() && *it <= end; ++it) {
      reply_one(*it, g->pel().at(*it));
    }
  } else {
    for (auto it = g->pel().lower_bound(start);
         count > 0 && it != g->pel().end() && it->first <= end; ++it) {
      reply_one(it->first, it->second);
    }
  }
  ctx.reply.EndDeferredArray(mark, n);
}

// ---- XCLAIM ----

// XCLAIM key group consumer min-idle-time id... [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE]
//        [JUSTID] [LASTID id]
void CmdXClaim(CommandContext& ctx) {
  Entry* e = ctx.db.FindForWrite(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  Stream* s = e != nullptr ? e->As<Stream>() : nullptr;
  ConsumerGroup* g = s != nullptr ? s->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ReplyNoGroup(ctx, ctx.arg(1), ctx.arg(2));
  int64_t min_idle;
  if (!ParseInt64(ctx.arg(4), &min_idle)) {
    return ctx.reply.Error("ERR Invalid min-idle-time argument for XCLAIM");
  }
  if (min_idle < 0) min_idle = 0;

  // The IDs run up to the first argument that is not one; options follow.
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < ctx.argc(); ++j) {
    StreamId id;
    if (!types::ParseStreamId(ctx.arg(j), 0, true, &id)) break;
    ids.push_back(id);
  }
  const int64_t now = ctx.db.now_ms();
  int64_t delivery_time = -1, retry_count = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < ctx.argc(); ++j) {
    bool more = j + 1 < ctx.argc();
    std::string_view opt = ctx.arg(j);
    auto int_option = [&](std::string_view what, int64_t* out) {
      if (ParseInt64(ctx.arg(++j), out)) return true;
      ctx.reply.Error(StrCat("ERR Invalid ", what, " option argument for XCLAIM"));
      return false;
    };
    if (EqualsIgnoreCase(opt, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(opt, "justid")) {
      justid = true;
    } else if (EqualsIgnoreCase(opt, "idle") && more) {
      if (!int_option("IDLE", &delivery_time)) return;
      delivery_time = now - delivery_time;
    } else if (EqualsIgnoreCase(opt, "time") && more) {
      if (!int_option("TIME", &delivery_time)) return;
    } else if (EqualsIgnoreCase(opt, "retrycount") && more) {
      if (!int_option("RETRYCOUNT", &retry_count)) return;
    } else if (EqualsIgnoreCase(opt, "lastid") && more) {
      if (!ParseStrictId(ctx, ctx.arg(++j), 0, &last_id)) return;
    } else {
      return ctx.reply.Error(StrCat("ERR Unrecognized XCLAIM option '", UntilNul(opt), "'"));
    }
  }
  if (last_id > g->last_id) {
    g->last_id = last_id;
    AddDirty(ctx, 1);
  }
  // A delivery time in the future or negative (clients computing it from their own clock) is
  // taken as now rather than refused.
  if (delivery_time < 0 || delivery_time > now) delivery_time = now;

  StreamConsumer* consumer = LookupOrCreateConsumer(ctx, ctx.arg(1), *g, ctx.arg(3));
  consumer->seen_time = now;
  size_t mark = ctx.reply.BeginDeferred();
  int64_t n = 0;
  for (StreamId id : ids) {
    PendingEntry* pe = g->FindPending(id);
    if (!s->Contains(id)) {
      // The entry is gone: so is its pending entry.
      if (pe != nullptr) {
        g->RemovePending(id);
        AddDirty(ctx, 1);
      }
      continue;
    }
    if (pe == nullptr) {
      if (!force) continue;
      pe = g->AddUnowned(id);
      pe->delivery_time = now;
      pe->delivery_count = 1;
    } else if (min_idle != 0 && now - pe->delivery_time < min_idle) {
      continue;
    }
    pe->delivery_time = delivery_time;
    if (retry_count >= 0) {
      pe->delivery_count = static_cast<uint64_t>(retry_count);
    } else if (!justid) {
      ++pe->delivery_count;
    }
    g->SetOwner(id, pe, consumer);
    if (justid) {
      ReplyId(ctx, id);
    } else {
      ReplyEntryById(ctx, *s, id);
    }
    ++n;
    consumer->active_time = now;
    AddDirty(ctx, 1);
  }
  ctx.reply.EndDeferredArray(mark, n);
}

// ---- XAUTOCLAIM ----

// XAUTOCLAIM key group consumer min-idle-time start [COUNT n] [JUSTID]
void CmdXAutoClaim(CommandContext& ctx) {
  int64_t min_idle;
  if (!ParseInt64(ctx.arg(4), &min_idle)) {
    return ctx.reply.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  }
  if (min_idle < 0) min_idle = 0;
  StreamId start;
  if (!ParseRangeStart(ctx, ctx.arg(5), &start)) return;
  int64_t count = 100;
  bool justid = false;
  // Redis bounds COUNT so that count * its attempts factor and its ID buffer cannot overflow.
  constexpr int64_t kAttemptsFactor = 10;
  constexpr int64_t kMaxCount = LONG_MAX / std::max<int64_t>(sizeof(StreamId), kAttemptsFactor);
  for (size_t j = 6; j < ctx.argc(); ++j) {
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(j), "count") && more) {
      if (!ParseInt64(ctx.arg(j + 1), &count) || count < 1 || count > kMaxCount) {
        return ctx.reply.Error("ERR COUNT must be > 0");
      }
      ++j;
    } else if (EqualsIgnoreCase(ctx.arg(j), "justid")) {
      justid = true;
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  Entry* e = ctx.db.FindForWrite(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kStream)) return;
  Stream* s = e != nullptr ? e->As<Stream>() : nullptr;
  ConsumerGroup* g = s != nullptr ? s->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ReplyNoGroup(ctx, ctx.arg(1), ctx.arg(2));

  StreamConsumer* consumer = LookupOrCreateConsumer(ctx, ctx.arg(1), *g, ctx.arg(3));
  const int64_t now = ctx.db.now_ms();
  consumer->seen_time = now;
  int64_t attempts = count * kAttemptsFactor;
  std::vector<StreamId> claimed, deleted;
  // `next` is where the scan of the group's PEL resumes; `exhausted` once past the last ID.
  StreamId next = start;
  bool exhausted = false;
  while (attempts-- > 0 && count > 0) {
    auto it = g->pel().lower_bound(next);
    if (it == g->pel().end()) {
      exhausted = true;
      break;
    }
    StreamId id = it->first;
    next = id;
    if (!s->Contains(id)) {
      // Deleted from the stream: dropped from the PEL and reported; counts towards COUNT.
      g->RemovePending(id);
      deleted.push_back(id);
      AddDirty(ctx, 1);
      --count;
      continue;
    }
    exhausted = !next.Increment();
    PendingEntry* pe = g->FindPending(id);
    if (min_idle == 0 || now - pe->delivery_time >= min_idle) {
      pe->delivery_time = now;
      if (!justid) ++pe->delivery_count;
      g->SetOwner(id, pe, consumer);
      claimed.push_back(id);
      --count;
      consumer->active_time = now;
      AddDirty(ctx, 1);
    }
    if (exhausted) break;
  }
  // The cursor for the next call: the first pending ID not examined, or 0-0 when none is left.
  StreamId cursor;
  if (!exhausted) {
    auto it = g->pel().lower_bound(next);
    if (it != g->pel().end()) cursor = it->first;
  }
  ctx.reply.ArrayLen(3);
  ReplyId(ctx, cursor);
  ctx.reply.ArrayLen(static_cast<int64_t>(claimed.size()));
  for (StreamId id : claimed) {
    if (justid) {
      ReplyId(ctx, id);
    } else {
      ReplyEntryById(ctx, *s, id);
    }
  }
  ctx.reply.ArrayLen(static_cast<int64_t>(deleted.size()));
  for (StreamId id : deleted) ReplyId(ctx, id);
}

}  // namespace

void RegisterStreamGroupCommands(CommandRegistry& r) {
  const std::vector<KeySpec> kRWUpdate = {{1, 0, 1, {"RW", "UPDATE"}}};
  r.Add({"xreadgroup",
         -7,
         kWrite | kBlocking,
         "write stream slow blocking",
         {{0, -1, 1, {"RO", "ACCESS"}, "STREAMS", 4, 2}},
         CmdXReadGroup,
         "Returns new or historical messages from a stream for a consumer in a group. Blocks "
         "until a message is available otherwise.",
         "5.0.0",
         "stream",
         "For each stream mentioned: O(M) with M being the number of elements returned. If M is "
         "constant (e.g. always asking for the first 10 elements with COUNT), you can consider it "
         "O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to "
         "serve the N clients blocked on the stream getting new data.",
         XReadGroupKeys});
  r.Add({"xack", -4, kWrite | kFast, "write stream fast", kRWUpdate, CmdXAck,
         "Returns the number of messages that were successfully acknowledged by the consumer "
         "group member of a stream.",
         "5.0.0", "stream", "O(1) for each message ID processed."});
  r.Add({"xpending",
         -3,
         kReadOnly,
         "read stream slow",
         {{1, 0, 1, {"RO", "ACCESS"}}},
         CmdXPending,
         "Returns the information and entries from a stream consumer group's pending entries "
         "list.",
         "5.0.0",
         "stream",
         "O(N) with N being the number of elements returned, so asking for a small fixed number "
         "of entries per call is O(1). O(M), where M is the total number of entries scanned when "
         "used with the IDLE filter. When the command returns just the summary and the list of "
         "consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for "
         "iterating every consumer.",
         nullptr,
         "nondeterministic_output"});
  r.Add({"xclaim", -6, kWrite | kFast, "write stream fast", kRWUpdate, CmdXClaim,
         "Changes, or acquires, ownership of a message in a consumer group, as if the message was "
         "delivered a consumer group member.",
         "5.0.0", "stream",
         "O(log N) with N being the number of messages in the PEL of the consumer group.", nullptr,
         "nondeterministic_output"});
  r.Add({"xautoclaim",
         -6,
         kWrite | kFast,
         "write stream fast",
         {{1, 0, 1, {"RW", "DELETE"}}},
         CmdXAutoClaim,
         "Changes, or acquires, ownership of messages in a consumer group, as if the messages "
         "were delivered to as consumer group member.",
         "6.2.0",
         "stream",
         "O(1) if COUNT is small.",
         nullptr,
         "nondeterministic_output"});

  r.Add({"xgroup",
         -2,
         0,
         "slow",
         {},
         nullptr,
         "A container for consumer groups commands.",
         "5.0.0",
         "stream",
         "Depends on subcommand."});
  const std::vector<KeySpec> kGroupInsert = {{2, 0, 1, {"RW", "INSERT"}}};
  const std::vector<KeySpec> kGroupDelete = {{2, 0, 1, {"RW", "DELETE"}}};
  r.AddSubcommand("xgroup",
                  {"create", -5, kWrite | kDenyOom, "write stream slow", kGroupInsert,
                   CmdXGroupCreate, "Creates a consumer group.", "5.0.0", "stream", "O(1)"});
  r.AddSubcommand("xgroup", {"createconsumer", 5, kWrite | kDenyOom, "write stream slow",
                             kGroupInsert, CmdXGroupCreateConsumer,
                             "Creates a consumer in a consumer group.", "6.2.0", "stream", "O(1)"});
  r.AddSubcommand(
      "xgroup", {"delconsumer", 5, kWrite, "write stream slow", kGroupDelete, CmdXGroupDelConsumer,
                 "Deletes a consumer from a consumer group.", "5.0.0", "stream", "O(1)"});
  r.AddSubcommand("xgroup",
                  {"destroy", 4, kWrite, "write stream slow", kGroupDelete, CmdXGroupDestroy,
                   "Destroys a consumer group.", "5.0.0", "stream",
                   "O(N) where N is the number of entries in the group's pending entries list "
                   "(PEL)."});
  r.AddSubcommand("xgroup", {"help",
                             2,
                             kLoading | kStale | kNoLock,
                             "stream slow",
                             {},
                             CmdXGroupHelp,
                             "Returns helpful text about the different subcommands.",
                             "5.0.0",
                             "stream",
                             "O(1)"});
  r.AddSubcommand("xgroup", {"setid",
                             -5,
                             kWrite,
                             "write stream slow",
                             {{2, 0, 1, {"RW", "UPDATE"}}},
                             CmdXGroupSetId,
                             "Sets the last-delivered ID of a consumer group.",
                             "5.0.0",
                             "stream",
                             "O(1)"});
}

}  // namespace streams
}  // namespace weir::commands
