// Expiry index maintenance for a shard's databases, and the checked shard lock.
#include "engine/shard.h"

#include <cstdio>
#include <cstdlib>

namespace weir::engine {

void DbTable::AddExpire(Entry* e) {
  e->expire_info()->index = static_cast<uint32_t>(expires.size());
  expires.push_back(e);
}

void DbTable::RemoveExpire(Entry* e) {
  uint32_t idx = e->expire_info()->index;
  Entry* last = expires.back();
  expires[idx] = last;
  last->expire_info()->index = idx;
  expires.pop_back();
}

#ifdef WEIR_CHECK_LOCKS
namespace {
[[noreturn]] void LockViolation(const char* what) {
  std::fprintf(stderr, "weir: shard lock violation: %s\n", what);
  std::abort();
}
}  // namespace

void Shard::AssertHeld() const {
  if (!HeldByMe()) LockViolation("keyspace access without holding the shard's lock");
}

void Shard::Lock() {
  if (HeldByMe()) LockViolation("locking a shard this thread already holds");
  mu_.lock();
  owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
}

bool Shard::TryLock() {
  if (HeldByMe()) LockViolation("try-locking a shard this thread already holds");
  if (!mu_.try_lock()) return false;
  owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  return true;
}

void Shard::Unlock() {
  if (!HeldByMe()) LockViolation("unlocking a shard this thread does not hold");
  owner_.store(std::thread::id(), std::memory_order_relaxed);
  mu_.unlock();
}
#endif

}  // namespace weir::engine
