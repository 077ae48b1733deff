// Threads, listeners, the client registry and the server-owned INFO sections.
#include "server/server.h"

#include <absl/strings/str_format.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include "commands/blocking.h"
#include "commands/transactions.h"
#include "common/glob.h"
#include "common/keyspace_events.h"
#include "common/memory.h"
#include "common/strings.h"
#include "protocol/errors.h"
#include "server/connection.h"
#include "server/log.h"

namespace weir::server {

namespace {

int RoundUpPow2(int v) {
  int p = 1;
  while (p < v) p <<= 1;
  return p;
}

std::string SockAddrToString(const sockaddr_storage& sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
    return StrCat(host, ":", port);
  }
  if (sa.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
    return StrCat(host, ":", port);
  }
  return "";
}

std::string RandomHex(int n) {
  std::random_device rd;
  std::string s;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < n; ++i) s.push_back(hex[rd() % 16]);
  return s;
}

}  // namespace

Server::Server(Config& config) : config_(config) {
  int threads = static_cast<int>(config_.Int("threads"));
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  // Several shards per thread keep lock contention low; a power of two keeps routing a mask.
  int shards = std::max(16, RoundUpPow2(threads * 16));
  engine_ = std::make_unique<engine::Engine>(shards, static_cast<int>(config_.Int("databases")));
  registry_ = std::make_unique<commands::CommandRegistry>();
  commands::RegisterAllCommands(*registry_);
  dispatcher_ = std::make_unique<commands::Dispatcher>(*registry_, *this);
  for (int i = 0; i < threads; ++i) {
    loops_.push_back(std::make_unique<EventLoop>(i));
    inboxes_.push_back(std::make_unique<Inbox>());
  }
  client_limits_ = std::make_unique<ClientLimits>(threads);
  client_limits_->LoadOutputLimits(config_.String("client-output-buffer-limit"));
  // BCAST invalidations are sent once per event-loop batch of the writing thread.
  dispatcher_->tracker().SetBatchScheduler([this](std::function<void()> fn) {
    for (auto& l : loops_) {
      if (l->on_loop_thread()) {
        l->AfterBatch(std::move(fn));
        return true;
      }
    }
    return false;
  });
  query_buffer_limit_ = &config_.Numeric("client-query-buffer-limit");
  max_bulk_len_ = &config_.Numeric("proto-max-bulk-len");
  start_ms_ = engine::NowMs();
  last_save_ = start_ms_ / 1000;
  run_id_ = RandomHex(40);
  config_.OnChange([this](std::string_view name) { ConfigChanged(name); });
  ConfigChanged("maxmemory-policy");
  ConfigChanged("notify-keyspace-events");
}

Server::~Server() {
  for (auto& l : listeners_) close(l->fd);
}

bool Server::auth_required() const { return !config_.String("requirepass").empty(); }

