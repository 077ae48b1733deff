// MONITOR, and what monitors are shown of each command (Redis's replicationFeedMonitors, with
// the arguments redactClientCommandArgument hides).
#include <strings.h>

#include "commands/dispatcher.h"
#include "common/numbers.h"

namespace weir::commands {

namespace {

bool Is(std::string_view arg, std::string_view word) {
  return arg.size() == word.size() && strncasecmp(arg.data(), word.data(), word.size()) == 0;
}

// Marks the arguments Redis 7.2 redacts in the commands that carry secrets and are shown to
// monitors (ACL SETUSER and CONFIG SET are admin commands, never shown). Each follows the
// command's own parsing, which redacts as it goes and stops at the first error.
void MarkRedacted(const CommandSpec& spec, ArgList args, std::vector<bool>* redact) {
  if (spec.parent != nullptr) return;
  size_t argc = args.size();
  auto mark = [&](size_t i) {
    if (i < argc) (*redact)[i] = true;
  };
  if (spec.name == "auth") {
    // AUTH [user] password; more arguments are a syntax error before anything is redacted.
    if (argc > 3) return;
    mark(1);
    if (argc == 3) mark(2);
  } else if (spec.name == "hello") {
    // HELLO [protover [AUTH user pass] [SETNAME name]]
    if (argc >= 2) {
      int64_t ver;
      if (!ParseInt64(args[1], &ver) || ver < 2 || ver > 3) return;
    }
    for (size_t j = 2; j < argc; ++j) {
      size_t more = argc - 1 - j;
      if (Is(args[j], "auth") && more >= 2) {
        mark(j + 1);
        mark(j + 2);
        j += 2;
      } else if (Is(args[j], "setname") && more >= 1) {
        ++j;
      } else {
        return;
      }
    }
  } else if (spec.name == "migrate") {
    // MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH pass | AUTH2 user pass] [KEYS ...]
    for (size_t j = 6; j < argc; ++j) {
      size_t more = argc - 1 - j;
      if (Is(args[j], "copy") || Is(args[j], "replace")) continue;
      if (Is(args[j], "auth")) {
        if (more < 1) return;
        mark(++j);
      } else if (Is(args[j], "auth2")) {
        if (more < 2) return;
        mark(++j);
        mark(++j);
      } else {
        return;  // KEYS: the rest are keys; anything else: a syntax error
      }
    }
  }
}

void CmdMonitor(CommandContext& ctx) {
  Session& s = ctx.session;
  // Inside EXEC (Redis's CLIENT_DENY_BLOCKING): such a client expects one reply per command.
  if (s.in_multi || s.in_script || s.subscriber == nullptr) {
    return ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  }
  // Already a monitor: ignored, without a reply, as Redis does.
  if (s.monitor) return;
  s.monitor = true;
  ctx.dispatcher.monitors().Add(s.subscriber);
  ctx.reply.Ok();
}

}  // namespace

void Dispatcher::FeedMonitors(Session& session, const CommandSpec& spec, ArgList args) {
  thread_local std::vector<bool> redact;
  thread_local std::vector<std::string_view> shown;
  redact.assign(args.size(), false);
  MarkRedacted(spec, args, &redact);
  shown.assign(args.begin(), args.end());
  for (size_t i = 0; i < shown.size(); ++i) {
    if (redact[i]) shown[i] = "(redacted)";
  }
  std::string_view origin = session.in_script ? std::string_view("lua") : session.peer_id;
  if (session.hold_monitor_lines) {
    pubsub::Monitors::AppendLine(engine::NowUs(), session.db, origin, shown,
                                 &session.held_monitor_lines);
    return;
  }
  thread_local std::string line;
  line.clear();
  pubsub::Monitors::AppendLine(engine::NowUs(), session.db, origin, shown, &line);
  monitors_.Deliver(line);
}

void RegisterMonitorCommands(CommandRegistry& r) {
  r.Add({"monitor",
         1,
         kAdmin | kNoScript | kLoading | kStale | kNoLock,
         "admin slow dangerous",
         {},
         CmdMonitor,
         "Listens for all requests received by the server in real-time.",
         "1.0.0",
         "server",
         ""});
}

}  // namespace weir::commands
