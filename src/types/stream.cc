// The stream type: block encoding, appends, deletion, trimming, iteration and consumer groups.
#include "types/stream.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/memory.h"
#include "common/numbers.h"

namespace weir::types {

// ---- Stream IDs ----

bool StreamId::Increment() {
  if (seq != UINT64_MAX) {
    ++seq;
    return true;
  }
  if (ms != UINT64_MAX) {
    ++ms;
    seq = 0;
    return true;
  }
  ms = seq = 0;
  return false;
}

bool StreamId::Decrement() {
  if (seq != 0) {
    --seq;
    return true;
  }
  if (ms != 0) {
    --ms;
    seq = UINT64_MAX;
    return true;
  }
  ms = seq = UINT64_MAX;
  return false;
}

namespace {

size_t FormatU64(uint64_t v, char* buf) {
  char tmp[20];
  size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (size_t i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
  return n;
}

// Redis's string2ull: a strict signed parse first, else strtoull over the whole string (which
// tolerates leading blanks, '+', and leading zeros).
bool ParseU64Like(const char* s, size_t len, uint64_t* out) {
  int64_t v;
  if (ParseInt64(std::string_view(s, len), &v)) {
    if (v < 0) return false;
    *out = static_cast<uint64_t>(v);
    return true;
  }
  if (len == 0) return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long u = strtoull(s, &end, 10);
  if (errno == EINVAL || errno == ERANGE || end != s + len) return false;
  *out = u;
  return true;
}

}  // namespace

size_t StreamId::Format(char* buf) const {
  size_t n = FormatU64(ms, buf);
  buf[n++] = '-';
  return n + FormatU64(seq, buf + n);
}

std::string StreamId::ToString() const {
  char buf[kMaxText];
  return std::string(buf, Format(buf));
}

bool ParseStreamId(std::string_view text, uint64_t missing_seq, bool strict, StreamId* out,
                   bool* seq_given) {
  // Redis copies the argument into a 128-byte buffer first; longer ones are invalid.
  char buf[128];
  if (text.size() > sizeof(buf) - 1) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  // The C string ends at an embedded NUL, as in Redis.
  size_t len = strlen(buf);
  if (strict && len == 1 && (buf[0] == '-' || buf[0] == '+')) return false;
  if (seq_given != nullptr) *seq_given = true;
  if (len == 1 && buf[0] == '-') {
    *out = StreamId{0, 0};
    return true;
  }
  if (len == 1 && buf[0] == '+') {
    *out = StreamId::Max();
    return true;
  }
  char* dash = static_cast<char*>(std::memchr(buf, '-', len));
  size_t ms_len = dash != nullptr ? static_cast<size_t>(dash - buf) : len;
  uint64_t ms, seq;
  if (!ParseU64Like(buf, ms_len, &ms)) return false;
  if (dash != nullptr) {
    *dash = '\0';
    const char* seq_text = dash + 1;
    size_t seq_len = len - ms_len - 1;
    if (seq_given != nullptr && seq_len == 1 && seq_text[0] == '*') {
      seq = 0;
      *seq_given = false;
    } else if (!ParseU64Like(seq_text, seq_len, &seq)) {
      return false;
    }
  } else {
    seq = missing_seq;
  }
  *out = StreamId{ms, seq};
  return true;
}

// ---- Byte buffer ----

StreamBytes& StreamBytes::operator=(StreamBytes&& o) noexcept {
  if (this != &o) {
    if (data_ != nullptr) mem::Free(data_);
    data_ = o.data_;
    size_ = o.size_;
    cap_ = o.cap_;
    o.data_ = nullptr;
    o.size_ = o.cap_ = 0;
  }
  return *this;
}

StreamBytes::~StreamBytes() {
  if (data_ != nullptr) mem::Free(data_);
}

void StreamBytes::Grow(size_t need) {
  // 1.5x growth: only the newest block of a stream grows, and it is trimmed when sealed.
  size_t cap = std::max<size_t>({need, size_t{cap_} + cap_ / 2, 32});
  auto* p = static_cast<uint8_t*>(mem::Allocate(cap));
  if (size_ != 0) std::memcpy(p, data_, size_);
  if (data_ != nullptr) mem::Free(data_);
  data_ = p;
  cap_ = static_cast<uint32_t>(std::min<size_t>(mem::UsableSize(p), UINT32_MAX));
}

void StreamBytes::Append(const void* p, size_t n) {
  if (size_ + n > cap_) Grow(size_ + n);
  std::memcpy(data_ + size_, p, n);
  size_ += static_cast<uint32_t>(n);
}

void StreamBytes::AppendVarint(uint64_t v) {
  uint8_t buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<uint8_t>(v);
  Append(buf, n);
}

void StreamBytes::ShrinkToFit() {
  if (data_ == nullptr || size_ == cap_) return;
  if (size_ == 0) {
    mem::Free(data_);
    data_ = nullptr;
    cap_ = 0;
    return;
  }
  auto* p = static_cast<uint8_t*>(mem::Allocate(size_));
  size_t usable = mem::UsableSize(p);
  if (usable >= cap_) {  // the allocator would not give a smaller block
    mem::Free(p);
    return;
  }
  std::memcpy(p, data_, size_);
  mem::Free(data_);
  data_ = p;
  cap_ = static_cast<uint32_t>(usable);
}

StreamBytes StreamBytes::Copy() const {
  StreamBytes b;
  if (size_ != 0) b.Append(data_, size_);
  return b;
}

// ---- Block encoding ----

namespace {

// Entry flags byte: deleted, same field names as the master header, how the sequence is
// stored, and the ms delta from the previous entry (0..14 inline, 15: a varint follows).
constexpr uint8_t kDeleted = 0x01;
constexpr uint8_t kSameFields = 0x02;
constexpr uint8_t kSeqZero = 0x00;
constexpr uint8_t kSeqNext = 0x04;      // previous sequence + 1
constexpr uint8_t kSeqExplicit = 0x08;  // varint follows
constexpr uint8_t kSeqMask = 0x0c;
constexpr int kMsShift = 4;
constexpr uint64_t kMsInlineMax = 14;
constexpr uint64_t kMsVarint = 15;

// Value tags (low bits of the value's leading varint).
constexpr uint64_t kTagInt = 1;     // xx1: zigzag integer in the upper bits
constexpr uint64_t kTagString = 0;  // x00: length in the upper bits, bytes follow
constexpr uint64_t kTagMaster = 2;  // x10: the value at the same position in the first entry
constexpr int64_t kIntLimit = int64_t{1} << 62;  // |n| below this fits a tagged zigzag varint

uint64_t ReadVarint(const uint8_t* d, size_t* pos) {
  uint64_t v = 0;
  int shift = 0;
  while (true) {
    uint8_t b = d[(*pos)++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
    shift += 7;
  }
}

uint64_t ZigZag(int64_t n) {
  return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
}
int64_t UnZigZag(uint64_t z) { return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1); }

// A value as stored: an integer or a byte string.
struct StoredValue {
  bool is_int = false;
  int64_t num = 0;
  std::string_view str;
};

bool AsStorableInt(std::string_view v, int64_t* n) {
  return v.size() <= 20 && ParseInt64(v, n) && *n > -kIntLimit && *n < kIntLimit;
}

// Reads one value at *pos (a master reference is returned as-is with tag in *tag).
StoredValue ReadValue(const uint8_t* d, size_t* pos, uint64_t* tag) {
  uint64_t v = ReadVarint(d, pos);
  StoredValue out;
  if (v & 1) {
    *tag = kTagInt;
    out.is_int = true;
    out.num = UnZigZag(v >> 1);
  } else if ((v & 3) == kTagString) {
    *tag = kTagString;
    size_t len = v >> 2;
    out.str = std::string_view(reinterpret_cast<const char*>(d + *pos), len);
    *pos += len;
  } else {
    *tag = kTagMaster;
  }
  return out;
}

void SkipValue(const uint8_t* d, size_t* pos) {
  uint64_t v = ReadVarint(d, pos);
  if ((v & 3) == kTagString) *pos += v >> 2;
}

std::string_view ReadString(const uint8_t* d, size_t* pos) {
  size_t len = ReadVarint(d, pos);
  std::string_view s(reinterpret_cast<const char*>(d + *pos), len);
  *pos += len;
  return s;
}

void PutString(StreamBytes& b, std::string_view s) {
  b.AppendVarint(s.size());
  b.Append(s.data(), s.size());
}

void PutValue(StreamBytes& b, std::string_view v) {
  int64_t n;
  if (AsStorableInt(v, &n)) {
    b.AppendVarint((ZigZag(n) << 1) | kTagInt);
  } else {
    b.AppendVarint((uint64_t{v.size()} << 2) | kTagString);
    b.Append(v.data(), v.size());
  }
}

bool SameValue(const StoredValue& stored, std::string_view v) {
  if (stored.is_int) {
    int64_t n;
    return AsStorableInt(v, &n) && n == stored.num;
  }
  // A stored string is never integer-like (that would have been stored as an integer).
  return stored.str == v;
}

void PutId(StreamBytes& b, uint8_t flags, StreamId prev, StreamId id) {
  uint64_t ms_delta = id.ms - prev.ms;
  if (id.seq == 0) {
    flags |= kSeqZero;
  } else if (prev.seq != UINT64_MAX && id.seq == prev.seq + 1) {
    flags |= kSeqNext;
  } else {
    flags |= kSeqExplicit;
  }
  flags |= static_cast<uint8_t>((ms_delta <= kMsInlineMax ? ms_delta : kMsVarint) << kMsShift);
  b.PushByte(flags);
  if (ms_delta > kMsInlineMax) b.AppendVarint(ms_delta);
  if ((flags & kSeqMask) == kSeqExplicit) b.AppendVarint(id.seq);
}

// Walks the entries of one block in order, deleted ones included.
class BlockWalker {
 public:
  BlockWalker(const StreamBlock& block, StreamId base)
      : d_(block.bytes.data()), size_(block.bytes.size()), prev_(base) {
    master_count_ = ReadVarint(d_, &pos_);
    master_pos_ = pos_;
    for (uint64_t i = 0; i < master_count_; ++i) {
      size_t len = ReadVarint(d_, &pos_);
      pos_ += len;
    }
  }

