// The server family: COMMAND and its subcommands (the command table as clients see it), DEBUG,
// TIME, LASTSAVE and SHUTDOWN.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <initializer_list>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "commands/args.h"
#include "commands/dispatcher.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "protocol/errors.h"

namespace weir::commands {
namespace {

using protocol::ReplyBuilder;
namespace errors = protocol::errors;

// ---- Reply helpers ----

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

// Errors handed back by the server may come with or without their "ERR "-style prefix.
void ReplyErrorText(CommandContext& ctx, const std::string& err) {
  size_t space = err.find(' ');
  std::string_view word = std::string_view(err).substr(0, space);
  bool has_prefix = space != std::string::npos && space > 0 && Upper(word) == word;
  ctx.reply.Error(has_prefix ? err : absl::StrCat("ERR ", err));
}

// ---- Flags, categories and key specs as COMMAND reports them ----

struct FlagName {
  uint32_t flag;
  std::string_view name;
};

// Redis's order; may_replicate, sentinel and only_sentinel are hidden on purpose, as in Redis,
// and Weir's locking scopes are internal.
constexpr FlagName kCommandFlagNames[] = {
    {kWrite, "write"},
    {kReadOnly, "readonly"},
    {kDenyOom, "denyoom"},
    {kAdmin, "admin"},
    {kPubSub, "pubsub"},
    {kNoScript, "noscript"},
    {kBlocking, "blocking"},
    {kLoading, "loading"},
    {kStale, "stale"},
    {kSkipMonitor, "skip_monitor"},
    {kSkipSlowlog, "skip_slowlog"},
    {kFast, "fast"},
    {kNoAuth, "no_auth"},
    {kNoMandatoryKeys, "no_mandatory_keys"},
    {kNoAsyncLoading, "no_async_loading"},
    {kNoMulti, "no_multi"},
    {kMovableKeys, "movablekeys"},
    {kAllowBusy, "allow_busy"},
};

enum KeyFlag : uint32_t {
  kKeyRO = 1u << 0,
  kKeyRW = 1u << 1,
  kKeyOW = 1u << 2,
  kKeyRM = 1u << 3,
  kKeyAccess = 1u << 4,
  kKeyUpdate = 1u << 5,
  kKeyInsert = 1u << 6,
  kKeyDelete = 1u << 7,
  kKeyNotKey = 1u << 8,
  kKeyIncomplete = 1u << 9,
  kKeyVariableFlags = 1u << 10,
};

constexpr FlagName kKeyFlagNames[] = {
    {kKeyRO, "RO"},
    {kKeyRW, "RW"},
    {kKeyOW, "OW"},
    {kKeyRM, "RM"},
    {kKeyAccess, "access"},
    {kKeyUpdate, "update"},
    {kKeyInsert, "insert"},
    {kKeyDelete, "delete"},
    {kKeyNotKey, "not_key"},
    {kKeyIncomplete, "incomplete"},
    {kKeyVariableFlags, "variable_flags"},
};

// Redis's ACL category table order, which is the order COMMAND INFO lists them in.
constexpr std::string_view kAclCategories[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting",
};

uint32_t AclBit(std::string_view name) {
  for (size_t i = 0; i < std::size(kAclCategories); ++i) {
    if (EqualsIgnoreCase(kAclCategories[i], name)) return 1u << i;
  }
  return 0;
}

// Declared categories plus the ones Redis implies from the flags.
uint32_t AclBits(const CommandSpec& spec) {
  uint32_t bits = 0;
  for (const std::string& c : spec.acl_categories) bits |= AclBit(c);
  if (spec.flags & kWrite) bits |= AclBit("write");
  // Redis keeps scripting commands out of @read even when they are read-only.
  if ((spec.flags & kReadOnly) && !(bits & AclBit("scripting"))) bits |= AclBit("read");
  if (spec.flags & kAdmin) bits |= AclBit("admin") | AclBit("dangerous");
  if (spec.flags & kPubSub) bits |= AclBit("pubsub");
  if (spec.flags & kFast) bits |= AclBit("fast");
  if (spec.flags & kBlocking) bits |= AclBit("blocking");
  if (!(bits & AclBit("fast"))) bits |= AclBit("slow");
  return bits;
}

uint32_t KeyFlagBits(const KeySpec& ks) {
  uint32_t bits = 0;
  for (const std::string& f : ks.flags) {
    for (const FlagName& n : kKeyFlagNames) {
      if (EqualsIgnoreCase(n.name, f)) bits |= n.flag;
    }
  }
  return bits;
}

void ReplyFlagSet(ReplyBuilder& r, uint32_t bits, std::span<const FlagName> names) {
  int64_t n = 0;
  for (const FlagName& f : names) n += (bits & f.flag) ? 1 : 0;
  r.SetLen(n);
  for (const FlagName& f : names) {
    if (bits & f.flag) r.SimpleString(f.name);
  }
}

// The legacy (first, last, step) triple and whether the keys move with the arguments, derived
// from the key specs the way Redis's populateCommandLegacyRangeSpec does.
struct LegacyRange {
  int first = 0;
  int last = 0;
  int step = 0;
  bool movable = false;
};

LegacyRange ComputeLegacyRange(const CommandSpec& spec) {
  LegacyRange r;
  r.movable = spec.key_finder != nullptr || (spec.flags & kMovableKeys);
  // Keynum specs move with the arguments and take no part in the legacy triple (Redis's
  // populateCommandLegacyRangeSpec).
  std::vector<KeySpec> specs;
  for (const KeySpec& ks : spec.key_specs) {
    if (ks.keynum_index >= 0) {
      r.movable = true;
    } else {
      specs.push_back(ks);
    }
  }
  if (specs.empty()) return r;
  if (specs.size() == 1) {
    const KeySpec& ks = specs[0];
    // Keys after a keyword or counted by a numkeys argument have no fixed position (Redis:
    // movablekeys, 0 0 0).
    if (!ks.keyword.empty()) {
      r.movable = true;
      return r;
    }
    r.first = ks.begin_index;
    r.last = ks.last_key >= 0 ? ks.begin_index + ks.last_key : ks.last_key;
    r.step = ks.key_step;
    if (KeyFlagBits(ks) & kKeyIncomplete) r.movable = true;
    return r;
  }
  int first = INT_MAX;
  int last = 0;
  int prev_last = 0;
  for (const KeySpec& ks : specs) {
    // Only plain consecutive ranges merge into one triple; anything else makes it movable.
    if (!ks.keyword.empty() || ks.key_step != 1 ||
        (prev_last != 0 && prev_last != ks.begin_index - 1)) {
      r.movable = true;
      continue;
    }
    if (KeyFlagBits(ks) & kKeyIncomplete) r.movable = true;
    first = std::min(first, ks.begin_index);
    int abs_last = ks.last_key >= 0 ? ks.last_key + ks.begin_index : ks.last_key;
    // Redis compares as unsigned so that a negative (count-from-the-end) last key wins.
    last = static_cast<int>(std::max(static_cast<unsigned>(last), static_cast<unsigned>(abs_last)));
    prev_last = last;
  }
  if (first == INT_MAX) {
    r.movable = true;
    return r;
  }
  r.first = first;
  r.last = last;
  r.step = 1;
  return r;
}

void ReplyKeySpecs(ReplyBuilder& r, const CommandSpec& spec) {
  r.SetLen(static_cast<int64_t>(spec.key_specs.size()));
  for (const KeySpec& ks : spec.key_specs) {
    r.MapLen(ks.notes.empty() ? 3 : 4);
    if (!ks.notes.empty()) {
      r.Bulk("notes");
      r.Bulk(ks.notes);
    }
    r.Bulk("flags");
    ReplyFlagSet(r, KeyFlagBits(ks), kKeyFlagNames);
    r.Bulk("begin_search");
    r.MapLen(2);
    r.Bulk("type");
    if (ks.keyword.empty()) {
      r.Bulk("index");
      r.Bulk("spec");
      r.MapLen(1);
      r.Bulk("index");
      r.Integer(ks.begin_index);
    } else {
      r.Bulk("keyword");
      r.Bulk("spec");
      r.MapLen(2);
      r.Bulk("keyword");
      r.Bulk(ks.keyword);
      r.Bulk("startfrom");
      r.Integer(ks.keyword_from);
    }
    r.Bulk("find_keys");
    r.MapLen(2);
    r.Bulk("type");
    if (ks.keynum_index >= 0) {
      r.Bulk("keynum");
      r.Bulk("spec");
      r.MapLen(3);
      r.Bulk("keynumidx");
      r.Integer(ks.keynum_index);
      r.Bulk("firstkey");
      r.Integer(ks.first_key);
      r.Bulk("keystep");
      r.Integer(ks.key_step);
      continue;
    }
    r.Bulk("range");
    r.Bulk("spec");
    r.MapLen(3);
    r.Bulk("lastkey");
    r.Integer(ks.last_key);
    r.Bulk("keystep");
    r.Integer(ks.key_step);
    r.Bulk("limit");
    r.Integer(ks.limit);
  }
}

void ReplyCommandInfo(ReplyBuilder& r, const CommandSpec* spec) {
  if (spec == nullptr) return r.Null();
  LegacyRange range = ComputeLegacyRange(*spec);
  r.ArrayLen(10);
  r.Bulk(spec->FullName());
  r.Integer(spec->arity);
  ReplyFlagSet(r, spec->flags | (range.movable ? uint32_t{kMovableKeys} : 0u), kCommandFlagNames);
  r.Integer(range.first);
  r.Integer(range.last);
  r.Integer(range.step);
  uint32_t acl = AclBits(*spec);
  r.SetLen(__builtin_popcount(acl));
  for (size_t i = 0; i < std::size(kAclCategories); ++i) {
    if (acl & (1u << i)) r.SimpleString("@" + std::string(kAclCategories[i]));
  }
  r.SetLen(static_cast<int64_t>(spec->tips.size()));
  for (const std::string& tip : spec->tips) r.Bulk(tip);
  ReplyKeySpecs(r, *spec);
  if (spec->subcommands.empty()) {
    r.SetLen(0);
  } else {
    r.ArrayLen(static_cast<int64_t>(spec->subcommands.size()));
    for (const auto& sub : spec->subcommands) ReplyCommandInfo(r, sub.get());
  }
}

void ReplyCommandDocs(ReplyBuilder& r, const CommandSpec& spec) {
  int64_t n = 1 + !spec.summary.empty() + !spec.since.empty() + !spec.complexity.empty() +
              !spec.subcommands.empty();
  r.MapLen(n);
  if (!spec.summary.empty()) {
    r.Bulk("summary");
    r.Bulk(spec.summary);
  }
  if (!spec.since.empty()) {
    r.Bulk("since");
    r.Bulk(spec.since);
  }
  r.Bulk("group");
  r.Bulk(spec.group);
  if (!spec.complexity.empty()) {
    r.Bulk("complexity");
    r.Bulk(spec.complexity);
  }
  if (!spec.subcommands.empty()) {
    r.Bulk("subcommands");
    r.MapLen(static_cast<int64_t>(spec.subcommands.size()));
    for (const auto& sub : spec.subcommands) {
      r.Bulk(sub->FullName());
      ReplyCommandDocs(r, *sub);
    }
  }
}

// "name" or "container|sub", as COMMAND INFO / DOCS take them: exactly one level, and a
// subcommand part only for containers.
const CommandSpec* LookupFullName(const CommandRegistry& registry, std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* base = registry.Find(name.substr(0, bar));
  if (bar == std::string_view::npos || base == nullptr) return base;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos || base->subcommands.empty()) return nullptr;
  return base->FindSubcommand(sub);
}

// The command an argument vector runs, as COMMAND GETKEYS resolves it.
const CommandSpec* LookupInvocation(const CommandRegistry& registry, ArgList args) {
  const CommandSpec* base = registry.Find(args[0]);
  if (base == nullptr || args.size() == 1 || base->subcommands.empty()) return base;
  return base->FindSubcommand(args[1]);
}

// ---- COMMAND ----

const CommandRegistry& Registry(CommandContext& ctx) { return ctx.dispatcher.registry(); }

void CmdCommand(CommandContext& ctx) {
  const auto& all = Registry(ctx).all();
  ctx.reply.ArrayLen(static_cast<int64_t>(all.size()));
  for (const CommandSpec* spec : all) ReplyCommandInfo(ctx.reply, spec);
}

void CmdCommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(Registry(ctx).all().size()));
}

