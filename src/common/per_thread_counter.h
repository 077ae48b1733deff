// Counters bumped on every command by every thread (command stats, dirty, bytes): each thread
// adds into its own cache line, readers sum the lines, so counting never bounces a shared
// line between cores.
#pragma once

#include <atomic>
#include <cstdint>

namespace weir {

inline constexpr int kCounterSlots = 64;

// This thread's slot, handed out round-robin the first time a thread asks.
int ThreadCounterSlot();

template <int kFields>
class PerThreadCounters {
 public:
  void Add(int field, int64_t delta) {
    slots_[ThreadCounterSlot()].v[field].fetch_add(delta, std::memory_order_relaxed);
  }
  int64_t Sum(int field) const {
    int64_t total = 0;
    for (const Slot& s : slots_) total += s.v[field].load(std::memory_order_relaxed);
    return total;
  }
  void Reset() {
    for (Slot& s : slots_) {
      for (auto& f : s.v) f.store(0, std::memory_order_relaxed);
    }
  }

 private:
  struct alignas(64) Slot {
    std::atomic<int64_t> v[kFields] = {};
  };
  Slot slots_[kCounterSlots];
};

using PerThreadCounter = PerThreadCounters<1>;

}  // namespace weir
