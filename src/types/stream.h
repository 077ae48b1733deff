// The stream type (XADD, XRANGE, XREADGROUP...): an append-only log of entries, each an ID and
// field-value pairs, stored in compact blocks indexed by their first ID, plus the consumer
// groups with their pending entries lists (PELs). Pure data structure: no RESP, no clock (every
// time is passed in by the caller).
//
// Entry storage. Entries live in blocks of at most stream-node-max-entries entries (counting
// deleted ones) and about stream-node-max-bytes bytes. A block is one byte buffer:
//   [master header: field count, field names][entry][entry]...
// and every entry is
//   [flags][ID delta][field names, unless the same as the master's][values]
// The ID is encoded against the previous entry of the block (usually one byte, inside the flags
// byte), field names are shared with the block's master header when they repeat, and a value is
// an integer (zigzag varint), a length-prefixed string, or a one-byte reference to the value at
// the same position in the block's first entry (repeating values such as event types cost one
// byte). Deleting an entry sets a flag bit in place; XDEL of a block's last live entry frees the
// block, while exact trimming that flags a block's last live entries keeps it (as Redis keeps
// such a listpack: node boundaries, and so `~` trimming, stay the same as Redis's). The index of
// blocks is a B-tree keyed by the blocks' first IDs, so seeking to an ID is O(log blocks) plus a
// scan of one block; appending is O(1) amortised.
//
// Consumer groups. Each group has its last-delivered ID, its entries-read counter (Redis 7.0's
// logical read counter, from which the lag is computed), its PEL (ID -> delivery time, delivery
// count, owning consumer; a B-tree, O(log n) by ID) and its consumers by name, each with its own
// PEL (the set of IDs it owns; the group's PEL holds the data).
#pragma once

#include <absl/container/btree_map.h>
#include <absl/container/btree_set.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "types/object.h"

namespace weir::types {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  friend auto operator<=>(const StreamId&, const StreamId&) = default;
  bool IsZero() const { return ms == 0 && seq == 0; }
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  // The next / previous ID. At the edge (max / 0-0) they wrap to 0-0 / max and return false, as
  // Redis's streamIncrID / streamDecrID.
  bool Increment();
  bool Decrement();
  // "<ms>-<seq>" into buf (at least kMaxText bytes); returns the length.
  static constexpr size_t kMaxText = 42;
  size_t Format(char* buf) const;
  std::string ToString() const;
};

// Parses a stream ID argument as Redis does: "<ms>-<seq>", "<ms>" (the sequence is missing_seq),
// "-" (0-0) and "+" (max) unless strict, and "<ms>-*" only when seq_given is not null (then
// *seq_given is false; otherwise true). The numbers follow Redis's string2ull.
bool ParseStreamId(std::string_view text, uint64_t missing_seq, bool strict, StreamId* out,
                   bool* seq_given = nullptr);

class StreamConsumer;

// A delivered, not yet acknowledged entry.
struct PendingEntry {
  int64_t delivery_time = 0;  // ms
  uint64_t delivery_count = 0;
  StreamConsumer* consumer = nullptr;  // the consumer it was last delivered to
};

class StreamConsumer {
 public:
  StreamConsumer(std::string name, int64_t now_ms) : seen_time(now_ms), name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  int64_t seen_time;                  // last attempt to read or claim (ms)
  int64_t active_time = -1;           // last successful read or claim (ms), -1: never
  absl::btree_set<StreamId> pending;  // the IDs of the group's PEL that this consumer owns

 private:
  std::string name_;
};

class ConsumerGroup {
 public:
  // entries_read is unknown (Redis's SCG_INVALID_ENTRIES_READ).
  static constexpr int64_t kUnknownEntriesRead = -1;
  using Consumers = std::map<std::string, std::unique_ptr<StreamConsumer>, std::less<>>;
  using Pel = absl::btree_map<StreamId, PendingEntry>;

  ConsumerGroup(StreamId last_id, int64_t entries_read)
      : last_id(last_id), entries_read(entries_read) {}

