// What every command family sees: the command spec (the row of the command table), the client
// session, and the context a handler runs in. Handlers never touch sockets.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/per_thread_counter.h"
#include "engine/engine.h"
#include "protocol/reply_builder.h"
#include "pubsub/subscriber.h"

namespace weir {
class Config;
}

namespace weir::commands {

struct BlockedClient;

using ArgList = std::span<const std::string_view>;

// Redis's command flags (COMMAND INFO reports them by these names), plus Weir's locking scope.
enum CommandFlag : uint32_t {
  kWrite = 1u << 0,
  kReadOnly = 1u << 1,
  kDenyOom = 1u << 2,
  kAdmin = 1u << 3,
  kPubSub = 1u << 4,
  kNoScript = 1u << 5,
  kBlocking = 1u << 6,
  kLoading = 1u << 7,
  kStale = 1u << 8,
  kSkipMonitor = 1u << 9,
  kSkipSlowlog = 1u << 10,
  kFast = 1u << 11,
  kNoAuth = 1u << 12,
  kMayReplicate = 1u << 13,
  kNoMandatoryKeys = 1u << 14,
  kNoMulti = 1u << 15,
  kMovableKeys = 1u << 16,
  kAllowBusy = 1u << 17,
  kSentinel = 1u << 18,
  kOnlySentinel = 1u << 19,
  kNoAsyncLoading = 1u << 20,
  // Weir: may block the client without Redis's "blocking" flag (WAIT, WAITAOF wait for
  // acknowledgements, not for keys), so it gets a block request as blocking commands do.
  kMayBlock = 1u << 23,
  // Weir-internal roles, so the dispatcher never recognises a command by its (renamable) name:
  // runs at once inside MULTI instead of being queued (MULTI, EXEC, DISCARD, WATCH, QUIT, RESET),
  // runs the MULTI queue (EXEC), and refreshes access times even under CLIENT NO-TOUCH (TOUCH).
  kRunsInMulti = 1u << 25,
  kExecutesQueue = 1u << 26,
  kAlwaysTouches = 1u << 27,
  // Runs a script (EVAL, FCALL...): inside EXEC it needs every shard, as a script may touch
  // keys it did not declare and a transaction cannot start over.
  kRunsScript = 1u << 24,
  // Weir: allowed to a RESP2 client in subscribed mode (the (P|S)(UN)SUBSCRIBE family, PING,
  // QUIT, RESET).
  kSubscribedContext = 1u << 21,
  // Weir: the command reads or writes the whole database (FLUSHALL, KEYS, DBSIZE...) and runs
  // with every shard locked.
  kAllShards = 1u << 28,
  // Weir: the command runs without any shard lock (connection and server commands).
  kNoLock = 1u << 29,
};

// One key specification, as COMMAND INFO and COMMAND GETKEYS report it: keys start at
// begin_index and run to last_key (negative: counted from the end) every key_step arguments.
struct KeySpec {
  int begin_index = 0;
  int last_key = 0;
  int key_step = 1;
  std::vector<std::string> flags;  // "RW", "ACCESS", "UPDATE", "OW", "RM", "INSERT", "DELETE"...
  // Keys found after a keyword (XREAD's "STREAMS", searched from argument keyword_from)
  // instead of at begin_index; the command then needs a key finder too.
  std::string keyword;
  int keyword_from = 0;
  // The range's "limit": with last_key -1, only the first 1/limit of the remaining arguments
  // are keys (XREAD: 2, keys then IDs).
  int limit = 0;
  std::string notes;  // shown by COMMAND INFO (XADD's)
  // A "keynum" spec instead of a "range" one (SINTERCARD, ZUNION, LMPOP, EVAL...) when >= 0:
  // the argument at begin_index + keynum_index holds the number of keys, which start at
  // begin_index + first_key, every key_step (last_key is unused). Such commands also need a
  // key_finder for locking.
  int keynum_index = -1;
  int first_key = 0;
};

struct CommandContext;
using Handler = void (*)(CommandContext&);
// For commands whose key positions depend on their arguments (e.g. numkeys): appends the
// indexes of the key arguments.
using KeyFinder = void (*)(ArgList args, std::vector<int>* key_indexes);

// Per-command figures for INFO commandstats, counted per thread (PerThreadCounters).
struct CommandStats : PerThreadCounters<4> {
  enum Field { kCalls = 0, kUsec = 1, kRejected = 2, kFailed = 3 };
};

struct CommandSpec {
  std::string name;  // lowercase; subcommands as "client|kill" in fullname
  int arity = 0;     // N: exactly N args (name included); -N: at least N
  uint32_t flags = 0;
  std::vector<std::string> acl_categories;  // without '@': "string", "fast", "write"...
  std::vector<KeySpec> key_specs;
  KeyFinder key_finder = nullptr;
  Handler handler = nullptr;
  // Docs for COMMAND DOCS.
  std::string summary;
  std::string since;
  std::string group;
  std::string complexity;
  std::vector<std::string> tips;
  // Redis's protected commands (DEBUG, MODULE LOAD...): the enable-*-command directive that
  // must allow them ("yes", or "local" for a local client). Empty for every other command.
  std::string protected_by;
  // Container commands (CLIENT, CONFIG, ...) dispatch on their subcommands.
  std::vector<std::unique_ptr<CommandSpec>> subcommands;
  const CommandSpec* parent = nullptr;
  mutable CommandStats stats;