void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) return CmdCommand(ctx);
  ctx.reply.ArrayLen(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ReplyCommandInfo(ctx.reply, LookupFullName(Registry(ctx), ctx.arg(i)));
  }
}

void CmdCommandDocs(CommandContext& ctx) {
  const CommandRegistry& registry = Registry(ctx);
  std::vector<const CommandSpec*> found;
  if (ctx.argc() == 2) {
    found.assign(registry.all().begin(), registry.all().end());
  } else {
    // Unknown names are left out of the map.
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (const CommandSpec* spec = LookupFullName(registry, ctx.arg(i))) found.push_back(spec);
    }
  }
  ctx.reply.MapLen(static_cast<int64_t>(found.size()));
  for (const CommandSpec* spec : found) {
    ctx.reply.Bulk(spec->FullName());
    ReplyCommandDocs(ctx.reply, *spec);
  }
}

void CmdCommandList(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern };
  Filter filter = Filter::kNone;
  std::string_view filter_arg;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    size_t more = ctx.argc() - 1 - i;
    if (!EqualsIgnoreCase(ctx.arg(i), "filterby") || more != 2) return ReplySyntaxError(ctx);
    std::string_view type = ctx.arg(i + 1);
    if (EqualsIgnoreCase(type, "module")) {
      filter = Filter::kModule;
    } else if (EqualsIgnoreCase(type, "aclcat")) {
      filter = Filter::kAclCat;
    } else if (EqualsIgnoreCase(type, "pattern")) {
      filter = Filter::kPattern;
    } else {
      return ReplySyntaxError(ctx);
    }
    filter_arg = ctx.arg(i + 2);
    i += 2;
  }
  uint32_t cat = filter == Filter::kAclCat ? AclBit(filter_arg) : 0;
  auto keep = [&](const CommandSpec& spec) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // no modules: nothing belongs to one
      case Filter::kAclCat:
        return cat != 0 && (AclBits(spec) & cat) != 0;
      case Filter::kPattern:
        return GlobMatch(filter_arg, spec.FullName(), true);
    }
    return false;
  };
  std::vector<std::string> names;
  for (const CommandSpec* spec : Registry(ctx).all()) {
    if (keep(*spec)) names.push_back(spec->FullName());
    for (const auto& sub : spec->subcommands) {
      if (keep(*sub)) names.push_back(sub->FullName());
    }
  }
  ctx.reply.ArrayLen(static_cast<int64_t>(names.size()));
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