  StreamId last_id;      // last delivered ID
  int64_t entries_read;  // logical reads counter, or kUnknownEntriesRead

  const Pel& pel() const { return pel_; }
  const Consumers& consumers() const { return consumers_; }

  StreamConsumer* FindConsumer(std::string_view name) const;
  // Creates the consumer (seen now, never active); null when it exists already.
  StreamConsumer* CreateConsumer(std::string_view name, int64_t now_ms);
  // Deletes the consumer and its pending entries; returns how many it had, or -1 if no such
  // consumer.
  int64_t DeleteConsumer(std::string_view name);

  PendingEntry* FindPending(StreamId id);
  // XREADGROUP delivered id to consumer: a new pending entry (count 1), or an existing one
  // (after XGROUP SETID moved the group back) moved to consumer with its count reset to 1.
  void Deliver(StreamId id, StreamConsumer* consumer, int64_t now_ms);
  // Adds a pending entry without owner checks (XCLAIM FORCE); the caller sets its fields and
  // then calls SetOwner.
  PendingEntry* AddUnowned(StreamId id);
  // Gives the pending entry id to consumer (removing it from its previous owner's list).
  void SetOwner(StreamId id, PendingEntry* pe, StreamConsumer* consumer);
  // Acknowledges / drops a pending entry; false when id is not pending.
  bool RemovePending(StreamId id);

 private:
  Pel pel_;
  Consumers consumers_;
};

// A growable byte buffer with counted allocations, sized to what the allocator reserves.
class StreamBytes {
 public:
  StreamBytes() = default;
  StreamBytes(StreamBytes&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_) {
    o.data_ = nullptr;
    o.size_ = o.cap_ = 0;
  }
  StreamBytes& operator=(StreamBytes&& o) noexcept;
  StreamBytes(const StreamBytes&) = delete;
  StreamBytes& operator=(const StreamBytes&) = delete;
  ~StreamBytes();

  const uint8_t* data() const { return data_; }
  uint8_t* data() { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  void Append(const void* p, size_t n);
  void PushByte(uint8_t b) { Append(&b, 1); }
  void AppendVarint(uint64_t v);
  void ShrinkToFit();
  StreamBytes Copy() const;

 private:
  void Grow(size_t need);
  uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t cap_ = 0;
};

// One block of entries (see the header comment for its encoding).
struct StreamBlock {
  StreamId last;         // ID of the last entry encoded here (deleted or not)
  uint32_t live = 0;     // entries not deleted (0 only after an exact trim, see above)
  uint32_t deleted = 0;  // entries flagged deleted
  // The size Redis's listpack for this node would have, less its two count fields (they change
  // with live and deleted). A node is full by Redis's rule on that size, so node boundaries,
  // and so `~` trimming, are Redis's under any stream-node-max-bytes.
  size_t redis_bytes = 0;
  StreamBytes bytes;
};

class Stream : public Object {
 public:
  // stream-node-max-entries (0: no limit) and stream-node-max-bytes (0: no limit).
  struct Limits {
    int64_t node_max_entries = 100;
    int64_t node_max_bytes = 4096;
  };

  // What XADD / XTRIM ask of trimming (Redis's streamAddTrimArgs).
  struct TrimArgs {
    enum class Strategy { kNone, kMaxLen, kMinId };
    Strategy strategy = Strategy::kNone;
    bool approx = false;  // `~`: only whole blocks are removed
    int64_t limit = 0;    // at most this many entries removed (0: no limit)
    int64_t maxlen = 0;
    StreamId minid;
  };

  enum class AddStatus { kOk, kIdTooSmall, kTooLarge };
  using Blocks = absl::btree_map<StreamId, StreamBlock>;  // by the ID of their first entry

  // Total bytes of the field names and values of one entry above which XADD refuses it (Redis's
  // STREAM_LISTPACK_MAX_SIZE).
  static constexpr size_t kMaxEntryBytes = size_t{1} << 30;

  Stream();
  ~Stream() override;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  Object* Clone() const override;
  size_t Size() const override { return length_; }
  size_t MemoryUsage() const override;
  const char* EncodingName() const override { return "stream"; }

