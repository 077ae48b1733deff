// Counted allocation: mimalloc in normal builds, the libc allocator under sanitizers (so ASan
// sees every allocation). Counters are per-thread slots summed on demand, never contended.
#include "common/memory.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "common/per_thread_counter.h"

#ifndef WEIR_SANITIZE
#include <mimalloc.h>
#endif

namespace weir {

int ThreadCounterSlot() {
  static std::atomic<int> next{0};
  thread_local int slot = next.fetch_add(1, std::memory_order_relaxed) % kCounterSlots;
  return slot;
}

}  // namespace weir

namespace weir::mem {
namespace {

// Not PerThreadCounter: operator new runs during static initialisation, before any other
// global object may be constructed, so this array must be constant-initialised.
struct alignas(64) Slot {
  std::atomic<int64_t> bytes{0};
};
Slot g_slots[kCounterSlots];
std::atomic<int64_t> g_peak{0};

Slot& MySlot() { return g_slots[ThreadCounterSlot()]; }

inline void* RawAlloc(size_t n) {
#ifdef WEIR_SANITIZE
  return std::malloc(n);
#else
  return mi_malloc(n);
#endif
}
inline void RawFree(void* p) {
#ifdef WEIR_SANITIZE
  std::free(p);
#else
  mi_free(p);
#endif
}
inline size_t RawUsable(void* p) {
#ifdef WEIR_SANITIZE
  return malloc_usable_size(p);
#else
  return mi_usable_size(p);
#endif
}

}  // namespace

void* Allocate(size_t size) {
  void* p = RawAlloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  MySlot().bytes.fetch_add(static_cast<int64_t>(RawUsable(p)), std::memory_order_relaxed);
  return p;
}

void Free(void* p) {
  if (p == nullptr) return;
  MySlot().bytes.fetch_sub(static_cast<int64_t>(RawUsable(p)), std::memory_order_relaxed);
  RawFree(p);
}

size_t UsableSize(void* p) { return RawUsable(p); }

int64_t UsedMemory() {
  int64_t sum = 0;
  for (auto& s : g_slots) sum += s.bytes.load(std::memory_order_relaxed);
  return sum;
}

void SamplePeak() {
  int64_t used = UsedMemory();
  int64_t peak = g_peak.load(std::memory_order_relaxed);
  while (used > peak && !g_peak.compare_exchange_weak(peak, used)) {
  }
}

int64_t PeakMemory() {
  SamplePeak();
  return g_peak.load(std::memory_order_relaxed);
}

const char* AllocatorName() {
#ifdef WEIR_SANITIZE
  return "libc";
#else
  return "mimalloc";
#endif
}

}  // namespace weir::mem

// Every C++ allocation in the process goes through the counted allocator.
void* operator new(size_t n) { return weir::mem::Allocate(n); }
void* operator new[](size_t n) { return weir::mem::Allocate(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return weir::mem::Allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try {
    return weir::mem::Allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p, const std::nothrow_t&) noexcept { weir::mem::Free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { weir::mem::Free(p); }
void operator delete(void* p) noexcept { weir::mem::Free(p); }
void operator delete[](void* p) noexcept { weir::mem::Free(p); }
void operator delete(void* p, size_t) noexcept { weir::mem::Free(p); }
void operator delete[](void* p, size_t) noexcept { weir::mem::Free(p); }
