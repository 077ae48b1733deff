#include "pubsub/keyspace_notifier.h"

#include <string>

namespace weir::pubsub {

void KeyspaceNotifier::OnKeyEvent(int db, std::string_view key, const KeyEvent& event) {
  // With nobody subscribed there is nothing to build (a notification with no listener is lost
  // in Redis too).
  if (!broker_.HasListeners()) return;
  const uint32_t classes = engine_.notify_classes();
  const std::string_view name = event.name;
  std::string channel;
  if (classes & kNotifyKeyspace) {
    channel.append("__keyspace@").append(std::to_string(db)).append("__:").append(key);
    broker_.Publish(channel, name);
  }
  if (classes & kNotifyKeyevent) {
    channel.clear();
    channel.append("__keyevent@").append(std::to_string(db)).append("__:").append(name);
    broker_.Publish(channel, key);
  }
}

}  // namespace weir::pubsub
