#include "scripting/script_cache.h"

#include <cstring>

namespace weir::scripting {

namespace {

struct FlagName {
  const char* name;
  uint32_t flag;
};
constexpr FlagName kFlagNames[] = {{"no-writes", kScriptNoWrites},
                                   {"allow-oom", kScriptAllowOom},
                                   {"allow-stale", kScriptAllowStale},
                                   {"no-cluster", kScriptNoCluster},
                                   {"allow-cross-slot-keys", kScriptAllowCrossSlot}};

std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

}  // namespace

bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_len, std::string* error) {
  *flags = kScriptCompatMode;
  *shebang_len = 0;
  if (!body.starts_with("#!")) return true;
  size_t end = body.find('\n');
  if (end == std::string_view::npos) {
    *error = "Invalid script shebang";
    return false;
  }
  *shebang_len = end;
  std::vector<std::string> parts = SplitWords(body.substr(0, end));
  if (parts.empty()) {
    *error = "Invalid engine in script shebang";
    return false;
  }
  if (parts[0] != "#!lua") {
    *error = "Unexpected engine in script shebang: " + parts[0];
    return false;
  }
  *flags = 0;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!parts[i].starts_with("flags=")) {
      *error = "Unknown lua shebang option: " + parts[i];
      return false;
    }
    std::string_view list = std::string_view(parts[i]).substr(6);
    size_t pos = 0;
    while (true) {
      size_t comma = list.find(',', pos);
      std::string_view name =
          list.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
      bool found = false;
      for (const FlagName& f : kFlagNames) {
        if (name == f.name) {
          *flags |= f.flag;
          found = true;
        }
      }
      // "flags=" with nothing after it declares no flags.
      if (!found && !(name.empty() && list.empty())) {
        *error = "Unexpected flag in script shebang: " + std::string(name);
        return false;
      }
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  return true;
}

std::vector<std::string> ScriptFlagNames(uint32_t flags) {
  std::vector<std::string> out;
  for (const FlagName& f : kFlagNames) {
    if (flags & f.flag) out.emplace_back(f.name);
  }
  return out;
}

bool ScriptFlagFromName(std::string_view name, uint32_t* flag) {
  for (const FlagName& f : kFlagNames) {
    std::string_view candidate = f.name;
    if (candidate.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = tolower(static_cast<unsigned char>(name[i])) == candidate[i];
    }
    if (same) {
      *flag = f.flag;
      return true;
    }
  }
  return false;
}

bool ScriptCache::Find(std::string_view sha, uint32_t* flags, std::string* body) {
  std::lock_guard lock(mu_);
  auto it = scripts_.find(std::string(sha));
  if (it == scripts_.end()) return false;
  if (!it->second.from_load) eval_lru_.splice(eval_lru_.begin(), eval_lru_, it->second.lru);
  *flags = it->second.script.flags;
  if (body != nullptr) *body = it->second.script.body;
  return true;
}

bool ScriptCache::Contains(std::string_view sha) {
  std::lock_guard lock(mu_);
  return scripts_.count(std::string(sha)) != 0;
}

std::vector<std::string> ScriptCache::Add(std::string_view sha, std::string_view body,
                                          uint32_t flags, bool from_load) {
  std::vector<std::string> evicted;
  std::lock_guard lock(mu_);
  auto [it, inserted] = scripts_.try_emplace(std::string(sha));
  Entry& e = it->second;
  if (inserted) {
    e.script.body.assign(body);
    e.script.flags = flags;
    bytes_ += static_cast<int64_t>(sha.size() + body.size());
    if (from_load) {
      e.from_load = true;
    } else {
      eval_lru_.push_front(it->first);
      e.lru = eval_lru_.begin();
    }
  } else if (from_load && !e.from_load) {
    eval_lru_.erase(e.lru);
    e.from_load = true;
  } else if (!e.from_load) {
    eval_lru_.splice(eval_lru_.begin(), eval_lru_, e.lru);
  }
  while (eval_lru_.size() > kMaxEvalScripts) {
    std::string victim = eval_lru_.back();
    eval_lru_.pop_back();
    auto v = scripts_.find(victim);
    bytes_ -= static_cast<int64_t>(victim.size() + v->second.script.body.size());
    scripts_.erase(v);
    ++evicted_;
    evicted.push_back(std::move(victim));
  }
  return evicted;
}

void ScriptCache::Flush() {
  std::lock_guard lock(mu_);
  scripts_.clear();
  eval_lru_.clear();
  bytes_ = 0;
  ++generation_;
}

uint64_t ScriptCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

size_t ScriptCache::size() {
  std::lock_guard lock(mu_);
  return scripts_.size();
}

int64_t ScriptCache::memory_bytes() {
  std::lock_guard lock(mu_);
  return bytes_;
}

int64_t ScriptCache::evicted() const {
  std::lock_guard lock(mu_);
  return evicted_;
}

}  // namespace weir::scripting
