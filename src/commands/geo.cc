// The GEO family: GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH, GEOSEARCHSTORE and the older
// GEORADIUS / GEORADIUSBYMEMBER (and their _RO forms). A geospatial index is a sorted set
// whose scores are 52-bit geohashes (types/geohash.h), so every sorted set command works on
// it; GEOADD is ZADD with scores computed from coordinates. Argument checks, their order and
// their error texts follow Redis 7.2's geo.c.
#include <absl/container/inlined_vector.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "commands/args.h"
#include "commands/registry.h"
#include "commands/zset_common.h"
#include "common/numbers.h"
#include "common/strings.h"
#include "types/geohash.h"
#include "types/zset.h"

namespace weir::commands {
namespace {

namespace geo = types::geo;
using engine::Entry;
using engine::ObjType;
using types::ZSet;

constexpr std::string_view kBadUnit = "ERR unsupported unit provided. please use M, KM, FT, MI";
constexpr std::string_view kBadMember = "ERR could not decode requested zset member";

// ---- Arguments ----

// A unit's size in meters: m, km, ft or mi, any case.
bool UnitArg(CommandContext& ctx, std::string_view unit, double* meters) {
  if (EqualsIgnoreCase(unit, "m")) {
    *meters = 1;
  } else if (EqualsIgnoreCase(unit, "km")) {
    *meters = 1000;
  } else if (EqualsIgnoreCase(unit, "ft")) {
    *meters = 0.3048;
  } else if (EqualsIgnoreCase(unit, "mi")) {
    *meters = 1609.34;
  } else {
    ctx.reply.Error(kBadUnit);
    return false;
  }
  return true;
}

// A longitude and latitude within the limits GEOADD can index.
bool LonLatArg(CommandContext& ctx, size_t at, double* lon, double* lat) {
  if (!DoubleArg(ctx, ctx.arg(at), lon) || !DoubleArg(ctx, ctx.arg(at + 1), lat)) return false;
  if (*lon < geo::kLonMin || *lon > geo::kLonMax || *lat < geo::kLatMin || *lat > geo::kLatMax) {
    // The size of "%f" of a double is bounded (~320 characters), but not small.
    char buf[768];
    std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", *lon, *lat);
    ctx.reply.Error(buf);
    return false;
  }
  return true;
}

// A float with its own error text ("need numeric radius"...).
bool NumberArg(CommandContext& ctx, std::string_view s, std::string_view error, double* out) {
  if (ParseDouble(s, out)) return true;
  ctx.reply.Error(error);
  return false;
}

// <radius> <unit>: the radius in the unit, and the unit in meters.
bool RadiusArg(CommandContext& ctx, size_t at, geo::Shape* shape) {
  if (!NumberArg(ctx, ctx.arg(at), "ERR need numeric radius", &shape->radius)) return false;
  if (shape->radius < 0) {
    ctx.reply.Error("ERR radius cannot be negative");
    return false;
  }
  shape->kind = geo::Shape::Kind::kRadius;
  return UnitArg(ctx, ctx.arg(at + 1), &shape->conversion);
}

// <width> <height> <unit>.
bool BoxArg(CommandContext& ctx, size_t at, geo::Shape* shape) {
  if (!NumberArg(ctx, ctx.arg(at), "ERR need numeric width", &shape->width) ||
      !NumberArg(ctx, ctx.arg(at + 1), "ERR need numeric height", &shape->height)) {
    return false;
  }
  if (shape->height < 0 || shape->width < 0) {
    ctx.reply.Error("ERR height or width cannot be negative");
    return false;
  }
  shape->kind = geo::Shape::Kind::kBox;
  return UnitArg(ctx, ctx.arg(at + 2), &shape->conversion);
}

// The position of a member (false when it is not in the set).
bool MemberPosition(const ZSet& z, std::string_view member, double* lon, double* lat) {
  std::optional<double> score = z.Score(member);
  if (!score) return false;
  geo::DecodeScore(*score, lon, lat);
  return true;
}

// ---- GEOADD GEODIST GEOHASH GEOPOS ----

// GEOADD key [NX|XX] [CH] lon lat member [lon lat member...]: ZADD of the points' scores,
// after every coordinate is checked.
void CmdGeoAdd(CommandContext& ctx) {
  bool nx = false, xx = false, ch = false;
  size_t first = 2;
  for (; first < ctx.argc(); ++first) {
    std::string_view opt = ctx.arg(first);
    if (EqualsIgnoreCase(opt, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      xx = true;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      ch = true;
    } else {
      break;
    }
  }
  const size_t elements = (ctx.argc() - first) / 3;
  // Options alone (GEOADD k ch nx ch) are ZADD's syntax error too.
  if ((ctx.argc() - first) % 3 != 0 || (xx && nx) || elements == 0) return ReplySyntaxError(ctx);
  absl::InlinedVector<double, 16> scores(elements);
  for (size_t j = 0; j < elements; ++j) {
    double lon, lat;
    if (!LonLatArg(ctx, first + 3 * j, &lon, &lat)) return;
    scores[j] = static_cast<double>(geo::ScoreOf(lon, lat));
  }
  uint32_t flags = 0;
  if (nx) flags |= types::kZAddNx;
  if (xx) flags |= types::kZAddXx;
  zsets::AddMembers(ctx, ctx.arg(1), flags, ch, scores,
                    [&](size_t j) { return ctx.arg(first + 3 * j + 2); });
}

// GEODIST key member1 member2 [unit]: null when the key or either member is missing.
void CmdGeoDist(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.argc() == 5) {
    if (!UnitArg(ctx, ctx.arg(4), &to_meters)) return;
  } else if (ctx.argc() > 5) {
    return ReplySyntaxError(ctx);
  }
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Null();
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  const ZSet& z = *e->As<ZSet>();
  double lon1, lat1, lon2, lat2;
  if (!MemberPosition(z, ctx.arg(2), &lon1, &lat1) ||
      !MemberPosition(z, ctx.arg(3), &lon2, &lat2)) {
    return ctx.reply.Null();
  }
  ctx.reply.Bulk(geo::FormatDistance(geo::Distance(lon1, lat1, lon2, lat2) / to_meters));
}

// GEOHASH key [member...]: the standard 11-character geohash of each member, null if missing.
void CmdGeoHash(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  ctx.reply.ArrayLen(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t j = 2; j < ctx.argc(); ++j) {
    std::optional<double> score;
    if (e != nullptr) score = e->As<ZSet>()->Score(ctx.arg(j));
    if (score) {
      ctx.reply.Bulk(geo::GeohashString(*score));
    } else {
      ctx.reply.Null();
    }
  }
}

// GEOPOS key [member...]: [lon, lat] of each member, a null array if missing.
void CmdGeoPos(CommandContext& ctx) {
  Entry* e = ctx.db.Find(ctx.arg(1));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  ctx.reply.ArrayLen(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t j = 2; j < ctx.argc(); ++j) {
    double lon, lat;
    if (e == nullptr || !MemberPosition(*e->As<ZSet>(), ctx.arg(j), &lon, &lat)) {
      ctx.reply.NullArray();
      continue;
    }
    ctx.reply.ArrayLen(2);
    ctx.reply.HumanDouble(lon);
    ctx.reply.HumanDouble(lat);
  }
}

// ---- GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER ----

// Which command runs the search (Redis's georadiusGeneric flags).
enum SearchFlag : uint32_t {
  kFromCoords = 1,   // GEORADIUS[_RO]: key lon lat radius unit
  kFromMember = 2,   // GEORADIUSBYMEMBER[_RO]: key member radius unit
  kNoStore = 4,      // the _RO forms: no STORE / STOREDIST
  kSearch = 8,       // GEOSEARCH[STORE]: FROMMEMBER/FROMLONLAT and BYRADIUS/BYBOX options
  kSearchStore = 16  // GEOSEARCHSTORE: the destination is the first key; STOREDIST is a flag
};

// One point found, its member copied into the search's arena (a listpack member that reads
// as an integer is formatted into a buffer the next member reuses).
struct Found {
  double lon;
  double lat;
  double distance;  // meters
  double score;
  uint32_t member_len;
  size_t member_at;
};

// The points of z inside the shape, found as Redis finds them: the 9 boxes' score ranges in
// order, each from its lowest score. With limit (COUNT n ANY) it stops at limit points.
void FindPoints(const ZSet& z, const geo::Shape& shape, size_t limit, std::vector<Found>* found,
                std::string* arena) {
  const std::array<geo::HashBits, 9> boxes = geo::SearchBoxes(shape);
  // A huge radius can make adjacent boxes the same box: one equal to the box walked just
  // before is skipped (Redis compares with the last one walked, never with the centre).
  size_t last_walked = 0;
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (boxes[i].IsZero()) continue;
    if (last_walked != 0 && boxes[i] == boxes[last_walked]) continue;
    if (limit != 0 && found->size() >= limit) break;
    uint64_t min, max;
    geo::ScoreRangeOfBox(boxes[i], &min, &max);
    const types::ScoreRange range{static_cast<double>(min), static_cast<double>(max), false, true};
    z.VisitRangeWhile(range, [&](std::string_view member, double score) {
      Found f;
      if (geo::WithinShape(shape, score, &f.lon, &f.lat, &f.distance)) {
        f.score = score;
        f.member_len = static_cast<uint32_t>(member.size());
        f.member_at = arena->size();
        arena->append(member);
        found->push_back(f);
      }
      return limit == 0 || found->size() < limit;
    });
    last_walked = i;
  }
}

// Redis's comparison of two points (sort_gp_asc; descending negates it): a NaN distance
// compares as "less" in ascending order, and so as "greater" in descending order.
int CompareDistance(const Found& a, const Found& b, bool descending) {
  const int c = a.distance > b.distance ? 1 : (a.distance == b.distance ? 0 : -1);
  return descending ? -c : c;
}

// Sorts as Redis's qsort (glibc's merge sort) does: split into the first n/2 and the rest,
// sort both, merge taking the left run's head unless it compares greater. For distances that
// is a stable sort (ties stay in the order found); it also keeps Redis's order where the
// haversine of near-antipodal points rounds past 1 and gives NaN, which a comparison-based
// std::sort must never see.
void MergeSort(Found* v, size_t n, bool descending, Found* tmp) {
  if (n <= 1) return;
  size_t n1 = n / 2, n2 = n - n1;
  MergeSort(v, n1, descending, tmp);
  MergeSort(v + n1, n2, descending, tmp);
  const Found* a = v;
  const Found* b = v + n1;
  Found* out = tmp;
  while (n1 > 0 && n2 > 0) {
    if (CompareDistance(*a, *b, descending) <= 0) {
      *out++ = *a++;
      --n1;
    } else {
      *out++ = *b++;
      --n2;
    }
  }
  // What is left of the right run is already in place behind the merged part.
  out = std::copy(a, a + n1, out);
  std::copy(tmp, out, v);
}

// Redis sorts only the first COUNT points when COUNT is less than the points found (its
// pqsort), which orders equal distances its own way; all of them are sorted here, so ties
// keep the order they were found in.
void SortPoints(std::vector<Found>* points, bool descending) {
  thread_local std::vector<Found> tmp;
  tmp.resize(points->size());
  MergeSort(points->data(), points->size(), descending, tmp.data());
  if (tmp.capacity() > 4096) std::vector<Found>().swap(tmp);
}

void GeoSearchGeneric(CommandContext& ctx, size_t src, uint32_t flags) {
  Entry* e = ctx.db.Find(ctx.arg(src));
  if (!CheckType(ctx, e, ObjType::kZSet)) return;
  const ZSet* z = e == nullptr ? nullptr : e->As<ZSet>();
  // What a stored result announces: GEORADIUS[BYMEMBER] ... STORE/STOREDIST is
  // "georadiusstore", GEOSEARCHSTORE "geosearchstore".
  const KeyEvent store_event{kNotifyZset, (flags & kSearch) ? "geosearchstore" : "georadiusstore"};

  // The centre and shape given by position (GEORADIUS*), or later by options (GEOSEARCH*).
  geo::Shape shape;
  size_t base;
  std::string_view store_key;
  bool store = false, store_dist = false;
  if (flags & kFromCoords) {
    base = 6;
    if (!LonLatArg(ctx, 2, &shape.lon, &shape.lat) || !RadiusArg(ctx, 4, &shape)) return;
  } else if (flags & kFromMember) {
    base = 5;
    // Without the key, the arguments are still read for the reply's shape (a count when
    // storing), but the radius is not checked.
    if (z != nullptr) {
      if (!MemberPosition(*z, ctx.arg(2), &shape.lon, &shape.lat)) {
        return ctx.reply.Error(kBadMember);
      }
      if (!RadiusArg(ctx, 3, &shape)) return;
    }
  } else {
    base = 2;
    if (flags & kSearchStore) {
      base = 3;
      store_key = ctx.arg(1);
      store = true;
    }
  }

  bool with_dist = false, with_hash = false, with_coord = false, any = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  enum class Sort { kNone, kAsc, kDesc } sort = Sort::kNone;
  int64_t count = 0;  // 0: no limit
  const bool search = flags & kSearch;
  const bool store_options = !(flags & kNoStore) && !search;
  for (size_t i = base; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    const size_t left = ctx.argc() - i - 1;  // arguments after this one
    if (EqualsIgnoreCase(opt, "withdist")) {
      with_dist = true;
    } else if (EqualsIgnoreCase(opt, "withhash")) {
      with_hash = true;
    } else if (EqualsIgnoreCase(opt, "withcoord")) {
      with_coord = true;
    } else if (EqualsIgnoreCase(opt, "any")) {
      any = true;
    } else if (EqualsIgnoreCase(opt, "asc")) {
      sort = Sort::kAsc;
    } else if (EqualsIgnoreCase(opt, "desc")) {
      sort = Sort::kDesc;
    } else if (EqualsIgnoreCase(opt, "count") && left >= 1) {
      if (!IntArg(ctx, ctx.arg(i + 1), &count)) return;
      if (count <= 0) return ctx.reply.Error("ERR COUNT must be > 0");
      ++i;
    } else if (store_options && left >= 1 &&
               (EqualsIgnoreCase(opt, "store") || EqualsIgnoreCase(opt, "storedist"))) {
      store = true;
      store_dist = EqualsIgnoreCase(opt, "storedist");
      store_key = ctx.arg(++i);
    } else if ((flags & kSearchStore) && EqualsIgnoreCase(opt, "storedist")) {
      store_dist = true;
    } else if (search && !from_lonlat && left >= 1 && EqualsIgnoreCase(opt, "frommember")) {
      // Without the key the member is not looked for: the reply is empty anyway.
      if (z != nullptr && !MemberPosition(*z, ctx.arg(i + 1), &shape.lon, &shape.lat)) {
        return ctx.reply.Error(kBadMember);
      }
      from_member = true;
      ++i;
    } else if (search && !from_member && left >= 2 && EqualsIgnoreCase(opt, "fromlonlat")) {
      if (!LonLatArg(ctx, i + 1, &shape.lon, &shape.lat)) return;
      from_lonlat = true;
      i += 2;
    } else if (search && !by_box && left >= 2 && EqualsIgnoreCase(opt, "byradius")) {
      if (!RadiusArg(ctx, i + 1, &shape)) return;
      by_radius = true;
      i += 2;
    } else if (search && !by_radius && left >= 3 && EqualsIgnoreCase(opt, "bybox")) {
      if (!BoxArg(ctx, i + 1, &shape)) return;
      by_box = true;
      i += 3;
    } else {
      return ReplySyntaxError(ctx);
    }
  }

  if (store && (with_dist || with_hash || with_coord)) {
    return ctx.reply.Error(
        StrCat("ERR ", (flags & kSearchStore) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS",
               " is not compatible with WITHDIST, WITHHASH and WITHCOORD "
               "options"));
  }
  // These name the command as the client spelled it.
  if (search && !from_member && !from_lonlat) {
    return ctx.reply.Error(
        StrCat("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ", ctx.arg(0)));
  }
  if (search && !by_radius && !by_box) {
    return ctx.reply.Error(
        StrCat("ERR exactly one of BYRADIUS and BYBOX can be specified for ", ctx.arg(0)));
  }
  if (any && count == 0) return ctx.reply.Error("ERR the ANY argument requires COUNT argument");

  if (z == nullptr) {
    if (store) return zsets::StoreResult(ctx, store_key, {}, store_event);
    return ctx.reply.EmptyArray();
  }
  // The nearest COUNT points are meant unless ANY asks for any COUNT of them.
  if (count != 0 && sort == Sort::kNone && !any) sort = Sort::kAsc;

  // Kept per thread so that a search allocates nothing, but not after a huge result.
  thread_local std::vector<Found> points;
  thread_local std::string arena;
  points.clear();
  arena.clear();
  struct TrimOnExit {
    ~TrimOnExit() {
      if (points.capacity() > 4096) std::vector<Found>().swap(points);
      if (arena.capacity() > 65536) std::string().swap(arena);
    }
  } trim;
  FindPoints(*z, shape, any ? static_cast<size_t>(count) : 0, &points, &arena);
  if (points.empty() && !store) return ctx.reply.EmptyArray();

  const size_t returned =
      count == 0 ? points.size() : std::min(points.size(), static_cast<size_t>(count));
  if (sort != Sort::kNone) SortPoints(&points, sort == Sort::kDesc);
  auto member = [](const Found& f) {
    return std::string_view(arena).substr(f.member_at, f.member_len);
  };

  if (store) {
    zsets::ScoredPairs pairs;
    pairs.reserve(returned);
    for (size_t i = 0; i < returned; ++i) {
      const Found& f = points[i];
      pairs.emplace_back(member(f), store_dist ? f.distance / shape.conversion : f.score);
    }
    zsets::CountChanges(ctx, static_cast<int64_t>(returned));
    return zsets::StoreResult(ctx, store_key, std::move(pairs), store_event);
  }

  const int64_t extras = with_dist + with_hash + with_coord;
  ctx.reply.ArrayLen(static_cast<int64_t>(returned));
  for (size_t i = 0; i < returned; ++i) {
    const Found& f = points[i];
    if (extras > 0) ctx.reply.ArrayLen(extras + 1);
    ctx.reply.Bulk(member(f));
    // A distance is a bulk string in both protocols, with 4 decimals.
    if (with_dist) ctx.reply.Bulk(geo::FormatDistance(f.distance / shape.conversion));
    if (with_hash) ctx.reply.Integer(static_cast<int64_t>(f.score));
    if (with_coord) {
      ctx.reply.ArrayLen(2);
      ctx.reply.HumanDouble(f.lon);
      ctx.reply.HumanDouble(f.lat);
    }
  }
}

void CmdGeoRadius(CommandContext& ctx) { GeoSearchGeneric(ctx, 1, kFromCoords); }
void CmdGeoRadiusRo(CommandContext& ctx) { GeoSearchGeneric(ctx, 1, kFromCoords | kNoStore); }
void CmdGeoRadiusByMember(CommandContext& ctx) { GeoSearchGeneric(ctx, 1, kFromMember); }
void CmdGeoRadiusByMemberRo(CommandContext& ctx) {
  GeoSearchGeneric(ctx, 1, kFromMember | kNoStore);
}
void CmdGeoSearch(CommandContext& ctx) { GeoSearchGeneric(ctx, 1, kSearch); }
void CmdGeoSearchStore(CommandContext& ctx) { GeoSearchGeneric(ctx, 2, kSearch | kSearchStore); }

// GEORADIUS / GEORADIUSBYMEMBER: the source key, and the argument after every STORE or
// STOREDIST from the first option on, so that whichever one the command ends up writing is
// locked. (Redis's COMMAND GETKEYS reports only the first of each keyword; a repeated STORE
// is the only case where this lists more.)
void StoreKeys(ArgList args, size_t first_option, std::vector<int>* out) {
  out->push_back(1);
  for (size_t i = first_option; i + 1 < args.size(); ++i) {
    if (EqualsIgnoreCase(args[i], "store") || EqualsIgnoreCase(args[i], "storedist")) {
      out->push_back(static_cast<int>(i + 1));
    }
  }
}
void GeoRadiusKeys(ArgList args, std::vector<int>* out) { StoreKeys(args, 6, out); }
void GeoRadiusByMemberKeys(ArgList args, std::vector<int>* out) { StoreKeys(args, 5, out); }

}  // namespace

