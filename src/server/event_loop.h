// One event-loop thread: epoll over its sockets, an eventfd mailbox other threads post tasks
// to, and a periodic tick (Redis's serverCron, at `hz`).
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace weir::server {

class EventLoop {
 public:
  // Called with the epoll events for a registered fd.
  using IoHandler = std::function<void(uint32_t events)>;

  explicit EventLoop(int index);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  int index() const { return index_; }

  void Add(int fd, uint32_t events, IoHandler* handler);
  void Modify(int fd, uint32_t events, IoHandler* handler);
  void Remove(int fd);

  // Thread-safe: runs fn on this loop's thread soon. From the loop's own thread it is queued
  // locally and runs at the next RunLocal (at the latest after the current batch).
  void Post(std::function<void()> fn);
  // Runs what this loop posted to itself. A connection calls it after each command, once the
  // command's locks are released, so a client that command served gets its reply at once.
  void RunLocal();
  // One non-blocking pass over the ready events, from inside a handler (a script past
  // busy-reply-threshold lets the loop's other clients in). Timers and after-batch work wait
  // for the outer loop.
  void PollOnce();
  // The periodic tick; interval in ms may be changed from the loop's own thread.
  void SetTick(std::function<void()> fn) { tick_ = std::move(fn); }
  void set_tick_interval_ms(int ms) { tick_interval_ms_ = ms; }

  // Runs fn on this loop's thread once the wall clock (engine::NowMs) reaches at_ms. Called
  // from the loop's own thread. Timers are not cancelled: fn checks whether it still matters.
  void AddTimer(int64_t at_ms, std::function<void()> fn) { timers_.emplace(at_ms, std::move(fn)); }

  // Runs fn after the current batch of events: objects whose handlers may still be pending in
  // this batch (a closed connection) are destroyed through here.
  void AfterBatch(std::function<void()> fn) { after_batch_.push_back(std::move(fn)); }

  // Runs on the calling thread until Stop().
  void Run();
  void Stop();
  bool on_loop_thread() const { return std::this_thread::get_id() == thread_id_; }

 private:
  void DrainMailbox();
  void RunAfterBatch();
  void RunDueTimers();

  int index_;
  int epfd_;
  int wakefd_;
  IoHandler wake_handler_;
  std::atomic<bool> stop_{false};
  std::mutex mailbox_mu_;
  std::vector<std::function<void()>> mailbox_;
  std::vector<std::function<void()>> after_batch_;
  std::vector<std::function<void()>> local_;
  std::multimap<int64_t, std::function<void()>> timers_;
  std::function<void()> tick_;
  int tick_interval_ms_ = 100;
  std::thread::id thread_id_;
};

}  // namespace weir::server
