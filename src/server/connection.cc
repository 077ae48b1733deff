// Reading requests, running them in order, writing replies. Replies to a pipelined batch are
// written with one write() after the batch, as Redis does before sleeping.
#include "server/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "commands/blocking.h"
#include "common/strings.h"
#include "engine/engine.h"
#include "server/log.h"
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
  server_.client_limits().AddClientMemory(loop_.index(), -mem_counted_);
  mem_counted_ = 0;
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
      server_.client_limits().CountQueryLimitDisconnection();
      Close();
      return;
    }
    last_ms_.store(engine::NowMs(), std::memory_order_relaxed);
    ProcessInput();
    if (static_cast<size_t>(n) < want || paused_ || input_held_ || close_asap_) break;
  }
  if (!closing_) Flush();
}

void Connection::ProcessInput() {
  while (!closing_ && !close_after_flush_ && !close_asap_ && !paused_ && !blocked() &&
         in_pos_ < in_.size()) {
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
  PublishMemory();
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
    // CLIENT LIST run by this client sees its own request in qbuf and argv-mem, as in Redis.
    int64_t argv_mem = 0;
    for (std::string_view a : parser_.args()) argv_mem += static_cast<int64_t>(a.size());
    mem_.argv_mem.store(argv_mem, std::memory_order_relaxed);
    qbuf_.store(static_cast<int64_t>(in_.size() - in_pos_), std::memory_order_relaxed);
    executing_ = true;
    auto outcome = server_.dispatcher().Execute(session_, parser_.args(), reply);
    executing_ = false;
    mem_.argv_mem.store(0, std::memory_order_relaxed);
    set_resp(session_.resp);
    if (outcome != commands::Dispatcher::Outcome::kDone && !pending_push_.empty()) {
      // Nothing was replied (paused, or blocked until served): the pushes need not wait.
      out_.append(pending_push_);
      pending_push_.clear();
      ScheduleFlush();
    }
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
  // Redis checks the limits as each reply is appended, before anything is written: a client
  // over them gets nothing more (not even this reply) and is closed after the batch.
  if (OutputMemory() > 0 && CheckOutputLimits()) return false;
  // Don't let a deep pipeline build an unbounded reply: flush every 64 KiB. Not while the
  // client's class has an output limit: as in Redis, the replies to one read then pile up until
  // the batch ends (bounded by the back-pressure above), so the limit sees what Redis's sees.
  if (out_.size() - out_pos_ > 64 * 1024 &&
      !server_.client_limits().output_limit(client_class()).any()) {
    Flush();
  }
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
    if (OutputMemory() > 0 && CheckOutputLimits()) return;
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
  // A client over its output limit is written nothing more (Redis's CLIENT_CLOSE_ASAP).
  if (close_asap_) return;
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
  PublishMemory();
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
  if (closing_ || close_asap_) return;
  if (executing_) {
    pending_push_.append(frame);
  } else {
    out_.append(frame);
  }
  // Messages from other threads arrive by the hundred in one drain of the loop's inbox: write
  // as they pile up, so a subscriber that reads is not charged for the loop's own backlog.
  if (!executing_ && out_.size() - out_pos_ > 64 * 1024) WriteSome();
  // This may run under the broker's lock (Deliver): CheckOutputLimits only schedules the close.
  if (OutputMemory() > 0 && CheckOutputLimits()) return;
  if (!executing_) ScheduleFlush();
}

void Connection::WriteSome() {
  // Never closes (this may run under the broker's lock): an error is left to the next Flush.
  while (out_pos_ < out_.size()) {
    ssize_t n = write(fd_, out_.data() + out_pos_, out_.size() - out_pos_);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    server_.CountOutput(n);
    out_pos_ += static_cast<size_t>(n);
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ > 256 * 1024) {
    out_.erase(0, out_pos_);
    out_pos_ = 0;
  }
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

namespace weir::server {

// ---- Bounded memory per client ----

bool Connection::CheckOutputLimits(bool from_cron) {
  if (closing_ || close_asap_) return close_asap_;
  OutputLimit limit = server_.client_limits().output_limit(client_class());
  if (!limit.any()) {
    soft_limit_since_s_ = 0;
    return false;
  }
  if (!OverOutputLimit(limit, OutputMemory(), engine::NowMs() / 1000, &soft_limit_since_s_)) {
    return false;
  }
  // Nothing more is run for it or written to it; the close waits for the end of the batch, as
  // this may run inside a Push under the broker's lock or inside a command.
  close_asap_ = true;
  server_.client_limits().CountOutputLimitDisconnection();
  PublishMemory();
  std::string line = server_.DescribeClient(*this);
  Log(LogLevel::kWarning,
      from_cron ? StrCat("Client ", line, " closed for overcoming of output buffer limits.")
                : StrCat("Client ", line,
                         " scheduled to be closed ASAP for overcoming of output buffer limits."));
  loop_.AfterBatch([this] { Close(); });
  return true;
}

void Connection::MemoryCron(int64_t now_ms) {
  if (closing_ || close_asap_) return;
  // Soft limits are also enforced while no traffic arrives (Redis's clientsCron).
  if (OutputMemory() > 0 && CheckOutputLimits(true)) return;
  if (now_ms - rbp_reset_ms_ >= 5000) {
    rbp_reset_ms_ = now_ms;
    rbp_ = PendingOutput();
  }
  PublishMemory();
}

void Connection::PublishMemory() {
  auto heap = [](const std::string& s) -> int64_t {
    return s.capacity() > 15 ? static_cast<int64_t>(s.capacity()) : 0;  // beyond the SSO
  };
  int64_t pending = PendingOutput();
  if (pending > rbp_) rbp_ = pending;
  int64_t obl = std::min(pending, kFixedReplyBytes);
  int64_t omem = pending - obl;
  // MULTI's queue only grows until EXEC/DISCARD empties it: sum what was added since last time.
  const auto& queued = session_.queued;
  if (queued.size() < multi_counted_) multi_counted_ = multi_bytes_ = multi_overhead_ = 0;
  for (; multi_counted_ < queued.size(); ++multi_counted_) {
    const auto& cmd = queued[multi_counted_];
    for (const auto& a : cmd) multi_bytes_ += static_cast<int64_t>(a.size());
    multi_overhead_ += static_cast<int64_t>(sizeof(std::string) * cmd.size());
    multi_overhead_ += static_cast<int64_t>(sizeof(cmd));
  }
  // The running command's arguments are views into the input buffer, so argv-mem is part of
  // the input buffer's capacity, not added again.
  int64_t tot = static_cast<int64_t>(sizeof(Connection)) + static_cast<int64_t>(in_.capacity()) +
                heap(out_) + heap(pending_push_) + multi_bytes_ + multi_overhead_;
  mem_.qbuf_free.store(static_cast<int64_t>(in_.capacity() - in_.size()),
                       std::memory_order_relaxed);
  mem_.multi_mem.store(multi_bytes_, std::memory_order_relaxed);
  mem_.rbs.store(static_cast<int64_t>(out_.capacity()), std::memory_order_relaxed);
  mem_.rbp.store(rbp_, std::memory_order_relaxed);
  mem_.obl.store(obl, std::memory_order_relaxed);
  mem_.oll.store((omem + kFixedReplyBytes - 1) / kFixedReplyBytes, std::memory_order_relaxed);
  mem_.omem.store(omem, std::memory_order_relaxed);
  mem_.tot_mem.store(tot, std::memory_order_relaxed);
  if (tot != mem_counted_ && !closing_) {
    server_.client_limits().AddClientMemory(loop_.index(), tot - mem_counted_);
    mem_counted_ = tot;
  }
}

Connection::MemoryFigures Connection::memory_figures() const {
  auto ld = [](const std::atomic<int64_t>& a) { return a.load(std::memory_order_relaxed); };
  return {query_buffer_bytes(), ld(mem_.qbuf_free), ld(mem_.argv_mem), ld(mem_.multi_mem),
          ld(mem_.rbs),         ld(mem_.rbp),       ld(mem_.obl),      ld(mem_.oll),
          ld(mem_.omem),        ld(mem_.tot_mem)};
}

}  // namespace weir::server
