// SORT and SORT_RO: sorting the elements of a list, set or sorted set, numerically or
// lexicographically, by their own value or by keys named after them (BY pattern), fetching
// keys named after them (GET pattern), with LIMIT, and storing the result as a list (STORE).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "commands/args.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/numbers.h"
#include "protocol/errors.h"
#include "types/hash.h"
#include "types/list.h"
#include "types/set.h"
#include "types/zset.h"

namespace weir::commands {
namespace {

using engine::Entry;
using engine::ObjType;

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string_view> by;
  bool dont_sort = false;  // BY a pattern without '*': keep the collection's own order
  std::vector<std::string_view> gets;
  std::optional<std::string_view> store;
};

// Redis's sort syntax: options in any order, repeated ones overriding earlier ones.
bool ParseSortOptions(CommandContext& ctx, bool read_only, SortOptions* o) {
  for (size_t j = 2; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (EqualsIgnoreCase(opt, "asc")) {
      o->desc = false;
    } else if (EqualsIgnoreCase(opt, "desc")) {
      o->desc = true;
    } else if (EqualsIgnoreCase(opt, "alpha")) {
      o->alpha = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      if (!IntArg(ctx, ctx.arg(j + 1), &o->limit_start) ||
          !IntArg(ctx, ctx.arg(j + 2), &o->limit_count)) {
        return false;
      }
      j += 2;
    } else if (!read_only && EqualsIgnoreCase(opt, "store") && left >= 1) {
      o->store = ctx.arg(++j);
    } else if (EqualsIgnoreCase(opt, "by") && left >= 1) {
      o->by = ctx.arg(++j);
      o->dont_sort = o->by->find('*') == std::string_view::npos;
    } else if (EqualsIgnoreCase(opt, "get") && left >= 1) {
      o->gets.push_back(ctx.arg(++j));
    } else {
      ReplySyntaxError(ctx);
      return false;
    }
  }
  return true;
}

// The value a BY/GET pattern names for one element: "#" is the element itself; otherwise the
// first '*' is replaced by the element, and "key->field" reads a hash field. Missing keys,
// fields, patterns without '*' and keys of the wrong type give nothing.
std::optional<std::string> LookupByPattern(engine::DbView& db, std::string_view pattern,
                                           std::string_view element) {
  if (pattern == "#") return std::string(element);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  std::string_view key_pattern = pattern;
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
    key_pattern = pattern.substr(0, arrow);
  }
  std::string key;
  key.reserve(key_pattern.size() + element.size());
  key.append(key_pattern.substr(0, star));
  key.append(element);
  key.append(key_pattern.substr(star + 1));
  Entry* e = db.Find(key);
  if (e == nullptr) return std::nullopt;
  if (!field.empty()) {
    std::string_view value;
    if (e->type != ObjType::kHash || !e->As<types::Hash>()->Get(field, &value)) {
      return std::nullopt;
    }
    return std::string(value);
  }
  if (e->type != ObjType::kString) return std::nullopt;
  return std::string(e->value());
}

struct SortItem {
  std::string element;
  double score = 0;
  std::optional<std::string> by_value;  // ALPHA with BY: the compared text
};

std::string ValueText(const types::Listpack::Value& v) {
  char buf[types::Listpack::kIntBufSize];
  return std::string(v.ToString(buf));
}

// Loads the elements to sort. For a list or sorted set kept in its own order (BY constant),
// only the LIMIT window is loaded, walking from the end DESC names.
std::vector<SortItem> LoadElements(const Entry* e, bool dont_sort, bool desc, int64_t start,
                                   int64_t end) {
  std::vector<SortItem> items;
  if (e == nullptr) return items;
  auto add = [&](std::string_view s) { items.push_back({std::string(s)}); };
  switch (e->type) {
    case ObjType::kList: {
      const auto* list = e->As<types::List>();
      if (dont_sort) {
        if (end >= start) {
          size_t n = static_cast<size_t>(end - start + 1);
          size_t first =
              desc ? list->Size() - 1 - static_cast<size_t>(start) : static_cast<size_t>(start);
          list->Range(first, n, desc, [&](const types::List::Value& v) { add(ValueText(v)); });
        }
      } else {
        list->ForEach([&](const types::List::Value& v) { add(ValueText(v)); });
      }
      break;
    }
    case ObjType::kSet:
      e->As<types::Set>()->ForEach([&](const types::SetMember& m) { add(ValueText(m)); });
      break;
    case ObjType::kZSet: {
      const auto* zset = e->As<types::ZSet>();
      if (dont_sort) {
        if (end >= start) {
          zset->VisitRanks(static_cast<size_t>(start), static_cast<size_t>(end), desc,
                           [&](std::string_view m, double) { add(m); });
        }
      } else {
        zset->ForEach([&](std::string_view m, double) { add(m); });
      }
      break;
    }
    default:
      break;
  }
  return items;
}