struct KeyRef {
  int pos;
  uint32_t flags;
};

// Keys from the range specs, as Redis's getKeysUsingKeySpecs: any spec whose range falls
// outside the arguments makes the whole extraction invalid.
bool KeysFromSpecs(const CommandSpec& spec, ArgList args, std::vector<KeyRef>* out) {
  const int argc = static_cast<int>(args.size());
  for (const KeySpec& ks : spec.key_specs) {
    uint32_t flags = KeyFlagBits(ks);
    if (flags & kKeyNotKey) continue;
    int first = ks.begin_index;
    if (!ks.keyword.empty()) {
      // The keys follow the first argument equal to the keyword, searched from keyword_from
      // onwards (backwards from the end when negative); the last argument is not looked at,
      // as in Redis. A spec whose keyword is absent gives no keys but is not an error.
      first = 0;
      const bool forward = ks.keyword_from > 0;
      const int start = forward ? ks.keyword_from : argc + ks.keyword_from;
      const int end = forward ? argc - 1 : 1;
      for (int i = start; i != end && i >= 1 && i < argc; i += forward ? 1 : -1) {
        if (EqualsIgnoreCase(args[i], ks.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first == 0) continue;
    }
    int last;
    if (ks.last_key >= 0) {
      last = first + ks.last_key;
    } else if (ks.limit == 0) {
      last = argc + ks.last_key;
    } else {
      last = first + (argc - first) / ks.limit + ks.last_key;
    }
    if (last >= argc || last < first || first >= argc) {
      out->clear();
      return false;
    }
    for (int i = first; i <= last; i += std::max(1, ks.key_step)) out->push_back({i, flags});
  }
  return true;
}

// The flags of a key found by a command's key finder: those of the spec whose range holds it,
// else of the last spec starting before it.
uint32_t FlagsAtPosition(const CommandSpec& spec, int argc, int pos) {
  uint32_t fallback = 0;
  for (const KeySpec& ks : spec.key_specs) {
    uint32_t flags = KeyFlagBits(ks);
    if (flags & kKeyNotKey) continue;
    int first = ks.begin_index;
    int last = ks.last_key >= 0 ? first + ks.last_key : argc + ks.last_key;
    int step = std::max(1, ks.key_step);
    if (pos >= first && pos <= last && (pos - first) % step == 0) return flags;
    if (first <= pos) fallback = flags;
  }
  return fallback;
}

// Redis computes the flags of VARIABLE_FLAGS commands from their arguments: SET is a read too
// with GET, BITFIELD only reads when every operation is a GET.
uint32_t VariableKeyFlags(const CommandSpec& spec, ArgList args, uint32_t spec_flags) {
  if (spec.name == "set") {
    for (size_t i = 3; i < args.size(); ++i) {
      if (EqualsIgnoreCase(args[i], "get")) return kKeyRW | kKeyAccess | kKeyUpdate;
    }
    return kKeyOW | kKeyUpdate;
  }
  if (spec.name == "bitfield") {
    bool readonly = true;
    const size_t argc = args.size();
    for (size_t i = 2; i < argc; ++i) {
      size_t remaining = argc - i - 1;
      if (EqualsIgnoreCase(args[i], "get") && remaining >= 2) {
        i += 2;
      } else if ((EqualsIgnoreCase(args[i], "set") || EqualsIgnoreCase(args[i], "incrby")) &&
                 remaining >= 3) {
        readonly = false;
        break;
      } else if (EqualsIgnoreCase(args[i], "overflow") && remaining >= 1) {
        i += 1;
      } else {
        readonly = false;
        break;
      }
    }
    return readonly ? (kKeyRO | kKeyAccess) : (kKeyRW | kKeyAccess | kKeyUpdate);
  }
  return spec_flags & ~kKeyVariableFlags;
}

void GetKeys(CommandContext& ctx, bool with_flags) {
  ArgList target = ctx.args.subspan(2);
  const CommandSpec* spec = LookupInvocation(Registry(ctx), target);
  if (spec == nullptr) return ctx.reply.Error("ERR Invalid command specified");
  bool has_keys = spec->key_finder != nullptr;
  bool variable_flags = false;
  for (const KeySpec& ks : spec->key_specs) {
    uint32_t f = KeyFlagBits(ks);
    if (!(f & kKeyNotKey)) has_keys = true;
    if (f & kKeyVariableFlags) variable_flags = true;
  }
  if (!has_keys) return ctx.reply.Error("ERR The command has no key arguments");
  const int argc = static_cast<int>(target.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    return ctx.reply.Error("ERR Invalid number of arguments specified for command");
  }
  // Redis prefers the key specs when they describe every key and fall back to the command's
  // own key extraction when they do not fit the arguments. For range specs found by a keyword
  // (XREAD, XREADGROUP) that gives other answers than the key finder used for locking, which
  // checks the options before STREAMS: XREAD a STREAMS b 0 reports b, STREAMS a b 0 0 junk
  // reports a and b.
  bool keyword_specs = !variable_flags && !spec->key_specs.empty();
  for (const KeySpec& ks : spec->key_specs) {
    if (ks.keyword.empty() || ks.keynum_index >= 0) keyword_specs = false;
  }
  std::vector<KeyRef> keys;
  if (keyword_specs && KeysFromSpecs(*spec, target, &keys)) {
    // found by the specs (possibly none: the keyword is absent)
  } else if (spec->key_finder != nullptr) {
    std::vector<int> positions;
    spec->key_finder(target, &positions);
    for (int pos : positions) {
      if (pos > 0 && pos < argc) keys.push_back({pos, FlagsAtPosition(*spec, argc, pos)});
    }
  } else if (KeysFromSpecs(*spec, target, &keys) && variable_flags) {
    for (KeyRef& k : keys) k.flags = VariableKeyFlags(*spec, target, k.flags);
  }
  if (keys.empty()) {
    if (spec->flags & kNoMandatoryKeys) return ctx.reply.EmptyArray();
    return ctx.reply.Error("ERR Invalid arguments specified for command");
  }
  ctx.reply.ArrayLen(static_cast<int64_t>(keys.size()));
  for (const KeyRef& k : keys) {
    if (!with_flags) {
      ctx.reply.Bulk(target[k.pos]);
      continue;
    }
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk(target[k.pos]);
    ReplyFlagSet(ctx.reply, k.flags, kKeyFlagNames);
  }
}

void CmdCommandGetKeys(CommandContext& ctx) { GetKeys(ctx, false); }
void CmdCommandGetKeysAndFlags(CommandContext& ctx) { GetKeys(ctx, true); }

void CmdCommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "(no subcommand)",
                     "    Return details about all Redis commands.",
                     "COUNT",
                     "    Return the total number of commands in this Redis server.",
                     "LIST",
                     "    Return a list of all commands in this Redis server.",
                     "INFO [<command-name> ...]",
                     "    Return details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "DOCS [<command-name> ...]",
                     "    Return documentation details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "GETKEYS <full-command>",
                     "    Return the keys from a full Redis command.",
                     "GETKEYSANDFLAGS <full-command>",
                     "    Return the keys and the access flags from a full Redis command.",
                 });
}

