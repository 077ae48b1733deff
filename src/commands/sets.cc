// The sets command family (being written).
#include "commands/registry.h"

namespace weir::commands {

void RegisterSetCommands(CommandRegistry& r) {}

}  // namespace weir::commands
