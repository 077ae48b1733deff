// Reading requests, running them in order, writing replies. Replies to a pipelined batch are
// written with one write() after the batch, as Redis does before sleeping.
#include "server/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "commands/blocking.h"
#include "engine/engine.h"
#include "server/server.h"

namespace weir::server {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
// Back-pressure: while more than this many reply bytes wait for the client's socket, the
// connection runs no further requests and reads nothing, so a client that pipelines without
// reading its replies waits for its own socket instead of growing the server. One reply may
// still exceed it (a single GET of a big value); the bound is on what piles up behind it.
constexpr size_t kMaxPendingOutput = 1024 * 1024;
}  // namespace

Connection::Connection(Server& server, EventLoop& loop, int fd, uint64_t id, std::string addr,
                       std::string laddr, bool unix_socket)
    : pubsub::Subscriber(id, loop.index()),
      server_(server),
      loop_(loop),
      fd_(fd),
      addr_(std::move(addr)),
      laddr_(std::move(laddr)),
      created_ms_(engine::NowMs()) {
  session_.id = id;
  session_.loop = loop.index();
  session_.authenticated = !server.auth_required();
  session_.created_ms = created_ms_;
  session_.subscriber = this;
  session_.peer_id = unix_socket ? "unix:" + laddr_ : addr_;
  last_ms_ = created_ms_;
  handler_ = [this](uint32_t events) { OnEvents(events); };
}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

void Connection::Start() {
  server_.Register(this);
  loop_.Add(fd_, EPOLLIN, &handler_);
}

void Connection::Close() {
  if (closing_) return;
  closing_ = true;
  if (paused_) server_.CountBlocked(-1);
  if (blocked()) {
    // If a serving thread claimed the waiter first, its reply finds us gone and is dropped,
    // as a reply to a client that disconnected.
    session_.blocked->TryCancel();
    commands::UnlinkBlocked(server_.engine(), *session_.blocked);
    server_.RemoveBlocked(session_.blocked.get());
    session_.blocked.reset();
    server_.CountBlocked(-1);
  }
  server_.dispatcher().broker().UnsubscribeAll(this);
  if (session_.tracking != 0) server_.dispatcher().tracker().Disable(id());
  if (session_.monitor) server_.dispatcher().monitors().Remove(this);
  loop_.Remove(fd_);
  server_.Unregister(this);
  loop_.AfterBatch([this] { delete this; });
}