  std::string FullName() const { return parent ? parent->name + "|" + name : name; }
  const CommandSpec* FindSubcommand(std::string_view sub) const;
  // Indexes of the key arguments of this invocation.
  void KeyIndexes(ArgList args, std::vector<int>* out) const;
};

// A client's command-level state: selected database, protocol, auth, MULTI/WATCH, flags.
// Owned by the server's connection; the dispatcher and handlers read and update it.
// Fields other threads read for CLIENT LIST are atomics or guarded by info_mu.
struct Session {
  enum class ReplyMode { kOn, kOff, kSkipNext, kSkipThis };

  uint64_t id = 0;
  int db = 0;
  int loop = 0;  // the event loop that owns the client
  // What CLIENT LIST shows of this session to other threads, published after each command.
  enum ShownFlag : uint32_t {
    kShowMulti = 1,
    kShowDirtyCas = 2,
    kShowNoEvict = 4,
    kShowNoTouch = 8,
    kShowMonitor = 16
  };
  std::atomic<int> shown_db{0};
  std::atomic<uint32_t> shown_flags{0};
  std::atomic<int> shown_multi_count{-1};
  std::atomic<int> shown_resp{2};
  void Publish();
  mutable std::mutex info_mu;  // guards name, lib_name, lib_ver, user
  int resp = 2;
  bool authenticated = false;
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  std::string user = "default";
  bool no_touch = false;
  bool no_evict = false;
  ReplyMode reply_mode = ReplyMode::kOn;
  bool close_after_reply = false;
  std::atomic<const CommandSpec*> last_spec{nullptr};
  int64_t created_ms = 0;
  // A script's session: the time its commands see, frozen at the script's start (0: the clock).
  int64_t frozen_now_ms = 0;
  // The commands a script runs (Redis's CLIENT_SCRIPT): XREAD refuses BLOCK, SORT orders sets.
  bool in_script = false;
  int64_t last_interaction_ms = 0;

  // MULTI: queued commands own their arguments.
  bool in_multi = false;
  bool multi_error = false;
  std::vector<std::vector<std::string>> queued;

  // WATCH: keys by database; the dirty flag is set by any thread that writes one.
  engine::WatchClient watch;
  std::vector<std::pair<int, std::string>> watched_keys;

  // Set while the client waits in a blocking command (BLPOP, XREAD BLOCK...).
  std::shared_ptr<BlockedClient> blocked;

  // Pub/Sub: the client's subscriptions and where its messages go (null for the sessions of
  // scripts and re-run blocked commands, which never subscribe).
  pubsub::Subscriber* subscriber = nullptr;
  // MONITOR: what a monitor line names this client ("ip:port", "unix:/path"; a script's
  // commands show "lua"), and whether it is a monitor itself (delivered to through subscriber).
  std::string peer_id;
  bool monitor = false;
  // A blocked command run again: it was shown to monitors when it first ran.
  bool rerun = false;
  // A script run's monitor lines wait here while the run may still start over (until its
  // first write), so an abandoned attempt shows nothing.
  bool hold_monitor_lines = false;
  std::string held_monitor_lines;
  // RESP2 subscribed mode: only the kSubscribedContext commands may run.
  bool subscribed_mode() const {
    return subscriber != nullptr && subscriber->total_count() > 0 && resp == 2;
  }
  // This command's reply is Pub/Sub confirmations, which CLIENT REPLY OFF/SKIP does not silence.
  bool push_reply = false;

  // Client-side caching: pubsub::TrackingFlag bits (the tracker holds the state other threads
  // read; this copy is the client's own, with CLIENT CACHING's one-command flag).
  uint32_t tracking = 0;
};

// What commands may ask of the server they run in (implemented in server/).
class ServerApi {
 public:
  virtual ~ServerApi() = default;

  virtual Config& config() = 0;
  virtual engine::Engine& engine() = 0;

