// The zsets command family (being written).
#include "commands/registry.h"

namespace weir::commands {

void RegisterSortedSetCommands(CommandRegistry& r) {}

}  // namespace weir::commands