  uint64_t master_count() const { return master_count_; }
  size_t master_pos() const { return master_pos_; }

  // Advances to the next entry; false at the end of the block.
  bool Next() {
    if (pos_ >= size_) return false;
    flags_pos_ = pos_;
    flags_ = d_[pos_++];
    uint64_t ms_delta = flags_ >> kMsShift;
    if (ms_delta == kMsVarint) ms_delta = ReadVarint(d_, &pos_);
    StreamId id{prev_.ms + ms_delta, 0};
    switch (flags_ & kSeqMask) {
      case kSeqZero:
        break;
      case kSeqNext:
        id.seq = prev_.seq + 1;
        break;
      default:
        id.seq = ReadVarint(d_, &pos_);
        break;
    }
    id_ = prev_ = id;
    body_pos_ = pos_;
    uint64_t n = master_count_;
    if (!(flags_ & kSameFields)) {
      n = ReadVarint(d_, &pos_);
      for (uint64_t i = 0; i < n; ++i) pos_ += ReadVarint(d_, &pos_);
    }
    for (uint64_t i = 0; i < n; ++i) SkipValue(d_, &pos_);
    return true;
  }

  StreamId id() const { return id_; }
  uint8_t flags() const { return flags_; }
  bool deleted() const { return flags_ & kDeleted; }
  size_t flags_pos() const { return flags_pos_; }
  size_t body_pos() const { return body_pos_; }