void Connection::OnEvents(uint32_t events) {
  if (closing_ || executing_) return;
  if (events & EPOLLOUT) {
    Flush();
    if (closing_) return;
    // The client read enough of its replies: run the requests held back meanwhile.
    if (input_held_ && !OutputBacklogged()) {
      input_held_ = false;
      ProcessInput();
      if (closing_) return;
      Flush();
      if (closing_) return;
    }
  }
  // A blocked client reads nothing; only a hang-up is watched for, to drop it at once.
  if (blocked() && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    Close();
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ReadInput();
}

void Connection::ReadInput() {
  if (paused_ || blocked() || input_held_) return;
  // Keep reading while the kernel has data, but bound the work per event for fairness.
  for (int round = 0; round < 4 && !closing_; ++round) {
    size_t pending = parser_.BulkBytesPending(in_.view(in_pos_));
    size_t want = pending > kReadChunk ? pending : kReadChunk;
    char* dst = in_.PrepareWrite(want);
    ssize_t n = read(fd_, dst, want);
    if (n <= 0) {
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      Close();
      return;
    }
    in_.CommitWrite(static_cast<size_t>(n));
    server_.CountInput(n);
    // As Redis, checked after each read and before parsing: a client whose unprocessed input
    // outgrows client-query-buffer-limit is closed.
    if (static_cast<int64_t>(in_.size() - in_pos_) > server_.max_query_buffer()) {
      Close();
      return;
    }
    last_ms_.store(engine::NowMs(), std::memory_order_relaxed);
    ProcessInput();
    if (static_cast<size_t>(n) < want || paused_ || input_held_) break;
  }
  if (!closing_) Flush();
}

void Connection::ProcessInput() {
  while (!closing_ && !close_after_flush_ && !paused_ && !blocked() && in_pos_ < in_.size()) {
    if (OutputBacklogged()) {
      input_held_ = true;
      break;
    }
    if (!HandleRequest()) break;
  }
  // Drop consumed input; keep the unconsumed tail at the front for the parser.
  if (in_pos_ > 0) {
    in_.Consume(in_pos_);
    in_pos_ = 0;
  }
  in_.ShrinkIfIdle(kReadChunk);
  qbuf_.store(static_cast<int64_t>(in_.size()), std::memory_order_relaxed);
}

bool Connection::HandleRequest() {
  std::string_view input = in_.view(in_pos_);
  protocol::RespParser::Limits limits;
  limits.max_bulk_len = server_.max_bulk_len();
  limits.unauthenticated = !session_.authenticated;
  parser_.set_limits(limits);
  auto status = parser_.Parse(input);
  if (status == protocol::RespParser::Status::kIncomplete) return false;
  if (status == protocol::RespParser::Status::kError) {
    out_.push_back('-');
    out_.append(parser_.error());
    out_.append("\r\n");
    server_.dispatcher().CountError(parser_.error());
    close_after_flush_ = true;
    return false;
  }
  if (!parser_.args().empty()) {
    size_t mark = out_.size();
    if (session_.reply_mode == commands::Session::ReplyMode::kSkipNext) {
      session_.reply_mode = commands::Session::ReplyMode::kSkipThis;
    }
    protocol::ReplyBuilder reply(&out_);
    reply.set_resp3(session_.resp == 3);
    session_.push_reply = false;
    executing_ = true;
    auto outcome = server_.dispatcher().Execute(session_, parser_.args(), reply);
    executing_ = false;
    set_resp(session_.resp);
    if (outcome == commands::Dispatcher::Outcome::kPaused) {
      // Leave the request unconsumed; the server resumes us when the pause ends.
      paused_ = true;
      server_.CountBlocked(1);
      UpdateInterest();
      return false;
    }
    if (outcome == commands::Dispatcher::Outcome::kBlocked) {
      in_pos_ += parser_.consumed();
      parser_.Reset();
      StartBlock();
      return false;
    }
    using RM = commands::Session::ReplyMode;
    if (session_.reply_mode == RM::kOff) {
      if (!session_.push_reply) out_.resize(mark);
    } else if (session_.reply_mode == RM::kSkipThis) {
      if (!session_.push_reply) out_.resize(mark);
      session_.reply_mode = RM::kOn;
    }
    if (!pending_push_.empty()) {
      out_.append(pending_push_);
      pending_push_.clear();
    }
    if (session_.close_after_reply) close_after_flush_ = true;
  }
  in_pos_ += parser_.consumed();
  parser_.Reset();
  // Clients on this loop that the command served (BLPOP, XREADGROUP...) get their replies now.
  loop_.RunLocal();
  // Don't let a deep pipeline build an unbounded reply: flush every 64 KiB.
  if (out_.size() - out_pos_ > 64 * 1024) Flush();
  return !closing_;
}

void Connection::Resume() {
  if (closing_ || !paused_) return;
  paused_ = false;
  server_.CountBlocked(-1);
  UpdateInterest();
  ProcessInput();
  if (!closing_) {
    Flush();
    if (!closing_ && !paused_) ReadInput();
  }
}

void Connection::StartBlock() {
  server_.CountBlocked(1);
  server_.AddBlocked(session_.blocked);
  if (session_.blocked->deadline_ms > 0) ArmBlockTimer(session_.blocked->deadline_ms);
  UpdateInterest();
}

void Connection::ArmBlockTimer(int64_t at_ms) {
  std::weak_ptr<commands::BlockedClient> weak = session_.blocked;
  Server* server = &server_;
  uint64_t id = session_.id;
  loop_.AddTimer(at_ms, [server, id, weak] {
    auto b = weak.lock();
    if (b == nullptr) return;
    if (Connection* c = server->FindClient(id)) c->OnBlockTimeout(b.get());
  });
}

void Connection::FinishBlock(std::string_view reply) {
  commands::UnlinkBlocked(server_.engine(), *session_.blocked);
  server_.RemoveBlocked(session_.blocked.get());
  session_.blocked.reset();
  server_.CountBlocked(-1);
  using RM = commands::Session::ReplyMode;
  if (session_.reply_mode == RM::kOn) {
    out_.append(reply);
  } else if (session_.reply_mode == RM::kSkipThis) {
    session_.reply_mode = RM::kOn;
  }
  if (session_.close_after_reply) close_after_flush_ = true;
  last_ms_.store(engine::NowMs(), std::memory_order_relaxed);
  UpdateInterest();
  ProcessInput();
  if (closing_) return;
  Flush();
  if (!closing_ && !paused_ && !blocked()) ReadInput();
}

void Connection::OnServed(const commands::BlockedClient* b, std::string_view reply) {
  if (closing_ || session_.blocked.get() != b) return;
  FinishBlock(reply);
}

void Connection::OnRetry(const commands::BlockedClient* b) {
  if (closing_ || session_.blocked.get() != b) return;
  std::string out;
  if (server_.dispatcher().RetryBlocked(*session_.blocked, &out)) FinishBlock(out);
}

void Connection::OnBlockTimeout(const commands::BlockedClient* b) {
  if (closing_ || session_.blocked.get() != b) return;
  if (!session_.blocked->TryCancel()) {
    // A serving thread holds the waiter right now: it either replies, or lets go and leaves it
    // waiting, so look again shortly.
    ArmBlockTimer(engine::NowMs() + 1);
    return;
  }
  server_.dispatcher().CountUnblocked(*session_.blocked, false);
  std::string out = session_.blocked->timeout_reply;
  if (out.empty()) {
    protocol::ReplyBuilder reply(&out);
    reply.set_resp3(session_.resp == 3);
    reply.NullArray();
  }
  FinishBlock(out);
}

void Connection::EndBlock(const commands::BlockedClient* b, std::string_view reply) {
  if (closing_ || session_.blocked.get() != b) return;
  FinishBlock(reply);
}

void Connection::Flush() {
  while (out_pos_ < out_.size()) {
    ssize_t n = write(fd_, out_.data() + out_pos_, out_.size() - out_pos_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      Close();
      return;
    }
    server_.CountOutput(n);
    out_pos_ += static_cast<size_t>(n);
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    if (out_.capacity() > 1024 * 1024) out_.shrink_to_fit();
    if (close_after_flush_) {
      Close();
      return;
    }
  }
  obuf_.store(static_cast<int64_t>(out_.size() - out_pos_), std::memory_order_relaxed);
  UpdateInterest();
}

void Connection::Deliver(std::string_view frame) {
  if (loop_.on_loop_thread()) {
    // Messages another thread queued for this loop earlier come first (a key's events from
    // two threads stay in the order of its writes).
    server_.DrainMessages(loop_.index());
    Push(frame);
  } else {
    server_.PostMessage(loop_.index(), id(), frame);
  }
}

void Connection::Push(std::string_view frame) {
  if (closing_) return;
  if (executing_) {
    pending_push_.append(frame);
    return;
  }
  out_.append(frame);
  ScheduleFlush();
}

void Connection::ScheduleFlush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  loop_.AfterBatch([this] {
    flush_scheduled_ = false;
    if (!closing_) Flush();
  });
}

bool Connection::OutputBacklogged() const { return out_.size() - out_pos_ > kMaxPendingOutput; }

void Connection::UpdateInterest() {
  // A paused connection, or one whose input is held back until its replies drain, stops
  // reading (level-triggered EPOLLIN would otherwise spin).
  uint32_t events = 0;
  if (blocked()) {
    events |= EPOLLRDHUP;
  } else if (!paused_ && !input_held_) {
    events |= EPOLLIN;
  }
  // Held input waits for EPOLLOUT even once the output is gone: a writable socket then wakes
  // us at once to run it (nothing else would, as the client may have sent everything).
  if (out_pos_ < out_.size() || input_held_) events |= EPOLLOUT;
  if (events == interest_) return;
  interest_ = events;
  loop_.Modify(fd_, events, &handler_);
}

void Connection::CheckIdle(int64_t now_ms, int64_t max_idle_s) {
  // As Redis, a blocked client is not idle: its own deadline (if any) ends the wait.
  if (closing_ || max_idle_s <= 0 || session_.in_multi || blocked()) return;
  if (now_ms - last_ms_.load(std::memory_order_relaxed) > max_idle_s * 1000) Close();
}

}  // namespace weir::server