// ALPHA order. Redis compares with strcoll() when the result is returned and byte-wise only when
// it is STOREd; strcoll() reads C strings, so there a comparison ends at the first NUL byte
// ("a" and "a\0b" tie and keep their input order). Weir sorts as Redis in the C locale.
int CompareAlpha(std::string_view a, std::string_view b, bool stored) {
  if (!stored) {
    a = a.substr(0, a.find('\0'));
    b = b.substr(0, b.find('\0'));
  }
  return a.compare(b);
}

void Sort(CommandContext& ctx, bool read_only) {
  SortOptions o;
  if (!ParseSortOptions(ctx, read_only, &o)) return;
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (e != nullptr && e->type != ObjType::kList && e->type != ObjType::kSet &&
      e->type != ObjType::kZSet) {
    return ctx.reply.Error(protocol::errors::kWrongType);
  }
  // Redis's SORT (and SORT_RO) converts a sorted set to the skiplist encoding before it reads
  // it, and the set stays so (OBJECT ENCODING, and a later -0 score keeps its sign there).
  if (e != nullptr && e->type == ObjType::kZSet) e->As<types::ZSet>()->ConvertToSkiplist();
  // A set has no order of its own: when its elements are stored, or given to a script, they
  // are sorted so the result does not depend on the set's layout.
  if (o.dont_sort && e != nullptr && e->type == ObjType::kSet &&
      (o.store || ctx.session.in_script)) {
    o.dont_sort = false;
    o.alpha = true;
    o.by.reset();
  }
  const int64_t size = e == nullptr ? 0 : static_cast<int64_t>(e->object()->Size());
  int64_t start = std::min(std::max<int64_t>(o.limit_start, 0), size);
  int64_t count = std::min(std::max<int64_t>(o.limit_count, -1), size);
  int64_t end = count < 0 ? size - 1 : start + count - 1;
  if (start >= size) {
    start = size - 1;
    end = size - 2;
  }
  if (end >= size) end = size - 1;

  bool windowed = e != nullptr && o.dont_sort && e->type != ObjType::kSet;
  std::vector<SortItem> items = LoadElements(e, o.dont_sort, o.desc, start, end);
  if (windowed) {
    end -= start;
    start = 0;
  }

  if (!o.dont_sort) {
    bool bad_number = false;
    for (SortItem& item : items) {
      std::optional<std::string> by_value;
      if (o.by) {
        by_value = LookupByPattern(ctx.db, *o.by, item.element);
        if (!by_value) continue;
      }
      if (o.alpha) {
        if (o.by) item.by_value = std::move(by_value);
        continue;
      }
      // strtod, as Redis: the whole text must be a number ("" reads as 0).
      const std::string& text = o.by ? *by_value : item.element;
      errno = 0;
      char* end_ptr;
      item.score = std::strtod(text.c_str(), &end_ptr);
      if (*end_ptr != '\0' || errno == ERANGE || std::isnan(item.score)) bad_number = true;
    }
    if (bad_number) {
      return ctx.reply.Error("ERR One or more scores can't be converted into double");
    }
    auto compare = [&](const SortItem& a, const SortItem& b) {
      int cmp;
      if (!o.alpha) {
        // Equal scores fall back to the elements' bytes so the order is deterministic.
        cmp = a.score < b.score ? -1 : a.score > b.score ? 1 : a.element.compare(b.element);
      } else if (o.by) {
        if (!a.by_value || !b.by_value) {
          cmp = a.by_value.has_value() == b.by_value.has_value() ? 0 : (a.by_value ? 1 : -1);
        } else {
          cmp = CompareAlpha(*a.by_value, *b.by_value, o.store.has_value());
        }
      } else {
        cmp = CompareAlpha(a.element, b.element, o.store.has_value());
      }
      return o.desc ? cmp > 0 : cmp < 0;
    };
    std::stable_sort(items.begin(), items.end(), compare);
  }

  const int64_t picked = end - start + 1;
  const int64_t output_len = o.gets.empty() ? picked : picked * static_cast<int64_t>(o.gets.size());
  if (!o.store) {
    ctx.reply.ArrayLen(output_len);
    for (int64_t j = start; j <= end; ++j) {
      const std::string& element = items[static_cast<size_t>(j)].element;
      if (o.gets.empty()) ctx.reply.Bulk(element);
      for (std::string_view pattern : o.gets) {
        std::optional<std::string> v = LookupByPattern(ctx.db, pattern, element);
        if (v) {
          ctx.reply.Bulk(*v);
        } else {
          ctx.reply.Null();
        }
      }
    }
    return;
  }

  auto list = std::make_unique<types::List>(
      static_cast<int>(ctx.server.config().Int("list-max-listpack-size")));
  for (int64_t j = start; j <= end; ++j) {
    const std::string& element = items[static_cast<size_t>(j)].element;
    if (o.gets.empty()) list->Push(element, types::List::End::kTail);
    for (std::string_view pattern : o.gets) {
      std::optional<std::string> v = LookupByPattern(ctx.db, pattern, element);
      list->Push(v ? *v : std::string_view(), types::List::End::kTail);
    }
  }
  if (output_len > 0) {
    ctx.db.SetObject(*o.store, ObjType::kList, list.release(), {kNotifyList, "sortstore"});
    ctx.db.engine().AddDirty(output_len - 1);
  } else {
    ctx.db.Delete(*o.store, {kNotifyGeneric, "del"});
  }
  ctx.reply.Integer(output_len);
}

