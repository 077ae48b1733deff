// Server log lines in Redis's format ("pid:M 25 Nov 2026 10:00:00.123 * message"), to the
// logfile or stdout, filtered by loglevel.
#pragma once

#include <string>
#include <string_view>

namespace weir::server {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

void SetLogTarget(const std::string& path);  // "" = stdout
void SetLogLevel(std::string_view level);    // debug, verbose, notice, warning, nothing
void Log(LogLevel level, std::string_view message);

}  // namespace weir::server
