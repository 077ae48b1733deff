// Tests for weir::Config: defaults, CONFIG GET/SET with Redis 7.2's exact texts, config files,
// command-line arguments, CONFIG REWRITE and the features Weir refuses until they are built.
#include "common/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace weir {
namespace {

namespace fs = std::filesystem;

// Every test gets its own scratch directory, and the working directory is put back afterwards
// because `dir` changes it.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_cwd_ = fs::current_path();
    std::string tmpl = (fs::temp_directory_path() / "weir_config_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    tmp_ = fs::canonical(tmpl);
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    fs::remove_all(tmp_);
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const fs::path path = tmp_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static std::string GetOne(Config& c, const std::string& name) {
    auto got = c.Get({name});
    return got.size() == 1 ? got[0].second : "<missing>";
  }
  static std::map<std::string, std::string> AsMap(
      const std::vector<std::pair<std::string, std::string>>& pairs) {
    return {pairs.begin(), pairs.end()};
  }
  static std::string SetError(Config& c, const std::string& name, const std::string& value) {
    std::string err;
    if (c.SetMany({{name, value}}, &err)) return "OK";
    return err;
  }

  fs::path old_cwd_;
  fs::path tmp_;
};

std::string Failed(const std::string& arg, const std::string& reason) {
  return "ERR CONFIG SET failed (possibly related to argument '" + arg + "') - " + reason;
}

TEST_F(ConfigTest, Defaults) {
  Config c;
  EXPECT_EQ(c.Int("port"), 6379);
  EXPECT_EQ(c.String("port"), "6379");
  EXPECT_TRUE(c.Bool("protected-mode"));
  EXPECT_FALSE(c.Bool("appendonly"));
  EXPECT_EQ(c.Int("databases"), 16);
  EXPECT_EQ(c.Int("maxclients"), 10000);
  EXPECT_EQ(c.Int("hz"), 10);
  EXPECT_EQ(c.Int("timeout"), 0);
  EXPECT_EQ(c.Int("tcp-keepalive"), 300);
  EXPECT_EQ(c.Int("proto-max-bulk-len"), 512LL * 1024 * 1024);
  EXPECT_EQ(c.Int("client-query-buffer-limit"), 1024LL * 1024 * 1024);
  EXPECT_EQ(c.Int("list-max-listpack-size"), -2);
  EXPECT_EQ(c.Int("loglevel"), 2);  // index of "notice"
  EXPECT_EQ(c.String("loglevel"), "notice");
  EXPECT_EQ(c.String("bind"), "* -::*");
  EXPECT_EQ(c.String("save"), "");
  EXPECT_EQ(c.String("requirepass"), "");
  EXPECT_EQ(c.String("dbfilename"), "dump.rdb");
  EXPECT_EQ(c.String("client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(GetOne(c, "unixsocketperm"), "0");
  EXPECT_EQ(GetOne(c, "maxmemory"), "0");
  EXPECT_EQ(GetOne(c, "maxmemory-clients"), "0");
  EXPECT_EQ(GetOne(c, "latency-tracking-info-percentiles"), "50 99 99.9");
  EXPECT_EQ(GetOne(c, "oom-score-adj-values"), "0 200 800");
  EXPECT_EQ(GetOne(c, "proc-title-template"), "{title} {listen-addr} {server-mode}");
  EXPECT_EQ(GetOne(c, "dir"), fs::current_path().string());
  EXPECT_EQ(c.Int("threads"), std::clamp<int64_t>(sysconf(_SC_NPROCESSORS_ONLN), 1, 1024));
  EXPECT_EQ(c.config_file(), "");
  // Unknown names read as nothing rather than crashing.
  EXPECT_EQ(c.Int("no-such-directive"), 0);
  EXPECT_EQ(c.String("no-such-directive"), "");
  EXPECT_EQ(c.Numeric("no-such-directive").load(), 0);
}

TEST_F(ConfigTest, GetStarListsTheWholeTableButNotHiddenOnes) {
  Config c;
  const auto all = AsMap(c.Get({"*"}));
  // Redis 7.2 lists 195 names (aliases included); Weir adds `threads`.
  EXPECT_EQ(all.size(), 196u);
  for (const char* name : {"port", "bind", "save", "appendonly", "maxmemory", "slave-read-only",
                           "replica-read-only", "hash-max-ziplist-entries", "threads", "io-threads",
                           "tls-port", "client-output-buffer-limit", "notify-keyspace-events",
                           "replicaof", "slaveof", "lua-time-limit", "shutdown-on-sigterm"}) {
    EXPECT_TRUE(all.count(name)) << name;
  }
  for (const char* hidden :
       {"use-exit-on-panic", "watchdog-period", "key-load-delay", "rdb-key-save-delay",
        "aof-disable-auto-gc", "cluster-ping-interval", "loading-process-events-interval-bytes"}) {
    EXPECT_FALSE(all.count(hidden)) << hidden;
    EXPECT_EQ(c.Get({hidden}).size(), 1u) << hidden;  // an exact name still finds it
  }
}

TEST_F(ConfigTest, GetPatterns) {
  Config c;
  auto got = AsMap(c.Get({"maxmemory*"}));
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"maxmemory", "0"},
                                                     {"maxmemory-clients", "0"},
                                                     {"maxmemory-eviction-tenacity", "10"},
                                                     {"maxmemory-policy", "noeviction"},
                                                     {"maxmemory-samples", "5"}}));
  // Patterns match case-insensitively and list aliases under their own names.
  got = AsMap(c.Get({"SLAVE-*-ONLY"}));
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"slave-read-only", "yes"}}));
  got = AsMap(c.Get({"*read-only"}));
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(AsMap(c.Get({"[pq]ort"})), (std::map<std::string, std::string>{{"port", "6379"}}));
  EXPECT_EQ(AsMap(c.Get({"p?rt"})).size(), 1u);
  EXPECT_TRUE(c.Get({"nothing-matches-*"}).empty());
  EXPECT_TRUE(c.Get({"no-such-directive"}).empty());

  // An exact name is reported as it was asked; each directive name appears once.
  auto list = c.Get({"PORT", "port", "p*rt", "timeout"});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], (std::pair<std::string, std::string>{"PORT", "6379"}));
  EXPECT_EQ(list[1], (std::pair<std::string, std::string>{"timeout", "0"}));
  list = c.Get({"port", "bind"});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].second, "* -::*");
}

