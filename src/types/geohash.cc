// Geohash encoding, neighbours, distances and search boxes. Every floating-point expression
// here is evaluated in the same order, with the same constants and the same libm calls as
// Redis's, because GEO replies expose the last bits: a score, a 17-digit coordinate or a
// distance rounded at its 4th decimal changes with any reordering. (This file is compiled
// with -ffp-contract=off for the same reason: a fused multiply-add rounds differently.)
#include "types/geohash.h"

#include <cmath>
#include <cstdio>
#include <numbers>

namespace weir::types::geo {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
// Half the Web Mercator world's width in meters: the largest search radius a step-1 box fits.
constexpr double kMercatorMax = 20037726.37;

constexpr uint64_t kEvenBits = 0x5555555555555555ULL;  // latitude
constexpr uint64_t kOddBits = 0xaaaaaaaaaaaaaaaaULL;   // longitude

double DegToRad(double deg) { return deg * kDegToRad; }
double RadToDeg(double rad) { return rad / kDegToRad; }

// Spreads the 32 bits of v to the even positions of a 64-bit word (bit i to bit 2i).
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// The inverse of Spread: gathers the even bits of x into 32 bits.
uint32_t Gather(uint64_t x) {
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

bool IsZero(const Range& r) { return r.min == 0 && r.max == 0; }

// A coordinate offset in [0, 2^step] as the integer Redis's implicit double -> uint32_t
// conversion makes of it (x86-64 converts through 64 bits and keeps the low 32, so 2^32 wraps
// to 0 instead of being undefined).
uint32_t Quantised(double offset) { return static_cast<uint32_t>(static_cast<uint64_t>(offset)); }

// Moves the coordinate held in `field`'s bit positions (kOddBits: longitude, kEvenBits:
// latitude) one cell up (d > 0) or down, wrapping within the hash's 2*step bits; the other
// coordinate is kept. Setting the other coordinate's positions to 1 lets an increment's carry
// ripple across them; a decrement's borrow ripples across their zeros.
uint64_t MoveCoordinate(uint64_t bits, uint64_t field, int d, int step) {
  const uint64_t other = bits & ~field;
  const uint64_t lowest = field & (~field + 1);
  uint64_t v = bits & field;
  v = d > 0 ? (v | ~field) + lowest : v - lowest;
  return (v & (field >> (64 - step * 2))) | other;
}

HashBits Moved(HashBits h, int dlon, int dlat) {
  if (dlon != 0) h.bits = MoveCoordinate(h.bits, kOddBits, dlon, h.step);
  if (dlat != 0) h.bits = MoveCoordinate(h.bits, kEvenBits, dlat, h.step);
  return h;
}

const Range kGeoLon{kLonMin, kLonMax};
const Range kGeoLat{kLatMin, kLatMax};

}  // namespace

bool Encode(const Range& lon_range, const Range& lat_range, double lon, double lat, int step,
            HashBits* hash) {
  if (hash == nullptr || step > 32 || step <= 0 || IsZero(lat_range) || IsZero(lon_range)) {
    return false;
  }
  if (lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin) return false;
  hash->bits = 0;
  hash->step = static_cast<uint8_t>(step);
  if (lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max) {
    return false;
  }
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(uint64_t{1} << step);
  lon_offset *= static_cast<double>(uint64_t{1} << step);
  hash->bits = Spread(Quantised(lat_offset)) | (Spread(Quantised(lon_offset)) << 1);
  return true;
}

bool EncodeWgs84(double lon, double lat, int step, HashBits* hash) {
  return Encode(kGeoLon, kGeoLat, lon, lat, step, hash);
}

bool Decode(const Range& lon_range, const Range& lat_range, HashBits hash, Area* area) {
  if (hash.IsZero() || area == nullptr || IsZero(lat_range) || IsZero(lon_range)) return false;
  area->hash = hash;
  const uint32_t ilat = Gather(hash.bits);
  const uint32_t ilon = Gather(hash.bits >> 1);
  // Computed as (index / 2^step) * scale, in that order; index + 1 wraps in 32 bits as it does
  // in Redis (only a score GEOADD never writes reaches 2^32 - 1).
  const double cells = static_cast<double>(uint64_t{1} << hash.step);
  const double lat_scale = lat_range.max - lat_range.min;
  const double lon_scale = lon_range.max - lon_range.min;
  area->lat.min = lat_range.min + (ilat * 1.0 / cells) * lat_scale;
  area->lat.max = lat_range.min + (static_cast<uint32_t>(ilat + 1) * 1.0 / cells) * lat_scale;
  area->lon.min = lon_range.min + (ilon * 1.0 / cells) * lon_scale;
  area->lon.max = lon_range.min + (static_cast<uint32_t>(ilon + 1) * 1.0 / cells) * lon_scale;
  return true;
}

bool DecodeWgs84(HashBits hash, Area* area) { return Decode(kGeoLon, kGeoLat, hash, area); }

bool DecodeToLonLat(HashBits hash, double* lon, double* lat) {
  Area area;
  if (!DecodeWgs84(hash, &area)) return false;
  *lon = (area.lon.min + area.lon.max) / 2;
  if (*lon > kLonMax) *lon = kLonMax;
  if (*lon < kLonMin) *lon = kLonMin;
  *lat = (area.lat.min + area.lat.max) / 2;
  if (*lat > kLatMax) *lat = kLatMax;
  if (*lat < kLatMin) *lat = kLatMin;
  return true;
}

Neighbours GetNeighbours(HashBits hash) {
  Neighbours n;
  n.east = Moved(hash, 1, 0);
  n.west = Moved(hash, -1, 0);
  n.south = Moved(hash, 0, -1);
  n.north = Moved(hash, 0, 1);
  n.north_west = Moved(hash, -1, 1);
  n.north_east = Moved(hash, 1, 1);
  n.south_east = Moved(hash, 1, -1);
  n.south_west = Moved(hash, -1, -1);
  return n;
}

uint64_t Align52(HashBits hash) { return hash.bits << (52 - hash.step * 2); }

uint64_t ScoreOf(double lon, double lat) {
  HashBits hash;
  EncodeWgs84(lon, lat, kStepMax, &hash);
  return Align52(hash);
}

uint64_t ScoreBits(double score) {
  // x86-64's conversion: cvttsd2si below 2^63, else of score - 2^63 with the top bit flipped;
  // out of range (and NaN) it yields 0x8000000000000000.
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = uint64_t{1} << 63;
  if (std::isnan(score)) return kIndefinite;
  if (score >= kTwo63) {
    const double rest = score - kTwo63;
    const uint64_t low =
        rest < kTwo63 ? static_cast<uint64_t>(static_cast<int64_t>(rest)) : kIndefinite;
    return low ^ kIndefinite;
  }
  if (score < -kTwo63) return kIndefinite;
  return static_cast<uint64_t>(static_cast<int64_t>(score));
}

void DecodeScore(double score, double* lon, double* lat) {
  DecodeToLonLat(HashBits{ScoreBits(score), kStepMax}, lon, lat);
}

std::string GeohashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  // Scores quantise latitude over Redis's -85.05..85.05; the standard geohash spans -90..90,
  // so the position is decoded and encoded again over the standard ranges.
  double lon, lat;
  DecodeScore(score, &lon, &lat);
  HashBits hash;
  Encode(Range{-180, 180}, Range{-90, 90}, lon, lat, kStepMax, &hash);
  std::string out(11, '0');
  // 52 bits make 10 characters and 2 bits; the 11th character is always '0', as in Redis.
  for (int i = 0; i < 10; ++i) out[i] = kAlphabet[(hash.bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;
}

void ScoreRangeOfBox(HashBits hash, uint64_t* min, uint64_t* max) {
  *min = Align52(hash);
  ++hash.bits;
  *max = Align52(hash);
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusMeters * std::fabs(DegToRad(lat2) - DegToRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = DegToRad(lon1);
  const double lon2r = DegToRad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  // Same longitude: the haversine reduces to the latitude difference.
  if (v == 0.0) return LatDistance(lat1, lat2);
  const double lat1r = DegToRad(lat1);
  const double lat2r = DegToRad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(a));
}

std::string FormatDistance(double d) {
  if (d == 0) return "0.0000";
  const long long scaled = std::llrint(d * 10000.0);
  // The magnitude as unsigned, so that LLONG_MIN (what llrint gives for NaN) prints as Redis.
  const unsigned long long magnitude =
      scaled < 0 ? 0ULL - static_cast<unsigned long long>(scaled) : scaled;
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%s%llu.%04llu", scaled < 0 ? "-" : "",
                              magnitude / 10000, magnitude % 10000);
  return std::string(buf, n);
}

std::array<double, 4> BoundingBox(const Shape& shape) {
  const bool circle = shape.kind == Shape::Kind::kRadius;
  const double height = shape.conversion * (circle ? shape.radius : shape.height / 2);
  const double width = shape.conversion * (circle ? shape.radius : shape.width / 2);
  const double lat_delta = RadToDeg(height / kEarthRadiusMeters);
  const double lon_delta_top =
      RadToDeg(width / kEarthRadiusMeters / std::cos(DegToRad(shape.lat + lat_delta)));
  const double lon_delta_bottom =
      RadToDeg(width / kEarthRadiusMeters / std::cos(DegToRad(shape.lat - lat_delta)));
  // A box of constant width in meters is wider in degrees towards the pole: its widest edge
  // is the top one in the northern hemisphere and the bottom one in the southern.
  const bool southern = shape.lat < 0;
  const double lon_delta = southern ? lon_delta_bottom : lon_delta_top;
  return {shape.lon - lon_delta, shape.lat - lat_delta, shape.lon + lon_delta,
          shape.lat + lat_delta};
}

int EstimateSteps(double range_meters, double lat) {
  if (range_meters == 0) return kStepMax;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;  // leaves the search room in its box in most cases
  // Cells shrink in meters towards the poles: take larger ones there.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > kStepMax) step = kStepMax;
  return step;
}

std::array<HashBits, 9> SearchBoxes(const Shape& shape) {
  const std::array<double, 4> bounds = BoundingBox(shape);
  const double min_lon = bounds[0], min_lat = bounds[1], max_lon = bounds[2], max_lat = bounds[3];
  // A box search's radius is the distance from its centre to a corner.
  double radius_meters = shape.kind == Shape::Kind::kRadius
                             ? shape.radius
                             : std::sqrt((shape.width / 2) * (shape.width / 2) +
                                         (shape.height / 2) * (shape.height / 2));
  radius_meters *= shape.conversion;

  int steps = EstimateSteps(radius_meters, shape.lat);
  HashBits hash;
  EncodeWgs84(shape.lon, shape.lat, steps, &hash);
  Neighbours n = GetNeighbours(hash);
  Area area;
  DecodeWgs84(hash, &area);

  // Near a cell's edge the estimated step can leave part of the shape outside the 9 cells:
  // then one step coarser.
  Area north, south, east, west;
  DecodeWgs84(n.north, &north);
  DecodeWgs84(n.south, &south);
  DecodeWgs84(n.east, &east);
  DecodeWgs84(n.west, &west);
  const bool decrease = north.lat.max < max_lat || south.lat.min > min_lat ||
                        east.lon.max < max_lon || west.lon.min > min_lon;
  if (steps > 1 && decrease) {
    steps--;
    EncodeWgs84(shape.lon, shape.lat, steps, &hash);
    n = GetNeighbours(hash);
    DecodeWgs84(hash, &area);
  }

  // Leave out the neighbours on a side the shape does not reach past the centre cell.
  if (steps >= 2) {
    if (area.lat.min < min_lat) n.south = n.south_west = n.south_east = HashBits{};
    if (area.lat.max > max_lat) n.north = n.north_east = n.north_west = HashBits{};
    if (area.lon.min < min_lon) n.west = n.south_west = n.north_west = HashBits{};
    if (area.lon.max > max_lon) n.east = n.south_east = n.north_east = HashBits{};
  }
  return {hash,         n.north,      n.south,      n.east,      n.west,
          n.north_east, n.north_west, n.south_east, n.south_west};
}

bool WithinShape(const Shape& shape, double score, double* lon, double* lat, double* distance) {
  DecodeScore(score, lon, lat);
  if (shape.kind == Shape::Kind::kRadius) {
    *distance = Distance(shape.lon, shape.lat, *lon, *lat);
    // Written as Redis's test, so a NaN distance (rounding past an antipode) counts as inside.
    return !(*distance > shape.radius * shape.conversion);
  }
  // The box's edges are at half its height north and south of the centre, and half its width
  // east and west along the point's own parallel; the cheaper latitude test goes first.
  const double width_m = shape.width * shape.conversion;
  const double height_m = shape.height * shape.conversion;
  if (LatDistance(*lat, shape.lat) > height_m / 2) return false;
  if (Distance(*lon, *lat, shape.lon, *lat) > width_m / 2) return false;
  *distance = Distance(shape.lon, shape.lat, *lon, *lat);
  return true;
}

}  // namespace weir::types::geo
