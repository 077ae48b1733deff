// Expiry index maintenance for a shard's databases.
#include "engine/shard.h"

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

}  // namespace weir::engine