// ---- DEBUG ----

// Bytes Redis's RDB length prefix takes for n.
size_t RdbLenBytes(uint64_t n) {
  if (n < (1u << 6)) return 1;
  if (n < (1u << 14)) return 2;
  if (n <= UINT32_MAX) return 5;
  return 9;
}

// DEBUG OBJECT's serializedlength for a string: small integers are stored as 1, 2 or 4 byte
// integers, anything else as a length-prefixed string. (Redis may LZF-compress strings over 20
// bytes; Weir reports the uncompressed length.)
size_t SerializedStringLength(std::string_view value) {
  int64_t v;
  if (value.size() <= 11 && ParseInt64(value, &v)) {
    if (v >= -(1 << 7) && v <= (1 << 7) - 1) return 2;
    if (v >= -(1 << 15) && v <= (1 << 15) - 1) return 3;
    if (v >= INT32_MIN && v <= INT32_MAX) return 5;
  }
  return RdbLenBytes(value.size()) + value.size();
}

void DebugObject(CommandContext& ctx) {
  // Redis looks in the keyspace directly: no lazy expiry, no access time update.
  const engine::Entry* e = ctx.db.Peek(ctx.arg(2));
  if (e == nullptr) return ctx.reply.Error(errors::kNoSuchKey);
  int refcount = 1;
  if (e->type == engine::ObjType::kString && e->encoding == engine::Encoding::kInt) {
    // Redis shares the objects of the integers 0..9999 unless maxmemory evicts by LRU/LFU.
    int64_t v = 0;
    std::string policy = ctx.server.config().String("maxmemory-policy");
    bool lru_lfu =
        policy.find("lru") != std::string::npos || policy.find("lfu") != std::string::npos;
    if (ParseInt64(e->value(), &v) && v >= 0 && v < 10000 &&
        (ctx.server.config().Int("maxmemory") == 0 || !lru_lfu)) {
      refcount = INT_MAX;
    }
  }
  // Only strings exist so far; other types will need their own RDB size.
  size_t serialized =
      e->type == engine::ObjType::kString ? SerializedStringLength(e->value()) : e->val_len;
  // Redis's LRU clock: seconds, 24 bits, wrapping. Its shared integer objects never had their
  // clock set, so they report lru 0 and an idle time equal to the clock.
  constexpr uint32_t kLruMax = (1u << 24) - 1;
  uint32_t now = engine::LruClock() & kLruMax;
  uint32_t lru = refcount == INT_MAX ? 0 : (e->lru & kLruMax);
  uint32_t idle = now >= lru ? now - lru : now + (kLruMax - lru);
  ctx.reply.SimpleString(absl::StrFormat(
      "Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
      static_cast<const void*>(e), refcount, engine::EncodingNameOf(e), serialized, lru, idle));
}

void DebugHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx,
      {
          "AOF-FLUSH-SLEEP <microsec>",
          "    Server will sleep before flushing the AOF, this is used for testing.",
          "ASSERT",
          "    Crash by assertion failed.",
          "CHANGE-REPL-ID",
          "    Change the replication IDs of the instance.",
          "    Dangerous: should be used only for testing the replication subsystem.",
          "CONFIG-REWRITE-FORCE-ALL",
          "    Like CONFIG REWRITE but writes all configuration options, including",
          "    keywords not listed in original configuration file or default values.",
          "CRASH-AND-RECOVER [<milliseconds>]",
          "    Hard crash and restart after a <milliseconds> delay (default 0).",
          "DIGEST",
          "    Output a hex signature representing the current DB content.",
          "DIGEST-VALUE <key> [<key> ...]",
          "    Output a hex signature of the values of all the specified keys.",
          "ERROR <string>",
          "    Return a Redis protocol error with <string> as message. Useful for clients",
          "    unit tests to simulate Redis errors.",
          "LEAK <string>",
          "    Create a memory leak of the input string.",
          "LOG <message>",
          "    Write <message> to the server log.",
          "HTSTATS <dbid> [full]",
          "    Return hash table statistics of the specified Redis database.",
          "HTSTATS-KEY <key> [full]",
          "    Like HTSTATS but for the hash table stored at <key>'s value.",
          "LOADAOF",
          "    Flush the AOF buffers on disk and reload the AOF in memory.",
          "REPLICATE <string>",
          "    Replicates the provided string to replicas, allowing data divergence.",
          "OBJECT <key>",
          "    Show low level info about `key` and associated value.",
          "DROP-CLUSTER-PACKET-FILTER <packet-type>",
          "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
          "OOM",
          "    Crash the server simulating an out-of-memory error.",
          "PANIC",
          "    Crash the server simulating a panic.",
          "POPULATE <count> [<prefix>] [<size>]",
          "    Create <count> string keys named key:<num>. If <prefix> is specified then",
          "    it is used instead of the 'key' prefix. These are not propagated to",
          "    replicas. Cluster slots are not respected so keys not belonging to the",
          "    current node can be created in cluster mode.",
          "PROTOCOL <type>",
          "    Reply with a test value of the specified type. <type> can be: string,",
          "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
          "    true, false.",
          "RELOAD [option ...]",
          "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
          "    * MERGE: conflicting keys will be loaded from RDB.",
          "    * NOFLUSH: the existing database will not be removed before load, but",
          "      conflicting keys will generate an exception and kill the server.",
          "    * NOSAVE: the database will be loaded from an existing RDB file.",
          "    Examples:",
          "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
          "      the database.",
          "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
          "      existing RDB file.",
          "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
          "      file to the database.",
          "RESTART [<milliseconds>]",
          "    Graceful restart: save config, db, restart after a <milliseconds> delay (default "
          "0).",
          "SDSLEN <key>",
          "    Show low level SDS string info representing `key` and value.",
          "SEGFAULT",
          "    Crash the server with sigsegv.",
          "SET-ACTIVE-EXPIRE <0|1>",
          "    Setting it to 0 disables expiring keys in background when they are not",
          "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
          "    default.",
          "QUICKLIST-PACKED-THRESHOLD <size>",
          "    Sets the threshold for elements to be inserted as plain vs packed nodes",
          "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
          "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
          "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
          "SLEEP <seconds>",
          "    Stop the server for <seconds>. Decimals allowed.",
          "STRINGMATCH-TEST",
          "    Run a fuzz tester against the stringmatchlen() function.",
          "STRUCTSIZE",
          "    Return the size of different Redis core C structures.",
          "LISTPACK <key>",
          "    Show low level info about the listpack encoding of <key>.",
          "QUICKLIST <key> [<0|1>]",
          "    Show low level info about the quicklist encoding of <key>.",
          "    The optional argument (0 by default) sets the level of detail",
          "CLIENT-EVICTION",
          "    Show low level client eviction pools info (maxmemory-clients).",
          "PAUSE-CRON <0|1>",
          "    Stop periodic cron job processing.",
          "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
          "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
          "    In case NEVER is provided the last observed peak will never be reset",
          "    In case RESET is provided the peak reset time will be restored to the default value",
          "REPLYBUFFER RESIZING <0|1>",
          "    Enable or disable the reply buffer resize cron job",
          "CLUSTERLINK KILL <to|from|all> <node-id>",
          "    Kills the link based on the direction to/from (both) with the provided node.",
      });
}

