// MULTI/EXEC/WATCH helpers other layers need (the server unwatches a closing client's keys).
#pragma once

#include "commands/command.h"

namespace weir::commands {

// Drops every WATCH of the session, locking the shards of its watched keys unless `held`
// already holds them.
void UnwatchAll(engine::Engine& engine, Session& session, engine::LockSet* held = nullptr);

// Ends a MULTI: forgets queued commands and watches (DISCARD, EXEC, RESET).
void DiscardTransaction(engine::Engine& engine, Session& session, engine::LockSet* held = nullptr);

}  // namespace weir::commands
