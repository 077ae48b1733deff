// The server's configuration: every redis.conf directive Weir knows, with its type, default,
// range and current value. Read from a config file and `--directive value` arguments like
// redis-server; CONFIG GET/SET/REWRITE go through here. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir {

class Config {
 public:
  enum class Type { kBool, kInt, kMemory, kEnum, kString, kSpecial };

  // Directive::flags: the Redis table's per-config behaviours that the fields below don't cover.
  enum Flag : uint32_t {
    kHidden = 1 << 0,       // CONFIG GET patterns skip it; an exact name still finds it
    kMultiArg = 1 << 1,     // a list of words (save, bind, client-output-buffer-limit...)
    kEmptyIsNull = 1 << 2,  // "" means "not set": CONFIG REWRITE leaves no line for it
    kPercent = 1 << 3,      // kMemory that also takes "N%" (kept as -N in numeric)
    kOctal = 1 << 4,        // kInt read and shown in octal (unixsocketperm)
    kUnsigned = 1 << 5,     // min/max compare as uint64 (max -1 is 2^64-1): maxmemory
    kProtected = 1 << 6,    // CONFIG SET needs enable-protected-configs (dir, dbfilename)
  };

  struct Directive {
    std::string name;
    std::vector<std::string> aliases;  // e.g. "list-max-ziplist-size" for list-max-listpack-size
    Type type = Type::kString;
    std::string default_value;
    int64_t min = 0, max = 0;              // kInt / kMemory
    std::vector<std::string> enum_values;  // kEnum (lowercase)
    bool immutable = false;                // CONFIG SET refuses: "can't set immutable config"
    bool sensitive = false;                // requirepass: not shown by CONFIG GET? (Redis shows)
    uint32_t flags = 0;                    // Flag bits
    // Values that mean a feature not built yet: setting one is refused with this error. Also
    // Redis's own per-directive checks (dbfilename...). Sees the canonical value.
    std::function<bool(std::string_view value, std::string* err)> validate;

    std::string value;                // canonical text, as CONFIG GET shows it
    std::atomic<int64_t> numeric{0};  // kBool (0/1), kInt, kMemory, kEnum (index)
                                      // (shutdown-on-sig*: Redis's SHUTDOWN_* bits)
  };

  Config();
  // Unique per Config ever made in this process: caches keyed by it (ConfigHandles) cannot
  // mistake a new Config at a freed one's address for the old one.
  uint64_t instance_id() const { return instance_id_; }

  // Loads a redis.conf-format file (directives one per line, quoted args, `include`). On failure
  // err is the whole report as redis-server prints it (file, line, the line, the reason).
  bool LoadFile(const std::string& path, std::string* err);
  // Applies `--name value [value...]` pairs from the command line (after the optional file).
  bool LoadArgs(const std::vector<std::string>& args, std::string* err);
  // After loading: false with the reason when settings conflict (none do today).
  bool CheckLoaded(std::string* err) const;
  // `rename-command old new` pairs read so far (new is "" to remove); the server applies them.
  std::vector<std::pair<std::string, std::string>> RenamedCommands() const;
  // CONFIG SET of one directive; err is Redis's text after "ERR CONFIG SET failed (possibly
  // related to argument 'x') - " (for an unknown name: "Unknown option or number of ...").
  bool Set(std::string_view name, std::string_view value, std::string* err);
  // CONFIG SET of several pairs, atomically (all or nothing), in Redis's error format.
  bool SetMany(const std::vector<std::pair<std::string, std::string>>& pairs, std::string* err);
  // As above; local_client says the client connected over loopback or the unix socket, which
  // `enable-protected-configs local` needs to allow CONFIG SET dir / dbfilename.
  bool SetMany(const std::vector<std::pair<std::string, std::string>>& pairs, std::string* err,
               bool local_client);
  // CONFIG GET: every (name, value) matching any glob pattern, each directive once.
  std::vector<std::pair<std::string, std::string>> Get(const std::vector<std::string>& patterns);
  // CONFIG REWRITE into the file it was loaded from; false with err when none.
  bool Rewrite(std::string* err);
  const std::string& config_file() const { return config_file_; }

