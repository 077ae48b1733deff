// The Pub/Sub registry shared by every event loop: who is subscribed to which channel, pattern
// and shard channel, and the fan-out of a published message to them, framed once per protocol.
//
// Locking: channels live in stripes, each with its own mutex, so publishers on different
// channels never meet; patterns are one list under a shared mutex, skipped without locking
// when there are none. All are leaf locks: a publisher may hold a shard lock (a keyspace
// notification) while it publishes, and Subscriber::Deliver takes nothing but the receiving
// loop's inbox lock.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pubsub/subscriber.h"

namespace weir::pubsub {

class Broker {
 public:
  // Channel subscriptions: classic (SUBSCRIBE) or shard (SSUBSCRIBE), separate namespaces.
  enum class Space { kClassic = 0, kShard = 1 };

  // The caller updates the client's own sets and calls these only for a real change.
  void Subscribe(Space space, std::string_view channel, Subscriber* s);
  void Unsubscribe(Space space, std::string_view channel, Subscriber* s);
  void PSubscribe(std::string_view pattern, Subscriber* s);
  void PUnsubscribe(std::string_view pattern, Subscriber* s);
  // Everything s is subscribed to (its own sets say what), on disconnect and RESET.
  void UnsubscribeAll(Subscriber* s);

  // PUBLISH / SPUBLISH: delivers to the channel's subscribers (and, for classic channels, to
  // every matching pattern's); returns the receivers as Redis counts them (a client matched by
  // two patterns counts twice).
  int64_t Publish(std::string_view channel, std::string_view message);
  int64_t SPublish(std::string_view channel, std::string_view message);
  // Whether anyone at all listens (the keyspace notifier skips building channel names if not).
  bool HasListeners() const {
    return channel_count_[0].load(std::memory_order_relaxed) > 0 ||
           pattern_subscriptions_.load(std::memory_order_relaxed) > 0;
  }

  // PUBSUB CHANNELS / SHARDCHANNELS (channels with at least one subscriber, matching pattern;
  // empty pattern: all), NUMSUB / SHARDNUMSUB, NUMPAT (distinct patterns).
  std::vector<std::string> Channels(Space space, std::string_view pattern);
  int64_t NumSub(Space space, std::string_view channel);
  int64_t NumPat();
  // INFO's pubsub_channels / pubsubshard_channels: channels with a subscriber.
  int64_t ChannelCount(Space space) const {
    return channel_count_[static_cast<int>(space)].load(std::memory_order_relaxed);
  }

  // Message frames, RESP2 (`*3`) or RESP3 (`>3`): kind is "message", "smessage", "subscribe"...
  static void AppendFrame(int resp, std::string_view kind, std::string_view channel,
                          std::string_view payload, std::string* out);
  static void AppendPatternFrame(int resp, std::string_view pattern, std::string_view channel,
                                 std::string_view payload, std::string* out);

 private:
  static constexpr size_t kStripes = 64;
  struct Stripe {
    std::mutex mu;
    absl::flat_hash_map<std::string, std::vector<Subscriber*>> channels;
  };
  Stripe& StripeOf(Space space, std::string_view channel);
  int64_t DeliverToChannel(Space space, std::string_view kind, std::string_view channel,
                           std::string_view message);

  std::array<std::array<Stripe, kStripes>, 2> stripes_;
  std::array<std::atomic<int64_t>, 2> channel_count_{};  // channels with subscribers
  mutable std::shared_mutex patterns_mu_;
  // pattern -> its subscribers, in subscription order.
  std::vector<std::pair<std::string, std::vector<Subscriber*>>> patterns_;
  std::atomic<int64_t> pattern_subscriptions_{0};
};

}  // namespace weir::pubsub
