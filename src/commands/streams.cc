// The streams command family (being written).
#include "commands/registry.h"

namespace weir::commands {

void RegisterStreamCommands(CommandRegistry& r) {}

}  // namespace weir::commands
