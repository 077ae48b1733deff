// The sort command family (being written).
#include "commands/registry.h"

namespace weir::commands {

void RegisterSortCommands(CommandRegistry& r) {}

}  // namespace weir::commands