void RegisterGeoCommands(CommandRegistry& r) {
  const std::vector<KeySpec> ro = {{1, 0, 1, {"RO", "ACCESS"}}};
  // GEORADIUS*'s destination follows STORE or STOREDIST, searched from the first option.
  auto radius_keys = [](int options_from) {
    return std::vector<KeySpec>{
        {1, 0, 1, {"RO", "ACCESS"}},
        {.flags = {"OW", "UPDATE"}, .keyword = "STORE", .keyword_from = options_from},
        {.flags = {"OW", "UPDATE"}, .keyword = "STOREDIST", .keyword_from = options_from}};
  };
  constexpr std::string_view kGroup = "geo";
  constexpr std::string_view kRadiusComplexity =
      "O(N+log(M)) where N is the number of elements inside the bounding box of the circular "
      "area delimited by center and radius and M is the number of items inside the index.";
  constexpr std::string_view kSearchComplexity =
      "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area "
      "around the shape provided as the filter and M is the number of items inside the shape";

  r.Add({"geoadd",
         -5,
         kWrite | kDenyOom,
         "write geo slow",
         {{1, 0, 1, {"RW", "UPDATE"}}},
         CmdGeoAdd,
         "Adds one or more members to a geospatial index. The key is created if it doesn't "
         "exist.",
         "3.2.0",
         kGroup,
         "O(log(N)) for each item added, where N is the number of elements in the sorted set."});
  r.Add({"geodist", -4, kReadOnly, "read geo slow", ro, CmdGeoDist,
         "Returns the distance between two members of a geospatial index.", "3.2.0", kGroup,
         "O(1)"});
  r.Add({"geohash", -2, kReadOnly, "read geo slow", ro, CmdGeoHash,
         "Returns members from a geospatial index as geohash strings.", "3.2.0", kGroup,
         "O(1) for each member requested."});
  r.Add({"geopos", -2, kReadOnly, "read geo slow", ro, CmdGeoPos,
         "Returns the longitude and latitude of members from a geospatial index.", "3.2.0", kGroup,
         "O(1) for each member requested."});
  r.Add({"georadius", -6, kWrite | kDenyOom, "write geo slow", radius_keys(6), CmdGeoRadius,
         "Queries a geospatial index for members within a distance from a coordinate, "
         "optionally stores the result.",
         "3.2.0", kGroup, kRadiusComplexity, GeoRadiusKeys});
  r.Add({"georadius_ro", -6, kReadOnly, "read geo slow", ro, CmdGeoRadiusRo,
         "Returns members from a geospatial index that are within a distance from a coordinate.",
         "3.2.10", kGroup, kRadiusComplexity});
  r.Add({"georadiusbymember", -5, kWrite | kDenyOom, "write geo slow", radius_keys(5),
         CmdGeoRadiusByMember,
         "Queries a geospatial index for members within a distance from a member, optionally "
         "stores the result.",
         "3.2.0", kGroup, kRadiusComplexity, GeoRadiusByMemberKeys});
  r.Add({"georadiusbymember_ro", -5, kReadOnly, "read geo slow", ro, CmdGeoRadiusByMemberRo,
         "Returns members from a geospatial index that are within a distance from a member.",
         "3.2.10", kGroup, kRadiusComplexity});
  r.Add({"geosearch", -7, kReadOnly, "read geo slow", ro, CmdGeoSearch,
         "Queries a geospatial index for members inside an area of a box or a circle.", "6.2.0",
         kGroup, kSearchComplexity});
  r.Add({"geosearchstore",
         -8,
         kWrite | kDenyOom,
         "write geo slow",
         {{1, 0, 1, {"OW", "UPDATE"}}, {2, 0, 1, {"RO", "ACCESS"}}},
         CmdGeoSearchStore,
         "Queries a geospatial index for members inside an area of a box or a circle, "
         "optionally stores the result.",
         "6.2.0",
         kGroup,
         kSearchComplexity});
}

}  // namespace weir::commands