  // CLIENT LIST / INFO lines for one client, and the clients matching a CLIENT KILL or LIST
  // filter; the filter function sees each client's session and its address strings.
  struct ClientFilter {
    std::vector<uint64_t> ids;
    std::string type;  // "normal", "pubsub", "master", "replica", or empty
    std::string addr, laddr, user;
    bool skip_me = true;
    bool any_field = false;
  };
  virtual std::string ClientInfo(const Session& session) = 0;
  virtual std::string ClientList(const ClientFilter& filter) = 0;
  virtual int KillClients(const ClientFilter& filter, const Session& self) = 0;
  // The client connected over loopback or the unix socket (what "local" allows for
  // enable-debug-command and enable-protected-configs).
  virtual bool IsLocalClient(const Session& session) = 0;
  // Scripts: a line for the server log (redis.log, slow-script warnings), and one pass over
  // the calling thread's other clients while a script runs past busy-reply-threshold (they get
  // -BUSY, or run SCRIPT KILL); `running` is the client running the script, left alone.
  virtual void LogMessage(int level, std::string_view message) = 0;
  virtual void ProcessEventsWhileBlocked(const Session& running) = 0;
  // Pauses clients until until_ms (all commands, or only writes).
  virtual void PauseClients(int64_t until_ms, bool writes_only) = 0;
  virtual void UnpauseClients() = 0;
  // SHUTDOWN: returns false with err set when refused.
  virtual bool Shutdown(bool nosave, bool save, bool now, bool force, bool abort,
                        std::string* err) = 0;

  // INFO: the server/clients/stats figures only the server knows.
  virtual void AppendInfo(std::string_view section, std::string* out) = 0;
  virtual void ResetStats() = 0;
  virtual int64_t LastSaveTime() = 0;
  virtual bool RewriteConfig(std::string* err) = 0;
  // Applies a CONFIG SET of a directive the server owns (port, maxclients...).
  virtual void ConfigChanged(std::string_view name) = 0;

  // Blocked clients (commands/blocking.h), from any thread: hands a served client its reply on
  // its own loop, or asks its loop to run the command again there (the serving thread could not
  // lock all of its keys).
  virtual void DeliverToBlocked(std::shared_ptr<BlockedClient> b, std::string reply) = 0;
  virtual void RetryBlocked(std::shared_ptr<BlockedClient> b) = 0;
  // CLIENT UNBLOCK: ends the wait of a blocked client as a timeout would, or with the UNBLOCKED
  // error. False when no such client is blocked.
  virtual bool UnblockClient(uint64_t id, bool with_error) = 0;
  // Calls fn with the connected client `id` (as a Pub/Sub subscriber, and its session) while it
  // cannot go away, from any thread; false when there is no such client. fn must not call back
  // into the server's client registry.
  virtual bool WithClient(uint64_t id,
                          const std::function<void(pubsub::Subscriber&, const Session&)>& fn) = 0;
};

class Dispatcher;

// What a blocking command (BLPOP, BZPOPMIN, XREAD BLOCK...) asks for when nothing can be served
// now. The server parks the client; a write to one of the keys that leaves it of `type` runs
// the command again (commands/blocking.h), and the deadline ends the wait with a null reply.
struct BlockRequest {
  std::vector<std::string> keys;
  engine::ObjType type = engine::ObjType::kList;
  int64_t deadline_ms = 0;  // absolute, in ms; 0 waits forever
  // XREADGROUP: the key being deleted or replaced by another type also runs the command again
  // (which then replies its error), as Redis's unblock_on_nokey.
  bool wake_on_missing = false;
  // Arguments to run on wake-up instead of the original ones (XREAD with `$` resolved to the
  // ID that was last when the client blocked). Empty: the original arguments.
  std::vector<std::string> rerun_args;
  // What the client is answered when the wait ends unserved (deadline, CLIENT UNBLOCK
  // TIMEOUT), as RESP bytes; empty: a null array (the blocking pops and reads). WAIT answers
  // its count of acknowledgements.
  std::string timeout_reply;
  bool requested = false;
};

struct CommandContext {
  const CommandSpec& spec;
  Dispatcher& dispatcher;
  ArgList args;  // args[0] is the command name
  protocol::ReplyBuilder& reply;
  Session& session;
  engine::DbView& db;
  engine::LockSet& locks;
  ServerApi& server;
  // Null where a command must not block (inside MULTI/EXEC or a script): a blocking command
  // then replies as if its timeout had expired.
  BlockRequest* block = nullptr;

  size_t argc() const { return args.size(); }
  std::string_view arg(size_t i) const { return args[i]; }
};

}  // namespace weir::commands
