// The geohash arithmetic behind the GEO commands, bit for bit as Redis computes it: a point is
// stored as the score of a sorted set member, the 52-bit interleaving of its latitude and
// longitude quantised to 26 bits each over Redis's Web Mercator range, and searches walk the
// score ranges of 9 geohash boxes (a centre box and its 8 neighbours) around the query shape.
// Scores, GEOHASH strings, decoded positions, distances and the boxes searched all come out as
// Redis's, so the same points and queries give the same replies. No RESP here.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace weir::types::geo {

// 26 bits per coordinate, 52 bits in all: a double holds every score exactly.
inline constexpr int kStepMax = 26;

// The coordinates GEOADD accepts (EPSG:900913): latitudes beyond ~85.05 cannot be indexed.
inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;

// Earth's quadratic mean radius for WGS-84, the one Redis's distances use.
inline constexpr double kEarthRadiusMeters = 6372797.560856;

// A geohash of `step` bits per coordinate: latitude bits in the even positions, longitude bits
// in the odd ones. A zero hash (no bits, step 0) marks a neighbour box left out of a search.
struct HashBits {
  uint64_t bits = 0;
  uint8_t step = 0;

  bool IsZero() const { return bits == 0 && step == 0; }
  bool operator==(const HashBits&) const = default;
};

struct Range {
  double min = 0;
  double max = 0;
};

// The cell a hash stands for.
struct Area {
  HashBits hash;
  Range lon;
  Range lat;
};

struct Neighbours {
  HashBits north, east, west, south, north_east, south_east, north_west, south_west;
};

// Quantises (lon, lat) to `step` bits per coordinate over the given ranges. False (hash left
// unset) when the point is outside Redis's GEO limits or the ranges, or step is not 1..32.
bool Encode(const Range& lon_range, const Range& lat_range, double lon, double lat, int step,
            HashBits* hash);
// Encode over the GEO ranges (kLonMin..kLonMax, kLatMin..kLatMax).
bool EncodeWgs84(double lon, double lat, int step, HashBits* hash);
// The cell of a hash over the given ranges; false for a zero hash.
bool Decode(const Range& lon_range, const Range& lat_range, HashBits hash, Area* area);
bool DecodeWgs84(HashBits hash, Area* area);
// The centre of the hash's cell, clamped to the GEO limits: the position GEOPOS reports.
bool DecodeToLonLat(HashBits hash, double* lon, double* lat);

// The 8 cells around a hash, at the same step. Longitude wraps around the antimeridian and
// latitude from one pole to the other, as Redis's bit arithmetic does.
Neighbours GetNeighbours(HashBits hash);

// The hash moved to 52 bits (its cell's lowest score).
uint64_t Align52(HashBits hash);

// ---- Sorted set scores ----

// The score GEOADD stores for a point already checked against the GEO limits.
uint64_t ScoreOf(double lon, double lat);
// The 64 bits a score stands for, converted as Redis's (uint64_t) cast of the double does on
// x86-64 (which matters only for scores GEOADD never writes: negative, fractional, huge).
uint64_t ScoreBits(double score);
// The position of a member from its score (any score decodes; see ScoreBits).
void DecodeScore(double score, double* lon, double* lat);
// The 11-character standard geohash (ranges -180..180, -90..90) GEOHASH returns for a score.
std::string GeohashString(double score);
// The scores of a box's members: min inclusive, max exclusive.
void ScoreRangeOfBox(HashBits hash, uint64_t* min, uint64_t* max);

// ---- Distances ----

// Great-circle distance in meters (Redis's haversine, with its shortcut for equal longitudes).
double Distance(double lon1, double lat1, double lon2, double lat2);
// The north-south distance in meters between two latitudes.
double LatDistance(double lat1, double lat2);
// A distance as GEODIST and WITHDIST print it: 4 decimals, rounded as Redis's
// fixedpoint_d2string (llrint of the value times 10^4).
std::string FormatDistance(double d);

// ---- Searches ----

// The area a search covers, centred on (lon, lat). Sizes are in the query's unit; conversion
// is that unit in meters.
struct Shape {
  enum class Kind { kRadius, kBox };
  Kind kind = Kind::kRadius;
  double lon = 0;
  double lat = 0;
  double conversion = 1;
  double radius = 0;  // kRadius
  double width = 0;   // kBox
  double height = 0;  // kBox
};

// The longitude/latitude bounding box of a shape: {min_lon, min_lat, max_lon, max_lat}.
std::array<double, 4> BoundingBox(const Shape& shape);

// The geohash precision (bits per coordinate) whose cells are about the size of a search of
// this radius at this latitude.
int EstimateSteps(double range_meters, double lat);

// The boxes a search walks, in the order Redis walks them: the centre cell, then north, south,
// east, west, north-east, north-west, south-east, south-west. Neighbours that cannot hold a
// point of the shape are zero.
std::array<HashBits, 9> SearchBoxes(const Shape& shape);

// Whether a member's position (from its score) is inside the shape; sets its position and its
// distance from the centre in meters (the latter only when inside).
bool WithinShape(const Shape& shape, double score, double* lon, double* lat, double* distance);

}  // namespace weir::types::geo
