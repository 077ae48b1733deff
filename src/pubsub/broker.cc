#include "pubsub/broker.h"

#include <absl/hash/hash.h>

#include <algorithm>

#include "common/glob.h"

namespace weir::pubsub {

namespace {

void AppendBulk(std::string_view s, std::string* out) {
  out->push_back('$');
  out->append(std::to_string(s.size()));
  out->append("\r\n");
  out->append(s);
  out->append("\r\n");
}

void AppendHeader(int resp, int elements, std::string* out) {
  out->push_back(resp == 3 ? '>' : '*');
  out->push_back(static_cast<char>('0' + elements));
  out->append("\r\n");
}

// This abseil's string_view is its own type, not std::string_view.
absl::string_view AsKey(std::string_view s) { return absl::string_view(s.data(), s.size()); }

void Erase(std::vector<Subscriber*>& list, Subscriber* s) {
  auto it = std::find(list.begin(), list.end(), s);
  if (it != list.end()) list.erase(it);
}

// The frame of one message for each protocol, built the first time a subscriber needs it.
class Frames {
 public:
  template <typename Build>
  std::string_view For(int resp, Build build) {
    std::string& f = resp == 3 ? resp3_ : resp2_;
    if (f.empty()) build(resp, &f);
    return f;
  }

 private:
  std::string resp2_, resp3_;
};

}  // namespace

void Broker::AppendFrame(int resp, std::string_view kind, std::string_view channel,
                         std::string_view payload, std::string* out) {
  AppendHeader(resp, 3, out);
  AppendBulk(kind, out);
  AppendBulk(channel, out);
  AppendBulk(payload, out);
}

void Broker::AppendPatternFrame(int resp, std::string_view pattern, std::string_view channel,
                                std::string_view payload, std::string* out) {
  AppendHeader(resp, 4, out);
  AppendBulk("pmessage", out);
  AppendBulk(pattern, out);
  AppendBulk(channel, out);
  AppendBulk(payload, out);
}

Broker::Stripe& Broker::StripeOf(Space space, std::string_view channel) {
  size_t h = absl::HashOf(AsKey(channel));
  return stripes_[static_cast<int>(space)][h % kStripes];
}

void Broker::Subscribe(Space space, std::string_view channel, Subscriber* s) {
  Stripe& st = StripeOf(space, channel);
  std::lock_guard lock(st.mu);
  auto [it, inserted] = st.channels.try_emplace(std::string(channel));
  if (inserted) channel_count_[static_cast<int>(space)].fetch_add(1, std::memory_order_relaxed);
  it->second.push_back(s);
}

void Broker::Unsubscribe(Space space, std::string_view channel, Subscriber* s) {
  Stripe& st = StripeOf(space, channel);
  std::lock_guard lock(st.mu);
  auto it = st.channels.find(AsKey(channel));
  if (it == st.channels.end()) return;
  Erase(it->second, s);
  if (it->second.empty()) {
    st.channels.erase(it);
    channel_count_[static_cast<int>(space)].fetch_sub(1, std::memory_order_relaxed);
  }
}

void Broker::PSubscribe(std::string_view pattern, Subscriber* s) {
  std::unique_lock lock(patterns_mu_);
  auto it = std::find_if(patterns_.begin(), patterns_.end(),
                         [&](const auto& p) { return p.first == pattern; });
  if (it == patterns_.end()) {
    patterns_.emplace_back(std::string(pattern), std::vector<Subscriber*>{});
    it = patterns_.end() - 1;
  }
  it->second.push_back(s);
  pattern_subscriptions_.fetch_add(1, std::memory_order_relaxed);
}

void Broker::PUnsubscribe(std::string_view pattern, Subscriber* s) {
  std::unique_lock lock(patterns_mu_);
  auto it = std::find_if(patterns_.begin(), patterns_.end(),
                         [&](const auto& p) { return p.first == pattern; });
  if (it == patterns_.end()) return;
  Erase(it->second, s);
  pattern_subscriptions_.fetch_sub(1, std::memory_order_relaxed);
  if (it->second.empty()) patterns_.erase(it);
}

void Broker::UnsubscribeAll(Subscriber* s) {
  for (const std::string& c : s->channels) Unsubscribe(Space::kClassic, c, s);
  for (const std::string& c : s->shard_channels) Unsubscribe(Space::kShard, c, s);
  for (const std::string& p : s->patterns) PUnsubscribe(p, s);
  s->channels.clear();
  s->shard_channels.clear();
  s->patterns.clear();
  s->PublishCounts();
}

int64_t Broker::DeliverToChannel(Space space, std::string_view kind, std::string_view channel,
                                 std::string_view message) {
  if (channel_count_[static_cast<int>(space)].load(std::memory_order_relaxed) == 0) return 0;
  Stripe& st = StripeOf(space, channel);
  std::lock_guard lock(st.mu);
  auto it = st.channels.find(AsKey(channel));
  if (it == st.channels.end()) return 0;
  Frames frames;
  for (Subscriber* s : it->second) {
    s->Deliver(frames.For(s->resp(), [&](int resp, std::string* out) {
      AppendFrame(resp, kind, channel, message, out);
    }));
  }
  return static_cast<int64_t>(it->second.size());
}

int64_t Broker::Publish(std::string_view channel, std::string_view message) {
  int64_t receivers = DeliverToChannel(Space::kClassic, "message", channel, message);
  if (pattern_subscriptions_.load(std::memory_order_relaxed) == 0) return receivers;
  std::shared_lock lock(patterns_mu_);
  for (const auto& entry : patterns_) {
    // Named references, not a structured binding: the frame builder below captures them.
    const std::string& pattern = entry.first;
    const std::vector<Subscriber*>& subscribers = entry.second;
    if (!GlobMatch(pattern, channel)) continue;
    Frames frames;
    for (Subscriber* s : subscribers) {
      s->Deliver(frames.For(s->resp(), [&](int resp, std::string* out) {
        AppendPatternFrame(resp, pattern, channel, message, out);
      }));
    }
    receivers += static_cast<int64_t>(subscribers.size());
  }
  return receivers;
}

int64_t Broker::SPublish(std::string_view channel, std::string_view message) {
  return DeliverToChannel(Space::kShard, "smessage", channel, message);
}

std::vector<std::string> Broker::Channels(Space space, std::string_view pattern) {
  std::vector<std::string> out;
  for (Stripe& st : stripes_[static_cast<int>(space)]) {
    std::lock_guard lock(st.mu);
    for (const auto& [name, subscribers] : st.channels) {
      if (pattern.empty() || GlobMatch(pattern, name)) out.push_back(name);
    }
  }
  return out;
}

int64_t Broker::NumSub(Space space, std::string_view channel) {
  Stripe& st = StripeOf(space, channel);
  std::lock_guard lock(st.mu);
  auto it = st.channels.find(AsKey(channel));
  return it == st.channels.end() ? 0 : static_cast<int64_t>(it->second.size());
}

int64_t Broker::NumPat() {
  std::shared_lock lock(patterns_mu_);
  return static_cast<int64_t>(patterns_.size());
}

}  // namespace weir::pubsub