TEST_F(ConfigTest, SetIntegersWithRanges) {
  Config c;
  std::string err;
  EXPECT_TRUE(c.SetMany({{"maxclients", "500"}, {"timeout", "30"}}, &err)) << err;
  EXPECT_EQ(c.Int("maxclients"), 500);
  EXPECT_EQ(GetOne(c, "timeout"), "30");
  EXPECT_EQ(SetError(c, "maxclients", "0"),
            Failed("maxclients", "argument must be between 1 and 4294967295 inclusive"));
  EXPECT_EQ(SetError(c, "maxclients", "4294967296"),
            Failed("maxclients", "argument must be between 1 and 4294967295 inclusive"));
  EXPECT_EQ(SetError(c, "port", "65536"),
            Failed("port", "argument must be between 0 and 65535 inclusive"));
  EXPECT_EQ(SetError(c, "tcp-keepalive", "1.5"),
            Failed("tcp-keepalive", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(SetError(c, "timeout", " 5"),
            Failed("timeout", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(SetError(c, "slowlog-log-slower-than", "-2"),
            Failed("slowlog-log-slower-than",
                   "argument must be between -1 and 9223372036854775807 inclusive"));
  EXPECT_EQ(SetError(c, "hash-max-listpack-entries", "-1"),
            Failed("hash-max-listpack-entries",
                   "argument must be between 0 and 9223372036854775807 inclusive"));
  EXPECT_EQ(SetError(c, "hz", "-1"),
            Failed("hz", "argument must be between 0 and 2147483647 inclusive"));
  EXPECT_EQ(c.Int("maxclients"), 500);  // failures change nothing

  // hz is capped to 1..500 rather than refused.
  EXPECT_EQ(SetError(c, "hz", "0"), "OK");
  EXPECT_EQ(c.Int("hz"), 1);
  EXPECT_EQ(SetError(c, "hz", "100000"), "OK");
  EXPECT_EQ(GetOne(c, "hz"), "500");
}

TEST_F(ConfigTest, SetMemoryValuesWithUnits) {
  Config c;
  const std::pair<const char*, int64_t> cases[] = {
      {"2mb", 2 * 1024 * 1024}, {"2MB", 2 * 1024 * 1024}, {"3m", 3000000},
      {"1gb", 1 << 30},         {"2g", 2000000000},       {"2000000", 2000000},
      {"4096kb", 4 << 20},      {"1048576b", 1 << 20}};
  for (const auto& [text, bytes] : cases) {
    EXPECT_EQ(SetError(c, "proto-max-bulk-len", text), "OK") << text;
    EXPECT_EQ(c.Int("proto-max-bulk-len"), bytes) << text;
    EXPECT_EQ(GetOne(c, "proto-max-bulk-len"), std::to_string(bytes)) << text;
  }
  EXPECT_EQ(SetError(c, "proto-max-bulk-len", "1k"),
            Failed("proto-max-bulk-len",
                   "argument must be between 1048576 and 9223372036854775807 inclusive"));
  EXPECT_EQ(SetError(c, "proto-max-bulk-len", "abc"),
            Failed("proto-max-bulk-len", "argument must be a memory value"));
  EXPECT_EQ(SetError(c, "client-query-buffer-limit", "-1"),
            Failed("client-query-buffer-limit", "argument must be a memory value"));
  EXPECT_EQ(SetError(c, "hash-max-ziplist-value", "1kb"), "OK");
  EXPECT_EQ(GetOne(c, "hash-max-listpack-value"), "1024");

  // maxmemory-clients also takes a percentage, shown back with its '%'.
  EXPECT_EQ(SetError(c, "maxmemory-clients", "10%"), "OK");
  EXPECT_EQ(GetOne(c, "maxmemory-clients"), "10%");
  EXPECT_EQ(c.Int("maxmemory-clients"), -10);
  EXPECT_EQ(SetError(c, "maxmemory-clients", "101%"),
            Failed("maxmemory-clients", "percentage argument must be less or equal to 100"));
  EXPECT_EQ(SetError(c, "maxmemory-clients", "x"),
            Failed("maxmemory-clients", "argument must be a memory or percent value"));
}

TEST_F(ConfigTest, SetBoolsEnumsAndStrings) {
  Config c;
  EXPECT_EQ(SetError(c, "protected-mode", "NO"), "OK");
  EXPECT_FALSE(c.Bool("protected-mode"));
  EXPECT_EQ(GetOne(c, "protected-mode"), "no");
  EXPECT_EQ(SetError(c, "protected-mode", "maybe"),
            Failed("protected-mode", "argument must be 'yes' or 'no'"));

  EXPECT_EQ(SetError(c, "loglevel", "WARNING"), "OK");
  EXPECT_EQ(GetOne(c, "loglevel"), "warning");
  EXPECT_EQ(c.Int("loglevel"), 3);
  EXPECT_EQ(SetError(c, "loglevel", "loud"),
            Failed("loglevel",
                   "argument(s) must be one of the following: debug, verbose, notice, warning, "
                   "nothing"));
  EXPECT_EQ(SetError(c, "maxmemory-policy", "allkeys-LRU"), "OK");
  EXPECT_EQ(GetOne(c, "maxmemory-policy"), "allkeys-lru");
  // "relative" is Redis's other spelling of "yes".
  EXPECT_EQ(SetError(c, "oom-score-adj", "relative"), "OK");
  EXPECT_EQ(GetOne(c, "oom-score-adj"), "yes");

  // Flag enums take several words and print them in table order.
  EXPECT_EQ(SetError(c, "shutdown-on-sigterm", "force now"), "OK");
  EXPECT_EQ(GetOne(c, "shutdown-on-sigterm"), "now force");
  EXPECT_EQ(c.Int("shutdown-on-sigterm"), 4 | 8);
  EXPECT_EQ(SetError(c, "shutdown-on-sigterm", "save nosave"),
            Failed("shutdown-on-sigterm",
                   "shutdown options SAVE and NOSAVE can't be used simultaneously"));

  EXPECT_EQ(SetError(c, "requirepass", "s3cret with spaces"), "OK");
  EXPECT_EQ(c.String("requirepass"), "s3cret with spaces");
  EXPECT_EQ(SetError(c, "requirepass", ""), "OK");
  EXPECT_EQ(c.String("requirepass"), "");
  EXPECT_EQ(
      SetError(c, "proc-title-template", "{nope}"),
      Failed("proc-title-template", "template format is invalid or contains unknown variables"));
  EXPECT_EQ(SetError(c, "cluster-announce-hostname", "bad_host"),
            Failed("cluster-announce-hostname",
                   "Hostnames may only contain alphanumeric characters, hyphens or dots"));
}

TEST_F(ConfigTest, SetMultiWordDirectives) {
  Config c;
  EXPECT_EQ(SetError(c, "bind", "127.0.0.1 ::1"), "OK");
  EXPECT_EQ(GetOne(c, "bind"), "127.0.0.1 ::1");
  EXPECT_EQ(SetError(c, "client-output-buffer-limit", "replica 1mb 2mb 10 pubsub 1 2 3"), "OK");
  EXPECT_EQ(GetOne(c, "client-output-buffer-limit"),
            "normal 0 0 0 slave 1048576 2097152 10 pubsub 1 2 3");
  EXPECT_EQ(SetError(c, "client-output-buffer-limit", "master 1 2 3"),
            Failed("client-output-buffer-limit",
                   "Invalid client class specified in buffer limit configuration."));
  EXPECT_EQ(SetError(c, "client-output-buffer-limit", "normal 1 2"),
            Failed("client-output-buffer-limit",
                   "Wrong number of arguments in buffer limit configuration."));
  EXPECT_EQ(SetError(c, "oom-score-adj-values", "0 100"),
            Failed("oom-score-adj-values", "wrong number of arguments"));
  EXPECT_EQ(SetError(c, "latency-tracking-info-percentiles", "50 99.5 99.99"), "OK");
  EXPECT_EQ(GetOne(c, "latency-tracking-info-percentiles"), "50 99.5 99.99");
  EXPECT_EQ(SetError(c, "save", ""), "OK");
  EXPECT_EQ(SetError(c, "save", "100"), Failed("save", "Invalid save parameters"));
}

TEST_F(ConfigTest, SetManyErrorsAndAtomicity) {
  Config c;
  std::string err;
  EXPECT_FALSE(c.SetMany({{"foo", "1"}}, &err));
  EXPECT_EQ(err, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_FALSE(c.SetMany({{"databases", "4"}}, &err));
  EXPECT_EQ(err, Failed("databases", "can't set immutable config"));
  EXPECT_FALSE(c.SetMany({{"threads", "4"}}, &err));
  EXPECT_EQ(err, Failed("threads", "can't set immutable config"));
  EXPECT_FALSE(c.SetMany({{"timeout", "1"}, {"TIMEOUT", "2"}}, &err));
  EXPECT_EQ(err, Failed("TIMEOUT", "duplicate parameter"));

  // Names are checked over all pairs before any value: the unknown name wins.
  EXPECT_FALSE(c.SetMany({{"timeout", "x"}, {"foo", "1"}}, &err));
  EXPECT_EQ(err, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  // A bad value anywhere leaves every directive as it was.
  EXPECT_FALSE(c.SetMany({{"timeout", "5"}, {"hz", "20"}, {"maxclients", "0"}}, &err));
  EXPECT_EQ(err, Failed("maxclients", "argument must be between 1 and 4294967295 inclusive"));
  EXPECT_EQ(c.Int("timeout"), 0);
  EXPECT_EQ(c.Int("hz"), 10);
  EXPECT_TRUE(c.SetMany({{"timeout", "5"}, {"hz", "20"}, {"maxclients", "7"}}, &err)) << err;
  EXPECT_EQ(c.Int("timeout"), 5);
  EXPECT_EQ(c.Int("hz"), 20);
  EXPECT_EQ(c.Int("maxclients"), 7);

  // Set() gives only the reason.
  EXPECT_FALSE(c.Set("maxclients", "0", &err));
  EXPECT_EQ(err, "argument must be between 1 and 4294967295 inclusive");
  EXPECT_FALSE(c.Set("port", "x", &err));
  EXPECT_EQ(err, "argument couldn't be parsed into an integer");
  EXPECT_TRUE(c.Set("port", "7000", &err));
  EXPECT_EQ(c.Int("port"), 7000);
}

TEST_F(ConfigTest, Aliases) {
  Config c;
  EXPECT_EQ(SetError(c, "slave-read-only", "no"), "OK");
  EXPECT_FALSE(c.Bool("replica-read-only"));
  EXPECT_FALSE(c.Bool("slave-read-only"));
  EXPECT_EQ(GetOne(c, "slave-read-only"), "no");
  EXPECT_EQ(SetError(c, "lua-time-limit", "100"), "OK");
  EXPECT_EQ(c.Int("busy-reply-threshold"), 100);
  EXPECT_EQ(SetError(c, "list-max-ziplist-size", "-3"), "OK");
  EXPECT_EQ(GetOne(c, "list-max-listpack-size"), "-3");
  // Value errors name the directive as it is registered, aliases included.
  EXPECT_EQ(SetError(c, "SLAVE-READ-ONLY", "x"),
            Failed("slave-read-only", "argument must be 'yes' or 'no'"));
  EXPECT_EQ(SetError(c, "slaveof", "no one"), Failed("slaveof", "can't set immutable config"));
}

TEST_F(ConfigTest, OnChangeSeesRealChangesOnly) {
  Config c;
  std::vector<std::string> changed;
  c.OnChange([&](std::string_view name) {
    // The lock is not held here: reading the config back must not deadlock.
    EXPECT_FALSE(c.String(name).empty());
    changed.emplace_back(name);
  });
  std::string err;
  ASSERT_TRUE(c.SetMany({{"hz", "20"}, {"slave-priority", "5"}, {"port", "6379"}}, &err));
  EXPECT_EQ(changed, (std::vector<std::string>{"hz", "replica-priority"}));
  changed.clear();
  EXPECT_FALSE(c.SetMany({{"hz", "30"}, {"port", "x"}}, &err));
  EXPECT_TRUE(changed.empty());
  ASSERT_TRUE(c.Set("maxclients", "100", &err));
  EXPECT_EQ(changed, (std::vector<std::string>{"maxclients"}));
}

TEST_F(ConfigTest, NumericHandleFollowsUpdates) {
  Config c;
  const std::atomic<int64_t>& hz = c.Numeric("hz");
  EXPECT_EQ(hz.load(), 10);
  std::string err;
  ASSERT_TRUE(c.Set("hz", "42", &err));
  EXPECT_EQ(hz.load(), 42);
}

TEST_F(ConfigTest, ProtectedDirDependsOnEnableProtectedConfigs) {
  Config c;
  EXPECT_EQ(SetError(c, "dir", tmp_.string()), Failed("dir", "can't set protected config"));
  EXPECT_EQ(SetError(c, "dbfilename", "x.rdb"), Failed("dbfilename", "can't set protected config"));

  Config local;
  std::string err;
  ASSERT_TRUE(local.LoadArgs({"--enable-protected-configs", "local"}, &err)) << err;
  EXPECT_FALSE(local.SetMany({{"dir", tmp_.string()}}, &err, false));
  EXPECT_EQ(err, Failed("dir", "can't set protected config"));
  EXPECT_TRUE(local.SetMany({{"dir", tmp_.string()}}, &err, true)) << err;
  EXPECT_EQ(fs::current_path(), tmp_);
}

TEST_F(ConfigTest, SetDirChangesDirectory) {
  Config c;
  std::string err;
  ASSERT_TRUE(c.LoadArgs({"--enable-protected-configs", "yes"}, &err)) << err;
  fs::create_directory(tmp_ / "data");
  ASSERT_TRUE(c.SetMany({{"dir", (tmp_ / "data").string()}}, &err)) << err;
  EXPECT_EQ(fs::current_path(), tmp_ / "data");
  EXPECT_EQ(GetOne(c, "dir"), (tmp_ / "data").string());
  EXPECT_EQ(SetError(c, "dir", (tmp_ / "missing").string()),
            Failed("dir", "No such file or directory"));
  WriteFile("plain", "x");
  EXPECT_EQ(SetError(c, "dir", (tmp_ / "plain").string()), Failed("dir", "Not a directory"));
  EXPECT_EQ(fs::current_path(), tmp_ / "data");
  EXPECT_EQ(SetError(c, "dbfilename", "a/b.rdb"),
            Failed("dbfilename", "dbfilename can't be a path, just a filename"));
}

TEST_F(ConfigTest, RefusedFeatures) {
  Config c;
  EXPECT_EQ(SetError(c, "appendonly", "no"), "OK");
  EXPECT_EQ(SetError(c, "appendonly", "yes"),
            Failed("appendonly", "appendonly yes is not supported by this Weir build yet"));
  EXPECT_EQ(SetError(c, "save", "3600 1"),
            Failed("save",
                   "save points (RDB snapshots) are not supported by this Weir build yet; use "
                   "save \"\""));
  EXPECT_EQ(SetError(c, "maxmemory", "0mb"), "OK");
  // Every policy is applied with a limit, whichever of the two is set second.
  ASSERT_EQ(SetError(c, "maxmemory-policy", "allkeys-lru"), "OK");
  EXPECT_EQ(SetError(c, "maxmemory", "100mb"), "OK");
  EXPECT_EQ(GetOne(c, "maxmemory"), "104857600");
  EXPECT_EQ(SetError(c, "maxmemory-policy", "volatile-ttl"), "OK");
  EXPECT_EQ(GetOne(c, "maxmemory-policy"), "volatile-ttl");
  EXPECT_EQ(SetError(c, "maxmemory-policy", "noeviction"), "OK");
  EXPECT_EQ(SetError(c, "maxmemory", "0"), "OK");
  EXPECT_EQ(SetError(c, "maxmemory", "lots"),
            Failed("maxmemory", "argument must be a memory value"));  // syntax first
  EXPECT_EQ(SetError(c, "tls-port", "6380"),
            Failed("tls-port", "tls-port other than 0 is not supported by this Weir build yet"));
  EXPECT_EQ(SetError(c, "notify-keyspace-events", "KEA"), "OK");
  EXPECT_EQ(GetOne(c, "notify-keyspace-events"), "AKE");
  EXPECT_EQ(SetError(c, "notify-keyspace-events", "KA"), "OK");
  EXPECT_EQ(GetOne(c, "notify-keyspace-events"), "AK");
  EXPECT_EQ(SetError(c, "notify-keyspace-events", "$lshzxeKE"), "OK");
  EXPECT_EQ(GetOne(c, "notify-keyspace-events"), "$lshzxeKE");
  EXPECT_EQ(
      SetError(c, "notify-keyspace-events", "Q"),
      Failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
  EXPECT_EQ(SetError(c, "notify-keyspace-events", ""), "OK");

  auto load = [this](const std::string& text) {
    Config fresh;
    std::string err;
    const bool ok = fresh.LoadFile(WriteFile("refused.conf", text), &err);
    return ok ? std::string("OK") : err;
  };
  EXPECT_NE(load("cluster-enabled yes\n").find("cluster-enabled yes is not supported"),
            std::string::npos);
  EXPECT_NE(load("appendonly yes\n").find("appendonly yes is not supported"), std::string::npos);
  EXPECT_NE(load("save 900 1\n").find("save points"), std::string::npos);
  EXPECT_NE(load("replicaof 10.0.0.1 6379\n").find("replicaof is not supported"),
            std::string::npos);
  EXPECT_NE(load("slaveof 10.0.0.1 6379\n").find("replicaof is not supported"), std::string::npos);
  EXPECT_NE(load("loadmodule /x/y.so\n").find("loadmodule is not supported"), std::string::npos);
  EXPECT_EQ(load("maxmemory 1gb\n"), "OK");
  {
    Config fresh;
    std::string err;
    ASSERT_TRUE(fresh.LoadFile(
        WriteFile("evict.conf", "maxmemory 1gb\nmaxmemory-policy allkeys-lru\n"), &err));
    EXPECT_TRUE(fresh.CheckLoaded(&err));
    EXPECT_EQ(fresh.String("maxmemory-policy"), "allkeys-lru");
  }
  EXPECT_EQ(load("replicaof no one\ncluster-enabled no\nappendonly no\nsave \"\"\nmaxmemory 0\n"
                 "tls-port 0\nio-threads 4\ndaemonize yes\n"),
            "OK");
}

TEST_F(ConfigTest, LoadFile) {
  WriteFile("extra.conf", "timeout 42\n");
  const std::string path = WriteFile("weir.conf",
                                     "# a comment\n"
                                     "   \n"
                                     "port 7777\n"
                                     "  PROTECTED-MODE no   \r\n"
                                     "bind 127.0.0.1 ::1\n"
                                     "save \"\"\n"
                                     "slave-read-only no\n"
                                     "requirepass \"pa ss\\x41\\\"\"\n"
                                     "masterauth 'it\\'s'\n"
                                     "maxmemory-policy allkeys-lru\n"
                                     "proto-max-bulk-len 1gb\n"
                                     "client-output-buffer-limit \"pubsub 1mb 2mb 3\"\n"
                                     "client-output-buffer-limit normal 4mb 5mb 6\n"
                                     "include " +
                                         (tmp_ / "extra.conf").string() +
                                         "\n"
                                         "include " +
                                         (tmp_ / "conf.d" / "*.conf").string() +
                                         "\n"
                                         "rename-command CONFIG \"\"\n"
                                         "rename-command DEBUG mydebug\n"
                                         "list-max-ziplist-entries 512\n"
                                         "threads 3\n");
  Config c;
  std::string err;
  ASSERT_TRUE(c.LoadFile(path, &err)) << err;
  EXPECT_EQ(c.config_file(), path);
  EXPECT_EQ(c.Int("port"), 7777);
  EXPECT_FALSE(c.Bool("protected-mode"));
  EXPECT_EQ(c.String("bind"), "127.0.0.1 ::1");
  EXPECT_EQ(c.String("save"), "");
  EXPECT_FALSE(c.Bool("replica-read-only"));
  EXPECT_EQ(c.String("requirepass"), "pa ssA\"");
  EXPECT_EQ(c.String("masterauth"), "it's");
  EXPECT_EQ(c.String("maxmemory-policy"), "allkeys-lru");
  EXPECT_EQ(c.Int("proto-max-bulk-len"), 1 << 30);
  EXPECT_EQ(c.String("client-output-buffer-limit"),
            "normal 4194304 5242880 6 slave 268435456 67108864 60 pubsub 1048576 2097152 3");
  EXPECT_EQ(c.Int("timeout"), 42);
  EXPECT_EQ(c.Int("threads"), 3);
  EXPECT_EQ(c.RenamedCommands(), (std::vector<std::pair<std::string, std::string>>{
                                     {"CONFIG", ""}, {"DEBUG", "mydebug"}}));
}

TEST_F(ConfigTest, LoadFileErrorsNameTheLine) {
  auto load = [this](const std::string& text) {
    Config c;
    std::string err;
    EXPECT_FALSE(c.LoadFile(WriteFile("bad.conf", text), &err));
    return err;
  };
  const std::string bad_path = (tmp_ / "bad.conf").string();
  EXPECT_EQ(load("port 1\n\nport abc\n"),
            "*** FATAL CONFIG FILE ERROR (Weir) ***\n"
            "Reading the configuration file '" +
                bad_path +
                "', at line 3\n"
                ">>> 'port abc'\n"
                "argument couldn't be parsed into an integer");
  EXPECT_NE(load("nosuchdirective 1\n").find("Bad directive or wrong number of arguments"),
            std::string::npos);
  EXPECT_NE(load("port 1 2\n").find("wrong number of arguments"), std::string::npos);
  EXPECT_NE(load("requirepass \"abc\n").find("Unbalanced quotes in configuration line"),
            std::string::npos);
  EXPECT_NE(load("requirepass \"abc\"def\n").find("Unbalanced quotes"), std::string::npos);
  EXPECT_NE(load("databases 0\n").find("argument must be between 1 and 2147483647 inclusive"),
            std::string::npos);
  EXPECT_NE(load("sentinel monitor x\n").find("sentinel directive while not in sentinel mode"),
            std::string::npos);

  // Errors inside an included file name that file.
  const std::string inner = WriteFile("inner.conf", "# x\nhz nope\n");
  const std::string err = load("include " + inner + "\n");
  EXPECT_NE(err.find("'" + inner + "', at line 2"), std::string::npos) << err;
  // A file including itself does not recurse forever.
  const std::string loop = WriteFile("loop.conf", "include " + (tmp_ / "loop.conf").string());
  Config c;
  std::string loop_err;
  EXPECT_FALSE(c.LoadFile(loop, &loop_err));
  EXPECT_NE(loop_err.find("included too deeply"), std::string::npos);

  Config missing;
  std::string missing_err;
  EXPECT_FALSE(missing.LoadFile((tmp_ / "nope.conf").string(), &missing_err));
  EXPECT_EQ(missing_err, "Fatal error, can't open config file '" + (tmp_ / "nope.conf").string() +
                             "': No such file or directory");
}

TEST_F(ConfigTest, LoadFileDirChangesDirectoryForLaterLines) {
  fs::create_directory(tmp_ / "work");
  std::ofstream(tmp_ / "work" / "relative.conf") << "hz 33\n";
  Config c;
  std::string err;
  ASSERT_TRUE(c.LoadFile(
      WriteFile("d.conf", "dir " + (tmp_ / "work").string() + "\ninclude relative.conf\n"), &err))
      << err;
  EXPECT_EQ(fs::current_path(), tmp_ / "work");
  EXPECT_EQ(c.Int("hz"), 33);
}

TEST_F(ConfigTest, LoadArgs) {
  Config c;
  std::string err;
  ASSERT_TRUE(c.LoadArgs({"--port", "7001", "--save", "--appendonly", "no", "--bind", "127.0.0.1",
                          "::1", "--requirepass", "--starts-with-dashes", "--hz 25",
                          "--client-output-buffer-limit", "normal 1mb 2mb 3", "--threads", "2"},
                         &err))
      << err;
  EXPECT_EQ(c.Int("port"), 7001);
  EXPECT_EQ(c.String("save"), "");
  EXPECT_EQ(c.String("bind"), "127.0.0.1 ::1");
  EXPECT_EQ(c.String("requirepass"), "--starts-with-dashes");
  EXPECT_EQ(c.Int("hz"), 25);
  EXPECT_EQ(c.String("client-output-buffer-limit"),
            "normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(c.Int("threads"), 2);

  // `--save` as the very last argument means save "".
  Config last;
  ASSERT_TRUE(last.LoadArgs({"--port", "7002", "--save"}, &err)) << err;
  EXPECT_EQ(last.Int("port"), 7002);
  // The same quoting as in files: a single value holding several words.
  Config quoted;
  ASSERT_TRUE(quoted.LoadArgs({"--save", "", "--port", "7003"}, &err)) << err;
  EXPECT_EQ(quoted.Int("port"), 7003);

  Config bad;
  EXPECT_FALSE(bad.LoadArgs({"--port", "abc"}, &err));
  EXPECT_EQ(err,
            "*** FATAL CONFIG FILE ERROR (Weir) ***\nReading the command line arguments\n"
            ">>> 'port \"abc\"'\nargument couldn't be parsed into an integer");
  EXPECT_FALSE(bad.LoadArgs({"--port"}, &err));
  EXPECT_NE(err.find("wrong number of arguments"), std::string::npos);
  EXPECT_FALSE(bad.LoadArgs({"--appendonly", "yes"}, &err));
  EXPECT_NE(err.find("appendonly yes is not supported by this Weir build yet"), std::string::npos);
  EXPECT_FALSE(bad.LoadArgs({"--no-such-thing", "1"}, &err));
  EXPECT_NE(err.find("Bad directive"), std::string::npos);

  // Arguments apply after the file, so they win.
  Config both;
  ASSERT_TRUE(both.LoadFile(WriteFile("both.conf", "port 8000\ntimeout 9\n"), &err)) << err;
  ASSERT_TRUE(both.LoadArgs({"--port", "8001"}, &err)) << err;
  EXPECT_EQ(both.Int("port"), 8001);
  EXPECT_EQ(both.Int("timeout"), 9);
}

TEST_F(ConfigTest, RewriteWithoutFileIsRefused) {
  Config c;
  std::string err;
  EXPECT_FALSE(c.Rewrite(&err));
  EXPECT_EQ(err, "The server is running without a config file");
}

TEST_F(ConfigTest, RewriteKeepsTheFileAndUpdatesValues) {
  const std::string path = WriteFile("weir.conf",
                                     "# My server\n"
                                     "port 7400\n"
                                     "slave-read-only yes\n"
                                     "timeout 10\n"
                                     "TIMEOUT 20\n"
                                     "\n"
                                     "\n"
                                     "hz 15\n"
                                     "rename-command FLUSHALL \"\"\n"
                                     "list-max-ziplist-entries 512\n"
                                     "logfile \"\"\n"
                                     "bind 127.0.0.1\n");
  Config c;
  std::string err;
  ASSERT_TRUE(c.LoadFile(path, &err)) << err;
  ASSERT_TRUE(c.SetMany({{"timeout", "30"},
                         {"loglevel", "warning"},
                         {"proto-max-bulk-len", "2mb"},
                         {"maxmemory-clients", "5%"},
                         {"requirepass", "a \"quoted\" pass"}},
                        &err))
      << err;
  ASSERT_TRUE(c.Rewrite(&err)) << err;
  EXPECT_EQ(ReadFile(path),
            "# My server\n"
            "port 7400\n"
            "replica-read-only yes\n"
            "timeout 30\n"
            "\n"
            "hz 15\n"
            "rename-command FLUSHALL \"\"\n"
            "# ??? list-max-ziplist-entries 512\n"
            "logfile \"\"\n"
            "bind 127.0.0.1\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "dir \"" +
                fs::current_path().string() +
                "\"\n"
                "latency-tracking-info-percentiles 50 99 99.9\n"
                "loglevel warning\n"
                "maxmemory-clients 5%\n"
                "proto-max-bulk-len 2mb\n"
                "requirepass \"a \\\"quoted\\\" pass\"\n"
                "save \"\"\n");

  // Reading the rewritten file gives back the same configuration.
  Config again;
  ASSERT_TRUE(again.LoadFile(path, &err)) << err;
  EXPECT_EQ(AsMap(again.Get({"*"})), AsMap(c.Get({"*"})));

  // Later rewrites reuse their own lines: no second signature. Like Redis, the text after the
  // final newline reads as one blank line, so the file settles after one more rewrite.
  const std::string first = ReadFile(path);
  ASSERT_TRUE(again.Rewrite(&err)) << err;
  const std::string second = ReadFile(path);
  EXPECT_EQ(second, first + "\n");
  ASSERT_TRUE(again.Rewrite(&err)) << err;
  EXPECT_EQ(ReadFile(path), second);

  // Back to defaults: lines of unset strings disappear, others stay in place.
  ASSERT_TRUE(again.SetMany({{"requirepass", ""}, {"maxmemory-clients", "0"}}, &err)) << err;
  ASSERT_TRUE(again.Rewrite(&err)) << err;
  const std::string third = ReadFile(path);
  EXPECT_EQ(third.find("requirepass"), std::string::npos);
  EXPECT_NE(third.find("maxmemory-clients 0\n"), std::string::npos);
}

TEST_F(ConfigTest, RewriteCreatesAMissingFile) {
  const std::string path = WriteFile("gone.conf", "port 7500\n");
  Config c;
  std::string err;
  ASSERT_TRUE(c.LoadFile(path, &err)) << err;
  fs::remove(path);
  ASSERT_TRUE(c.Rewrite(&err)) << err;
  Config again;
  ASSERT_TRUE(again.LoadFile(path, &err)) << err;
  EXPECT_EQ(again.Int("port"), 7500);
}

TEST_F(ConfigTest, ConcurrentReadersAndWriters) {
  Config c;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      const auto all = c.Get({"*"});
      EXPECT_FALSE(all.empty());
      const int64_t hz = c.Int("hz");
      EXPECT_TRUE(hz == 10 || hz == 20) << hz;
      EXPECT_FALSE(c.String("loglevel").empty());
    }
  });
  std::string err;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(
        c.SetMany({{"hz", i % 2 ? "10" : "20"}, {"loglevel", i % 2 ? "debug" : "notice"}}, &err));
  }
  stop = true;
  reader.join();
}

// A cache of handles must not take a new Config built where a freed one lived for the old one
// (the command fuzzer builds configurations one after another).
TEST(ConfigHandles, ReadsANewConfigAtTheSameAddressAfresh) {
  ConfigHandles<1> handles;
  alignas(Config) unsigned char storage[sizeof(Config)];
  auto* first = new (storage) Config();
  std::string err;
  ASSERT_TRUE(first->Set("hz", "50", &err)) << err;
  EXPECT_EQ(handles.Read(*first, {"hz"})[0], 50);
  first->~Config();
  auto* second = new (storage) Config();
  EXPECT_EQ(handles.Read(*second, {"hz"})[0], 10);
  second->~Config();
}

}  // namespace
}  // namespace weir
