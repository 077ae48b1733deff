// weir: parses the config file and `--directive value` arguments as redis-server does, then
// runs the server until SIGTERM/SIGINT or SHUTDOWN.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "common/config.h"
#include "server/log.h"
#include "server/server.h"

namespace {

weir::server::Server* g_server = nullptr;

void OnSignal(int sig) {
  // Only async-signal-safe work here: the loop notices and shuts down gracefully.
  if (g_server != nullptr) g_server->RequestStop();
}

void Usage() {
  fprintf(stderr,
          "Usage: ./weir [/path/to/weir.conf] [options] [-]\n"
          "       ./weir -v or --version\n"
          "       ./weir -h or --help\n\n"
          "Examples:\n"
          "       ./weir (run the server with default config)\n"
          "       ./weir /etc/weir/6379.conf\n"
          "       ./weir --port 7777\n"
          "       ./weir /etc/myweir.conf --loglevel verbose --threads 4\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
    printf("Weir server v=%s (Redis 7.2.6 compatible)\n", WEIR_VERSION);
    return 0;
  }
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    Usage();
    return 0;
  }
  weir::Config config;
  std::string err;
  size_t first_opt = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    if (!config.LoadFile(args[0], &err)) {
      fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Weir %s) ***\n%s\n", WEIR_VERSION,
              err.c_str());
      return 1;
    }
    first_opt = 1;
  }
  std::vector<std::string> opts(args.begin() + first_opt, args.end());
  if (!config.LoadArgs(opts, &err) || !config.CheckLoaded(&err)) {
    fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Weir %s) ***\n%s\n", WEIR_VERSION, err.c_str());
    return 1;
  }
  weir::server::SetLogLevel(config.String("loglevel"));
  weir::server::SetLogTarget(config.String("logfile"));

  if (config.Bool("daemonize")) {
    if (daemon(1, 0) != 0) {
      perror("daemon");
      return 1;
    }
  }
  std::string pidfile = config.String("pidfile");
  if (!pidfile.empty()) {
    std::ofstream(pidfile) << getpid() << "\n";
  }

  weir::server::Server server(config);
  if (!server.Init(&err)) {
    weir::server::Log(weir::server::LogLevel::kWarning, err);
    return 1;
  }
  g_server = &server;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int rc = server.Run();
  g_server = nullptr;
  if (!pidfile.empty()) unlink(pidfile.c_str());
  return rc;
}
