// The hashes command family (being written).
#include "commands/registry.h"

namespace weir::commands {

void RegisterHashCommands(CommandRegistry& r) {}

}  // namespace weir::commands
