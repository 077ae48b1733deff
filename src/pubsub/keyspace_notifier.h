// Keyspace notifications: turns the events the engine's commit path records into messages on
// __keyspace@<db>__:<key> (the event name) and __keyevent@<db>__:<event> (the key), as
// notify-keyspace-events asks.
#pragma once

#include "engine/engine.h"
#include "pubsub/broker.h"

namespace weir::pubsub {

class KeyspaceNotifier : public engine::KeyEventListener {
 public:
  KeyspaceNotifier(engine::Engine& engine, Broker& broker) : engine_(engine), broker_(broker) {}
  void OnKeyEvent(int db, std::string_view key, const KeyEvent& event) override;

 private:
  engine::Engine& engine_;
  Broker& broker_;
};

}  // namespace weir::pubsub