 private:
  const uint8_t* d_;
  size_t size_;
  size_t pos_ = 0;
  uint64_t master_count_ = 0;
  size_t master_pos_ = 0;
  StreamId prev_;
  StreamId id_;
  uint8_t flags_ = 0;
  size_t flags_pos_ = 0;
  size_t body_pos_ = 0;
};

// ---- Redis's listpack sizes (stream-node-max-bytes is about Redis's node bytes) ----

size_t LpBacklenSize(size_t len) {
  return len <= 127 ? 1 : len < 16383 ? 2 : len < 2097151 ? 3 : len < 268435455 ? 4 : 5;
}

// One listpack element holding an integer, in its narrowest encoding.
size_t LpIntSize(int64_t v) {
  size_t len = (v >= 0 && v <= 127)                 ? 1
               : (v >= -4096 && v <= 4095)          ? 2
               : (v >= INT16_MIN && v <= INT16_MAX) ? 3
               : (v >= -8388608 && v <= 8388607)    ? 4
               : (v >= INT32_MIN && v <= INT32_MAX) ? 5
                                                    : 9;
  return len + LpBacklenSize(len);
}

// One listpack element holding a string (stored as an integer when it reads as one).
size_t LpStringSize(std::string_view s) {
  int64_t v;
  if (s.size() <= 20 && ParseInt64(s, &v)) return LpIntSize(v);
  size_t len = s.size() + (s.size() < 64 ? 1 : s.size() < 4096 ? 2 : 5);
  return len + LpBacklenSize(len);
}

// A new node's listpack (header, end byte, master entry) without the live/deleted counts.
size_t RedisNodeBaseBytes(std::span<const std::string_view> field_values) {
  const size_t num_fields = field_values.size() / 2;
  size_t bytes = 6 + 1 + LpIntSize(static_cast<int64_t>(num_fields)) + LpIntSize(0);
  for (size_t i = 0; i < num_fields; ++i) bytes += LpStringSize(field_values[2 * i]);
  return bytes;
}

// One entry appended to a node whose master entry has ID `master`, as Redis lays it out:
// flags, ID deltas against the master, field names unless the master's, values, element count.
size_t RedisEntryBytes(StreamId master, StreamId id, bool same_fields,
                       std::span<const std::string_view> field_values) {
  const size_t num_fields = field_values.size() / 2;
  size_t bytes = LpIntSize(same_fields ? 2 : 0) +
                 LpIntSize(static_cast<int64_t>(id.ms - master.ms)) +
                 LpIntSize(static_cast<int64_t>(id.seq - master.seq));
  if (!same_fields) {
    bytes += LpIntSize(static_cast<int64_t>(num_fields));
    for (size_t i = 0; i < num_fields; ++i) bytes += LpStringSize(field_values[2 * i]);
  }
  for (size_t i = 0; i < num_fields; ++i) bytes += LpStringSize(field_values[2 * i + 1]);
  size_t lp_count = num_fields + 3 + (same_fields ? 0 : num_fields + 1);
  return bytes + LpIntSize(static_cast<int64_t>(lp_count));
}

}  // namespace

// ---- Stream ----

Stream::Stream() = default;
Stream::~Stream() = default;

Object* Stream::Clone() const {
  auto* s = new Stream();
  for (const auto& [base, block] : blocks_) {
    StreamBlock b;
    b.last = block.last;
    b.live = block.live;
    b.deleted = block.deleted;
    b.redis_bytes = block.redis_bytes;
    b.bytes = block.bytes.Copy();
    s->blocks_.emplace_hint(s->blocks_.end(), base, std::move(b));
  }
  s->length_ = length_;
  s->entries_added_ = entries_added_;
  s->last_id_ = last_id_;
  s->first_id_ = first_id_;
  s->max_deleted_id_ = max_deleted_id_;
  if (groups_ != nullptr) {
    s->groups_ = std::make_unique<Groups>();
    for (const auto& [name, g] : *groups_) {
      ConsumerGroup* copy = s->CreateGroup(name, g->last_id, g->entries_read);
      for (const auto& [cname, c] : g->consumers()) {
        StreamConsumer* cc = copy->CreateConsumer(cname, c->seen_time);
        cc->active_time = c->active_time;
      }
      for (const auto& [id, pe] : g->pel()) {
        PendingEntry* p = copy->AddUnowned(id);
        p->delivery_time = pe.delivery_time;
        p->delivery_count = pe.delivery_count;
        copy->SetOwner(id, p, copy->FindConsumer(pe.consumer->name()));
      }
    }
  }
  return s;
}

size_t Stream::BlockBytes() const {
  size_t n = 0;
  for (const auto& [base, block] : blocks_) n += block.bytes.capacity();
  return n;
}

size_t Stream::MemoryUsage() const {
  // Block buffers plus the index slots; PEL entries and consumer lists at their node sizes.
  size_t n =
      sizeof(*this) + BlockBytes() + blocks_.size() * (sizeof(StreamId) + sizeof(StreamBlock));
  if (groups_ != nullptr) {
    for (const auto& [name, g] : *groups_) {
      n += sizeof(ConsumerGroup) + name.size() + 64;
      n += g->pel().size() * (sizeof(StreamId) + sizeof(PendingEntry) + sizeof(StreamId));
      for (const auto& [cname, c] : g->consumers()) n += sizeof(StreamConsumer) + cname.size() + 64;
    }
  }
  return n;
}

Stream::AddStatus Stream::Add(const StreamId* use_id, bool seq_given, uint64_t now_ms,
                              std::span<const std::string_view> field_values, const Limits& limits,
                              StreamId* added) {
  StreamId id;
  if (use_id != nullptr) {
    if (seq_given) {
      id = *use_id;
    } else if (last_id_.ms == use_id->ms) {
      // "<ms>-*" in the same millisecond as the last entry: the next sequence, never wrapping.
      if (last_id_.seq == UINT64_MAX) return AddStatus::kIdTooSmall;
      id = last_id_;
      ++id.seq;
    } else {
      id = StreamId{use_id->ms, 0};
    }
  } else if (now_ms > last_id_.ms) {
    id = StreamId{now_ms, 0};
  } else {
    id = last_id_;
    id.Increment();  // wraps to 0-0 at the very last ID, which the check below refuses
  }
  if (id <= last_id_) return AddStatus::kIdTooSmall;

  size_t total = 0;
  for (std::string_view s : field_values) total += s.size();
  if (total > kMaxEntryBytes) return AddStatus::kTooLarge;

  const size_t num_fields = field_values.size() / 2;
  StreamBlock* tail = blocks_.empty() ? nullptr : &blocks_.rbegin()->second;
  if (tail != nullptr) {
    size_t max_bytes = static_cast<size_t>(limits.node_max_bytes);
    if (max_bytes == 0 || max_bytes > kMaxEntryBytes) max_bytes = kMaxEntryBytes;
    size_t node_bytes = tail->redis_bytes + LpIntSize(tail->live) + LpIntSize(tail->deleted);
    bool full = node_bytes + total >= max_bytes ||
                (limits.node_max_entries > 0 &&
                 int64_t{tail->live} + tail->deleted >= limits.node_max_entries);
    if (full) {
      tail->bytes.ShrinkToFit();
      tail = nullptr;
    }
  }

  if (tail == nullptr) {
    // A new block: its master header takes this entry's field names.
    StreamBlock block;
    block.last = id;
    block.live = 1;
    block.redis_bytes =
        RedisNodeBaseBytes(field_values) + RedisEntryBytes(id, id, true, field_values);
    StreamBytes& b = block.bytes;
    b.AppendVarint(num_fields);
    for (size_t i = 0; i < num_fields; ++i) PutString(b, field_values[2 * i]);
    PutId(b, kSameFields, id, id);
    for (size_t i = 0; i < num_fields; ++i) PutValue(b, field_values[2 * i + 1]);
    blocks_.emplace_hint(blocks_.end(), id, std::move(block));
  } else {
    const uint8_t* d = tail->bytes.data();
    size_t pos = 0;
    uint64_t master_count = ReadVarint(d, &pos);
    bool same = master_count == num_fields;
    for (size_t i = 0; i < master_count; ++i) {
      std::string_view f = ReadString(d, &pos);
      if (same && f != field_values[2 * i]) same = false;
    }
    // With the same field names, values equal to the first entry's are stored as references.
    // The first entry follows the header; it always has the master's field names.
    uint8_t ref[64];
    size_t refs = 0;
    if (same) {
      BlockWalker w(*tail, blocks_.rbegin()->first);
      w.Next();
      size_t vpos = w.body_pos();
      for (size_t i = 0; i < num_fields; ++i) {
        uint64_t tag;
        StoredValue first = ReadValue(d, &vpos, &tag);
        bool equal = SameValue(first, field_values[2 * i + 1]);
        if (i < sizeof(ref)) ref[i] = equal;
        refs += equal;
      }
    }
    StreamBytes& b = tail->bytes;
    PutId(b, same ? kSameFields : 0, tail->last, id);
    if (!same) {
      b.AppendVarint(num_fields);
      for (size_t i = 0; i < num_fields; ++i) PutString(b, field_values[2 * i]);
    }
    for (size_t i = 0; i < num_fields; ++i) {
      if (same && refs != 0 && i < sizeof(ref) && ref[i]) {
        b.PushByte(static_cast<uint8_t>(kTagMaster));
      } else {
        PutValue(b, field_values[2 * i + 1]);
      }
    }
    tail->last = id;
    ++tail->live;
    tail->redis_bytes += RedisEntryBytes(blocks_.rbegin()->first, id, same, field_values);
  }

  ++length_;
  ++entries_added_;
  last_id_ = id;
  if (length_ == 1) first_id_ = id;
  if (added != nullptr) *added = id;
  return AddStatus::kOk;
}

void Stream::SetLastId(StreamId id, int64_t entries_added, StreamId max_deleted_id) {
  last_id_ = id;
  if (entries_added != -1) entries_added_ = static_cast<uint64_t>(entries_added);
  if (!max_deleted_id.IsZero()) max_deleted_id_ = max_deleted_id;
}

void Stream::RefreshFirstId() {
  first_id_ = StreamId{};
  for (const auto& [base, block] : blocks_) {
    if (block.live == 0) continue;
    BlockWalker w(block, base);
    while (w.Next()) {
      if (!w.deleted()) {
        first_id_ = w.id();
        return;
      }
    }
  }
}

int64_t Stream::Trim(const TrimArgs& args) {
  using Strategy = TrimArgs::Strategy;
  if (args.strategy == Strategy::kNone) return 0;
  const uint64_t maxlen = static_cast<uint64_t>(args.maxlen);
  int64_t removed = 0;
  while (!blocks_.empty()) {
    if (args.strategy == Strategy::kMaxLen && length_ <= maxlen) break;
    auto it = blocks_.begin();
    StreamBlock& block = it->second;
    const int64_t entries = block.live;
    if (args.limit != 0 && removed + entries > args.limit) break;

    bool whole =
        args.strategy == Strategy::kMaxLen ? length_ - entries >= maxlen : block.last < args.minid;
    if (whole) {
      blocks_.erase(it);
      length_ -= entries;
      removed += entries;
      continue;
    }
    // `~` removes whole blocks only.
    if (args.approx) break;

    // Exact trimming ends inside this block: flag its oldest entries deleted.
    BlockWalker w(block, it->first);
    uint8_t* d = block.bytes.data();
    while (w.Next()) {
      bool stop = args.strategy == Strategy::kMaxLen ? length_ <= maxlen : w.id() >= args.minid;
      if (stop) break;
      if (w.deleted()) continue;
      d[w.flags_pos()] |= kDeleted;
      --block.live;
      ++block.deleted;
      --length_;
      ++removed;
    }
    break;
  }
  if (length_ == 0) {
    first_id_ = StreamId{};
  } else if (removed != 0) {
    RefreshFirstId();
  }
  return removed;
}

bool Stream::Delete(StreamId id) {
  auto it = blocks_.upper_bound(id);
  if (it == blocks_.begin()) return false;
  --it;
  StreamBlock& block = it->second;
  if (id > block.last) return false;
  BlockWalker w(block, it->first);
  while (w.Next()) {
    if (w.id() < id) continue;
    if (w.id() > id || w.deleted()) return false;
    block.bytes.data()[w.flags_pos()] |= kDeleted;
    --block.live;
    ++block.deleted;
    if (block.live == 0) blocks_.erase(it);
    --length_;
    if (id > max_deleted_id_) max_deleted_id_ = id;
    if (length_ == 0) {
      first_id_ = StreamId{};
    } else if (id == first_id_) {
      RefreshFirstId();
    }
    return true;
  }
  return false;
}

bool Stream::Contains(StreamId id) const {
  auto it = blocks_.upper_bound(id);
  if (it == blocks_.begin()) return false;
  --it;
  if (id > it->second.last) return false;
  BlockWalker w(it->second, it->first);
  while (w.Next()) {
    if (w.id() < id) continue;
    return w.id() == id && !w.deleted();
  }
  return false;
}

std::optional<StreamId> Stream::LastLiveId() const {
  for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
    if (it->second.live == 0) continue;
    BlockWalker w(it->second, it->first);
    std::optional<StreamId> last;
    while (w.Next()) {
      if (!w.deleted()) last = w.id();
    }
    return last;
  }
  return std::nullopt;
}

// ---- Iteration ----

Stream::Iterator::Iterator(const Stream& stream, StreamId start, StreamId end, bool reverse)
    : stream_(stream), start_(start), end_(end), reverse_(reverse) {}

bool Stream::Iterator::EnterBlock() {
  const auto& [base, block] = *block_;
  slots_.clear();
  BlockWalker w(block, base);
  while (w.Next()) slots_.push_back({w.id(), static_cast<uint32_t>(w.body_pos()), w.flags()});
  // Master field names, and the first entry's values (which later entries may reference).
  const uint8_t* d = block.bytes.data();
  size_t pos = w.master_pos();
  master_fields_.resize(w.master_count());
  for (auto& f : master_fields_) f = ReadString(d, &pos);
  master_values_.resize(w.master_count());
  master_ints_.resize(w.master_count());
  pos = slots_.front().offset;
  for (size_t i = 0; i < master_values_.size(); ++i) {
    uint64_t tag;
    StoredValue v = ReadValue(d, &pos, &tag);
    if (v.is_int) {
      master_values_[i] =
          std::string_view(master_ints_[i].data(), FormatInt64(v.num, master_ints_[i].data()));
    } else {
      master_values_[i] = v.str;
    }
  }
  if (reverse_) {
    next_ = slots_.size();
    if (block.last < start_) return false;
  } else {
    next_ = 0;
    if (base > end_) return false;
  }
  return true;
}

void Stream::Iterator::DecodeCurrent(const Slot& slot) {
  const uint8_t* d = block_->second.bytes.data();
  size_t pos = slot.offset;
  size_t n;
  if (slot.flags & kSameFields) {
    n = master_fields_.size();
    fields_.assign(master_fields_.begin(), master_fields_.end());
  } else {
    n = ReadVarint(d, &pos);
    fields_.resize(n);
    for (auto& f : fields_) f = ReadString(d, &pos);
  }
  values_.resize(n);
  ints_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t tag;
    StoredValue v = ReadValue(d, &pos, &tag);
    if (tag == kTagMaster) {
      values_[i] = master_values_[i];
    } else if (v.is_int) {
      values_[i] = std::string_view(ints_[i].data(), FormatInt64(v.num, ints_[i].data()));
    } else {
      values_[i] = v.str;
    }
  }
  id_ = slot.id;
}

