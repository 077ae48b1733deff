// Client-side caching (Redis's tracking.c): the table of which clients may cache which keys,
// the BCAST prefix table, and the invalidation messages a write sends them.
//
// Default mode: after a read-only command of a tracking client the dispatcher remembers its
// keys (Remember); the first write of such a key sends every client that read it one
// invalidation and forgets the key. BCAST mode: a write of a key under a subscribed prefix is
// queued on the writing thread and sent once per event-loop batch (Redis's beforeSleep), one
// message per prefix listing its keys. The table is global (not per database), as in Redis.
//
// Threads and locks. The table is striped, each stripe under its own mutex; the clients' tracking
// state and the prefix table have one mutex each. All are leaf locks, taken with shard locks
// held (writes invalidate on the commit path). Messages are delivered through ClientLookup, which
// finds a connection by id and calls back while it cannot go away (the server's client registry
// lock); no tracker lock is held across that call, so the server may call into the tracker with
// its registry locked (CLIENT LIST).
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/container/inlined_vector.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "pubsub/subscriber.h"

namespace weir::pubsub {

// A client's tracking flags (Redis's CLIENT_TRACKING_*).
enum TrackingFlag : uint32_t {
  kTrackingOn = 1,
  kTrackingBcast = 2,
  kTrackingOptin = 4,
  kTrackingOptout = 8,
  kTrackingCaching = 16,  // CLIENT CACHING yes|no given for the next command
  kTrackingNoloop = 32,
  kTrackingBrokenRedir = 64,
};

class Tracker : public engine::InvalidationListener {
 public:
  // Finds the connected client `id` and calls fn with it while it cannot go away; false when
  // there is none. pubsub_mode: it is subscribed to something (a RESP2 redirect target gets
  // invalidations as Pub/Sub messages only then).
  using ClientFn = std::function<void(Subscriber& client, bool pubsub_mode)>;
  using ClientLookup = std::function<bool(uint64_t id, const ClientFn& fn)>;
  // Runs fn after the calling event loop's current batch; false when the caller is no loop.
  using BatchScheduler = std::function<bool(std::function<void()> fn)>;

  explicit Tracker(ClientLookup lookup) : lookup_(std::move(lookup)) {}
  void SetBatchScheduler(BatchScheduler s) { scheduler_ = std::move(s); }

  // The client whose command runs on this thread (Redis's server.current_client): NOLOOP skips
  // its writes, and the keys its read-only commands read are remembered with its flags (flags
  // null: looked up by id). A capture string takes the invalidations sent to that client itself
  // (a blocked client served on another client's thread gets them after its reply).
  class Scope {
   public:
    Scope(uint64_t id, const uint32_t* flags, std::string* capture = nullptr);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    uint64_t id_;
    const uint32_t* flags_;
    std::string* capture_;
  };
  static uint64_t current_id();
  // The current client's flags (0 when it does not track).
  uint32_t CurrentFlags();

  // CLIENT TRACKING ON: an error text (Redis's) when the prefixes overlap the client's or each
  // other; empty when fine.
  std::string CheckPrefixes(uint64_t id, const std::vector<std::string>& prefixes);
  // Enables tracking (or changes its options) and returns the client's new flags.
  uint32_t Enable(uint64_t id, uint64_t redirect, uint32_t options,
                  const std::vector<std::string>& prefixes);
  // CLIENT TRACKING OFF, RESET, disconnect.
  void Disable(uint64_t id);
  struct ClientInfo {
    uint32_t flags = 0;
    uint64_t redirect = 0;
    std::vector<std::string> prefixes;  // in order
  };
  // False when the client does not track.
  bool Info(uint64_t id, ClientInfo* out);

  // After a read-only command of a tracking (default-mode) client: it may cache key.
  void Remember(uint64_t id, std::string_view key);

  // engine::InvalidationListener
  void OnKeyModified(std::string_view key, bool expired) override;
  void OnFlush(bool async) override;

  // tracking-table-max-keys: evicts keys (invalidating them for their clients) while the table
  // is over max, with an effort that grows each time a call ends still over (Redis's
  // trackingLimitUsedSlots). 0: no limit.
  void LimitUsedSlots(int64_t max_keys);
  bool OverLimit(int64_t max_keys) const {
    return max_keys > 0 && total_keys_.load(std::memory_order_relaxed) > max_keys;
  }
  // Sends the BCAST invalidations this thread queued (once per event-loop batch).
  void FlushBroadcasts();

  // INFO.
  int64_t tracking_clients() const { return clients_count_.load(std::memory_order_relaxed); }
  int64_t total_keys() const { return total_keys_.load(std::memory_order_relaxed); }
  int64_t total_items() const { return total_items_.load(std::memory_order_relaxed); }
  int64_t total_prefixes() const { return prefix_count_.load(std::memory_order_relaxed); }

 private:
  struct ClientState {
    uint32_t flags = 0;
    uint64_t redirect = 0;
    std::set<std::string> prefixes;
  };
  // Copies a tracking client's state; false when it does not track.
  bool State(uint64_t id, uint32_t* flags, uint64_t* redirect);
  // Redis's sendTrackingMessage: payload is the RESP value after "invalidate" (an array of keys,
  // or a null), sent to the client or its redirection.
  void Send(uint64_t id, uint64_t redirect, std::string_view payload);
  void DeliverTo(Subscriber& s, std::string_view frame);
  // Invalidates key for the clients that read it and forgets it (Redis's trackingInvalidateKey
  // without the BCAST part).
  void InvalidateKey(std::string_view key);
  void RemovePrefixes(uint64_t id, ClientState& st);

  static constexpr size_t kStripes = 64;
  struct Stripe {
    std::mutex mu;
    absl::flat_hash_map<std::string, absl::InlinedVector<uint64_t, 2>> keys;
  };
  Stripe& StripeOf(std::string_view key);

  ClientLookup lookup_;
  BatchScheduler scheduler_;
  std::array<Stripe, kStripes> stripes_;
  std::atomic<int64_t> total_keys_{0};
  std::atomic<int64_t> total_items_{0};

  std::mutex clients_mu_;  // before prefix_mu_ when both are held
  absl::flat_hash_map<uint64_t, ClientState> clients_;
  std::atomic<int64_t> clients_count_{0};

  std::shared_mutex prefix_mu_;
  std::map<std::string, absl::flat_hash_set<uint64_t>> prefixes_;
  std::atomic<int64_t> prefix_count_{0};

  std::mutex evict_mu_;
  int evict_rounds_ = 0;  // Redis's timeout_counter
};

}  // namespace weir::pubsub
