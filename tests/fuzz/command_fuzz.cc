// libFuzzer target for the command layer: argument vectors decoded from the input run through
// the real commands::Dispatcher against an in-process engine::Engine (no sockets), from a few
// client sessions, RESP2 and RESP3, with MULTI/EXEC/WATCH, blocking commands and their wake-ups,
// active expiry and client disconnects. Every input gets a fresh engine and dispatcher; the
// command table and the configuration are shared (the directives CONFIG SET may change here are
// put back before each input), so a crash reproduces from its input alone.
//
// The decoder is structure-aware: each command is a name from the registry (with a subcommand
// for containers) and arguments drawn from a small key space (so types collide), edge numbers,
// the option keywords the commands parse, stream IDs, range bounds, patterns and raw bytes.
//
// Bounded cost: proto-max-bulk-len is 1mb (and CONFIG SET may not raise it), which caps every
// string APPEND, SETRANGE, SETBIT, BITFIELD and LCS can build; the *RANDMEMBER/HRANDFIELD
// counts are capped because a negative count asks for that many replies. DEBUG SLEEP is
// skipped. Blocking commands never wait here: the dispatcher hands back a block request and
// the fuzzer later serves, times out or disconnects the waiter.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/blocking.h"
#include "commands/dispatcher.h"
#include "commands/registry.h"
#include "commands/transactions.h"
#include "common/config.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"

