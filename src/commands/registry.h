// The command table: one row per command (and subcommand), registered explicitly by each
// family's Register function in the order RegisterAllCommands lists them.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"

namespace weir::commands {

// A row as a family writes it; the registry turns it into a CommandSpec.
struct CommandDef {
  std::string_view name;
  int arity = 0;
  uint32_t flags = 0;
  std::string_view acl;  // space-separated categories without '@': "write string slow"
  std::vector<KeySpec> keys;
  Handler handler = nullptr;
  std::string_view summary;
  std::string_view since;
  std::string_view group;
  std::string_view complexity;
  KeyFinder key_finder = nullptr;
  std::string_view
      tips;  // space-separated, e.g. "nondeterministic_output request_policy:all_shards"
  std::string_view protected_by;  // see CommandSpec::protected_by
};

class CommandRegistry {
 public:
  CommandSpec& Add(const CommandDef& def);
  CommandSpec& AddSubcommand(std::string_view parent, const CommandDef& def);

  // Case-insensitive lookup of a top-level command.
  const CommandSpec* Find(std::string_view name) const;
  // The command an invocation runs: the subcommand for container commands, when it exists.
  // Sets *unknown_subcommand when args name a container with an unknown subcommand.
  const CommandSpec* Resolve(ArgList args, bool* unknown_subcommand) const;

  const std::vector<CommandSpec*>& all() const { return ordered_; }

  // rename-command: new_name empty removes the command. False when `name` does not exist.
  bool Rename(std::string_view name, std::string_view new_name);

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<CommandSpec>> by_name_;
  std::vector<CommandSpec*> ordered_;
  std::vector<std::unique_ptr<CommandSpec>> retired_;
};

// Lowercases into out (reused buffer) for case-insensitive comparisons.
void AsciiLower(std::string_view in, std::string* out);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Every family's registration; the one place that lists them.
void RegisterAllCommands(CommandRegistry& registry);

void RegisterStringCommands(CommandRegistry& r);
void RegisterBitCommands(CommandRegistry& r);
void RegisterHyperLogLogCommands(CommandRegistry& r);
void RegisterKeyCommands(CommandRegistry& r);
void RegisterTransactionCommands(CommandRegistry& r);
void RegisterConnectionCommands(CommandRegistry& r);
void RegisterServerCommands(CommandRegistry& r);
void RegisterConfigCommands(CommandRegistry& r);
void RegisterInfoCommands(CommandRegistry& r);
void RegisterListCommands(CommandRegistry& r);
void RegisterHashCommands(CommandRegistry& r);
void RegisterSetCommands(CommandRegistry& r);
void RegisterSortedSetCommands(CommandRegistry& r);
void RegisterStreamCommands(CommandRegistry& r);
void RegisterScriptingCommands(CommandRegistry& r);
void RegisterFunctionCommands(CommandRegistry& r);
void RegisterSortCommands(CommandRegistry& r);
void RegisterGeoCommands(CommandRegistry& r);
void RegisterReplicationCommands(CommandRegistry& r);
void RegisterClusterCommands(CommandRegistry& r);
void RegisterModuleCommands(CommandRegistry& r);
void RegisterPubSubCommands(CommandRegistry& r);
void RegisterTrackingCommands(CommandRegistry& r);
void RegisterMonitorCommands(CommandRegistry& r);

}  // namespace weir::commands
