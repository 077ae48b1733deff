// Pub/Sub: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH, SPUBLISH, PUBSUB.
// The registry and fan-out are pubsub::Broker's; here are the replies. A subscription
// confirmation is one three-element reply per channel (a push frame in RESP3), and
// CLIENT REPLY OFF does not silence it (Session::push_reply), as in Redis.
#include <string>

#include "commands/args.h"
#include "commands/dispatcher.h"
#include "commands/registry.h"

namespace weir::commands {
namespace {

using pubsub::Broker;
using Space = pubsub::Broker::Space;

// One confirmation: [kind, channel or null, count].
void Confirm(CommandContext& ctx, std::string_view kind, const std::string* channel,
             int64_t count) {
  if (ctx.reply.resp3()) {
    ctx.reply.PushLen(3);
  } else {
    ctx.reply.ArrayLen(3);
  }
  ctx.reply.Bulk(kind);
  if (channel != nullptr) {
    ctx.reply.Bulk(*channel);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Integer(count);
}

absl::flat_hash_set<std::string>& SetOf(pubsub::Subscriber& s, Space space) {
  return space == Space::kShard ? s.shard_channels : s.channels;
}

// Classic channels count with patterns (clientSubscriptionsCount); shard channels alone.
int64_t CountFor(pubsub::Subscriber& s, Space space) {
  return space == Space::kShard ? static_cast<int64_t>(s.shard_channels.size()) : s.classic_count();
}

void SubscribeChannels(CommandContext& ctx, Space space, std::string_view kind) {
  pubsub::Subscriber* s = ctx.session.subscriber;
  if (s == nullptr) return ctx.reply.Error("ERR this client cannot subscribe");
  ctx.session.push_reply = true;
  Broker& broker = ctx.dispatcher.broker();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string channel(ctx.arg(i));
    if (SetOf(*s, space).insert(channel).second) broker.Subscribe(space, channel, s);
    Confirm(ctx, kind, &channel, CountFor(*s, space));
  }
  s->PublishCounts();
}

void UnsubscribeChannels(CommandContext& ctx, Space space, std::string_view kind) {
  pubsub::Subscriber* s = ctx.session.subscriber;
  if (s == nullptr) return ctx.reply.Error("ERR this client cannot subscribe");
  ctx.session.push_reply = true;
  Broker& broker = ctx.dispatcher.broker();
  auto& set = SetOf(*s, space);
  std::vector<std::string> channels;
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); ++i) channels.emplace_back(ctx.arg(i));
  } else {
    channels.assign(set.begin(), set.end());
    if (channels.empty()) return Confirm(ctx, kind, nullptr, CountFor(*s, space));
  }
  for (const std::string& channel : channels) {
    if (set.erase(channel) > 0) broker.Unsubscribe(space, channel, s);
    Confirm(ctx, kind, &channel, CountFor(*s, space));
  }
  s->PublishCounts();
}

void CmdSubscribe(CommandContext& ctx) { SubscribeChannels(ctx, Space::kClassic, "subscribe"); }
void CmdUnsubscribe(CommandContext& ctx) {
  UnsubscribeChannels(ctx, Space::kClassic, "unsubscribe");
}
void CmdSSubscribe(CommandContext& ctx) {
  // Inside EXEC (Redis's CLIENT_DENY_BLOCKING, which SUBSCRIBE and PSUBSCRIBE exempt MULTI from
  // and SSUBSCRIBE does not).
  if (ctx.session.in_multi) {
    return ctx.reply.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  }
  SubscribeChannels(ctx, Space::kShard, "ssubscribe");
}
void CmdSUnsubscribe(CommandContext& ctx) {
  UnsubscribeChannels(ctx, Space::kShard, "sunsubscribe");
}

void CmdPSubscribe(CommandContext& ctx) {
  pubsub::Subscriber* s = ctx.session.subscriber;
  if (s == nullptr) return ctx.reply.Error("ERR this client cannot subscribe");
  ctx.session.push_reply = true;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string pattern(ctx.arg(i));
    if (s->patterns.insert(pattern).second) ctx.dispatcher.broker().PSubscribe(pattern, s);
    Confirm(ctx, "psubscribe", &pattern, s->classic_count());
  }
  s->PublishCounts();
}

