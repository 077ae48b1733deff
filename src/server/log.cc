// Logging with Redis's line format and level marks (. - * #).
#include "server/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <mutex>

namespace weir::server {

namespace {
std::mutex g_mu;
std::string g_path;
int g_level = static_cast<int>(LogLevel::kNotice);
}  // namespace

void SetLogTarget(const std::string& path) {
  std::lock_guard lock(g_mu);
  g_path = path;
}

void SetLogLevel(std::string_view level) {
  std::lock_guard lock(g_mu);
  if (level == "debug")
    g_level = 0;
  else if (level == "verbose")
    g_level = 1;
  else if (level == "notice")
    g_level = 2;
  else if (level == "warning")
    g_level = 3;
  else
    g_level = 4;  // "nothing"
}

void Log(LogLevel level, std::string_view message) {
  std::lock_guard lock(g_mu);
  if (static_cast<int>(level) < g_level) return;
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm tm_now;
  localtime_r(&tv.tv_sec, &tm_now);
  char when[64];
  size_t off = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm_now);
  snprintf(when + off, sizeof(when) - off, "%03d", static_cast<int>(tv.tv_usec / 1000));
  static const char kMarks[] = ".-*#";
  FILE* f = g_path.empty() ? stdout : fopen(g_path.c_str(), "a");
  if (f == nullptr) return;
  fprintf(f, "%d:M %s %c %.*s\n", static_cast<int>(getpid()), when, kMarks[static_cast<int>(level)],
          static_cast<int>(message.size()), message.data());
  fflush(f);
  if (f != stdout) fclose(f);
}

}  // namespace weir::server
