// The EVAL script cache, shared by every thread: sha -> body and flags. Each thread's
// LuaRuntime compiles a script from here the first time it runs it there. SCRIPT FLUSH bumps
// the generation, and each runtime starts afresh when it sees a new one.
//
// Bounded as Redis 7.4: scripts that only ever arrived by EVAL are evicted least recently used
// past kMaxEvalScripts (a client building a new body per call cannot grow the server); scripts
// added by SCRIPT LOAD stay until SCRIPT FLUSH.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weir::scripting {

// Shebang flags (#!lua flags=...), as Redis's SCRIPT_FLAG_*.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1u << 0,
  kScriptAllowOom = 1u << 1,
  kScriptAllowStale = 1u << 2,
  kScriptNoCluster = 1u << 3,
  kScriptAllowCrossSlot = 1u << 4,
  // No shebang: EVAL's backward-compatible mode, where the flags above do not apply.
  kScriptCompatMode = 1u << 5,
};

// Parses a script's shebang line. False with Redis's error text when it is invalid;
// *shebang_len is the length of the line (without its newline), 0 without one.
bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_len, std::string* error);
// "no-writes", "allow-oom"... for FUNCTION LIST; the names of the set flags, in Redis's order.
std::vector<std::string> ScriptFlagNames(uint32_t flags);
// The flag of a name ("no-writes"...), compared without case as redis.register_function does.
bool ScriptFlagFromName(std::string_view name, uint32_t* flag);

class ScriptCache {
 public:
  static constexpr size_t kMaxEvalScripts = 500;

  struct Script {
    std::string body;
    uint32_t flags = 0;
  };

  // Looks a script up, refreshing its place in the eviction order: its flags, and its body
  // when body is not null (only a thread that has not compiled it yet needs the text).
  bool Find(std::string_view sha, uint32_t* flags, std::string* body);
  bool Contains(std::string_view sha);
  // Adds (or refreshes) a script; from_load marks it as SCRIPT LOAD'ed (never evicted).
  // Returns the shas evicted to make room.
  std::vector<std::string> Add(std::string_view sha, std::string_view body, uint32_t flags,
                               bool from_load);
  void Flush();

  uint64_t generation() const;
  size_t size();
  int64_t memory_bytes();
  int64_t evicted() const;

 private:
  struct Entry {
    Script script;
    bool from_load = false;
    std::list<std::string>::iterator lru;  // valid when !from_load
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> scripts_;
  std::list<std::string> eval_lru_;  // front: most recently used
  int64_t bytes_ = 0;
  int64_t evicted_ = 0;
  uint64_t generation_ = 0;
};

}  // namespace weir::scripting
