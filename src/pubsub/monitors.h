// MONITOR: the clients in monitor mode, and the line each of them gets for every command any
// client runs (Redis's replicationFeedMonitors).
//
// Locking: one leaf mutex over the list; Subscriber::Deliver takes nothing but the receiving
// loop's inbox lock, so a command may feed monitors while it holds shard locks. A monitor
// leaves (Remove) on its own thread before it is freed, so delivering under the mutex never
// reaches a freed client. With no monitor, feeding costs one relaxed atomic load (active()).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pubsub/subscriber.h"

namespace weir::pubsub {

class Monitors {
 public:
  // On the monitor's own thread. Add of a client already listed, or Remove of one that is not,
  // does nothing.
  void Add(Subscriber* s);
  void Remove(Subscriber* s);

  bool active() const { return count_.load(std::memory_order_relaxed) > 0; }
  int64_t count() const { return count_.load(std::memory_order_relaxed); }

  // Redis's line: `+<sec>.<usec> [<db> <origin>] "arg" "arg"...\r\n`, each argument quoted as
  // sdscatrepr does. origin: "ip:port", "unix:/path" or "lua".
  static void AppendLine(int64_t now_us, int db, std::string_view origin,
                         std::span<const std::string_view> args, std::string* out);
  // Hands bytes (one or more lines) to every monitor, in the same order to all.
  void Deliver(std::string_view lines);

 private:
  std::mutex mu_;
  std::vector<Subscriber*> list_;  // in MONITOR order, as Redis's server.monitors
  std::atomic<int64_t> count_{0};
};

}  // namespace weir::pubsub