  uint64_t length() const { return length_; }
  StreamId last_id() const { return last_id_; }
  // The first entry not deleted (0-0 when empty): XINFO's recorded-first-entry-id.
  StreamId first_id() const { return first_id_; }
  StreamId max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  size_t block_count() const { return blocks_.size(); }

  // Appends an entry. field_values alternates names and values. With id null the ID is
  // generated from now_ms; with id and !seq_given ("<ms>-*") only the sequence is generated.
  AddStatus Add(const StreamId* id, bool seq_given, uint64_t now_ms,
                std::span<const std::string_view> field_values, const Limits& limits,
                StreamId* added);
  // XSETID: last ID, and optionally entries-added (>= 0) and the max deleted ID (non-zero).
  void SetLastId(StreamId id, int64_t entries_added, StreamId max_deleted_id);

  // Removes the oldest entries as args ask; returns how many were removed.
  int64_t Trim(const TrimArgs& args);
  // Deletes one entry; false if it does not exist (or was already deleted).
  bool Delete(StreamId id);
  bool Contains(StreamId id) const;
  // The last entry not deleted; nullopt when the stream is empty.
  std::optional<StreamId> LastLiveId() const;

  // Visits the entries with start <= ID <= end, oldest first (or newest first when reverse).
  // The views are valid until Next() is called again; the stream's entries must not change
  // while iterating (its groups may).
  class Iterator {
   public:
    Iterator(const Stream& stream, StreamId start, StreamId end, bool reverse);
    bool Next();
    StreamId id() const { return id_; }
    size_t field_count() const { return fields_.size(); }
    std::string_view field(size_t i) const { return fields_[i]; }
    std::string_view value(size_t i) const { return values_[i]; }

   private:
    struct Slot {
      StreamId id;
      uint32_t offset;  // of the entry's field names / values, after its flags and ID
      uint8_t flags;
    };
    bool EnterBlock();
    void DecodeCurrent(const Slot& slot);

    const Stream& stream_;
    StreamId start_, end_;
    bool reverse_;
    bool started_ = false;
    bool done_ = false;
    Blocks::const_iterator block_;
    std::vector<Slot> slots_;  // the current block's entries
    size_t next_ = 0;          // index into slots_ (counting down when reverse)
    std::vector<std::string_view> master_fields_;
    std::vector<std::string_view> master_values_;
    StreamId id_;
    std::vector<std::string_view> fields_;
    std::vector<std::string_view> values_;
    // Integer values are stored as numbers and printed here for the views.
    std::vector<std::array<char, 24>> master_ints_;
    std::vector<std::array<char, 24>> ints_;
  };

  // ---- Consumer groups ----
  using Groups = std::map<std::string, std::unique_ptr<ConsumerGroup>, std::less<>>;
  const Groups& groups() const;
  ConsumerGroup* FindGroup(std::string_view name) const;
  // Null when a group of that name exists.
  ConsumerGroup* CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);

  // Moves the group's last-delivered ID to id (an entry just delivered past it), keeping its
  // entries-read counter exact where it can (Redis 7.0's rules).
  void AdvanceGroup(ConsumerGroup& group, StreamId id) const;
  // The number of entries not yet delivered to the group; nullopt when it cannot be known
  // (deleted entries in the way).
  std::optional<int64_t> Lag(const ConsumerGroup& group) const;
  // The logical position of id (how many entries were added up to it), or -1 when unknown.
  int64_t EstimateDistanceFromFirstEverEntry(StreamId id) const;
  // Whether a deleted entry may lie in [start, end].
  bool RangeHasTombstones(StreamId start, StreamId end) const;

  // Bytes in block buffers (for tests and MEMORY USAGE).
  size_t BlockBytes() const;

 private:
  void RefreshFirstId();

  Blocks blocks_;
  uint64_t length_ = 0;
  uint64_t entries_added_ = 0;
  StreamId last_id_;
  StreamId first_id_;
  StreamId max_deleted_id_;
  std::unique_ptr<Groups> groups_;  // null until the first XGROUP CREATE
};

}  // namespace weir::types
