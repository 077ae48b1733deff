// Building the command table and resolving names (and subcommands) case-insensitively.
#include "commands/registry.h"

#include <algorithm>

#include "common/strings.h"

namespace weir::commands {

void AsciiLower(std::string_view in, std::string* out) {
  out->resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    (*out)[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return false;
  }
  return true;
}

namespace {
std::unique_ptr<CommandSpec> MakeSpec(const CommandDef& def) {
  auto spec = std::make_unique<CommandSpec>();
  spec->name = std::string(def.name);
  spec->arity = def.arity;
  spec->flags = def.flags;
  for (auto cat : SplitNonEmpty(def.acl, ' ')) {
    spec->acl_categories.emplace_back(cat);
  }
  for (auto tip : SplitNonEmpty(def.tips, ' ')) spec->tips.emplace_back(tip);
  spec->key_specs = def.keys;
  spec->key_finder = def.key_finder;
  spec->handler = def.handler;
  spec->summary = std::string(def.summary);
  spec->since = std::string(def.since);
  spec->group = std::string(def.group);
  spec->complexity = std::string(def.complexity);
  spec->protected_by = std::string(def.protected_by);
  return spec;
}
}  // namespace

CommandSpec& CommandRegistry::Add(const CommandDef& def) {
  auto spec = MakeSpec(def);
  CommandSpec* raw = spec.get();
  by_name_[raw->name] = std::move(spec);
  ordered_.push_back(raw);
  return *raw;
}

CommandSpec& CommandRegistry::AddSubcommand(std::string_view parent, const CommandDef& def) {
  CommandSpec* p = by_name_.at(std::string(parent)).get();
  auto spec = MakeSpec(def);
  spec->parent = p;
  p->subcommands.push_back(std::move(spec));
  return *p->subcommands.back();
}

bool CommandRegistry::Rename(std::string_view name, std::string_view new_name) {
  std::string from, to;
  AsciiLower(name, &from);
  AsciiLower(new_name, &to);
  auto it = by_name_.find(from);
  if (it == by_name_.end()) return false;
  std::unique_ptr<CommandSpec> spec = std::move(it->second);
  by_name_.erase(it);
  if (to.empty()) {
    // The spec stays alive (COMMAND INFO no longer lists it) so pointers to it stay valid.
    retired_.push_back(std::move(spec));
    ordered_.erase(std::find(ordered_.begin(), ordered_.end(), retired_.back().get()));
    return true;
  }
  spec->name = to;
  by_name_[to] = std::move(spec);
  return true;
}

const CommandSpec* CommandRegistry::Find(std::string_view name) const {
  thread_local std::string lower;
  AsciiLower(name, &lower);
  auto it = by_name_.find(lower);
  return it == by_name_.end() ? nullptr : it->second.get();
}

const CommandSpec* CommandSpec::FindSubcommand(std::string_view sub) const {
  for (const auto& s : subcommands) {
    if (EqualsIgnoreCase(s->name, sub)) return s.get();
  }
  return nullptr;
}

const CommandSpec* CommandRegistry::Resolve(ArgList args, bool* unknown_subcommand) const {
  *unknown_subcommand = false;
  const CommandSpec* spec = Find(args[0]);
  if (spec == nullptr || spec->subcommands.empty()) return spec;
  // A container named alone is an arity error of the container itself, as in Redis.
  if (args.size() < 2) return spec;
  const CommandSpec* sub = spec->FindSubcommand(args[1]);
  if (sub == nullptr) *unknown_subcommand = true;
  return sub;
}

void CommandSpec::KeyIndexes(ArgList args, std::vector<int>* out) const {
  if (key_finder != nullptr) {
    key_finder(args, out);
    return;
  }
  const int argc = static_cast<int>(args.size());
  for (const KeySpec& ks : key_specs) {
    if (ks.begin_index <= 0 || ks.begin_index >= argc) continue;
    int last = ks.last_key >= 0 ? ks.begin_index + ks.last_key : argc + ks.last_key;
    if (last >= argc) last = argc - 1;
    for (int i = ks.begin_index; i <= last; i += ks.key_step) out->push_back(i);
  }
}

void RegisterAllCommands(CommandRegistry& registry) {
  RegisterStringCommands(registry);
  RegisterBitCommands(registry);
  RegisterHyperLogLogCommands(registry);
  RegisterKeyCommands(registry);
  RegisterTransactionCommands(registry);
  RegisterConnectionCommands(registry);
  RegisterServerCommands(registry);
  RegisterConfigCommands(registry);
  RegisterInfoCommands(registry);
  RegisterListCommands(registry);
  RegisterHashCommands(registry);
  RegisterSetCommands(registry);
  RegisterSortedSetCommands(registry);
  RegisterStreamCommands(registry);
  RegisterSortCommands(registry);
  RegisterScriptingCommands(registry);
  RegisterFunctionCommands(registry);
  RegisterGeoCommands(registry);
  RegisterReplicationCommands(registry);
  RegisterClusterCommands(registry);
  RegisterModuleCommands(registry);
  RegisterPubSubCommands(registry);
  RegisterTrackingCommands(registry);
  RegisterMonitorCommands(registry);
}

}  // namespace weir::commands
