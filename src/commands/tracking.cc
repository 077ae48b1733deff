// Client-side caching commands: CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO (Redis's
// clientCommand texts). The table and the invalidations live in pubsub/tracking.
#include "commands/args.h"
#include "commands/dispatcher.h"
#include "commands/registry.h"
#include "common/strings.h"
#include "protocol/errors.h"

namespace weir::commands {
namespace {

using pubsub::kTrackingBcast;
using pubsub::kTrackingBrokenRedir;
using pubsub::kTrackingCaching;
using pubsub::kTrackingNoloop;
using pubsub::kTrackingOn;
using pubsub::kTrackingOptin;
using pubsub::kTrackingOptout;

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
void CmdClientTracking(CommandContext& ctx) {
  Session& s = ctx.session;
  int64_t redirect = 0;
  uint32_t options = 0;
  std::vector<std::string> prefixes;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    bool more = j + 1 < ctx.argc();
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "redirect") && more) {
      ++j;
      if (redirect != 0)
        return ctx.reply.Error("ERR A client can only redirect to a single other client");
      if (!IntArg(ctx, ctx.arg(j), &redirect)) return;
      // The client must exist now, even though it may go away later.
      if (redirect == 0 || !ctx.server.WithClient(static_cast<uint64_t>(redirect),
                                                  [](pubsub::Subscriber&, const Session&) {})) {
        return ctx.reply.Error("ERR The client ID you want redirect to does not exist");
      }
    } else if (EqualsIgnoreCase(opt, "bcast")) {
      options |= kTrackingBcast;
    } else if (EqualsIgnoreCase(opt, "optin")) {
      options |= kTrackingOptin;
    } else if (EqualsIgnoreCase(opt, "optout")) {
      options |= kTrackingOptout;
    } else if (EqualsIgnoreCase(opt, "noloop")) {
      options |= kTrackingNoloop;
    } else if (EqualsIgnoreCase(opt, "prefix") && more) {
      ++j;
      prefixes.emplace_back(ctx.arg(j));
    } else {
      return ReplySyntaxError(ctx);
    }
  }

  pubsub::Tracker& tracker = ctx.dispatcher.tracker();
  if (EqualsIgnoreCase(ctx.arg(2), "on")) {
    if (!(options & kTrackingBcast) && !prefixes.empty()) {
      return ctx.reply.Error("ERR PREFIX option requires BCAST mode to be enabled");
    }
    if ((s.tracking & kTrackingOn) &&
        ((s.tracking & kTrackingBcast) != 0) != ((options & kTrackingBcast) != 0)) {
      return ctx.reply.Error(
          "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
          "then re-enabling it with a different mode.");
    }
    if ((options & kTrackingBcast) && (options & (kTrackingOptin | kTrackingOptout))) {
      return ctx.reply.Error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    }
    if ((options & kTrackingOptin) && (options & kTrackingOptout)) {
      return ctx.reply.Error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    }
    if (((options & kTrackingOptin) && (s.tracking & kTrackingOptout)) ||
        ((options & kTrackingOptout) && (s.tracking & kTrackingOptin))) {
      return ctx.reply.Error(
          "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
          "then re-enabling it with a different mode.");
    }
    if (options & kTrackingBcast) {
      std::string err = tracker.CheckPrefixes(s.id, prefixes);
      if (!err.empty()) return ctx.reply.Error(err);
    }
    uint32_t flags = tracker.Enable(s.id, static_cast<uint64_t>(redirect), options, prefixes);
    // CLIENT CACHING's flag survives re-enabling, as in Redis.
    s.tracking = flags | (s.tracking & kTrackingCaching);
  } else if (EqualsIgnoreCase(ctx.arg(2), "off")) {
    if (s.tracking != 0) tracker.Disable(s.id);
    s.tracking = 0;
  } else {
    return ReplySyntaxError(ctx);
  }
  ctx.reply.Ok();
}

void CmdClientCaching(CommandContext& ctx) {
  Session& s = ctx.session;
  if (!(s.tracking & kTrackingOn)) {
    return ctx.reply.Error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
  }
  std::string_view opt = ctx.arg(2);
  if (EqualsIgnoreCase(opt, "yes")) {
    if (!(s.tracking & kTrackingOptin)) {
      return ctx.reply.Error(
          "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (EqualsIgnoreCase(opt, "no")) {
    if (!(s.tracking & kTrackingOptout)) {
      return ctx.reply.Error(
          "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else {
    return ReplySyntaxError(ctx);
  }
  s.tracking |= kTrackingCaching;
  ctx.reply.Ok();
}

void CmdClientGetRedir(CommandContext& ctx) {
  pubsub::Tracker::ClientInfo info;
  if (!(ctx.session.tracking & kTrackingOn) ||
      !ctx.dispatcher.tracker().Info(ctx.session.id, &info)) {
    return ctx.reply.Integer(-1);
  }
  ctx.reply.Integer(static_cast<int64_t>(info.redirect));
}

void CmdClientTrackingInfo(CommandContext& ctx) {
  Session& s = ctx.session;
  pubsub::Tracker::ClientInfo info;
  bool on = (s.tracking & kTrackingOn) && ctx.dispatcher.tracker().Info(s.id, &info);
  uint32_t flags = on ? (info.flags | (s.tracking & kTrackingCaching)) : 0;
  ctx.reply.MapLen(3);
  ctx.reply.Bulk("flags");
  std::vector<std::string_view> names;
  names.push_back(on ? "on" : "off");
  if (flags & kTrackingBcast) names.push_back("bcast");
  if (flags & kTrackingOptin) {
    names.push_back("optin");
    if (flags & kTrackingCaching) names.push_back("caching-yes");
  }
  if (flags & kTrackingOptout) {
    names.push_back("optout");
    if (flags & kTrackingCaching) names.push_back("caching-no");
  }
  if (flags & kTrackingNoloop) names.push_back("noloop");
  if (flags & kTrackingBrokenRedir) names.push_back("broken_redirect");
  ctx.reply.SetLen(static_cast<int64_t>(names.size()));
  for (std::string_view n : names) ctx.reply.Bulk(n);
  ctx.reply.Bulk("redirect");
  ctx.reply.Integer(on ? static_cast<int64_t>(info.redirect) : -1);
  ctx.reply.Bulk("prefixes");
  ctx.reply.ArrayLen(static_cast<int64_t>(info.prefixes.size()));
  for (const std::string& p : info.prefixes) ctx.reply.Bulk(p);
}

}  // namespace

void RegisterTrackingCommands(CommandRegistry& r) {
  constexpr uint32_t kPlainConn = kNoLock | kNoScript | kLoading | kStale;
  r.AddSubcommand("client", {"tracking",
                             -3,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientTracking,
                             "Controls server-assisted client-side caching for the connection.",
                             "6.0.0",
                             "connection",
                             "O(1). Some options may introduce additional complexity."});
  r.AddSubcommand("client", {"caching",
                             3,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientCaching,
                             "Instructs the server whether to track the keys in the next request.",
                             "6.0.0",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"getredir",
                             2,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientGetRedir,
                             "Returns the client ID to which the connection's tracking "
                             "notifications are redirected.",
                             "6.0.0",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"trackinginfo",
                             2,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientTrackingInfo,
                             "Returns information about server-assisted client-side caching for "
                             "the connection.",
                             "6.2.0",
                             "connection",
                             "O(1)"});
}

}  // namespace weir::commands