void CmdPUnsubscribe(CommandContext& ctx) {
  pubsub::Subscriber* s = ctx.session.subscriber;
  if (s == nullptr) return ctx.reply.Error("ERR this client cannot subscribe");
  ctx.session.push_reply = true;
  std::vector<std::string> patterns;
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); ++i) patterns.emplace_back(ctx.arg(i));
  } else {
    patterns.assign(s->patterns.begin(), s->patterns.end());
    if (patterns.empty()) return Confirm(ctx, "punsubscribe", nullptr, s->classic_count());
  }
  for (const std::string& pattern : patterns) {
    if (s->patterns.erase(pattern) > 0) ctx.dispatcher.broker().PUnsubscribe(pattern, s);
    Confirm(ctx, "punsubscribe", &pattern, s->classic_count());
  }
  s->PublishCounts();
}

void CmdPublish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.dispatcher.broker().Publish(ctx.arg(1), ctx.arg(2)));
}

void CmdSPublish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.dispatcher.broker().SPublish(ctx.arg(1), ctx.arg(2)));
}

void ReplyChannels(CommandContext& ctx, Space space) {
  if (ctx.argc() > 3) return ReplyWrongArity(ctx);
  std::string_view pattern = ctx.argc() == 3 ? ctx.arg(2) : std::string_view();
  auto channels = ctx.dispatcher.broker().Channels(space, pattern);
  ctx.reply.ArrayLen(static_cast<int64_t>(channels.size()));
  for (const std::string& c : channels) ctx.reply.Bulk(c);
}

void ReplyNumSub(CommandContext& ctx, Space space) {
  // A flat array of channel, count, in RESP3 too (as Redis 7.2).
  int64_t n = static_cast<int64_t>(ctx.argc()) - 2;
  ctx.reply.ArrayLen(n * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Bulk(ctx.arg(i));
    ctx.reply.Integer(ctx.dispatcher.broker().NumSub(space, ctx.arg(i)));
  }
}

void CmdPubsubChannels(CommandContext& ctx) { ReplyChannels(ctx, Space::kClassic); }
void CmdPubsubShardChannels(CommandContext& ctx) { ReplyChannels(ctx, Space::kShard); }
void CmdPubsubNumSub(CommandContext& ctx) { ReplyNumSub(ctx, Space::kClassic); }
void CmdPubsubShardNumSub(CommandContext& ctx) { ReplyNumSub(ctx, Space::kShard); }
void CmdPubsubNumPat(CommandContext& ctx) { ctx.reply.Integer(ctx.dispatcher.broker().NumPat()); }

void CmdPubsubHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {
                "CHANNELS [<pattern>]",
                "    Return the currently active channels matching a <pattern> (default: "
                "'*').",
                "NUMPAT",
                "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]",
                "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).",
                "SHARDCHANNELS [<pattern>]",
                "    Return the currently active shard level channels matching a <pattern> "
                "(default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]",
                "    Return the number of subscribers for the specified shard level channel(s)",
            });
}

// SSUBSCRIBE's channels are declared as keys (for cluster routing) that are not keys.
KeySpec ChannelKeys(int last) { return {1, last, 1, {"NOT_KEY"}}; }

}  // namespace

