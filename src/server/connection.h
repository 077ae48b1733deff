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

 private:
  void OnEvents(uint32_t events);
  void ReadInput();
  void ProcessInput();
  bool HandleRequest();  // false: stop processing (paused or closing)
  void Flush();
  void UpdateInterest();
  void StartBlock();
  void ArmBlockTimer(int64_t at_ms);
  // Leaves the blocked state: unlinks the waiter, appends the reply, goes on with the input.
  void FinishBlock(std::string_view reply);
  bool blocked() const { return session_.blocked != nullptr; }
  bool OutputBacklogged() const;
  void ScheduleFlush();

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
  bool in_process_ = false;
  // Requests are held back (nothing run, nothing read) until the pending output drains.
  bool input_held_ = false;
  EventLoop::IoHandler handler_;
  int64_t created_ms_;
  std::atomic<int64_t> qbuf_{0}, obuf_{0}, last_ms_{0};
};

}  // namespace weir::server
