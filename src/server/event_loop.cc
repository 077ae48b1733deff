// epoll loop with an eventfd mailbox and a periodic tick.
#include "server/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace weir::server {

namespace {
int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

EventLoop::EventLoop(int index) : index_(index) {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  wakefd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ < 0 || wakefd_ < 0) throw std::runtime_error("epoll/eventfd failed");
  wake_handler_ = [this](uint32_t) {
    uint64_t v;
    while (read(wakefd_, &v, sizeof(v)) > 0) {
    }
    DrainMailbox();
  };
  Add(wakefd_, EPOLLIN, &wake_handler_);
}

EventLoop::~EventLoop() {
  DrainMailbox();
  RunAfterBatch();
  close(wakefd_);
  close(epfd_);
}

void EventLoop::Add(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
}

void EventLoop::Modify(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::Remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::Post(std::function<void()> fn) {
  // From the loop itself (a command on this loop serving a client blocked on it): no lock and
  // no eventfd write.
  if (on_loop_thread()) {
    local_.push_back(std::move(fn));
    return;
  }
  {
    std::lock_guard lock(mailbox_mu_);
    mailbox_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  (void)!write(wakefd_, &one, sizeof(one));
}

void EventLoop::DrainMailbox() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(mailbox_mu_);
    tasks.swap(mailbox_);
  }
  for (auto& t : tasks) t();
}

void EventLoop::Run() {
  thread_id_ = std::this_thread::get_id();
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  int64_t next_tick = MonotonicMs() + tick_interval_ms_;
  while (!stop_.load(std::memory_order_relaxed)) {
    int64_t now = MonotonicMs();
    int64_t timeout = next_tick > now ? next_tick - now : 0;
    if (!timers_.empty()) {
      int64_t until_timer = timers_.begin()->first - WallMs();
      timeout = std::max<int64_t>(0, std::min(timeout, until_timer));
    }
    int n = epoll_wait(epfd_, events, kMaxEvents, static_cast<int>(timeout));
    for (int i = 0; i < n; ++i) {
      auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
      (*handler)(events[i].events);
    }
    RunAfterBatch();
    if (!timers_.empty()) RunDueTimers();
    now = MonotonicMs();
    if (now >= next_tick) {
      if (tick_) tick_();
      next_tick = now + tick_interval_ms_;
      RunAfterBatch();
    }
  }
  DrainMailbox();
  RunAfterBatch();
}

void EventLoop::PollOnce() {
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  int n = epoll_wait(epfd_, events, kMaxEvents, 0);
  for (int i = 0; i < n; ++i) {
    auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
    (*handler)(events[i].events);
  }
}

void EventLoop::RunDueTimers() {
  int64_t now = WallMs();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    auto fn = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    fn();
  }
  RunAfterBatch();
}

void EventLoop::RunLocal() {
  while (!local_.empty()) {
    std::vector<std::function<void()>> fns;
    fns.swap(local_);
    for (auto& fn : fns) fn();
  }
}

void EventLoop::RunAfterBatch() {
  RunLocal();
  while (!after_batch_.empty()) {
    std::vector<std::function<void()>> fns;
    fns.swap(after_batch_);
    for (auto& fn : fns) fn();
    RunLocal();
  }
}

void EventLoop::Stop() {
  stop_.store(true);
  uint64_t one = 1;
  (void)!write(wakefd_, &one, sizeof(one));
}

}  // namespace weir::server
