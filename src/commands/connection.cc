// The connection family: PING, ECHO, QUIT, RESET, AUTH, HELLO, SELECT and CLIENT.
#include <cstdint>

#include "commands/args.h"
#include "commands/dispatcher.h"
#include "commands/registry.h"
#include "commands/transactions.h"
#include "common/config.h"
#include "common/numbers.h"
#include "common/strings.h"
#include "protocol/errors.h"

namespace weir::commands {
namespace {

namespace errors = protocol::errors;

void CmdPing(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    return ReplyWrongArity(ctx);
  }
  // A RESP2 client in subscribed mode gets ["pong", message], as a message would look.
  if (ctx.session.subscribed_mode()) {
    ctx.reply.ArrayLen(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.argc() == 2 ? ctx.arg(1) : std::string_view());
    return;
  }
  if (ctx.argc() == 2) return ctx.reply.Bulk(ctx.arg(1));
  ctx.reply.SimpleString("PONG");
}

void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.arg(1)); }

void CmdQuit(CommandContext& ctx) {
  ctx.session.close_after_reply = true;
  ctx.reply.Ok();
}

// Checks a password for the default user (the only user until ACLs exist).
bool CheckPassword(CommandContext& ctx, std::string_view user, std::string_view pass) {
  // Without requirepass the default user is "nopass": any password is accepted for it.
  std::string required = ctx.server.config().String("requirepass");
  return user == "default" && (required.empty() || pass == required);
}

void CmdAuth(CommandContext& ctx) {
  if (ctx.argc() > 3) return ReplySyntaxError(ctx);
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  std::string_view pass = ctx.arg(ctx.argc() - 1);
  if (ctx.argc() == 2 && ctx.server.config().String("requirepass").empty()) {
    return ctx.reply.Error(errors::kAuthNotSet);
  }
  if (!CheckPassword(ctx, user, pass)) return ctx.reply.Error(errors::kWrongPass);
  ctx.session.authenticated = true;
  ctx.reply.Ok();
}

bool ValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

constexpr std::string_view kBadClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

void SetName(Session& s, std::string_view name) {
  std::lock_guard lock(s.info_mu);
  s.name.assign(name);
}

void CmdHello(CommandContext& ctx) {
  int64_t ver = 0;
  size_t next = 1;
  if (ctx.argc() >= 2) {
    if (!ParseInt64(ctx.arg(1), &ver)) {
      return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    }
    ++next;
    if (ver < 2 || ver > 3) return ctx.reply.Error("NOPROTO unsupported protocol version");
  }
  std::string_view user, pass, name;
  bool has_auth = false, has_name = false;
  for (size_t j = next; j < ctx.argc(); ++j) {
    size_t more = ctx.argc() - 1 - j;
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "auth") && more >= 2) {
      user = ctx.arg(j + 1);
      pass = ctx.arg(j + 2);
      has_auth = true;
      j += 2;
    } else if (EqualsIgnoreCase(opt, "setname") && more >= 1) {
      name = ctx.arg(++j);
      if (!ValidClientName(name)) return ctx.reply.Error(kBadClientName);
      has_name = true;
    } else {
      return ctx.reply.Error(StrCat("ERR Syntax error in HELLO option '", UntilNul(opt), "'"));
    }
  }
  if (has_auth) {
    if (!CheckPassword(ctx, user, pass)) return ctx.reply.Error(errors::kWrongPass);
    ctx.session.authenticated = true;
  }
  if (!ctx.session.authenticated) {
    return ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
  }
  if (has_name) SetName(ctx.session, name);
  if (ver != 0) {
    ctx.session.resp = static_cast<int>(ver);
    ctx.reply.set_resp3(ver == 3);
  }
  ctx.reply.MapLen(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk("7.2.6");
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(ctx.session.resp);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(ctx.session.id));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.ArrayLen(0);
}