bool Stream::Iterator::Next() {
  if (done_) return false;
  const Blocks& blocks = stream_.blocks_;
  if (!started_) {
    started_ = true;
    if (start_ > end_ || blocks.empty()) return (done_ = true, false);
    if (reverse_) {
      block_ = blocks.upper_bound(end_);
      if (block_ == blocks.begin()) return (done_ = true, false);
      --block_;
    } else {
      block_ = blocks.upper_bound(start_);
      if (block_ != blocks.begin()) --block_;
    }
    if (!EnterBlock()) return (done_ = true, false);
  }
  while (true) {
    if (!reverse_) {
      while (next_ < slots_.size()) {
        const Slot& s = slots_[next_++];
        if (s.id > end_) return (done_ = true, false);
        if ((s.flags & kDeleted) || s.id < start_) continue;
        DecodeCurrent(s);
        return true;
      }
      if (++block_ == blocks.end() || !EnterBlock()) return (done_ = true, false);
    } else {
      while (next_ > 0) {
        const Slot& s = slots_[--next_];
        if (s.id < start_) return (done_ = true, false);
        if ((s.flags & kDeleted) || s.id > end_) continue;
        DecodeCurrent(s);
        return true;
      }
      if (block_ == blocks.begin()) return (done_ = true, false);
      --block_;
      if (!EnterBlock()) return (done_ = true, false);
    }
  }
}