bool Server::Listen(const std::string& addr_in, int port, int loop_index, std::string* err) {
  bool optional = !addr_in.empty() && addr_in[0] == '-';
  std::string addr = optional ? addr_in.substr(1) : addr_in;
  if (addr == "*") addr = "0.0.0.0";
  if (addr == "::*") addr = "::";
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  std::string port_s = std::to_string(port);
  if (getaddrinfo(addr.c_str(), port_s.c_str(), &hints, &res) != 0 || res == nullptr) {
    if (optional) return true;
    *err = StrCat("Invalid bind address '", addr, "'");
    return false;
  }
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  // One listening socket per loop on the same port: the kernel spreads connections.
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (res->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  int rc = bind(fd, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0 || listen(fd, static_cast<int>(config_.Int("tcp-backlog"))) != 0) {
    int e = errno;
    close(fd);
    if (optional && (e == EADDRNOTAVAIL || e == EAFNOSUPPORT || e == EPROTONOSUPPORT)) return true;
    *err = StrCat("Warning: Could not create server TCP listening socket ", addr, ":", port, ": ",
                  strerror(e));
    return false;
  }
  auto l = std::make_unique<Listener>();
  l->fd = fd;
  l->unix_socket = false;
  EventLoop& loop = *loops_[loop_index];
  Listener* raw = l.get();
  l->handler = [this, raw, &loop](uint32_t) { Accept(*raw, loop); };
  loop.Add(fd, EPOLLIN, &l->handler);
  listeners_.push_back(std::move(l));
  return true;
}

bool Server::ListenUnix(const std::string& path, std::string* err) {
  unlink(path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  strncpy(sa.sun_path, path.c_str(), sizeof(sa.sun_path) - 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(fd, 511) != 0) {
    *err = StrCat("Failed opening Unix socket: ", strerror(errno));
    close(fd);
    return false;
  }
  int64_t perm = config_.Int("unixsocketperm");
  if (perm != 0) chmod(path.c_str(), static_cast<mode_t>(perm));
  unix_path_ = path;
  auto l = std::make_unique<Listener>();
  l->fd = fd;
  l->unix_socket = true;
  EventLoop& loop = *loops_[0];
  Listener* raw = l.get();
  l->handler = [this, raw, &loop](uint32_t) { Accept(*raw, loop); };
  loop.Add(fd, EPOLLIN, &l->handler);
  listeners_.push_back(std::move(l));
  return true;
}

bool Server::Init(std::string* err) {
  for (const auto& [from, to] : config_.RenamedCommands()) {
    if (!registry_->Rename(from, to)) {
      *err = StrCat("No such command in rename-command: '", from, "'");
      return false;
    }
  }
  // Enough descriptors for maxclients plus our own, as Redis's adjustOpenFilesLimit.
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rlim_t want = static_cast<rlim_t>(config_.Int("maxclients")) + 64;
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min(want, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  port_ = static_cast<int>(config_.Int("port"));
  if (port_ != 0) {
    std::string bind = config_.String("bind");
    std::vector<std::string> addrs;
    for (auto a : SplitNonEmpty(bind, ' ')) addrs.emplace_back(a);
    if (addrs.empty()) addrs = {"*", "-::*"};
    for (int i = 0; i < static_cast<int>(loops_.size()); ++i) {
      for (const auto& a : addrs) {
        if (!Listen(a, port_, i, err)) return false;
      }
    }
  }
  std::string unix_path = config_.String("unixsocket");
  if (!unix_path.empty() && !ListenUnix(unix_path, err)) return false;
  for (auto& loop : loops_) {
    EventLoop* lp = loop.get();
    lp->SetTick([this, lp] { Tick(*lp); });
    int hz = static_cast<int>(config_.Int("hz"));
    lp->set_tick_interval_ms(1000 / std::clamp(hz, 1, 500));
  }
  return true;
}

void Server::Accept(Listener& l, EventLoop& loop) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage peer{};
    socklen_t len = sizeof(peer);
    int fd = accept4(l.fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (connected_.load() >= config_.Int("maxclients")) {
      std::string reply = StrCat("-", protocol::errors::kMaxClients, "\r\n");
      (void)!write(fd, reply.data(), reply.size());
      close(fd);
      rejected_connections_.fetch_add(1);
      continue;
    }
    std::string addr, laddr;
    if (l.unix_socket) {
      addr = "/unixsocket";
      laddr = unix_path_;
    } else {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      int64_t keepalive = config_.Int("tcp-keepalive");
      if (keepalive > 0) {
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        int idle = static_cast<int>(keepalive);
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
      }
      addr = SockAddrToString(peer);
      sockaddr_storage local{};
      socklen_t llen = sizeof(local);
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
      laddr = SockAddrToString(local);
    }
    auto* c = new Connection(*this, loop, fd, NextClientId(), std::move(addr), std::move(laddr),
                             l.unix_socket);
    c->Start();
  }
}

void Server::Register(Connection* c) {
  inboxes_[c->loop().index()]->clients[c->id()] = c;
  std::lock_guard lock(clients_mu_);
  clients_[c->id()] = c;
  connected_.fetch_add(1);
  total_connections_.fetch_add(1);
}

void Server::Unregister(Connection* c) {
  commands::UnwatchAll(*engine_, c->session());
  inboxes_[c->loop().index()]->clients.erase(c->id());
  std::lock_guard lock(clients_mu_);
  clients_.erase(c->id());
  connected_.fetch_sub(1);
}

void Server::Tick(EventLoop& loop) {
  if (dispatcher_->cron_paused()) return;  // DEBUG PAUSE-CRON 1
  int64_t now = engine::NowMs();
  int hz = static_cast<int>(std::clamp<int64_t>(config_.Int("hz"), 1, 500));
  int effort = static_cast<int>(std::clamp<int64_t>(config_.Int("active-expire-effort"), 1, 10));
  // Active expiry gets at most 25% of a tick (+ effort), as Redis's slow cycle.
  int64_t budget_us = 1000000LL * (25 + 2 * (effort - 1)) / 100 / hz;
  if (engine_->active_expire_enabled()) {
    engine_->ActiveExpireCycle(loop.index(), static_cast<int>(loops_.size()),
                               engine::NowUs() + budget_us, effort);
    // An expired stream ends the XREADGROUP waits on it (they reply NOGROUP), as in Redis.
    commands::ServePendingReadyKeys(*dispatcher_);
  }
  if (loop.index() == 0) {
    mem::SamplePeak();
    dispatcher_->LimitTrackingTable();
  }

  int64_t idle = config_.Int("timeout");
  bool pause_over = now >= dispatcher_->pause_end_ms();
  std::vector<Connection*> mine;
  {
    std::lock_guard lock(clients_mu_);
    for (auto& [id, c] : clients_) {
      if (&c->loop() == &loop) mine.push_back(c);
    }
  }
  for (Connection* c : mine) {
    if (idle > 0) c->CheckIdle(now, idle);
    if (pause_over) c->Resume();
    c->MemoryCron(now);
  }
  if (loop.index() == 0) EvictClients();
}

int Server::Run() {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < loops_.size(); ++i) {
    threads.emplace_back([this, i] { loops_[i]->Run(); });
  }
  // Redis prints its logo (with the port and pid) when always-show-logo is set, and a one-line
  // summary otherwise; tools that start it (the Redis test suite) wait for " PID: <pid>".
  if (config_.Bool("always-show-logo")) {
    Log(LogLevel::kNotice, StrCat("Weir ", WEIR_VERSION, " (Redis 7.2.6 compatible) 64 bit\n",
                                  "    Running in standalone mode\n", "    Port: ", port_, "\n",
                                  "    PID: ", getpid(), "\n"));
  } else {
    Log(LogLevel::kNotice, StrCat("Running mode=standalone, port=", port_, "."));
  }
  Log(LogLevel::kNotice, StrCat("Server initialized with ", loops_.size(), " threads and ",
                                engine_->num_shards(), " shards"));
  Log(LogLevel::kNotice, "Ready to accept connections tcp");
  loops_[0]->Run();
  for (auto& l : loops_) l->Stop();
  for (auto& t : threads) t.join();
  // Close what is left, on this thread: the loops no longer run.
  std::vector<Connection*> left;
  {
    std::lock_guard lock(clients_mu_);
    for (auto& [id, c] : clients_) left.push_back(c);
  }
  for (Connection* c : left) {
    c->Close();
  }
  if (!unix_path_.empty()) unlink(unix_path_.c_str());
  Log(LogLevel::kWarning, "Weir is now ready to exit, bye bye...");
  return 0;
}

void Server::RequestStop() {
  stopping_.store(true);
  loops_[0]->Stop();
}

// ---- CLIENT ----

std::string Server::ClientLine(const Connection& c) {
  const commands::Session& s = c.session();
  int64_t now = engine::NowMs();
  uint32_t f = s.shown_flags.load(std::memory_order_relaxed);
  std::string flags;
  if (f & commands::Session::kShowMonitor) flags += 'O';
  if (f & commands::Session::kShowMulti) flags += 'x';
  {
    std::lock_guard lock(blocked_mu_);
    if (blocked_.contains(s.id)) flags += 'b';
  }
  pubsub::Tracker::ClientInfo tracking;
  bool tracks = dispatcher_->tracker().Info(s.id, &tracking);
  if (tracks) flags += 't';
  if (tracks && (tracking.flags & pubsub::kTrackingBrokenRedir)) flags += 'R';
  if (tracks && (tracking.flags & pubsub::kTrackingBcast)) flags += 'B';
  if (f & commands::Session::kShowDirtyCas) flags += 'd';
  if (c.laddr() == unix_path_ && !unix_path_.empty()) flags += 'U';
  if (f & commands::Session::kShowNoEvict) flags += 'e';
  if (f & commands::Session::kShowNoTouch) flags += 'T';
  const int subs = c.shown_channels.load(std::memory_order_relaxed);
  const int psubs = c.shown_patterns.load(std::memory_order_relaxed);
  const int ssubs = c.shown_shard_channels.load(std::memory_order_relaxed);
  if (subs + psubs + ssubs > 0) flags += 'P';
  if (flags.empty()) flags = "N";
  std::string name, lib_name, lib_ver, user;
  {
    std::lock_guard lock(s.info_mu);
    name = s.name;
    lib_name = s.lib_name;
    lib_ver = s.lib_ver;
    user = s.user;
  }
  const commands::CommandSpec* last = s.last_spec.load(std::memory_order_relaxed);
  // Memory fields: see server/client_limits.h for what each counts in Weir.
  const Connection::MemoryFigures m = c.memory_figures();
  return absl::StrFormat(
      "id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d "
      "multi=%d qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=%d rbs=%d rbp=%d obl=%d oll=%d omem=%d "
      "tot-mem=%d events=r cmd=%s user=%s redir=%d resp=%d lib-name=%s lib-ver=%s",
      s.id, c.addr(), c.laddr(), c.fd(), name, (now - c.created_ms()) / 1000,
      (now - c.last_interaction_ms()) / 1000, flags, s.shown_db.load(), subs, psubs, ssubs,
      s.shown_multi_count.load(), m.qbuf, m.qbuf_free, m.argv_mem, m.multi_mem, m.rbs, m.rbp, m.obl,
      m.oll, m.omem, m.tot_mem, last ? last->FullName() : "NULL", user,
      tracks ? static_cast<int64_t>(tracking.redirect) : -1, s.shown_resp.load(), lib_name,
      lib_ver);
}

std::string Server::ClientInfo(const commands::Session& session) {
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(session.id);
  if (it == clients_.end()) return "";
  return ClientLine(*it->second) + "\n";
}

bool Server::IsLocalClient(const commands::Session& session) {
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(session.id);
  if (it == clients_.end()) return false;
  const std::string& addr = it->second->addr();
  return addr.starts_with("127.") || addr.starts_with("::1:") || addr.starts_with("/");
}

bool Server::Matches(const Connection& c, const ClientFilter& f) {
  const commands::Session& s = c.session();
  if (!f.ids.empty() && std::find(f.ids.begin(), f.ids.end(), s.id) == f.ids.end()) return false;
  if (!f.type.empty()) {
    // As Redis's getClientType: a client with a subscription is "pubsub" (no replicas yet;
    // a MONITOR client is "normal").
    const bool subscribed = c.shown_channels.load(std::memory_order_relaxed) +
                                c.shown_patterns.load(std::memory_order_relaxed) +
                                c.shown_shard_channels.load(std::memory_order_relaxed) >
                            0;
    if (f.type != (subscribed ? "pubsub" : "normal")) return false;
  }
  if (!f.addr.empty() && c.addr() != f.addr) return false;
  if (!f.laddr.empty() && c.laddr() != f.laddr) return false;
  if (!f.user.empty()) {
    std::lock_guard lock(s.info_mu);
    if (s.user != f.user) return false;
  }
  return true;
}

std::string Server::ClientList(const ClientFilter& filter) {
  std::string out;
  std::lock_guard lock(clients_mu_);
  for (auto& [id, c] : clients_) {
    if (c->closing() || !Matches(*c, filter)) continue;
    out += ClientLine(*c);
    out += '\n';
  }
  return out;
}

int Server::KillClients(const ClientFilter& filter, const commands::Session& self) {
  std::vector<Connection*> victims;
  {
    std::lock_guard lock(clients_mu_);
    for (auto& [id, c] : clients_) {
      if (c->closing() || !Matches(*c, filter)) continue;
      if (filter.skip_me && id == self.id) continue;
      victims.push_back(c);
    }
  }
  for (Connection* c : victims) {
    uint64_t id = c->id();
    bool is_self = id == self.id;
    EventLoop& loop = c->loop();
    // Close on the owning loop; look the client up again there, it may be gone already.
    auto kill = [this, id, is_self] {
      Connection* target = nullptr;
      {
        std::lock_guard lock(clients_mu_);
        auto it = clients_.find(id);
        if (it != clients_.end()) target = it->second;
      }
      if (target == nullptr) return;
      if (is_self) {
        target->session().close_after_reply = true;
      } else {
        target->Close();
      }
    };
    if (is_self) {
      c->session().close_after_reply = true;
    } else if (loop.on_loop_thread()) {
      loop.AfterBatch(kill);
    } else {
      loop.Post(kill);
    }
  }
  return static_cast<int>(victims.size());
}

void Server::PostMessage(int loop, uint64_t client_id, std::string_view frame) {
  Inbox& in = *inboxes_[loop];
  bool post;
  {
    std::lock_guard lock(in.mu);
    in.messages.emplace_back(client_id, std::string(frame));
    post = !in.drain_posted;
    in.drain_posted = true;
    in.pending.store(true, std::memory_order_release);
  }
  if (post) loops_[loop]->Post([this, loop] { DrainMessages(loop); });
}

void Server::DrainMessages(int loop) {
  Inbox& in = *inboxes_[loop];
  if (!in.pending.load(std::memory_order_acquire)) return;
  std::vector<std::pair<uint64_t, std::string>> batch;
  {
    std::lock_guard lock(in.mu);
    batch.swap(in.messages);
    in.drain_posted = false;
    in.pending.store(false, std::memory_order_relaxed);
  }
  for (const auto& [id, frame] : batch) {
    auto it = in.clients.find(id);
    // A client that left meanwhile loses its messages, as a disconnected subscriber does.
    if (it != in.clients.end()) it->second->Push(frame);
  }
}

void Server::EvictClients() {
  int64_t limit = ClientEvictionLimit(config_.Int("maxmemory-clients"), config_.Int("maxmemory"));
  if (limit == 0) return;
  int64_t total = client_limits_->TotalClientMemory();
  if (total < limit) return;
  struct Victim {
    uint64_t id;
    EventLoop* loop;
  };
  std::vector<Victim> victims;
  {
    // Connections stay registered (and alive) while clients_mu_ is held.
    std::lock_guard lock(clients_mu_);
    std::vector<std::pair<int64_t, Connection*>> candidates;
    for (auto& [id, c] : clients_) {
      if (c->closing()) continue;
      // Already on its way out: its memory goes when its loop closes it.
      if (c->evicting()) {
        total -= c->total_memory();
        continue;
      }
      if (c->session().shown_flags.load(std::memory_order_relaxed) &
          commands::Session::kShowNoEvict) {
        continue;
      }
      candidates.emplace_back(c->total_memory(), c);
    }
    // Biggest first, as Redis's walk down its memory-usage buckets.
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto& [mem, c] : candidates) {
      if (total < limit) break;
      if (!c->MarkEvicting()) continue;
      Log(LogLevel::kNotice, StrCat("Evicting client: ", ClientLine(*c)));
      client_limits_->CountEvicted();
      total -= mem;
      victims.push_back({c->id(), &c->loop()});
    }
  }
  // Redis logs this on every pass; once every 10 s is enough.
  static int64_t last_over_log_ms = 0;  // only loop 0's thread gets here
  int64_t now = engine::NowMs();
  if (total >= limit && now - last_over_log_ms >= 10000) {
    last_over_log_ms = now;
    Log(LogLevel::kWarning, "Over client maxmemory after evicting all evictable clients");
  }
  for (const Victim& v : victims) {
    uint64_t id = v.id;
    auto close = [this, id] {
      if (Connection* c = FindClient(id)) c->Close();
    };
    if (v.loop->on_loop_thread()) {
      v.loop->AfterBatch(close);
    } else {
      v.loop->Post(close);
    }
  }
}