void CmdSort(CommandContext& ctx) { Sort(ctx, false); }
void CmdSortRo(CommandContext& ctx) { Sort(ctx, true); }

// SORT's keys: the sorted key, and the STORE destination when there is one.
void SortKeys(ArgList args, std::vector<int>* out) {
  out->push_back(1);
  for (size_t j = 2; j < args.size(); ++j) {
    std::string_view opt = args[j];
    size_t left = args.size() - j - 1;
    if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      j += 2;
    } else if ((EqualsIgnoreCase(opt, "by") || EqualsIgnoreCase(opt, "get")) && left >= 1) {
      ++j;
    } else if (EqualsIgnoreCase(opt, "store") && left >= 1) {
      out->push_back(static_cast<int>(j + 1));
      ++j;
    }
  }
}

}  // namespace

void RegisterSortCommands(CommandRegistry& r) {
  // BY and GET patterns read keys that cannot be known before the command runs, so SORT holds
  // every shard (Weir's kAllShards), as a global command does.
  r.Add({"sort",
         -2,
         kWrite | kDenyOom | kMovableKeys | kAllShards,
         "write set sortedset list slow dangerous",
         {{1, 0, 1, {"RO", "ACCESS"}}, {0, 0, 1, {"OW", "UPDATE"}}},
         CmdSort,
         "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.",
         "1.0.0",
         "generic",
         "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
         "number of returned elements. When the elements are not sorted, complexity is O(N).",
         SortKeys});
  r.Add({"sort_ro",
         -2,
         kReadOnly | kMovableKeys | kAllShards,
         "read set sortedset list slow dangerous",
         {{1, 0, 1, {"RO", "ACCESS"}}},
         CmdSortRo,
         "Returns the sorted elements of a list, a set, or a sorted set.",
         "7.0.0",
         "generic",
         "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
         "number of returned elements. When the elements are not sorted, complexity is O(N)."});
}

}  // namespace weir::commands
