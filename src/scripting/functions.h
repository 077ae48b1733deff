// FUNCTION libraries: the registry every thread shares, and each thread's Lua interpreter for
// functions, which follows it.
//
// The registry holds the libraries (name, engine, code, the functions each registered) as an
// immutable snapshot replaced on every change under a mutex, with a generation number. Lua
// objects cannot cross interpreters, so a thread runs functions in its own interpreter
// (ThreadFunctions), which loads the libraries of the current snapshot the first time it needs
// them and, when the generation moved, loads what is new and drops what is gone. FUNCTION LOAD
// and RESTORE run the library code in the calling thread's interpreter under the registry's
// mutex (Redis runs it to learn which functions a library registers), so a load checks and
// commits atomically, and that thread keeps what it loaded instead of loading it twice.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scripting/lua_runtime.h"

namespace weir::scripting {

struct FunctionInfo {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;  // ScriptFlag
};

struct LibraryInfo {
  std::string name;
  std::string engine;                   // "LUA"
  std::string code;                     // as loaded, shebang line included
  std::vector<FunctionInfo> functions;  // in registration order
};

using LibraryPtr = std::shared_ptr<const LibraryInfo>;
// Libraries by name (case-sensitive, as Redis).
using LibraryMap = std::map<std::string, LibraryPtr>;

// FUNCTION RESTORE's policies.
enum class RestorePolicy { kAppend, kReplace, kFlush };

// Redis's RDB version, written in FUNCTION DUMP payloads and the newest RESTORE accepts.
inline constexpr uint16_t kRdbVersion = 11;
// The payload opcode of one library (RDB_OPCODE_FUNCTION2), and the 7.0 release candidates' one.
inline constexpr uint8_t kRdbOpcodeFunction = 245;
inline constexpr uint8_t kRdbOpcodeFunctionPreGa = 246;

class ThreadFunctions;

class FunctionRegistry {
 public:
  // Redis's FUNCTION LOAD time limit.
  static constexpr int64_t kLoadTimeoutMs = 500;

  FunctionRegistry();

  uint64_t id() const { return id_; }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // The libraries now, and their generation.
  std::shared_ptr<const LibraryMap> Libraries(uint64_t* generation = nullptr) const;

  // FUNCTION LOAD [REPLACE]: true with the library's name in *result, or false with Redis's
  // error text (without its ERR code) there. log_host gets the library's redis.log lines.
  bool Load(ThreadFunctions& thread, std::string_view code, bool replace, int64_t timeout_ms,
            ScriptHost* log_host, std::string* result);
  // FUNCTION DELETE: false when there is no such library.
  bool Delete(std::string_view name);
  // FUNCTION FLUSH.
  void Flush();
  // FUNCTION DUMP: Redis's payload (one opcode + RDB string per library, the RDB version and
  // the CRC64 of all that, little-endian).
  std::string Dump() const;
  // FUNCTION RESTORE: false with Redis's error text.
  bool Restore(ThreadFunctions& thread, std::string_view payload, RestorePolicy policy,
               std::string* error);

  size_t library_count() const;
  size_t function_count() const;
  // What Redis's functionsMemoryOverhead counts: the libraries' names, code, functions and
  // descriptions and the structures that hold them (INFO used_memory_functions).
  int64_t overhead_bytes() const;

  // Bytes of every thread's interpreter for functions (INFO used_memory_vm_functions).
  static int64_t VmBytes();

 private:
  friend class ThreadFunctions;
  struct Pending;
  bool CreateLibrary(ThreadFunctions& thread, std::string_view code, const LibraryMap& others,
                     bool replace, int64_t timeout_ms, ScriptHost* log_host, Pending* out,
                     std::string* error) const;
  void Publish(std::shared_ptr<const LibraryMap> libraries);  // under mu_

  const uint64_t id_;
  mutable std::mutex mu_;
  std::shared_ptr<const LibraryMap> libraries_;
  std::atomic<uint64_t> generation_{1};
  size_t function_count_ = 0;
  int64_t overhead_bytes_ = 0;
};

// One thread's interpreter for functions, kept in step with the registry.
class ThreadFunctions {
 public:
  explicit ThreadFunctions(FunctionRegistry& registry);
  ~ThreadFunctions();
  ThreadFunctions(const ThreadFunctions&) = delete;
  ThreadFunctions& operator=(const ThreadFunctions&) = delete;

  FunctionRegistry& registry() { return registry_; }
  uint64_t registry_id() const { return registry_id_; }
  LuaRuntime& lua() { return lua_; }

  // Catches up with the registry; costs one atomic load when nothing changed.
  void Sync();

  struct Function {
    LibraryPtr library;
    const FunctionInfo* info = nullptr;
    int ref = LUA_NOREF;
  };
  // The function of that name, compared without case (FCALL test == FCALL TEST); null if none.
  const Function* Find(std::string_view name) const;

  // Reports the interpreter's size to INFO (after a load or a run).
  void PublishMemory();

 private:
  friend class FunctionRegistry;
  struct Loaded {
    LibraryPtr library;
    std::vector<int> refs;  // one per library->functions, in order
  };
  // Brings the interpreter to these libraries (no lock taken: snapshots are immutable).
  void SyncTo(uint64_t generation, const std::shared_ptr<const LibraryMap>& libraries);
  void Unload(const std::string& name);
  void Install(LibraryPtr library, std::vector<int> refs);
  void RebuildIndex();

  FunctionRegistry& registry_;
  const uint64_t registry_id_;
  LuaRuntime lua_;
  uint64_t generation_ = 0;  // of the libraries loaded (0: none yet)
  std::map<std::string, Loaded> loaded_;
  std::unordered_map<std::string, Function> index_;  // lowercase name -> function
  int64_t published_bytes_ = 0;
};

// Parses a library's shebang (#!<engine> name=<library>): Redis's functionExtractLibMetaData.
// False with Redis's error text.
bool ParseLibraryMetadata(std::string_view code, std::string* engine, std::string* name,
                          size_t* shebang_len, std::string* error);

}  // namespace weir::scripting