namespace {

using weir::Config;
using weir::commands::BlockedClient;
using weir::commands::CommandRegistry;
using weir::commands::Dispatcher;
using weir::commands::EqualsIgnoreCase;
using weir::commands::ServerApi;
using weir::commands::Session;

constexpr int kSessions = 3;
constexpr int kShards = 4;  // several, so multi-key commands lock across shards
constexpr int kMaxArgs = 10;
constexpr int kMaxCommands = 200;
// *RANDMEMBER / HRANDFIELD with a negative count reply that many elements.
constexpr int64_t kMaxRandomCount = 10000;

// Keys: plain ones land on different shards; {t} ones share a shard (multi-key commands in one
// shard and across shards both get exercised).
// clang-format off
const char* const kKeys[] = {
    "k", "k2", "{t}a", "{t}b", "s", "z", "h", "l", "x"};

const char* const kEdgeValues[] = {
    "0", "1", "-1", "2", "3", "10", "100", "-100", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "4294967295", "4294967296", "2147483647", "-2147483648",
    "536870912", "inf", "-inf", "+inf", "nan", "1e400", "-1e400", "0.5", "1.5", "-0.0", "1e10",
    "0x10", " 1", "1 ", "", "00", "+1", "1.", ".5", "1e-320", "5e-324",
    "1.7976931348623157e308"};

const char* const kKeywords[] = {
    "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "NX", "XX", "GT", "LT", "CH", "INCR", "GET", "LIMIT",
    "WITHSCORES", "WITHSCORE", "BYSCORE", "BYLEX", "REV", "MAXLEN", "MINID", "COUNT", "BLOCK",
    "STREAMS", "GROUP", "NOACK", "JUSTID", "IDLE", "TIME", "RETRYCOUNT", "FORCE", "LASTID",
    "ENTRIESREAD", "MKSTREAM", "NOMKSTREAM", "LEFT", "RIGHT", "BEFORE", "AFTER", "RANK",
    "MATCH", "TYPE", "AGGREGATE", "SUM", "MIN", "MAX", "WEIGHTS", "STORE", "ALPHA", "ASC",
    "DESC", "BY", "LEN", "IDX", "MINMATCHLEN", "WITHMATCHLEN", "OVERFLOW", "WRAP", "SAT",
    "FAIL", "INCRBY", "SET", "AND", "OR", "XOR", "NOT", "BIT", "BYTE", "REPLACE", "DB",
    "ABSTTL", "IDLETIME", "FREQ", "PERSIST", "FULL", "ID", "~", "=", "ASYNC", "SYNC",
    "WITHVALUES", "SAMPLES", "ON", "OFF", "SKIP", "YES", "NO", "LIB-NAME", "LIB-VER", "SETNAME",
    "AUTH", "default", "HELP", "ALL", "WRITE", "TIMEOUT", "ERROR", "MAXAGE", "USER", "ADDR",
    "LADDR", "SKIPME", "CONSUMERS", "STREAM", "GROUPS", "CREATE", "DESTROY", "SETID",
    "DELCONSUMER", "CREATECONSUMER", "LOAD", "NOSAVE", "ABORT", "NOW", "NORMAL", "MASTER",
    "REPLICA", "PUBSUB"};

const char* const kStreamIds[] = {
    "0", "0-0", "0-1", "1-1", "1-*", "2-0", "$", ">", "*", "-", "+", "(1-1", "5", "1-", "-1",
    "1-18446744073709551615", "18446744073709551615-18446744073709551615"};

const char* const kRangeBounds[] = {
    "(1", "[a", "(a", "-", "+", "-inf", "+inf", "(", "[", "(-inf", "(+inf", "[b", "(nan", "0",
    "(0"};

const char* const kPatterns[] = {
    "*", "k*", "[a-", "\\", "?", "h[^e]llo", "{t}*", "*[", "[]"};

const char* const kBitfieldTypes[] = {
    "u8", "i8", "i64", "u63", "u64", "i1", "u1", "#3", "#0", "u0", "i65", "#-1", "u32", "i16"};

// Directives worth changing at run time: encodings, eviction, expiry, LFU.
const char* const kDirectives[] = {
    "hash-max-listpack-entries", "hash-max-listpack-value", "list-max-listpack-size",
    "set-max-intset-entries", "set-max-listpack-entries", "zset-max-listpack-entries",
    "zset-max-listpack-value", "stream-node-max-entries", "stream-node-max-bytes", "maxmemory",
    "maxmemory-policy", "lfu-log-factor", "lfu-decay-time", "lazyfree-lazy-user-del",
    "lazyfree-lazy-user-flush", "notify-keyspace-events", "active-expire-effort", "hz", "*",
    "*max*"};

const char* const kValues[] = {
    "a", "b", "c", "1", "2", "hello", "allkeys-lru", "allkeys-lfu", "volatile-ttl",
    "noeviction", "1mb", "0"};
// clang-format on

template <typename T, size_t N>
const T& Pick(FuzzedDataProvider& in, const T (&table)[N]) {
  return table[in.ConsumeIntegralInRange<size_t>(0, N - 1)];
}

// The commands to draw from: every registry name, and for containers each subcommand.
std::vector<std::vector<std::string>> BuildVocabulary(const CommandRegistry& registry) {
  std::vector<std::vector<std::string>> vocab;
  for (const auto* spec : registry.all()) {
    vocab.push_back({spec->name});
    for (const auto& sub : spec->subcommands) vocab.push_back({spec->name, sub->name});
  }
  return vocab;
}

CommandRegistry& Registry() {
  static CommandRegistry* registry = [] {
    auto* r = new CommandRegistry();
    weir::commands::RegisterAllCommands(*r);
    return r;
  }();
  return *registry;
}

// One configuration for the whole run, as in the server: command families cache the addresses
// of its directives (ConfigHandles). Each input starts from the same values: CONFIG SET may only
// change kDirectives, which SharedConfig() puts back.
Config& SharedConfig() {
  static Config* config = [] {
    auto* c = new Config();
    std::string err;
    // DEBUG is enabled for DEBUG OBJECT and friends; 1mb is proto-max-bulk-len's minimum.
    if (!c->LoadArgs({"--enable-debug-command", "yes", "--proto-max-bulk-len", "1mb"}, &err)) {
      __builtin_trap();
    }
    return c;
  }();
  static const auto* defaults = [] {
    auto* d = new std::vector<std::pair<std::string, std::string>>();
    for (const char* name : kDirectives) {
      if (std::string_view(name).find('*') != std::string_view::npos) continue;
      auto got = config->Get({name});
      if (got.size() != 1) __builtin_trap();
      d->push_back(got[0]);
    }
    return d;
  }();
  std::string err;
  if (!config->SetMany(*defaults, &err)) __builtin_trap();
  return *config;
}

bool Settable(std::string_view name) {
  for (const char* d : kDirectives) {
    if (EqualsIgnoreCase(name, d) && std::string_view(d).find('*') == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

const std::vector<std::vector<std::string>>& Vocabulary() {
  static const auto* vocab = new std::vector<std::vector<std::string>>(BuildVocabulary(Registry()));
  return *vocab;
}

std::string Arg(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 11)) {
    case 0:
    case 1:
      return Pick(in, kKeys);
    case 2:
      return Pick(in, kEdgeValues);
    case 3:
    case 4:
      return Pick(in, kKeywords);
    case 5:
      return std::to_string(in.ConsumeIntegralInRange(-5, 20));
    case 6:
      return Pick(in, kStreamIds);
    case 7:
      return Pick(in, kRangeBounds);
    case 8:
      return in.ConsumeBool() ? std::string(Pick(in, kPatterns)) : Pick(in, kBitfieldTypes);
    case 9:
      return in.ConsumeBool() ? std::string(Pick(in, kDirectives)) : Pick(in, kValues);
    case 10: {
      const auto& vocab = Vocabulary();
      return vocab[in.ConsumeIntegralInRange<size_t>(0, vocab.size() - 1)].back();
    }
    default:
      return in.ConsumeRandomLengthString(64);
  }
}

// Commands the fuzzer must not run, or whose cost would explode (an OOM or a timeout of the
// fuzzer is not a finding).
bool Excluded(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  const std::string& name = argv[0];
  if (EqualsIgnoreCase(name, "debug") && argv.size() > 1 && EqualsIgnoreCase(argv[1], "sleep")) {
    return true;
  }
  if (EqualsIgnoreCase(name, "config") && argv.size() > 1 && EqualsIgnoreCase(argv[1], "set")) {
    // Only directives SharedConfig() restores (proto-max-bulk-len, which bounds string sizes
    // here, is not one of them).
    for (size_t i = 2; i < argv.size(); i += 2) {
      if (!Settable(argv[i])) return true;
    }
  }
  if (EqualsIgnoreCase(name, "srandmember") || EqualsIgnoreCase(name, "hrandfield") ||
      EqualsIgnoreCase(name, "zrandmember")) {
    for (size_t i = 2; i < argv.size(); ++i) {
      int64_t v;
      if (weir::ParseInt64(argv[i], &v) && v != INT64_MIN &&
          (v > kMaxRandomCount || v < -kMaxRandomCount)) {
        return true;
      }
    }
  }
  return false;
}

// The server side the commands see: one "event loop" (this thread), whose posted work runs
// after each command as the real loop's RunLocal does.
class FuzzServer : public ServerApi {
 public:
  explicit FuzzServer(Config& config) : config_(config) {
    engine_ =
        std::make_unique<weir::engine::Engine>(kShards, static_cast<int>(config_.Int("databases")));
    // The registry is shared by every input: commands only read it (rename-command, its one
    // mutation, is applied at start-up).
    dispatcher_ = std::make_unique<Dispatcher>(Registry(), *this);
    config_.OnChange([this](std::string_view name) { ConfigChanged(name); });
    std::string err;
    config_.Set("busy-reply-threshold", "10", &err);
    for (int i = 0; i < kSessions; ++i) sessions_.push_back(NewSession());
  }

  ~FuzzServer() override {
    for (int i = 0; i < kSessions; ++i) Disconnect(i);
    RunPosted();
  }

  Dispatcher& dispatcher() { return *dispatcher_; }
  Session& session(int i) { return *sessions_[i]; }

  // One request from session i, as Connection::ProcessInput runs it.
  void Run(int i, const std::vector<std::string>& argv) {
    Session& s = *sessions_[i];
    if (s.blocked) return;  // a blocked client reads nothing
    std::vector<std::string_view> views(argv.begin(), argv.end());
    std::string out;
    weir::protocol::ReplyBuilder reply(&out);
    reply.set_resp3(s.resp == 3);
    auto outcome = dispatcher_->Execute(s, views, reply);
    if (outcome == Dispatcher::Outcome::kPaused) {
      // The pause ends (nothing here can wait for it) and the request runs again.
      UnpauseClients();
      out.clear();
      reply.set_resp3(s.resp == 3);
      outcome = dispatcher_->Execute(s, views, reply);
    }
    RunPosted();
    if (outcome == Dispatcher::Outcome::kDone && s.close_after_reply) Reconnect(i);
  }

  // The block timer of session i fires, as Connection::OnBlockTimeout.
  void TimeOut(int i) {
    Session& s = *sessions_[i];
    if (!s.blocked || !s.blocked->TryCancel()) return;
    dispatcher_->CountUnblocked(*s.blocked, false);
    FinishBlock(s);
  }

  // The server's cron: a round of active expiry, then the keys it made ready.
  void Tick() {
    if (engine_->active_expire_enabled()) {
      engine_->ActiveExpireCycle(0, 1, weir::engine::NowUs() + 1000, 1);
    }
    weir::commands::ServePendingReadyKeys(*dispatcher_);
    RunPosted();
  }

  // The client hangs up and a new one connects in its place.
  void Reconnect(int i) {
    Disconnect(i);
    sessions_[i] = NewSession();
  }

  // ServerApi
  Config& config() override { return config_; }
  weir::engine::Engine& engine() override { return *engine_; }
  std::string ClientInfo(const Session& session) override {
    return "id=" + std::to_string(session.id) + " db=" + std::to_string(session.db);
  }
  std::string ClientList(const ClientFilter& filter) override {
    std::string out;
    for (const auto& s : sessions_) out += ClientInfo(*s) + "\n";
    return out;
  }
  int KillClients(const ClientFilter& filter, const Session& self) override { return 0; }
  bool IsLocalClient(const Session& session) override { return false; }
  void PauseClients(int64_t until_ms, bool writes_only) override {
    dispatcher_->SetPause(until_ms, writes_only);
    engine_->set_expire_paused_until(dispatcher_->pause_end_ms());
  }
  void UnpauseClients() override {
    dispatcher_->ClearPause();
    engine_->set_expire_paused_until(0);
  }
  bool Shutdown(bool nosave, bool save, bool now, bool force, bool abort,
                std::string* err) override {
    *err = "ERR Errors trying to SHUTDOWN. Check logs.";
    return false;
  }
  void AppendInfo(std::string_view section, std::string* out) override {}
  void ResetStats() override {}
  int64_t LastSaveTime() override { return 0; }
  void LogMessage(int level, std::string_view message) override {}
  // A script looping past busy-reply-threshold (set low for each input) is killed at once, as a
  // client's SCRIPT KILL / FUNCTION KILL would; one that wrote runs on (UNKILLABLE, as Redis).
  void ProcessEventsWhileBlocked(const Session& running) override {
    dispatcher_->scripting().Kill(true);
    dispatcher_->scripting().Kill(false);
  }
  bool RewriteConfig(std::string* err) override {
    *err = "The server is running without a config file";
    return false;
  }
  void ConfigChanged(std::string_view name) override {
    if (name == "maxmemory-policy" || name == "lfu-log-factor" || name == "lfu-decay-time") {
      bool lfu = config_.String("maxmemory-policy").find("lfu") != std::string::npos;
      engine_->SetLfu(lfu, static_cast<int>(config_.Int("lfu-log-factor")),
                      static_cast<int>(config_.Int("lfu-decay-time")));
    }
  }
  void DeliverToBlocked(std::shared_ptr<BlockedClient> b, std::string reply) override {
    Post([this, b] {
      if (Session* s = FindBlocked(b.get())) FinishBlock(*s);
    });
  }
  void RetryBlocked(std::shared_ptr<BlockedClient> b) override {
    Post([this, b] {
      Session* s = FindBlocked(b.get());
      std::string out;
      if (s != nullptr && dispatcher_->RetryBlocked(*s->blocked, &out)) FinishBlock(*s);
    });
  }
  bool UnblockClient(uint64_t id, bool with_error) override {
    for (auto& s : sessions_) {
      if (s->id != id || !s->blocked) continue;
      std::shared_ptr<BlockedClient> b = s->blocked;
      if (!b->TryCancel()) return false;
      dispatcher_->CountUnblocked(*b, with_error);
      if (with_error) dispatcher_->CountError(weir::protocol::errors::kUnblocked);
      Post([this, b] {
        if (Session* s = FindBlocked(b.get())) FinishBlock(*s);
      });
      return true;
    }
    return false;
  }
  // The fuzzer's sessions have no connection to push to (no tracking redirect target exists).
  bool WithClient(
      uint64_t id,
      const std::function<void(weir::pubsub::Subscriber&, const Session&)>& fn) override {
    return false;
  }

 private:
  std::unique_ptr<Session> NewSession() {
    auto s = std::make_unique<Session>();
    s->id = next_id_++;
    s->authenticated = true;
    return s;
  }

  // As Connection::Close: the waiter is cancelled and unlinked, WATCHes dropped.
  void Disconnect(int i) {
    Session& s = *sessions_[i];
    if (s.blocked) {
      s.blocked->TryCancel();
      weir::commands::UnlinkBlocked(*engine_, *s.blocked);
      s.blocked.reset();
    }
    weir::commands::UnwatchAll(*engine_, s);
  }

  Session* FindBlocked(const BlockedClient* b) {
    for (auto& s : sessions_) {
      if (s->blocked.get() == b) return s.get();
    }
    return nullptr;
  }

  // As Connection::FinishBlock (the reply itself is dropped).
  void FinishBlock(Session& s) {
    weir::commands::UnlinkBlocked(*engine_, *s.blocked);
    s.blocked.reset();
    if (s.reply_mode == Session::ReplyMode::kSkipThis) s.reply_mode = Session::ReplyMode::kOn;
  }

  void Post(std::function<void()> fn) { posted_.push_back(std::move(fn)); }
  void RunPosted() {
    while (!posted_.empty()) {
      auto fn = std::move(posted_.front());
      posted_.pop_front();
      fn();
    }
  }

  Config& config_;
  std::unique_ptr<weir::engine::Engine> engine_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<std::unique_ptr<Session>> sessions_;
  std::deque<std::function<void()>> posted_;
  uint64_t next_id_ = 1;
};

// One decoded step. Besides plain commands, MULTI/EXEC/WATCH and protocol switches are drawn
// often on their own, since a random pick from ~250 names would rarely line them up.
void Step(FuzzedDataProvider& in, FuzzServer& server) {
  int i = in.ConsumeIntegralInRange(0, kSessions - 1);
  std::vector<std::string> argv;
  switch (in.ConsumeIntegralInRange(0, 15)) {
    case 0:
      argv = {"MULTI"};
      break;
    case 1:
      argv = {in.ConsumeBool() ? "EXEC" : "DISCARD"};
      break;
    case 2:
      argv = {"WATCH", Pick(in, kKeys)};
      break;
    case 3:
      argv = {"HELLO", in.ConsumeBool() ? "3" : "2"};
      break;
    case 4:
      server.TimeOut(i);
      return;
    case 5:
      server.Tick();
      return;
    case 6:
      if (in.ConsumeIntegralInRange(0, 7) == 0) {
        server.Reconnect(i);
        return;
      }
      argv = {"FLUSHALL"};
      break;
    default: {
      const auto& vocab = Vocabulary();
      argv = vocab[in.ConsumeIntegralInRange<size_t>(0, vocab.size() - 1)];
      int nargs = in.ConsumeIntegralInRange(0, kMaxArgs);
      for (int a = 0; a < nargs; ++a) argv.push_back(Arg(in));
      break;
    }
  }
  if (Excluded(argv)) return;
  server.Run(i, argv);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  FuzzServer server(SharedConfig());
  for (int n = 0; n < kMaxCommands && in.remaining_bytes() > 0; ++n) Step(in, server);
  return 0;
}
