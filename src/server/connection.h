// A client connection: its socket, input buffer and parser, output buffer, and the command
// session. Lives on one event loop and is only touched by that loop's thread, except the
// published fields CLIENT LIST reads (atomics, or Session::info_mu).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "commands/command.h"
#include "protocol/resp_parser.h"
#include "pubsub/subscriber.h"
#include "server/client_limits.h"
#include "server/event_loop.h"
#include "server/io_buffer.h"

namespace weir::server {

class Server;

class Connection : public pubsub::Subscriber {
 public:
  Connection(Server& server, EventLoop& loop, int fd, uint64_t id, std::string addr,
             std::string laddr, bool unix_socket);
  ~Connection() override;

  uint64_t id() const { return session_.id; }
  int fd() const { return fd_; }
  EventLoop& loop() { return loop_; }
  commands::Session& session() { return session_; }
  const commands::Session& session() const { return session_; }
  const std::string& addr() const { return addr_; }
  const std::string& laddr() const { return laddr_; }
  // Read by CLIENT LIST and CLIENT KILL from other threads.
  bool closing() const { return closing_.load(std::memory_order_relaxed); }

  void Start();
  // Closes now (from its own loop thread); the object is freed after the current batch.
  void Close();
  // Resumes processing input after a client pause ended.
  void Resume();
  // Blocking commands (commands/blocking.h), on this connection's loop thread: a serving thread
  // delivered the reply; a serving thread asks us to run the command again ourselves; the
  // deadline passed; the wait ended another way (CLIENT UNBLOCK) with this reply.
  void OnServed(const commands::BlockedClient* b, std::string_view reply);
  void OnRetry(const commands::BlockedClient* b);
  void OnBlockTimeout(const commands::BlockedClient* b);
  void EndBlock(const commands::BlockedClient* b, std::string_view reply);
  // Pub/Sub messages (and other pushes): from any thread; on another thread they travel
  // through the server's per-loop inbox (Server::PostMessage) and arrive in order.
  void Deliver(std::string_view frame) override;
  // On the own loop thread: appends a pushed frame to the output and flushes it after the
  // batch. A push to the client whose command is running waits until that command's reply is
  // complete (as Redis's pending_push_messages), so it never lands inside a reply.
  void Push(std::string_view frame);

  // Idle check for `timeout`: closes the connection if idle longer than max_idle_s.
  void CheckIdle(int64_t now_ms, int64_t max_idle_s);

  // CLIENT LIST figures, readable from any thread.
  int64_t query_buffer_bytes() const { return qbuf_.load(std::memory_order_relaxed); }
  int64_t output_bytes() const { return obuf_.load(std::memory_order_relaxed); }
  int64_t last_interaction_ms() const { return last_ms_.load(std::memory_order_relaxed); }
  int64_t created_ms() const { return created_ms_; }

  // ---- Bounded memory per client (server/client_limits.h) ----
  // CLIENT LIST's memory fields as last published (PublishMemory), readable from any thread.
  struct MemoryFigures {
    int64_t qbuf, qbuf_free, argv_mem, multi_mem, rbs, rbp, obl, oll, omem, tot_mem;
  };
  MemoryFigures memory_figures() const;
  int64_t total_memory() const { return mem_.tot_mem.load(std::memory_order_relaxed); }
  // Redis's class for output-buffer limits: pubsub while subscribed to anything, else normal.
  // On the own loop thread.
  ClientClass client_class() const {
    return total_count() > 0 ? ClientClass::kPubsub : ClientClass::kNormal;
  }
  // The loop's tick (Redis's clientsCron): soft limits of clients that get no traffic, the
  // reply-buffer peak's reset, and the published figures.
  void MemoryCron(int64_t now_ms);
  // Client eviction (maxmemory-clients): true for the one caller that marks it first.
  bool MarkEvicting() { return !evicting_.exchange(true, std::memory_order_relaxed); }
  bool evicting() const { return evicting_.load(std::memory_order_relaxed); }

 private:
  void OnEvents(uint32_t events);
  void ReadInput();
  void ProcessInput();
  bool HandleRequest();  // false: stop processing (paused or closing)
  void Flush();
  // Writes what the socket takes now, without closing or changing the epoll interest.
  void WriteSome();
  void UpdateInterest();
  void StartBlock();
  void ArmBlockTimer(int64_t at_ms);
  // Leaves the blocked state: unlinks the waiter, appends the reply, goes on with the input.
  void FinishBlock(std::string_view reply);
  bool blocked() const { return session_.blocked != nullptr; }
  bool OutputBacklogged() const;
  void ScheduleFlush();
  // Unsent output (out_ and pushes waiting for the running command's reply).
  int64_t PendingOutput() const {
    return static_cast<int64_t>(out_.size() - out_pos_ + pending_push_.size());
  }
  // Redis's getClientOutputBufferMemoryUsage: unsent output beyond the fixed reply buffer.
  int64_t OutputMemory() const {
    int64_t p = PendingOutput();
    return p > kFixedReplyBytes ? p - kFixedReplyBytes : 0;
  }
  // After output was appended: over the class's limits, the client is closed after the batch
  // (Redis's closeClientOnOutputBufferLimitReached with async) and true is returned.
  bool CheckOutputLimits(bool from_cron = false);
  // Recomputes the memory figures and this loop's client-memory sum.
  void PublishMemory();

  Server& server_;
  EventLoop& loop_;
  int fd_;
  std::string addr_, laddr_;
  commands::Session session_;
  protocol::RespParser parser_;
  IoBuffer in_;
  size_t in_pos_ = 0;  // start of the unconsumed input
  std::string out_;
  size_t out_pos_ = 0;  // start of the unsent output
  uint32_t interest_ = EPOLLIN;
  std::atomic<bool> closing_{false};
  // Inside the dispatcher: a script running for this client lets the loop handle other
  // clients' events meanwhile (EventLoop::PollOnce); this one's wait for the outer loop.
  bool executing_ = false;
  // Pushes that arrived while this client's own command ran; appended after its reply.
  std::string pending_push_;
  bool flush_scheduled_ = false;
  bool close_after_flush_ = false;
  bool paused_ = false;
  // Requests are held back (nothing run, nothing read) until the pending output drains.
  bool input_held_ = false;
  EventLoop::IoHandler handler_;
  int64_t created_ms_;
  std::atomic<int64_t> qbuf_{0}, obuf_{0}, last_ms_{0};
  // Output limits and memory accounting.
  bool close_asap_ = false;         // over its output limit: nothing more is run or written
  int64_t soft_limit_since_s_ = 0;  // Redis's obuf_soft_limit_reached_time
  int64_t mem_counted_ = 0;         // what this connection added to its loop's client-memory sum
  int64_t rbp_ = 0;                 // peak unsent output since the last reset (every 5 s)
  int64_t rbp_reset_ms_ = 0;
  size_t multi_counted_ = 0;  // MULTI queue entries summed into multi_bytes_
  int64_t multi_bytes_ = 0, multi_overhead_ = 0;
  std::atomic<bool> evicting_{false};
  struct PublishedMemory {
    std::atomic<int64_t> qbuf_free{0}, argv_mem{0}, multi_mem{0}, rbs{0}, rbp{0}, obl{0}, oll{0},
        omem{0}, tot_mem{0};
  } mem_;
};

}  // namespace weir::server
