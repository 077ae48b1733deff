// The server: configuration, the engine, the command table, the event-loop threads, the
// listeners and the client registry. Implements commands::ServerApi for CLIENT, INFO,
// CONFIG, SHUTDOWN.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands/dispatcher.h"
#include "common/config.h"
#include "server/client_limits.h"
#include "server/event_loop.h"

namespace weir::server {

class Connection;

class Server : public commands::ServerApi {
 public:
  explicit Server(Config& config);
  ~Server() override;

  // Applies rename-command, binds the listeners; false with a message on failure.
  bool Init(std::string* err);
  // Runs the loops until shutdown; returns the exit code.
  int Run();
  // Asks every loop to stop (signal handlers, SHUTDOWN).
  void RequestStop();

  commands::Dispatcher& dispatcher() { return *dispatcher_; }

  // Connection lifecycle (called on the connection's loop thread).
  void Register(Connection* c);
  void Unregister(Connection* c);
  uint64_t NextClientId() { return next_client_id_.fetch_add(1); }
  void CountInput(int64_t n) { net_bytes_.Add(kNetInput, n); }
  void CountOutput(int64_t n) { net_bytes_.Add(kNetOutput, n); }
  int64_t max_query_buffer() const { return query_buffer_limit_->load(std::memory_order_relaxed); }
  int64_t max_bulk_len() const { return max_bulk_len_->load(std::memory_order_relaxed); }
  bool auth_required() const;
  // Clients held by CLIENT PAUSE count as blocked in INFO (blocked_clients), as in Redis.
  void CountBlocked(int delta) { blocked_clients_.fetch_add(delta, std::memory_order_relaxed); }
  // Clients waiting in a blocking command, by id, for CLIENT UNBLOCK.
  void AddBlocked(std::shared_ptr<commands::BlockedClient> b);
  void RemoveBlocked(const commands::BlockedClient* b);
  // The connection with this id; only for use on that connection's own loop thread.
  Connection* FindClient(uint64_t id);
  // Output-buffer limits, client memory and their counters (server/client_limits.h).
  ClientLimits& client_limits() { return *client_limits_; }
  // The client's CLIENT LIST line, for log lines about it.
  std::string DescribeClient(const Connection& c) { return ClientLine(c); }

  // Messages for clients of another loop (Pub/Sub, and later invalidations and MONITOR lines):
  // queued in that loop's inbox, which a single posted task drains, so a burst of messages costs
  // the receiving loop one wake-up. DrainMessages runs on the loop's own thread.
  void PostMessage(int loop, uint64_t client_id, std::string_view frame);
  void DrainMessages(int loop);

  // commands::ServerApi
  Config& config() override { return config_; }
  engine::Engine& engine() override { return *engine_; }
  std::string ClientInfo(const commands::Session& session) override;
  std::string ClientList(const ClientFilter& filter) override;
  int KillClients(const ClientFilter& filter, const commands::Session& self) override;
  bool IsLocalClient(const commands::Session& session) override;
  void LogMessage(int level, std::string_view message) override;
  void ProcessEventsWhileBlocked(const commands::Session& running) override;
  void PauseClients(int64_t until_ms, bool writes_only) override;
  void UnpauseClients() override;
  bool Shutdown(bool nosave, bool save, bool now, bool force, bool abort,
                std::string* err) override;
  void AppendInfo(std::string_view section, std::string* out) override;
  void ResetStats() override;
  int64_t LastSaveTime() override { return last_save_; }
  bool RewriteConfig(std::string* err) override;
  void ConfigChanged(std::string_view name) override;
  void DeliverToBlocked(std::shared_ptr<commands::BlockedClient> b, std::string reply) override;
  void RetryBlocked(std::shared_ptr<commands::BlockedClient> b) override;
  bool UnblockClient(uint64_t id, bool with_error) override;
  bool WithClient(
      uint64_t id,
      const std::function<void(pubsub::Subscriber&, const commands::Session&)>& fn) override;

 private:
  struct Listener {
    int fd;
    bool unix_socket;
    EventLoop::IoHandler handler;
  };
  bool Listen(const std::string& addr, int port, int loop_index, std::string* err);
  bool ListenUnix(const std::string& path, std::string* err);
  void Accept(Listener& l, EventLoop& loop);
  void Tick(EventLoop& loop);
  std::string ClientLine(const Connection& c);
  // maxmemory-clients: while the clients' memory is over it, closes the biggest evictable
  // clients (not NO-EVICT), as Redis's evictClients. From loop 0's tick.
  void EvictClients();
  bool Matches(const Connection& c, const ClientFilter& f);

  Config& config_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<commands::CommandRegistry> registry_;
  std::unique_ptr<commands::Dispatcher> dispatcher_;
  std::unique_ptr<ClientLimits> client_limits_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  struct Inbox {
    std::mutex mu;
    std::vector<std::pair<uint64_t, std::string>> messages;
    bool drain_posted = false;
    std::atomic<bool> pending{false};
    // The loop's own clients by id, touched only by that loop's thread.
    absl::flat_hash_map<uint64_t, Connection*> clients;
  };
  std::vector<std::unique_ptr<Inbox>> inboxes_;       // one per loop
  std::vector<std::unique_ptr<Listener>> listeners_;  // per loop: listeners_[i] on loop i % n
  std::vector<EventLoop*> listener_loops_;

  std::mutex clients_mu_;
  std::map<uint64_t, Connection*> clients_;
  std::atomic<uint64_t> next_client_id_{1};
  std::atomic<int64_t> connected_{0};
  std::atomic<int64_t> total_connections_{0};
  std::atomic<int64_t> rejected_connections_{0};
  enum NetCounter { kNetInput = 0, kNetOutput = 1 };
  PerThreadCounters<2> net_bytes_;
  std::atomic<int64_t> blocked_clients_{0};
  std::mutex blocked_mu_;
  std::map<uint64_t, std::shared_ptr<commands::BlockedClient>> blocked_;
  const std::atomic<int64_t>* query_buffer_limit_;
  const std::atomic<int64_t>* max_bulk_len_;
  std::atomic<bool> stopping_{false};
  int64_t start_ms_;
  int64_t last_save_;
  std::string run_id_;
  int port_ = 0;
  std::string unix_path_;
};

}  // namespace weir::server
