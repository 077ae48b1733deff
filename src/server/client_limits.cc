#include "server/client_limits.h"

#include <charconv>
#include <string>
#include <vector>

#include "common/strings.h"

namespace weir::server {

bool OverOutputLimit(const OutputLimit& limit, int64_t used, int64_t now_s, int64_t* soft_since_s) {
  bool hard = limit.hard > 0 && used >= limit.hard;
  bool soft = limit.soft > 0 && used >= limit.soft;
  if (soft) {
    if (*soft_since_s == 0) {
      *soft_since_s = now_s;  // the first time we see it over the soft limit
      soft = false;
    } else if (now_s - *soft_since_s <= limit.soft_seconds) {
      soft = false;  // not over it for long enough yet
    }
  } else {
    *soft_since_s = 0;
  }
  return hard || soft;
}

int64_t ClientEvictionLimit(int64_t maxmemory_clients, int64_t maxmemory) {
  int64_t limit;
  if (maxmemory_clients < 0 && maxmemory > 0) {
    limit = static_cast<int64_t>(static_cast<double>(maxmemory) *
                                 -static_cast<double>(maxmemory_clients) / 100);
  } else if (maxmemory_clients > 0) {
    limit = maxmemory_clients;
  } else {
    return 0;
  }
  // Too small a setting would leave nobody able to talk to the server.
  return limit < 128 * 1024 ? 128 * 1024 : limit;
}

ClientLimits::ClientLimits(int loops) : slots_(new Slot[loops]), loops_(loops) {}

void ClientLimits::LoadOutputLimits(std::string_view canonical) {
  // Canonical form: plain byte counts, every class present.
  static constexpr std::string_view kClasses[] = {"normal", "slave", "pubsub"};
  std::vector<std::string_view> words = SplitNonEmpty(canonical, ' ');
  for (size_t i = 0; i + 3 < words.size(); i += 4) {
    for (int c = 0; c < 3; ++c) {
      if (words[i] != kClasses[c]) continue;
      for (int k = 0; k < 3; ++k) {
        std::string_view w = words[i + 1 + k];
        int64_t v = 0;
        std::from_chars(w.data(), w.data() + w.size(), v);
        limits_[c][k].store(v, std::memory_order_relaxed);
      }
    }
  }
}

OutputLimit ClientLimits::output_limit(ClientClass c) const {
  int i = static_cast<int>(c);
  return {limits_[i][0].load(std::memory_order_relaxed),
          limits_[i][1].load(std::memory_order_relaxed),
          limits_[i][2].load(std::memory_order_relaxed)};
}

int64_t ClientLimits::TotalClientMemory() const {
  int64_t sum = 0;
  for (int i = 0; i < loops_; ++i) sum += slots_[i].bytes.load(std::memory_order_relaxed);
  return sum;
}

}  // namespace weir::server