void CmdReset(CommandContext& ctx) {
  Session& s = ctx.session;
  DiscardTransaction(ctx.server.engine(), s);
  s.db = 0;
  s.resp = 2;
  ctx.reply.set_resp3(false);
  s.authenticated = ctx.server.config().String("requirepass").empty();
  SetName(s, "");
  s.no_touch = false;
  s.no_evict = false;
  s.reply_mode = Session::ReplyMode::kOn;
  if (s.subscriber != nullptr) ctx.dispatcher.broker().UnsubscribeAll(s.subscriber);
  if (s.tracking != 0) {
    ctx.dispatcher.tracker().Disable(s.id);
    s.tracking = 0;
  }
  if (s.monitor) {
    ctx.dispatcher.monitors().Remove(s.subscriber);
    s.monitor = false;
  }
  ctx.reply.SimpleString("RESET");
}

void CmdSelect(CommandContext& ctx) {
  int64_t db;
  if (!IntArg(ctx, ctx.arg(1), &db)) return;
  if (db < 0 || db >= ctx.server.engine().num_dbs()) return ctx.reply.Error(errors::kDbIndex);
  ctx.session.db = static_cast<int>(db);
  ctx.reply.Ok();
}

// ---- CLIENT ----

void CmdClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.session.id)); }

void CmdClientGetName(CommandContext& ctx) {
  std::string name;
  {
    std::lock_guard lock(ctx.session.info_mu);
    name = ctx.session.name;
  }
  if (name.empty()) return ctx.reply.Null();
  ctx.reply.Bulk(name);
}

void CmdClientSetName(CommandContext& ctx) {
  if (!ValidClientName(ctx.arg(2))) return ctx.reply.Error(kBadClientName);
  SetName(ctx.session, ctx.arg(2));
  ctx.reply.Ok();
}

void CmdClientInfo(CommandContext& ctx) {
  ctx.session.Publish();
  ctx.reply.Verbatim(ctx.server.ClientInfo(ctx.session));
}

bool ParseClientType(std::string_view t, std::string* out) {
  for (std::string_view known : {"normal", "master", "replica", "slave", "pubsub"}) {
    if (EqualsIgnoreCase(t, known)) {
      *out = known == "slave" ? "replica" : std::string(known);
      return true;
    }
  }
  return false;
}

void CmdClientList(CommandContext& ctx) {
  ServerApi::ClientFilter filter;
  filter.skip_me = false;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    if (EqualsIgnoreCase(ctx.arg(j), "type") && j + 1 < ctx.argc()) {
      if (!ParseClientType(ctx.arg(j + 1), &filter.type)) {
        return ctx.reply.Error(StrCat("ERR Unknown client type '", UntilNul(ctx.arg(j + 1)), "'"));
      }
      ++j;
    } else if (EqualsIgnoreCase(ctx.arg(j), "id") && j + 1 < ctx.argc()) {
      for (++j; j < ctx.argc(); ++j) {
        int64_t id;
        if (!ParseInt64(ctx.arg(j), &id) || id <= 0) {
          return ctx.reply.Error("ERR Invalid client ID");
        }
        filter.ids.push_back(static_cast<uint64_t>(id));
      }
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  ctx.session.Publish();
  ctx.reply.Verbatim(ctx.server.ClientList(filter));
}

void CmdClientKill(CommandContext& ctx) {
  ServerApi::ClientFilter filter;
  if (ctx.argc() == 3) {
    // Old form: CLIENT KILL addr:port, an error when nobody matches.
    filter.addr = std::string(ctx.arg(2));
    filter.skip_me = false;
    if (ctx.server.KillClients(filter, ctx.session) == 0) {
      return ctx.reply.Error("ERR No such client");
    }
    return ctx.reply.Ok();
  }
  if (ctx.argc() % 2 != 0) return ReplySyntaxError(ctx);
  for (size_t j = 2; j + 1 < ctx.argc(); j += 2) {
    std::string_view opt = ctx.arg(j), val = ctx.arg(j + 1);
    if (EqualsIgnoreCase(opt, "id")) {
      int64_t id;
      if (!ParseInt64(val, &id) || id <= 0) {
        return ctx.reply.Error("ERR client-id should be greater than 0");
      }
      filter.ids.push_back(static_cast<uint64_t>(id));
    } else if (EqualsIgnoreCase(opt, "type")) {
      if (!ParseClientType(val, &filter.type)) {
        return ctx.reply.Error(StrCat("ERR Unknown client type '", UntilNul(val), "'"));
      }
    } else if (EqualsIgnoreCase(opt, "addr")) {
      filter.addr = std::string(val);
    } else if (EqualsIgnoreCase(opt, "laddr")) {
      filter.laddr = std::string(val);
    } else if (EqualsIgnoreCase(opt, "user")) {
      if (val != "default") {
        return ctx.reply.Error(StrCat("ERR No such user '", UntilNul(val), "'"));
      }
      filter.user = std::string(val);
    } else if (EqualsIgnoreCase(opt, "skipme")) {
      if (EqualsIgnoreCase(val, "yes")) {
        filter.skip_me = true;
      } else if (EqualsIgnoreCase(val, "no")) {
        filter.skip_me = false;
      } else {
        return ReplySyntaxError(ctx);
      }
    } else {
      return ReplySyntaxError(ctx);
    }
  }
  ctx.reply.Integer(ctx.server.KillClients(filter, ctx.session));
}

void CmdClientPause(CommandContext& ctx) {
  int64_t ms;
  if (!ParseInt64(ctx.arg(2), &ms)) {
    return ctx.reply.Error(errors::kTimeoutNotInteger);
  }
  if (ms < 0) return ctx.reply.Error(errors::kTimeoutNegative);
  // As Redis's getTimeoutFromObjectOrReply: a timeout that would overflow now + ms is refused
  // (the sum was signed overflow).
  const int64_t now = ctx.db.now_ms();
  if (ms > INT64_MAX - now) return ctx.reply.Error(errors::kTimeoutOutOfRange);
  bool writes_only = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "write")) {
      writes_only = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "all")) {
      return ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  ctx.server.PauseClients(now + ms, writes_only);
  ctx.reply.Ok();
}