// The dispatcher has checked enable-debug-command (CommandSpec::protected_by).
void CmdDebug(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  const size_t argc = ctx.argc();
  if (argc == 2 && EqualsIgnoreCase(sub, "help")) return DebugHelp(ctx);
  if (EqualsIgnoreCase(sub, "object") && argc == 3) return DebugObject(ctx);
  if (EqualsIgnoreCase(sub, "sleep") && argc == 3) {
    // strtod semantics as Redis: no validation, garbage sleeps 0 seconds.
    std::string text(ctx.arg(2));
    double seconds = std::strtod(text.c_str(), nullptr);
    auto micros = static_cast<int64_t>(seconds * 1000000);
    if (micros > 0) std::this_thread::sleep_for(std::chrono::microseconds(micros));
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "set-active-expire") && argc == 3) {
    // Accepted like Redis: atoi semantics, no validation.
    ctx.server.engine().set_active_expire_enabled(std::atoi(std::string(ctx.arg(2)).c_str()) != 0);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "pause-cron") && argc == 3) {
    // atoi semantics, as Redis.
    ctx.dispatcher.set_cron_paused(std::atoi(std::string(ctx.arg(2)).c_str()) != 0);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "quicklist-packed-threshold") && argc == 3) {
    uint64_t size;
    if (!ParseMemory(ctx.arg(2), &size) || size > (1ull << 32) - (1 << 20)) {
      return ctx.reply.Error(
          "ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    }
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "change-repl-id") && argc == 2) return ctx.reply.Ok();
  ReplySubcommandSyntaxError(ctx);
}