void RegisterPubSubCommands(CommandRegistry& r) {
  constexpr uint32_t kSub = kPubSub | kNoScript | kLoading | kStale | kNoLock | kSubscribedContext;
  constexpr uint32_t kPub = kPubSub | kLoading | kStale | kFast | kMayReplicate | kNoLock;
  constexpr uint32_t kInfo = kPubSub | kLoading | kStale | kNoLock;
  r.Add({"subscribe",
         -2,
         kSub,
         "pubsub slow",
         {},
         CmdSubscribe,
         "Listens for messages published to channels.",
         "2.0.0",
         "pubsub",
         "O(N) where N is the number of channels to subscribe to."});
  r.Add({"unsubscribe",
         -1,
         kSub,
         "pubsub slow",
         {},
         CmdUnsubscribe,
         "Stops listening to messages posted to channels.",
         "2.0.0",
         "pubsub",
         "O(N) where N is the number of channels to unsubscribe."});
  r.Add({"psubscribe",
         -2,
         kSub,
         "pubsub slow",
         {},
         CmdPSubscribe,
         "Listens for messages published to channels that match one or more patterns.",
         "2.0.0",
         "pubsub",
         "O(N) where N is the number of patterns to subscribe to."});
  r.Add({"punsubscribe",
         -1,
         kSub,
         "pubsub slow",
         {},
         CmdPUnsubscribe,
         "Stops listening to messages published to channels that match one or more patterns.",
         "2.0.0",
         "pubsub",
         "O(N) where N is the number of patterns to unsubscribe."});
  r.Add({"ssubscribe",
         -2,
         kSub,
         "pubsub slow",
         {ChannelKeys(-1)},
         CmdSSubscribe,
         "Listens for messages published to shard channels.",
         "7.0.0",
         "pubsub",
         "O(N) where N is the number of shard channels to subscribe to."});
  r.Add({"sunsubscribe",
         -1,
         kSub,
         "pubsub slow",
         {ChannelKeys(-1)},
         CmdSUnsubscribe,
         "Stops listening to messages posted to shard channels.",
         "7.0.0",
         "pubsub",
         "O(N) where N is the number of shard channels to unsubscribe."});
  r.Add({"publish",
         3,
         kPub,
         "pubsub fast",
         {},
         CmdPublish,
         "Posts a message to a channel.",
         "2.0.0",
         "pubsub",
         "O(N+M) where N is the number of clients subscribed to the receiving channel and M is "
         "the total number of subscribed patterns (by any client)."});
  r.Add({"spublish",
         3,
         kPub,
         "pubsub fast",
         {ChannelKeys(1)},
         CmdSPublish,
         "Post a message to a shard channel",
         "7.0.0",
         "pubsub",
         "O(N) where N is the number of clients subscribed to the receiving shard channel."});
  r.Add({"pubsub",
         -2,
         kNoLock,
         "",
         {},
         nullptr,
         "A container for Pub/Sub commands.",
         "2.8.0",
         "pubsub",
         "Depends on subcommand."});
  r.AddSubcommand("pubsub", {"channels",
                             -2,
                             kInfo,
                             "pubsub slow",
                             {},
                             CmdPubsubChannels,
                             "Returns the active channels.",
                             "2.8.0",
                             "pubsub",
                             "O(N) where N is the number of active channels, and assuming "
                             "constant time pattern matching (relatively short channels and "
                             "patterns)"});
  r.AddSubcommand("pubsub", {"help",
                             2,
                             kLoading | kStale | kNoLock,
                             "slow",
                             {},
                             CmdPubsubHelp,
                             "Returns helpful text about the different subcommands.",
                             "6.2.0",
                             "pubsub",
                             "O(1)"});
  r.AddSubcommand("pubsub", {"numpat",
                             2,
                             kInfo,
                             "pubsub slow",
                             {},
                             CmdPubsubNumPat,
                             "Returns a count of unique pattern subscriptions.",
                             "2.8.0",
                             "pubsub",
                             "O(1)"});
  r.AddSubcommand("pubsub", {"numsub",
                             -2,
                             kInfo,
                             "pubsub slow",
                             {},
                             CmdPubsubNumSub,
                             "Returns a count of subscribers to channels.",
                             "2.8.0",
                             "pubsub",
                             "O(N) for the NUMSUB subcommand, where N is the number of requested "
                             "channels"});
  r.AddSubcommand("pubsub", {"shardchannels",
                             -2,
                             kInfo,
                             "pubsub slow",
                             {},
                             CmdPubsubShardChannels,
                             "Returns the active shard channels.",
                             "7.0.0",
                             "pubsub",
                             "O(N) where N is the number of active shard channels, and assuming "
                             "constant time pattern matching (relatively short shard channels)."});
  r.AddSubcommand("pubsub", {"shardnumsub",
                             -2,
                             kInfo,
                             "pubsub slow",
                             {},
                             CmdPubsubShardNumSub,
                             "Returns the count of subscribers of shard channels.",
                             "7.0.0",
                             "pubsub",
                             "O(N) for the SHARDNUMSUB subcommand, where N is the number of "
                             "requested shard channels"});
}

}  // namespace weir::commands