void CmdClientUnpause(CommandContext& ctx) {
  ctx.server.UnpauseClients();
  ctx.reply.Ok();
}

void CmdClientReply(CommandContext& ctx) {
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "on")) {
    ctx.session.reply_mode = Session::ReplyMode::kOn;
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(mode, "off")) {
    ctx.session.reply_mode = Session::ReplyMode::kOff;
  } else if (EqualsIgnoreCase(mode, "skip")) {
    // The current reply (none) and the next command's reply are dropped.
    if (ctx.session.reply_mode != Session::ReplyMode::kOff) {
      ctx.session.reply_mode = Session::ReplyMode::kSkipNext;
    }
  } else {
    ReplySyntaxError(ctx);
  }
}

bool OnOffArg(CommandContext& ctx, bool* out) {
  if (EqualsIgnoreCase(ctx.arg(2), "on")) {
    *out = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "off")) {
    *out = false;
  } else {
    ReplySyntaxError(ctx);
    return false;
  }
  return true;
}

void CmdClientNoEvict(CommandContext& ctx) {
  if (OnOffArg(ctx, &ctx.session.no_evict)) ctx.reply.Ok();
}

void CmdClientNoTouch(CommandContext& ctx) {
  if (OnOffArg(ctx, &ctx.session.no_touch)) ctx.reply.Ok();
}

void CmdClientSetInfo(CommandContext& ctx) {
  std::string_view attr = ctx.arg(2), val = ctx.arg(3);
  bool is_name = EqualsIgnoreCase(attr, "lib-name");
  if (!is_name && !EqualsIgnoreCase(attr, "lib-ver")) {
    return ctx.reply.Error(StrCat("ERR Unrecognized option '", UntilNul(attr), "'"));
  }
  for (char c : val) {
    if (c < '!' || c > '~') {
      return ctx.reply.Error(
          StrCat("ERR ", attr, " cannot contain spaces, newlines or special characters."));
    }
  }
  {
    std::lock_guard lock(ctx.session.info_mu);
    (is_name ? ctx.session.lib_name : ctx.session.lib_ver).assign(val);
  }
  ctx.reply.Ok();
}

void CmdClientUnblock(CommandContext& ctx) {
  bool with_error = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "error")) {
      with_error = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "timeout")) {
      return ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  } else if (ctx.argc() != 3) {
    return ReplySubcommandSyntaxError(ctx);
  }
  int64_t id;
  if (!IntArg(ctx, ctx.arg(2), &id)) return;
  ctx.reply.Integer(id > 0 && ctx.server.UnblockClient(static_cast<uint64_t>(id), with_error));
}