bool Server::WithClient(
    uint64_t id, const std::function<void(pubsub::Subscriber&, const commands::Session&)>& fn) {
  // Under the registry lock: a connection unregisters (on its own thread) before it is freed.
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second->closing()) return false;
  fn(*it->second, it->second->session());
  return true;
}

Connection* Server::FindClient(uint64_t id) {
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

void Server::AddBlocked(std::shared_ptr<commands::BlockedClient> b) {
  std::lock_guard lock(blocked_mu_);
  blocked_[b->client_id] = std::move(b);
}

void Server::RemoveBlocked(const commands::BlockedClient* b) {
  std::lock_guard lock(blocked_mu_);
  auto it = blocked_.find(b->client_id);
  if (it != blocked_.end() && it->second.get() == b) blocked_.erase(it);
}

void Server::DeliverToBlocked(std::shared_ptr<commands::BlockedClient> b, std::string reply) {
  loops_[b->loop]->Post([this, b, reply = std::move(reply)] {
    if (Connection* c = FindClient(b->client_id)) c->OnServed(b.get(), reply);
  });
}

void Server::RetryBlocked(std::shared_ptr<commands::BlockedClient> b) {
  loops_[b->loop]->Post([this, b] {
    if (Connection* c = FindClient(b->client_id)) c->OnRetry(b.get());
  });
}

bool Server::UnblockClient(uint64_t id, bool with_error) {
  std::shared_ptr<commands::BlockedClient> b;
  {
    std::lock_guard lock(blocked_mu_);
    auto it = blocked_.find(id);
    if (it == blocked_.end()) return false;
    b = it->second;
  }
  if (!b->TryCancel()) return false;
  dispatcher_->CountUnblocked(*b, with_error);
  std::string reply;
  protocol::ReplyBuilder builder(&reply);
  builder.set_resp3(b->resp == 3);
  if (with_error) {
    builder.Error(protocol::errors::kUnblocked);
    dispatcher_->CountError(protocol::errors::kUnblocked);
  } else if (!b->timeout_reply.empty()) {
    reply = b->timeout_reply;
  } else {
    builder.NullArray();
  }
  loops_[b->loop]->Post([this, b, reply = std::move(reply)] {
    if (Connection* c = FindClient(b->client_id)) c->EndBlock(b.get(), reply);
  });
  return true;
}

void Server::LogMessage(int level, std::string_view message) {
  Log(static_cast<LogLevel>(std::clamp(level, 0, 3)), message);
}

void Server::ProcessEventsWhileBlocked(const commands::Session& running) {
  loops_[running.loop]->PollOnce();
}

void Server::PauseClients(int64_t until_ms, bool writes_only) {
  dispatcher_->SetPause(until_ms, writes_only);
  engine_->set_expire_paused_until(dispatcher_->pause_end_ms());
}

void Server::UnpauseClients() {
  dispatcher_->ClearPause();
  engine_->set_expire_paused_until(0);
  for (auto& loop : loops_) {
    EventLoop* lp = loop.get();
    lp->Post([this, lp] { Tick(*lp); });
  }
}

bool Server::Shutdown(bool nosave, bool save, bool now, bool force, bool abort, std::string* err) {
  if (abort) {
    *err = "ERR No shutdown in progress.";
    return false;
  }
  Log(LogLevel::kWarning, "User requested shutdown...");
  RequestStop();
  return true;
}

bool Server::RewriteConfig(std::string* err) { return config_.Rewrite(err); }

void Server::ConfigChanged(std::string_view name) {
  if (name == "notify-keyspace-events") {
    engine_->set_notify_classes(
        static_cast<uint32_t>(KeyspaceEventFlags(config_.String("notify-keyspace-events"))));
  }
  if (name == "maxmemory") commands::Dispatcher::EvictionRequested() = true;
  if (name == "maxmemory-policy" || name == "lfu-log-factor" || name == "lfu-decay-time") {
    bool lfu = config_.String("maxmemory-policy").find("lfu") != std::string::npos;
    engine_->SetLfu(lfu, static_cast<int>(config_.Int("lfu-log-factor")),
                    static_cast<int>(config_.Int("lfu-decay-time")));
  }
  if (name == "client-output-buffer-limit") {
    client_limits_->LoadOutputLimits(config_.String("client-output-buffer-limit"));
  }
  if (name == "loglevel") SetLogLevel(config_.String("loglevel"));
  if (name == "logfile") SetLogTarget(config_.String("logfile"));
  if (name == "hz") {
    int hz = static_cast<int>(std::clamp<int64_t>(config_.Int("hz"), 1, 500));
    for (auto& loop : loops_) {
      EventLoop* lp = loop.get();
      lp->Post([lp, hz] { lp->set_tick_interval_ms(1000 / hz); });
    }
  }
}

void Server::ResetStats() {
  total_connections_ = 0;
  rejected_connections_ = 0;
  net_bytes_.Reset();
  client_limits_->ResetStats();
  for (int i = 0; i < engine_->num_shards(); ++i) {
    auto& st = engine_->shard(i).stats();
    st.keyspace_hits = 0;
    st.keyspace_misses = 0;
    st.expired_keys = 0;
  }
  dispatcher_->ResetStats();
}

// ---- INFO sections the server owns ----

void Server::AppendInfo(std::string_view section, std::string* out) {
  int64_t now = engine::NowMs();
  int64_t uptime = (now - start_ms_) / 1000;
  if (section == "server") {
    StrAppend(out, "# Server\r\n", "redis_version:7.2.6\r\n", "weir_version:", WEIR_VERSION, "\r\n",
              "redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n",
              "redis_mode:standalone\r\n",
              "os:Linux\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\n",
              "multiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\n", "gcc_version:12.2.0\r\n",
              "process_id:", getpid(), "\r\nprocess_supervised:no\r\n", "run_id:", run_id_, "\r\n",
              "tcp_port:", port_, "\r\n", "server_time_usec:", engine::NowUs(), "\r\n",
              "uptime_in_seconds:", uptime, "\r\n", "uptime_in_days:", uptime / 86400, "\r\n",
              "hz:", config_.Int("hz"), "\r\n", "configured_hz:", config_.Int("hz"), "\r\n",
              "lru_clock:", engine::LruClock() & ((1 << 24) - 1), "\r\n", "executable:", "weir\r\n",
              "config_file:", config_.config_file(), "\r\n", "io_threads_active:0\r\n",
              "threads:", loops_.size(), "\r\n", "shards:", engine_->num_shards(), "\r\n");
  } else if (section == "clients") {
    engine::Engine::BlockingKeys blocking = engine_->CountBlockingKeys();
    StrAppend(out, "# Clients\r\n", "connected_clients:", connected_.load(), "\r\n",
              "cluster_connections:0\r\n", "maxclients:", config_.Int("maxclients"), "\r\n",
              "client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\n",
              "blocked_clients:", blocked_clients_.load(),
              "\r\ntracking_clients:", dispatcher_->tracker().tracking_clients(),
              "\r\nclients_in_timeout_table:0\r\n", "total_blocking_keys:", blocking.keys,
              "\r\ntotal_blocking_keys_on_nokey:", blocking.keys_on_nokey, "\r\n");
  } else if (section == "persistence") {
    StrAppend(
        out, "# Persistence\r\n", "loading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\n",
        "current_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\n",
        "current_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\n",
        "rdb_changes_since_last_save:", engine_->dirty(), "\r\n", "rdb_bgsave_in_progress:0\r\n",
        "rdb_last_save_time:", last_save_, "\r\n",
        "rdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\n",
        "rdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\nrdb_last_cow_size:0\r\n",
        "rdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\n",
        "aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n",
        "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n",
        "aof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\n",
        "aof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\n",
        "module_fork_last_cow_size:0\r\n");
  } else if (section == "stats") {
    int64_t hits = 0, misses = 0, expired = 0;
    for (int i = 0; i < engine_->num_shards(); ++i) {
      auto& st = engine_->shard(i).stats();
      hits += st.keyspace_hits.load();
      misses += st.keyspace_misses.load();
      expired += st.expired_keys.load();
    }
    int64_t errors = 0;
    for (auto& [name, n] : dispatcher_->ErrorStats()) errors += n;
    pubsub::Broker& broker = dispatcher_->broker();
    StrAppend(
        out, "# Stats\r\n", "total_connections_received:", total_connections_.load(), "\r\n",
        "total_commands_processed:", dispatcher_->total_commands(), "\r\n",
        "instantaneous_ops_per_sec:0\r\n", "total_net_input_bytes:", net_bytes_.Sum(kNetInput),
        "\r\n", "total_net_output_bytes:", net_bytes_.Sum(kNetOutput), "\r\n",
        "total_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\n",
        "instantaneous_input_kbps:0.00\r\ninstantaneous_output_kbps:0.00\r\n",
        "instantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\n",
        "rejected_connections:", rejected_connections_.load(), "\r\n",
        "sync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n", "expired_keys:", expired,
        "\r\n", "expired_stale_perc:0.00\r\nexpired_time_cap_reached_count:0\r\n",
        "expire_cycle_cpu_milliseconds:0\r\nevicted_keys:", dispatcher_->evictor().evicted_keys(),
        "\r\n", "evicted_clients:", client_limits_->evicted_clients(), "\r\n",
        // Redis 7.4's field: EVAL scripts dropped from the bounded script cache.
        "evicted_scripts:", dispatcher_->scripting().cache().evicted(), "\r\n",
        "total_eviction_exceeded_time:", dispatcher_->evictor().total_exceeded_us() / 1000, "\r\n",
        "current_eviction_exceeded_time:", dispatcher_->evictor().current_exceeded_us() / 1000,
        "\r\n", "keyspace_hits:", hits, "\r\n", "keyspace_misses:", misses, "\r\n",
        "pubsub_channels:", broker.ChannelCount(pubsub::Broker::Space::kClassic), "\r\n",
        "pubsub_patterns:", broker.NumPat(), "\r\n",
        "pubsubshard_channels:", broker.ChannelCount(pubsub::Broker::Space::kShard), "\r\n",
        "latest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\n",
        "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n",
        "active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\n",
        "total_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\n",
        "tracking_total_keys:", dispatcher_->tracker().total_keys(), "\r\n",
        "tracking_total_items:", dispatcher_->tracker().total_items(), "\r\n",
        "tracking_total_prefixes:", dispatcher_->tracker().total_prefixes(), "\r\n",
        "unexpected_error_replies:0\r\n", "total_error_replies:", errors, "\r\n",
        "dump_payload_sanitizations:0\r\n",
        "total_reads_processed:0\r\ntotal_writes_processed:0\r\n",
        "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n",
        // Redis 7.4's fields.
        "client_query_buffer_limit_disconnections:", client_limits_->query_limit_disconnections(),
        "\r\n",
        "client_output_buffer_limit_disconnections:", client_limits_->output_limit_disconnections(),
        "\r\n", "reply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\n", "eventloop_cycles:0\r\n",
        "eventloop_duration_sum:0\r\neventloop_duration_cmd_sum:0\r\n",
        "instantaneous_eventloop_cycles_per_sec:0\r\ninstantaneous_eventloop_duration_usec:0\r\n",
        "acl_access_denied_auth:0\r\nacl_access_denied_cmd:0\r\nacl_access_denied_key:0\r\n",
        "acl_access_denied_channel:0\r\n");
  } else if (section == "replication") {
    StrAppend(out, "# Replication\r\n", "role:master\r\nconnected_slaves:0\r\n",
              "master_failover_state:no-failover\r\n", "master_replid:", run_id_, "\r\n",
              "master_replid2:0000000000000000000000000000000000000000\r\n",
              "master_repl_offset:0\r\nsecond_repl_offset:-1\r\n",
              "repl_backlog_active:0\r\nrepl_backlog_size:1048576\r\n",
              "repl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n");
  } else if (section == "cpu") {
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
    StrAppend(out, "# CPU\r\n", absl::StrFormat("used_cpu_sys:%.6f\r\n", secs(self.ru_stime)),
              absl::StrFormat("used_cpu_user:%.6f\r\n", secs(self.ru_utime)),
              "used_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n",
              "used_cpu_sys_main_thread:0.000000\r\nused_cpu_user_main_thread:0.000000\r\n");
  } else if (section == "modules") {
    StrAppend(out, "# Modules\r\n");
  } else if (section == "cluster") {
    StrAppend(out, "# Cluster\r\n", "cluster_enabled:0\r\n");
  }
}

}  // namespace weir::server