// ---- Consumer groups ----

StreamConsumer* ConsumerGroup::FindConsumer(std::string_view name) const {
  auto it = consumers_.find(name);
  return it == consumers_.end() ? nullptr : it->second.get();
}

StreamConsumer* ConsumerGroup::CreateConsumer(std::string_view name, int64_t now_ms) {
  auto [it, inserted] = consumers_.try_emplace(std::string(name), nullptr);
  if (!inserted) return nullptr;
  it->second = std::make_unique<StreamConsumer>(std::string(name), now_ms);
  return it->second.get();
}

int64_t ConsumerGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers_.find(name);
  if (it == consumers_.end()) return -1;
  StreamConsumer* c = it->second.get();
  int64_t pending = static_cast<int64_t>(c->pending.size());
  for (StreamId id : c->pending) pel_.erase(id);
  consumers_.erase(it);
  return pending;
}

PendingEntry* ConsumerGroup::FindPending(StreamId id) {
  auto it = pel_.find(id);
  return it == pel_.end() ? nullptr : &it->second;
}

void ConsumerGroup::Deliver(StreamId id, StreamConsumer* consumer, int64_t now_ms) {
  auto [it, inserted] = pel_.try_emplace(id);
  PendingEntry& pe = it->second;
  // Already pending (the group's last ID was set back): it now belongs to this consumer and
  // counts as a first delivery, as in Redis.
  if (!inserted) pe.consumer->pending.erase(id);
  pe.consumer = consumer;
  pe.delivery_time = now_ms;
  pe.delivery_count = 1;
  consumer->pending.insert(id);
}

