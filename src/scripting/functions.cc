#include "scripting/functions.h"

#include <set>

#include "common/crc64.h"
#include "common/lzf.h"
#include "common/strings.h"

namespace weir::scripting {

namespace {

constexpr std::string_view kBadNameError =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";
constexpr std::string_view kLuaEngine = "LUA";

// Every thread's interpreter for functions, in bytes (ThreadFunctions::PublishMemory).
std::atomic<int64_t> g_vm_bytes{0};
std::atomic<uint64_t> g_next_registry_id{1};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

// strcasecmp: compares up to the first NUL byte of each, without case.
bool EqualsNoCase(std::string_view a, std::string_view b) {
  return Lower(UntilNul(a)) == Lower(UntilNul(b));
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The lowercase names of the functions of every library but `except`.
std::set<std::string> FunctionNames(const LibraryMap& libraries, std::string_view except) {
  std::set<std::string> names;
  for (const auto& [name, library] : libraries) {
    if (name == except) continue;
    for (const FunctionInfo& f : library->functions) names.insert(Lower(f.name));
  }
  return names;
}

// ---- RDB strings, as Redis writes and reads them in payloads ----

void WriteRdbLength(std::string* out, uint64_t len) {
  if (len < (1u << 6)) {
    out->push_back(static_cast<char>(len));
  } else if (len < (1u << 14)) {
    out->push_back(static_cast<char>(0x40 | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out->push_back(static_cast<char>(0x80));
    for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(len >> shift));
  } else {
    out->push_back(static_cast<char>(0x81));
    for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(len >> shift));
  }
}

class PayloadReader {
 public:
  explicit PayloadReader(std::string_view data) : data_(data) {}

  size_t pos() const { return pos_; }

  bool Byte(uint8_t* out) {
    if (pos_ >= data_.size()) return false;
    *out = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }

  // A length, or (*encoded) the type of a specially encoded string.
  bool Length(uint64_t* len, bool* encoded) {
    uint8_t b;
    if (!Byte(&b)) return false;
    *encoded = false;
    switch (b >> 6) {
      case 0:
        *len = b & 0x3f;
        return true;
      case 1: {
        uint8_t lo;
        if (!Byte(&lo)) return false;
        *len = (static_cast<uint64_t>(b & 0x3f) << 8) | lo;
        return true;
      }
      case 2: {
        int bytes = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
        if (bytes == 0) return false;
        uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) {
          uint8_t next;
          if (!Byte(&next)) return false;
          v = (v << 8) | next;
        }
        *len = v;
        return true;
      }
      default:
        *encoded = true;
        *len = b & 0x3f;
        return true;
    }
  }

  // An RDB string: plain, an integer in 1, 2 or 4 bytes (little-endian), or LZF-compressed.
  bool String(std::string* out) {
    uint64_t len;
    bool encoded;
    if (!Length(&len, &encoded)) return false;
    if (!encoded) return Take(len, out);
    if (len <= 2) {
      int bytes = 1 << len;
      std::string raw;
      if (!Take(bytes, &raw)) return false;
      uint64_t v = 0;
      for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(raw[i]);
      int64_t value = bytes == 1   ? static_cast<int8_t>(v)
                      : bytes == 2 ? static_cast<int16_t>(v)
                                   : static_cast<int32_t>(v);
      *out = std::to_string(value);
      return true;
    }
    if (len != 3) return false;
    uint64_t clen, ulen;
    bool enc1, enc2;
    if (!Length(&clen, &enc1) || enc1 || !Length(&ulen, &enc2) || enc2) return false;
    std::string compressed;
    if (!Take(clen, &compressed)) return false;
    return LzfDecompress(compressed, ulen, out);
  }

 private:
  bool Take(uint64_t n, std::string* out) {
    if (data_.size() - pos_ < n) return false;
    out->assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

// Redis's verifyDumpPayload: 2 bytes of RDB version and the CRC64 of everything before the
// checksum, both little-endian, end the payload.
bool VerifyPayload(std::string_view p) {
  if (p.size() < 10) return false;
  std::string_view footer = p.substr(p.size() - 10);
  uint16_t version = static_cast<uint8_t>(footer[0]) | (static_cast<uint8_t>(footer[1]) << 8);
  if (version > kRdbVersion) return false;
  uint64_t crc = Crc64(0, p.substr(0, p.size() - 8));
  for (int i = 0; i < 8; ++i) {
    if (static_cast<uint8_t>(footer[2 + i]) != ((crc >> (8 * i)) & 0xff)) return false;
  }
  return true;
}

int64_t LibraryBytes(const LibraryInfo& library) {
  int64_t bytes = sizeof(LibraryInfo) + library.name.size() + library.code.size();
  for (const FunctionInfo& f : library.functions) {
    bytes += sizeof(FunctionInfo) + f.name.size() + (f.description ? f.description->size() : 0);
  }
  return bytes;
}

}  // namespace

bool ParseLibraryMetadata(std::string_view code, std::string* engine, std::string* name,
                          size_t* shebang_len, std::string* error) {
  if (!code.starts_with("#!")) {
    *error = "Missing library metadata";
    return false;
  }
  // Redis looks for the newline with strchr: a NUL byte before it ends the search.
  size_t end = UntilNul(code).find('\n');
  if (end == std::string_view::npos) {
    *error = "Invalid library metadata";
    return false;
  }
  std::optional<std::vector<std::string>> parts = SplitArgs(code.substr(0, end));
  if (!parts || parts->empty()) {
    *error = "Invalid library metadata";
    return false;
  }
  *engine = (*parts)[0].substr(std::min<size_t>(2, (*parts)[0].size()));
  bool has_name = false;
  for (size_t i = 1; i < parts->size(); ++i) {
    const std::string& part = (*parts)[i];
    if (part.size() >= 5 && EqualsNoCase(part.substr(0, 5), "name=")) {
      if (has_name) {
        *error = "Invalid metadata value, name argument was given multiple times";
        return false;
      }
      *name = part.substr(5);
      has_name = true;
      continue;
    }
    *error = StrCat("Invalid metadata value given: ", UntilNul(part));
    return false;
  }
  if (!has_name) {
    *error = "Library name was not given";
    return false;
  }
  *shebang_len = end;
  return true;
}

// ---- FunctionRegistry ----

struct FunctionRegistry::Pending {
  LibraryPtr library;
  std::vector<int> refs;
};

FunctionRegistry::FunctionRegistry()
    : id_(g_next_registry_id.fetch_add(1)), libraries_(std::make_shared<LibraryMap>()) {}

std::shared_ptr<const LibraryMap> FunctionRegistry::Libraries(uint64_t* generation) const {
  std::lock_guard lock(mu_);
  if (generation != nullptr) *generation = generation_.load(std::memory_order_relaxed);
  return libraries_;
}

void FunctionRegistry::Publish(std::shared_ptr<const LibraryMap> libraries) {
  libraries_ = std::move(libraries);
  function_count_ = 0;
  overhead_bytes_ = 0;
  for (const auto& [name, library] : *libraries_) {
    function_count_ += library->functions.size();
    overhead_bytes_ += LibraryBytes(*library);
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

// Redis's functionsCreateWithLibraryCtx, checked against the libraries `others`, without
// changing anything: the caller commits *out.
bool FunctionRegistry::CreateLibrary(ThreadFunctions& thread, std::string_view code,
                                     const LibraryMap& others, bool replace, int64_t timeout_ms,
                                     ScriptHost* log_host, Pending* out, std::string* error) const {
  std::string engine, name;
  size_t shebang_len;
  if (!ParseLibraryMetadata(code, &engine, &name, &shebang_len, error)) return false;
  if (!ValidName(name)) {
    *error = kBadNameError;
    return false;
  }
  if (!EqualsNoCase(engine, kLuaEngine)) {
    *error = StrCat("Engine '", engine, "' not found");
    return false;
  }
  if (!replace && others.count(name) != 0) {
    *error = StrCat("Library '", name, "' already exists");
    return false;
  }
  std::vector<RegisteredFunction> registered;
  // The shebang line is cut but its newline kept, so line numbers in errors hold.
  if (!thread.lua().LoadLibrary(code.substr(shebang_len), timeout_ms, log_host, &registered,
                                error)) {
    return false;
  }
  auto release = [&] {
    for (const RegisteredFunction& f : registered) thread.lua().ReleaseFunction(f.ref);
  };
  if (registered.empty()) {
    *error = "No functions registered";
    return false;
  }
  std::set<std::string> taken = FunctionNames(others, name);
  for (const RegisteredFunction& f : registered) {
    if (taken.count(Lower(f.name)) != 0) {
      *error = StrCat("Function ", f.name, " already exists");
      release();
      return false;
    }
  }
  auto library = std::make_shared<LibraryInfo>();
  library->name = name;
  library->engine = std::string(kLuaEngine);
  library->code.assign(code);
  out->refs.clear();
  for (RegisteredFunction& f : registered) {
    library->functions.push_back({std::move(f.name), std::move(f.description), f.flags});
    out->refs.push_back(f.ref);
  }
  out->library = std::move(library);
  return true;
}

bool FunctionRegistry::Load(ThreadFunctions& thread, std::string_view code, bool replace,
                            int64_t timeout_ms, ScriptHost* log_host, std::string* result) {
  std::lock_guard lock(mu_);
  thread.SyncTo(generation_.load(std::memory_order_relaxed), libraries_);
  Pending pending;
  if (!CreateLibrary(thread, code, *libraries_, replace, timeout_ms, log_host, &pending, result)) {
    return false;
  }
  auto next = std::make_shared<LibraryMap>(*libraries_);
  (*next)[pending.library->name] = pending.library;
  *result = pending.library->name;
  Publish(std::move(next));
  // This thread keeps the functions it just loaded.
  thread.Unload(pending.library->name);
  thread.Install(pending.library, std::move(pending.refs));
  thread.generation_ = generation_.load(std::memory_order_relaxed);
  thread.RebuildIndex();
  return true;
}

bool FunctionRegistry::Delete(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = libraries_->find(std::string(name));
  if (it == libraries_->end()) return false;
  auto next = std::make_shared<LibraryMap>(*libraries_);
  next->erase(std::string(name));
  Publish(std::move(next));
  return true;
}

void FunctionRegistry::Flush() {
  std::lock_guard lock(mu_);
  Publish(std::make_shared<LibraryMap>());
}

std::string FunctionRegistry::Dump() const {
  std::shared_ptr<const LibraryMap> libraries = Libraries();
  std::string out;
  for (const auto& [name, library] : *libraries) {
    out.push_back(static_cast<char>(kRdbOpcodeFunction));
    WriteRdbLength(&out, library->code.size());
    out.append(library->code);
  }
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>(kRdbVersion >> 8));
  uint64_t crc = Crc64(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

bool FunctionRegistry::Restore(ThreadFunctions& thread, std::string_view payload,
                               RestorePolicy policy, std::string* error) {
  if (!VerifyPayload(payload)) {
    *error = "DUMP payload version or checksum are wrong";
    return false;
  }
  std::vector<std::string> codes;
  PayloadReader reader(payload);
  while (payload.size() - reader.pos() > 10) {
    uint8_t type = 0;
    if (!reader.Byte(&type)) {
      *error = "can not read data type";
      return false;
    }
    if (type == kRdbOpcodeFunctionPreGa) {
      *error = "Pre-GA function format not supported";
      return false;
    }
    if (type != kRdbOpcodeFunction) {
      *error = "given type is not a function";
      return false;
    }
    std::string code;
    if (!reader.String(&code)) {
      *error = "Failed loading library payload";
      return false;
    }
    codes.push_back(std::move(code));
  }

  std::lock_guard lock(mu_);
  thread.SyncTo(generation_.load(std::memory_order_relaxed), libraries_);
  // The payload's libraries are first created on their own, as Redis loads them into a new
  // library context, so a payload that repeats a library or a function fails as a whole.
  LibraryMap restored;
  std::vector<Pending> pending;
  auto release = [&] {
    for (const Pending& p : pending) {
      for (int ref : p.refs) thread.lua().ReleaseFunction(ref);
    }
  };
  for (const std::string& code : codes) {
    Pending p;
    if (!CreateLibrary(thread, code, restored, false, 0, nullptr, &p, error)) {
      release();
      return false;
    }
    restored[p.library->name] = p.library;
    pending.push_back(std::move(p));
  }

  std::shared_ptr<LibraryMap> next;
  std::vector<std::string> replaced;
  if (policy == RestorePolicy::kFlush) {
    next = std::make_shared<LibraryMap>(restored);
    for (const auto& [name, library] : *libraries_) replaced.push_back(name);
  } else {
    next = std::make_shared<LibraryMap>(*libraries_);
    for (const auto& [name, library] : restored) {
      if (next->count(name) == 0) continue;
      if (policy != RestorePolicy::kReplace) {
        *error = StrCat("Library ", name, " already exists");
        release();
        return false;
      }
      next->erase(name);
      replaced.push_back(name);
    }
    std::set<std::string> taken = FunctionNames(*next, {});
    for (const auto& [name, library] : restored) {
      for (const FunctionInfo& f : library->functions) {
        if (taken.count(Lower(f.name)) != 0) {
          *error = StrCat("Function ", f.name, " already exists");
          release();
          return false;
        }
      }
    }
    for (const auto& [name, library] : restored) (*next)[name] = library;
  }
  Publish(std::move(next));
  for (const std::string& name : replaced) thread.Unload(name);
  for (Pending& p : pending) {
    thread.Unload(p.library->name);
    thread.Install(p.library, std::move(p.refs));
  }
  thread.generation_ = generation_.load(std::memory_order_relaxed);
  thread.RebuildIndex();
  return true;
}

size_t FunctionRegistry::library_count() const {
  std::lock_guard lock(mu_);
  return libraries_->size();
}

size_t FunctionRegistry::function_count() const {
  std::lock_guard lock(mu_);
  return function_count_;
}

int64_t FunctionRegistry::overhead_bytes() const {
  std::lock_guard lock(mu_);
  return overhead_bytes_;
}

int64_t FunctionRegistry::VmBytes() { return g_vm_bytes.load(std::memory_order_relaxed); }

// ---- ThreadFunctions ----

ThreadFunctions::ThreadFunctions(FunctionRegistry& registry)
    : registry_(registry), registry_id_(registry.id()), lua_(LuaRuntime::Mode::kFunctions) {
  PublishMemory();
}

ThreadFunctions::~ThreadFunctions() { g_vm_bytes.fetch_sub(published_bytes_); }

void ThreadFunctions::PublishMemory() {
  int64_t bytes = lua_.MemoryBytes();
  g_vm_bytes.fetch_add(bytes - published_bytes_, std::memory_order_relaxed);
  published_bytes_ = bytes;
}

void ThreadFunctions::Sync() {
  if (registry_.generation() == generation_) return;
  uint64_t generation;
  std::shared_ptr<const LibraryMap> libraries = registry_.Libraries(&generation);
  SyncTo(generation, libraries);
}

void ThreadFunctions::SyncTo(uint64_t generation,
                             const std::shared_ptr<const LibraryMap>& libraries) {
  if (generation == generation_) return;
  std::vector<std::string> gone;
  for (const auto& [name, loaded] : loaded_) {
    auto it = libraries->find(name);
    if (it == libraries->end() || it->second != loaded.library) gone.push_back(name);
  }
  for (const std::string& name : gone) Unload(name);
  for (const auto& [name, library] : *libraries) {
    if (loaded_.count(name) != 0) continue;
    std::string engine, lib_name, error;
    size_t shebang_len = 0;
    std::vector<RegisteredFunction> registered;
    // Code that loaded once loads again: it sees nothing but the load API. No time limit, as
    // Redis loading libraries from a payload or an RDB file.
    std::vector<int> refs(library->functions.size(), LUA_NOREF);
    if (ParseLibraryMetadata(library->code, &engine, &lib_name, &shebang_len, &error) &&
        lua_.LoadLibrary(std::string_view(library->code).substr(shebang_len), 0, nullptr,
                         &registered, &error)) {
      for (const RegisteredFunction& f : registered) {
        bool used = false;
        for (size_t i = 0; i < library->functions.size() && !used; ++i) {
          if (library->functions[i].name == f.name && refs[i] == LUA_NOREF) {
            refs[i] = f.ref;
            used = true;
          }
        }
        if (!used) lua_.ReleaseFunction(f.ref);
      }
    }
    Install(library, std::move(refs));
  }
  generation_ = generation;
  RebuildIndex();
  PublishMemory();
}

void ThreadFunctions::Unload(const std::string& name) {
  auto it = loaded_.find(name);
  if (it == loaded_.end()) return;
  for (int ref : it->second.refs) {
    if (ref != LUA_NOREF) lua_.ReleaseFunction(ref);
  }
  loaded_.erase(it);
}

void ThreadFunctions::Install(LibraryPtr library, std::vector<int> refs) {
  std::string name = library->name;
  loaded_[name] = Loaded{std::move(library), std::move(refs)};
}

void ThreadFunctions::RebuildIndex() {
  index_.clear();
  for (const auto& [name, loaded] : loaded_) {
    for (size_t i = 0; i < loaded.refs.size(); ++i) {
      if (loaded.refs[i] == LUA_NOREF) continue;
      const FunctionInfo& info = loaded.library->functions[i];
      index_.emplace(Lower(info.name), Function{loaded.library, &info, loaded.refs[i]});
    }
  }
}

const ThreadFunctions::Function* ThreadFunctions::Find(std::string_view name) const {
  auto it = index_.find(Lower(name));
  return it == index_.end() ? nullptr : &it->second;
}

}  // namespace weir::scripting