// ---- TIME, LASTSAVE, SHUTDOWN ----

void CmdTime(CommandContext& ctx) {
  int64_t us = engine::NowUs();
  ctx.reply.ArrayLen(2);
  ctx.reply.Bulk(std::to_string(us / 1000000));
  ctx.reply.Bulk(std::to_string(us % 1000000));
}

void CmdLastSave(CommandContext& ctx) { ctx.reply.Integer(ctx.server.LastSaveTime()); }

void CmdShutdown(CommandContext& ctx) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(opt, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(opt, "now")) {
      now = true;
    } else if (EqualsIgnoreCase(opt, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(opt, "abort")) {
      abort = true;
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    return ReplySyntaxError(ctx);
  }
  std::string err;
  if (!ctx.server.Shutdown(nosave, save, now, force, abort, &err)) {
    return ReplyErrorText(ctx, err);
  }
  // ABORT of a shutdown in progress is acknowledged; a shutdown that goes ahead replies
  // nothing, the connection just closes, as in Redis.
  if (abort) ctx.reply.Ok();
}

}  // namespace

void RegisterServerCommands(CommandRegistry& r) {
  constexpr uint32_t kIntrospect = kLoading | kStale | kSentinel | kNoLock;
  r.Add({"command",
         -1,
         kIntrospect,
         "slow connection",
         {},
         CmdCommand,
         "Returns detailed information about all commands.",
         "2.8.13",
         "server",
         "O(N) where N is the total number of Redis commands",
         nullptr,
         "nondeterministic_output_order"});
  r.AddSubcommand("command", {"count",
                              2,
                              kIntrospect,
                              "slow connection",
                              {},
                              CmdCommandCount,
                              "Returns a count of commands.",
                              "2.8.13",
                              "server",
                              "O(1)"});
  r.AddSubcommand("command",
                  {"docs",
                   -2,
                   kIntrospect,
                   "slow connection",
                   {},
                   CmdCommandDocs,
                   "Returns documentary information about one, multiple or all commands.",
                   "7.0.0",
                   "server",
                   "O(N) where N is the number of commands to look up",
                   nullptr,
                   "nondeterministic_output_order"});
  r.AddSubcommand("command", {"getkeys",
                              -3,
                              kIntrospect,
                              "slow connection",
                              {},
                              CmdCommandGetKeys,
                              "Extracts the key names from an arbitrary command.",
                              "2.8.13",
                              "server",
                              "O(N) where N is the number of arguments to the command"});
  r.AddSubcommand("command", {"getkeysandflags",
                              -3,
                              kIntrospect,
                              "slow connection",
                              {},
                              CmdCommandGetKeysAndFlags,
                              "Extracts the key names and access flags for an arbitrary command.",
                              "7.0.0",
                              "server",
                              "O(N) where N is the number of arguments to the command"});
  r.AddSubcommand("command", {"help",
                              2,
                              kIntrospect,
                              "slow connection",
                              {},
                              CmdCommandHelp,
                              "Returns helpful text about the different subcommands.",
                              "5.0.0",
                              "server",
                              "O(1)"});
  r.AddSubcommand("command", {"info",
                              -2,
                              kIntrospect,
                              "slow connection",
                              {},
                              CmdCommandInfo,
                              "Returns information about one, multiple or all commands.",
                              "2.8.13",
                              "server",
                              "O(N) where N is the number of commands to look up",
                              nullptr,
                              "nondeterministic_output_order"});
  r.AddSubcommand("command", {"list",
                              -2,
                              kIntrospect,
                              "slow connection",
                              {},
                              CmdCommandList,
                              "Returns a list of command names.",
                              "7.0.0",
                              "server",
                              "O(N) where N is the total number of Redis commands",
                              nullptr,
                              "nondeterministic_output_order"});
  // DEBUG runs with every shard locked: DEBUG OBJECT reads any key, and DEBUG SLEEP stalls the
  // keyspace like it stalls Redis's single thread.
  r.Add({"debug",
         -2,
         kAdmin | kNoScript | kLoading | kStale | kAllShards,
         "admin slow dangerous",
         {},
         CmdDebug,
         "A container for debugging commands.",
         "1.0.0",
         "server",
         "Depends on subcommand.",
         nullptr,
         "",
         "enable-debug-command"});
  r.Add({"time",
         1,
         kLoading | kStale | kFast | kNoLock,
         "fast",
         {},
         CmdTime,
         "Returns the server time.",
         "2.6.0",
         "server",
         "O(1)",
         nullptr,
         "nondeterministic_output"});
  r.Add({"lastsave",
         1,
         kLoading | kStale | kFast | kNoLock,
         "admin fast dangerous",
         {},
         CmdLastSave,
         "Returns the Unix timestamp of the last successful save to disk.",
         "1.0.0",
         "server",
         "O(1)",
         nullptr,
         "nondeterministic_output"});
  r.Add({"shutdown",
         -1,
         kAdmin | kNoScript | kLoading | kStale | kNoMulti | kSentinel | kAllowBusy | kNoLock,
         "admin slow dangerous",
         {},
         CmdShutdown,
         "Synchronously saves the database(s) to disk and shuts down the Redis server.",
         "1.0.0",
         "server",
         "O(N) when saving, where N is the total number of keys in all databases when saving "
         "data, otherwise O(1)"});
}

}  // namespace weir::commands