  // Fast typed reads (lock-free).
  int64_t Int(std::string_view name) const;
  bool Bool(std::string_view name) const { return Int(name) != 0; }
  std::string String(std::string_view name) const;
  // Direct handle for hot-path reads of one numeric directive.
  const std::atomic<int64_t>& Numeric(std::string_view name) const;

  // Called after a directive changed through Set (the server applies maxclients, hz...); only
  // when the value really changed, never while loading, and outside the lock.
  void OnChange(std::function<void(std::string_view name)> fn) { on_change_ = std::move(fn); }

 private:
  const uint64_t instance_id_;
  struct RewriteState;

  Directive* Find(std::string_view name) const;
  // Stores an already checked canonical value (and its numeric form); `dir` also chdirs here.
  bool Apply(Directive& d, std::string_view value, std::string* err);

  void BuildTable();
  Directive& Add(std::string name, Type type, std::string default_value, uint32_t flags);
  void AddEnum(std::string name, std::vector<std::pair<std::string, int64_t>> entries,
               std::string default_value, uint32_t flags);
  // Finds a directive and the name it is registered under (the alias when one was used).
  Directive* Lookup(std::string_view name, std::string* registered) const;
  // Checks the arguments of one directive like Redis's set functions and gives the canonical
  // CONFIG GET text; stores nothing.
  bool Canonicalize(const Directive& d, const std::vector<std::string>& args, std::string* out,
                    std::string* err) const;
  bool CanonicalizeSpecial(const Directive& d, const std::vector<std::string>& args,
                           std::string* out, std::string* err) const;
  bool CanonicalizeEnum(const Directive& d, const std::vector<std::string>& args, std::string* out,
                        std::string* err) const;
  int64_t NumericOf(const Directive& d, std::string_view canonical) const;
  std::string CurrentValue(const Directive& d) const;
  // Settings that are valid one by one but not together (checked under mu_).
  bool CheckCombinations(std::string* reason) const;
  // Loading: one file (or glob of files), one text, one split line.
  bool LoadPath(const std::string& path, int depth, std::string* err);
  bool LoadText(const std::string& text, const std::string& source, int depth, std::string* err);
  bool ApplyLine(std::vector<std::string>& argv, int depth, std::string* err, bool* reported);
  void RewriteDirective(const Directive& d, RewriteState& state) const;

  std::map<std::string, std::vector<std::pair<std::string, int64_t>>, std::less<>> enum_codes_;
  std::vector<std::pair<std::string, std::string>> renamed_commands_;

  std::map<std::string, std::unique_ptr<Directive>, std::less<>> directives_;  // by name
  std::map<std::string, Directive*, std::less<>> by_alias_;
  mutable std::mutex mu_;
  std::string config_file_;
  std::function<void(std::string_view)> on_change_;
};

// Numeric directives read on every command of a family (the encoding limits of HSET, SADD,
// ZADD...): their addresses are looked up by name once per Config (told apart by instance id,
// not address), then read lock-free.
// Declare one `thread_local` per call site.
template <size_t N>
class ConfigHandles {
 public:
  std::array<int64_t, N> Read(const Config& config, const std::array<std::string_view, N>& names) {
    if (config_id_ != config.instance_id()) {
      for (size_t i = 0; i < N; ++i) values_[i] = &config.Numeric(names[i]);
      config_id_ = config.instance_id();
    }
    std::array<int64_t, N> out;
    for (size_t i = 0; i < N; ++i) out[i] = values_[i]->load(std::memory_order_relaxed);
    return out;
  }

 private:
  uint64_t config_id_ = 0;  // 0: no Config read yet
  std::array<const std::atomic<int64_t>*, N> values_{};
};

}  // namespace weir