void CmdClientHelp(CommandContext& ctx) {
  // Redis's text, less the subcommands Weir does not have yet (CACHING, TRACKING).
  ReplyHelp(ctx, {
                     "GETREDIR",
                     "    Return the client ID we are redirecting to when tracking is enabled.",
                     "GETNAME",
                     "    Return the name of the current connection.",
                     "ID",
                     "    Return the ID of the current connection.",
                     "INFO",
                     "    Return information about the current client connection.",
                     "KILL <ip:port>",
                     "    Kill connection made from <ip:port>.",
                     "KILL <option> <value> [<option> <value> [...]]",
                     "    Kill connections. Options are:",
                     "    * ADDR (<ip:port>|<unixsocket>:0)",
                     "      Kill connections made from the specified address",
                     "    * LADDR (<ip:port>|<unixsocket>:0)",
                     "      Kill connections made to specified local address",
                     "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                     "      Kill connections by type.",
                     "    * USER <username>",
                     "      Kill connections authenticated by <username>.",
                     "    * SKIPME (YES|NO)",
                     "      Skip killing current connection (default: yes).",
                     "LIST [options ...]",
                     "    Return information about client connections. Options:",
                     "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                     "      Return clients of specified type.",
                     "UNPAUSE",
                     "    Stop the current client pause, resuming traffic.",
                     "PAUSE <timeout> [WRITE|ALL]",
                     "    Suspend all, or just write, clients for <timeout> milliseconds.",
                     "REPLY (ON|OFF|SKIP)",
                     "    Control the replies sent to the current connection.",
                     "SETNAME <name>",
                     "    Assign the name <name> to the current connection.",
                     "SETINFO <option> <value>",
                     "    Set client meta attr. Options are:",
                     "    * LIB-NAME: the client lib name.",
                     "    * LIB-VER: the client lib version.",
                     "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                     "    Unblock the specified blocked client.",
                     "NO-EVICT (ON|OFF)",
                     "    Protect current client connection from eviction.",
                     "NO-TOUCH (ON|OFF)",
                     "    Will not touch LRU/LFU stats when this mode is on.",
                 });
}

}  // namespace

