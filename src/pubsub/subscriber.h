// A client as Pub/Sub sees it: where messages go, and what it is subscribed to.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace weir::pubsub {

// Implemented by the server's connection. The broker keeps a pointer to a subscriber while it
// has a subscription; the subscriber leaves everything (Broker::UnsubscribeAll) on its own
// thread before it is destroyed, so a publisher holding the broker's lock never sees a freed one.
class Subscriber {
 public:
  Subscriber(uint64_t id, int loop) : id_(id), loop_(loop) {}
  virtual ~Subscriber() = default;
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Queues one framed message (RESP2 array or RESP3 push, as resp() says) for the client.
  // Thread-safe: from another thread it is handed to the client's loop, in order. Never closes
  // the client or calls back into the broker from inside.
  virtual void Deliver(std::string_view frame) = 0;

  uint64_t subscriber_id() const { return id_; }
  int loop() const { return loop_; }
  // The client's protocol, read by publishers on other threads.
  int resp() const { return resp_.load(std::memory_order_relaxed); }
  void set_resp(int resp) { resp_.store(resp, std::memory_order_relaxed); }

  // What this client is subscribed to; touched only on its own thread (the broker's maps are
  // what publishers read).
  absl::flat_hash_set<std::string> channels;
  absl::flat_hash_set<std::string> patterns;
  absl::flat_hash_set<std::string> shard_channels;
  // Redis's clientSubscriptionsCount (channels and patterns) and the count that puts a RESP2
  // client in subscribed mode (shard channels too).
  int64_t classic_count() const { return static_cast<int64_t>(channels.size() + patterns.size()); }
  int64_t total_count() const {
    return classic_count() + static_cast<int64_t>(shard_channels.size());
  }
  // The counts CLIENT LIST shows from other threads (sub, psub, ssub), published after a change.
  void PublishCounts() {
    shown_channels.store(static_cast<int>(channels.size()), std::memory_order_relaxed);
    shown_patterns.store(static_cast<int>(patterns.size()), std::memory_order_relaxed);
    shown_shard_channels.store(static_cast<int>(shard_channels.size()), std::memory_order_relaxed);
  }
  std::atomic<int> shown_channels{0}, shown_patterns{0}, shown_shard_channels{0};

 private:
  const uint64_t id_;
  const int loop_;
  std::atomic<int> resp_{2};
};

}  // namespace weir::pubsub
