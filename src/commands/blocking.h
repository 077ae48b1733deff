// Serving blocked clients. A blocking command that finds nothing to serve becomes a
// BlockedClient queued on each of its keys (engine/blocking.h). A write to such a key records it
// as ready; before the writer releases its shard locks, ServeReadyKeys runs each ready key's
// waiters' commands again, in FIFO order, on the writer's thread, so a served pop is atomic with
// the write that fed it (as Redis serves blocked clients right after the command). The reply
// goes to the client's own event loop, which then unlinks the waiter from all its keys.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands/command.h"
#include "engine/blocking.h"

namespace weir::commands {

class Dispatcher;

struct BlockedClient : engine::Waiter {
  uint64_t client_id = 0;
  int loop = 0;  // the event loop that owns the client
  int resp = 2;
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;  // what runs when a write serves the client
  // Views of args and the shards of its command's keys, computed once at registration: every
  // write to a waited key runs through them.
  std::vector<std::string_view> arg_views;
  std::vector<int> shards;
  int64_t deadline_ms = 0;    // 0: no timeout
  std::string timeout_reply;  // empty: a null array (BlockRequest::timeout_reply)
};

// Builds the waiter for a command that asked to block and queues it on its keys (whose shards
// the caller holds).
std::shared_ptr<BlockedClient> RegisterBlocked(engine::DbView& db, const Session& session,
                                               const CommandSpec& spec, ArgList args,
                                               BlockRequest& request);

// Runs the waiters of the keys this thread's writes made ready, while `locks` (the writer's) is
// held. A ready key's shard, and the shards of its waiters' other keys, that the writer does not
// hold are try-locked, never waited for; a ready key whose shard is busy stays in the ready list
// for ServePendingReadyKeys, and a waiter whose other shard is busy is handed back to its own
// loop to run there (ServerApi::RetryBlocked). No shard is touched without its lock.
void ServeReadyKeys(Dispatcher& dispatcher, engine::LockSet& locks);

// With no locks held (after active expiry, or after a writer let go of its locks): serves every
// key left in this thread's ready list, locking each key's shard in turn.
void ServePendingReadyKeys(Dispatcher& dispatcher);

// The end of every command that may have written: serves the ready keys under `locks`, then,
// if some were left over, releases `locks` and serves the rest. The ready list is empty after.
void FinishWrites(Dispatcher& dispatcher, engine::LockSet& locks);

// On the client's own thread, with no locks held: takes the waiter off every key it waits on.
void UnlinkBlocked(engine::Engine& engine, const BlockedClient& b);

}  // namespace weir::commands