void RegisterConnectionCommands(CommandRegistry& r) {
  constexpr uint32_t kConn = kNoLock | kLoading | kStale | kFast;
  r.Add({"ping",
         -1,
         kNoLock | kFast | kSentinel | kSubscribedContext,
         "fast connection",
         {},
         CmdPing,
         "Returns the server's liveliness response.",
         "1.0.0",
         "connection",
         "O(1)",
         nullptr,
         "request_policy:all_shards response_policy:all_succeeded"});
  r.Add({"echo",
         2,
         kConn,
         "fast connection",
         {},
         CmdEcho,
         "Returns the given string.",
         "1.0.0",
         "connection",
         "O(1)"});
  r.Add({"quit",
         -1,
         kConn | kNoScript | kNoAuth | kAllowBusy | kRunsInMulti | kSubscribedContext,
         "fast connection",
         {},
         CmdQuit,
         "Closes the connection.",
         "1.0.0",
         "connection",
         "O(1)"});
  r.Add({"reset",
         1,
         kConn | kNoScript | kNoAuth | kAllowBusy | kRunsInMulti | kSubscribedContext,
         "fast connection",
         {},
         CmdReset,
         "Resets the connection.",
         "6.2.0",
         "connection",
         "O(1)"});
  r.Add({"auth",
         -2,
         kConn | kNoScript | kNoAuth | kSentinel | kAllowBusy,
         "fast connection",
         {},
         CmdAuth,
         "Authenticates the connection.",
         "1.0.0",
         "connection",
         "O(N) where N is the number of passwords defined for the user"});
  r.Add({"hello",
         -1,
         kConn | kNoScript | kNoAuth | kSentinel | kAllowBusy,
         "fast connection",
         {},
         CmdHello,
         "Handshakes with the Redis server.",
         "6.0.0",
         "connection",
         "O(1)"});
  r.Add({"select",
         2,
         kConn,
         "fast connection",
         {},
         CmdSelect,
         "Changes the selected database.",
         "1.0.0",
         "connection",
         "O(1)"});

  r.Add({"client",
         -2,
         kNoLock | kSentinel,
         "slow",
         {},
         nullptr,
         "A container for client connection commands.",
         "2.4.0",
         "connection",
         "Depends on subcommand."});
  constexpr uint32_t kAdminConn = kNoLock | kAdmin | kNoScript | kLoading | kStale | kSentinel;
  constexpr uint32_t kPlainConn = kNoLock | kNoScript | kLoading | kStale | kSentinel;
  r.AddSubcommand("client", {"id",
                             2,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientId,
                             "Returns the unique client ID of the connection.",
                             "5.0.0",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"getname",
                             2,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientGetName,
                             "Returns the name of the connection.",
                             "2.6.9",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"setname",
                             3,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientSetName,
                             "Sets the connection name.",
                             "2.6.9",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"info",
                             2,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientInfo,
                             "Returns information about the connection.",
                             "6.2.0",
                             "connection",
                             "O(1)",
                             nullptr,
                             "nondeterministic_output"});
  r.AddSubcommand("client", {"list",
                             -2,
                             kAdminConn,
                             "admin slow dangerous connection",
                             {},
                             CmdClientList,
                             "Lists open connections.",
                             "2.4.0",
                             "connection",
                             "O(N) where N is the number of client connections",
                             nullptr,
                             "nondeterministic_output"});
  r.AddSubcommand("client", {"kill",
                             -3,
                             kAdminConn,
                             "admin slow dangerous connection",
                             {},
                             CmdClientKill,
                             "Terminates open connections.",
                             "2.4.0",
                             "connection",
                             "O(N) where N is the number of client connections"});
  r.AddSubcommand("client", {"unblock",
                             -3,
                             kAdminConn,
                             "admin slow dangerous connection",
                             {},
                             CmdClientUnblock,
                             "Unblocks a client blocked by a blocking command from a different "
                             "connection.",
                             "5.0.0",
                             "connection",
                             "O(log N) where N is the number of client connections"});
  r.AddSubcommand("client", {"pause",
                             -3,
                             kAdminConn,
                             "admin slow dangerous connection",
                             {},
                             CmdClientPause,
                             "Suspends commands processing.",
                             "3.0.0",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"unpause",
                             2,
                             kAdminConn,
                             "admin slow dangerous connection",
                             {},
                             CmdClientUnpause,
                             "Resumes processing commands from paused clients.",
                             "6.2.0",
                             "connection",
                             "O(N) Where N is the number of paused clients"});
  r.AddSubcommand("client", {"reply",
                             3,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientReply,
                             "Instructs the server whether to reply to commands.",
                             "3.2.0",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"no-evict",
                             3,
                             kAdminConn,
                             "admin slow dangerous connection",
                             {},
                             CmdClientNoEvict,
                             "Sets the client eviction mode of the connection.",
                             "7.0.0",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"no-touch",
                             3,
                             kNoLock | kNoScript | kLoading | kStale,
                             "slow connection",
                             {},
                             CmdClientNoTouch,
                             "Controls whether commands sent by the client affect the LRU/LFU of "
                             "accessed keys.",
                             "7.2.0",
                             "connection",
                             "O(1)"});
  r.AddSubcommand("client", {"setinfo",
                             4,
                             kPlainConn,
                             "slow connection",
                             {},
                             CmdClientSetInfo,
                             "Sets information specific to the client or connection.",
                             "7.2.0",
                             "connection",
                             "O(1)",
                             nullptr,
                             "request_policy:all_nodes response_policy:all_succeeded"});
  r.AddSubcommand("client", {"help",
                             2,
                             kNoLock | kLoading | kStale | kSentinel,
                             "slow connection",
                             {},
                             CmdClientHelp,
                             "Returns helpful text about the different "
                             "subcommands.",
                             "5.0.0",
                             "connection",
                             "O(1)"});
}

}  // namespace weir::commands