PendingEntry* ConsumerGroup::AddUnowned(StreamId id) { return &pel_.try_emplace(id).first->second; }

void ConsumerGroup::SetOwner(StreamId id, PendingEntry* pe, StreamConsumer* consumer) {
  if (pe->consumer == consumer) return;
  if (pe->consumer != nullptr) pe->consumer->pending.erase(id);
  consumer->pending.insert(id);
  pe->consumer = consumer;
}

bool ConsumerGroup::RemovePending(StreamId id) {
  auto it = pel_.find(id);
  if (it == pel_.end()) return false;
  if (it->second.consumer != nullptr) it->second.consumer->pending.erase(id);
  pel_.erase(it);
  return true;
}

const Stream::Groups& Stream::groups() const {
  static const Groups kNone;
  return groups_ != nullptr ? *groups_ : kNone;
}

ConsumerGroup* Stream::FindGroup(std::string_view name) const {
  if (groups_ == nullptr) return nullptr;
  auto it = groups_->find(name);
  return it == groups_->end() ? nullptr : it->second.get();
}

ConsumerGroup* Stream::CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read) {
  if (groups_ == nullptr) groups_ = std::make_unique<Groups>();
  auto [it, inserted] = groups_->try_emplace(std::string(name), nullptr);
  if (!inserted) return nullptr;
  it->second = std::make_unique<ConsumerGroup>(last_id, entries_read);
  return it->second.get();
}

