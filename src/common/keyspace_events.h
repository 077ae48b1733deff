// Keyspace notification classes (Redis's NOTIFY_* bits, the letters of notify-keyspace-events)
// and the event a write records: its class and Redis's event name ("set", "lpush", "expired").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace weir {

enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m (not part of A)
  kNotifyModule = 1 << 13,   // d
  kNotifyNew = 1 << 14,      // n (not part of A)
};
inline constexpr uint32_t kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet |
                                       kNotifyHash | kNotifyZset | kNotifyExpired | kNotifyEvicted |
                                       kNotifyStream | kNotifyModule;

// The flags of a notify-keyspace-events string; -1 for a character Redis does not know.
int KeyspaceEventFlags(std::string_view classes);
// The canonical string CONFIG GET shows for flags.
std::string KeyspaceEventString(int flags);

// What one write does to a key, as a keyspace notification names it. Every write goes through
// engine::DbView::Modified with one; the class decides whether notify-keyspace-events lets it
// out. A null name is a write Redis does not announce.
struct KeyEvent {
  uint32_t cls = 0;
  const char* name = nullptr;
};

}  // namespace weir
