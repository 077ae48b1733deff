// The lists command family (being written).
#include "commands/registry.h"

namespace weir::commands {

void RegisterListCommands(CommandRegistry& r) {}

}  // namespace weir::commands