bool Stream::DestroyGroup(std::string_view name) {
  if (groups_ == nullptr) return false;
  auto it = groups_->find(name);
  if (it == groups_->end()) return false;
  groups_->erase(it);
  return true;
}

bool Stream::RangeHasTombstones(StreamId start, StreamId end) const {
  if (length_ == 0 || max_deleted_id_.IsZero()) return false;
  // Every deletion happened before the current first entry.
  if (first_id_ > max_deleted_id_) return false;
  return start <= max_deleted_id_ && max_deleted_id_ <= end;
}

int64_t Stream::EstimateDistanceFromFirstEverEntry(StreamId id) const {
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return static_cast<int64_t>(entries_added_);
  if (id == last_id_) return static_cast<int64_t>(entries_added_);
  if (id > last_id_) return ConsumerGroup::kUnknownEntriesRead;
  // Without deletions past the first entry, positions before and at it are known.
  if (max_deleted_id_.IsZero() || max_deleted_id_ < first_id_) {
    if (id < first_id_) return static_cast<int64_t>(entries_added_ - length_);
    if (id == first_id_) return static_cast<int64_t>(entries_added_ - length_ + 1);
  }
  return ConsumerGroup::kUnknownEntriesRead;
}

std::optional<int64_t> Stream::Lag(const ConsumerGroup& group) const {
  if (entries_added_ == 0) return 0;
  if (group.entries_read != ConsumerGroup::kUnknownEntriesRead &&
      !RangeHasTombstones(group.last_id, StreamId::Max())) {
    return static_cast<int64_t>(entries_added_) - group.entries_read;
  }
  int64_t read = EstimateDistanceFromFirstEverEntry(group.last_id);
  if (read == ConsumerGroup::kUnknownEntriesRead) return std::nullopt;
  return static_cast<int64_t>(entries_added_) - read;
}

void Stream::AdvanceGroup(ConsumerGroup& group, StreamId id) const {
  if (group.entries_read != ConsumerGroup::kUnknownEntriesRead &&
      !RangeHasTombstones(id, StreamId::Max())) {
    ++group.entries_read;
  } else if (entries_added_ != 0) {
    group.entries_read = EstimateDistanceFromFirstEverEntry(id);
  }
  group.last_id = id;
}

}  // namespace weir::types
