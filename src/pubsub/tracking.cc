// Client-side caching: the tracking table, BCAST prefixes and invalidation messages.
#include "pubsub/tracking.h"

#include <absl/hash/hash.h>

#include "common/strings.h"

namespace weir::pubsub {

namespace {

struct Current {
  uint64_t id = 0;
  const uint32_t* flags = nullptr;
  std::string* capture = nullptr;
};
thread_local Current current;

// BCAST keys written on this thread since its last flush: prefix -> key -> the client that
// wrote it last (0: expiry), so NOLOOP can leave out a client's own writes.
struct PendingBroadcasts {
  std::map<std::string, std::map<std::string, uint64_t>> by_prefix;
  bool scheduled = false;
};
thread_local PendingBroadcasts pending;

void AppendBulk(std::string* out, std::string_view s) {
  StrAppend(out, "$", s.size(), "\r\n");
  out->append(s);
  out->append("\r\n");
}

// The array of keys, leaving out those `skip` wrote last; empty when none is left.
std::string KeysArray(const std::map<std::string, uint64_t>& keys, uint64_t skip) {
  size_t n = 0;
  for (const auto& [key, writer] : keys) {
    if (skip == 0 || writer != skip) ++n;
  }
  if (n == 0) return {};
  std::string out = StrCat("*", n, "\r\n");
  for (const auto& [key, writer] : keys) {
    if (skip == 0 || writer != skip) AppendBulk(&out, key);
  }
  return out;
}

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Redis's stringCheckPrefix: either is a prefix of the other.
bool Overlap(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

}  // namespace

Tracker::Scope::Scope(uint64_t id, const uint32_t* flags, std::string* capture)
    : id_(current.id), flags_(current.flags), capture_(current.capture) {
  current = Current{id, flags, capture};
}

Tracker::Scope::~Scope() { current = Current{id_, flags_, capture_}; }

uint64_t Tracker::current_id() { return current.id; }

uint32_t Tracker::CurrentFlags() {
  if (current.flags != nullptr) return *current.flags;
  if (current.id == 0 || clients_count_.load(std::memory_order_relaxed) == 0) return 0;
  uint32_t flags = 0;
  uint64_t redirect = 0;
  return State(current.id, &flags, &redirect) ? flags : 0;
}

Tracker::Stripe& Tracker::StripeOf(std::string_view key) {
  return stripes_[absl::HashOf(AbslView(key)) % kStripes];
}

bool Tracker::State(uint64_t id, uint32_t* flags, uint64_t* redirect) {
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return false;
  *flags = it->second.flags;
  *redirect = it->second.redirect;
  return true;
}

// ---- CLIENT TRACKING ----

std::string Tracker::CheckPrefixes(uint64_t id, const std::vector<std::string>& prefixes) {
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(id);
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (it != clients_.end()) {
      for (const std::string& have : it->second.prefixes) {
        if (Overlap(have, prefixes[i])) {
          // Redis prints both with %s: each ends at its first NUL byte.
          return StrCat("ERR Prefix '", UntilNul(prefixes[i]),
                        "' overlaps with an existing prefix '", UntilNul(have),
                        "'. Prefixes for a single client must not overlap.");
        }
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (Overlap(prefixes[i], prefixes[j])) {
        return StrCat("ERR Prefix '", UntilNul(prefixes[i]),
                      "' overlaps with another provided prefix '", UntilNul(prefixes[j]),
                      "'. Prefixes for a single client must not overlap.");
      }
    }
  }
  return {};
}

uint32_t Tracker::Enable(uint64_t id, uint64_t redirect, uint32_t options,
                         const std::vector<std::string>& prefixes) {
  std::lock_guard lock(clients_mu_);
  auto [it, fresh] = clients_.try_emplace(id);
  ClientState& st = it->second;
  if (fresh) {
    clients_count_.fetch_add(1, std::memory_order_relaxed);
    active_.fetch_add(1, std::memory_order_relaxed);
  }
  st.flags = kTrackingOn;
  st.redirect = redirect;
  if (options & kTrackingBcast) {
    st.flags |= kTrackingBcast;
    std::vector<std::string> add = prefixes;
    if (add.empty()) add.emplace_back();
    std::unique_lock plock(prefix_mu_);
    for (const std::string& p : add) {
      auto& clients = prefixes_[p];
      if (clients.empty()) prefix_count_.fetch_add(1, std::memory_order_relaxed);
      if (clients.insert(id).second) st.prefixes.insert(p);
    }
  }
  st.flags |= options & (kTrackingOptin | kTrackingOptout | kTrackingNoloop);
  return st.flags;
}

void Tracker::RemovePrefixes(uint64_t id, ClientState& st) {
  if (st.prefixes.empty()) return;
  std::unique_lock plock(prefix_mu_);
  for (const std::string& p : st.prefixes) {
    auto it = prefixes_.find(p);
    if (it == prefixes_.end()) continue;
    it->second.erase(id);
    if (it->second.empty()) {
      prefixes_.erase(it);
      prefix_count_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  st.prefixes.clear();
}

void Tracker::Disable(uint64_t id) {
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  RemovePrefixes(id, it->second);
  clients_.erase(it);
  clients_count_.fetch_sub(1, std::memory_order_relaxed);
  active_.fetch_sub(1, std::memory_order_relaxed);
}

bool Tracker::Info(uint64_t id, ClientInfo* out) {
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return false;
  out->flags = it->second.flags;
  out->redirect = it->second.redirect;
  out->prefixes.assign(it->second.prefixes.begin(), it->second.prefixes.end());
  return true;
}

// ---- the table ----

void Tracker::Remember(uint64_t id, std::string_view key) {
  Stripe& s = StripeOf(key);
  std::lock_guard lock(s.mu);
  auto [it, fresh] = s.keys.try_emplace(AbslView(key));
  if (fresh) {
    total_keys_.fetch_add(1, std::memory_order_relaxed);
    active_.fetch_add(1, std::memory_order_relaxed);
  }
  auto& ids = it->second;
  for (uint64_t have : ids) {
    if (have == id) return;
  }
  ids.push_back(id);
  total_items_.fetch_add(1, std::memory_order_relaxed);
}

void Tracker::DeliverTo(Subscriber& s, std::string_view frame) {
  if (current.capture != nullptr && s.subscriber_id() == current.id) {
    current.capture->append(frame);
  } else {
    s.Deliver(frame);
  }
}

void Tracker::Send(uint64_t id, uint64_t redirect, std::string_view payload) {
  if (redirect != 0) {
    bool found = lookup_(redirect, [&](Subscriber& s, bool pubsub_mode) {
      std::string frame;
      if (s.resp() >= 3) {
        frame = ">2\r\n$10\r\ninvalidate\r\n";
      } else if (pubsub_mode) {
        frame = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";
      } else {
        return;  // a RESP2 client outside Pub/Sub has no way to receive it
      }
      frame.append(payload);
      DeliverTo(s, frame);
    });
    if (found) return;
    {
      std::lock_guard lock(clients_mu_);
      auto it = clients_.find(id);
      if (it != clients_.end()) it->second.flags |= kTrackingBrokenRedir;
    }
    // The tracking client learns (RESP3 only) that its redirection is gone.
    lookup_(id, [&](Subscriber& s, bool) {
      if (s.resp() < 3) return;
      DeliverTo(s, StrCat(">2\r\n$21\r\ntracking-redir-broken\r\n:", redirect, "\r\n"));
    });
    return;
  }
  lookup_(id, [&](Subscriber& s, bool) {
    if (s.resp() < 3) return;  // RESP2 has no pushes on the same connection
    std::string frame = ">2\r\n$10\r\ninvalidate\r\n";
    frame.append(payload);
    DeliverTo(s, frame);
  });
}

void Tracker::InvalidateKey(std::string_view key) {
  absl::InlinedVector<uint64_t, 2> ids;
  {
    Stripe& s = StripeOf(key);
    std::lock_guard lock(s.mu);
    auto it = s.keys.find(AbslView(key));
    if (it == s.keys.end()) return;
    ids = std::move(it->second);
    s.keys.erase(it);
    total_keys_.fetch_sub(1, std::memory_order_relaxed);
    total_items_.fetch_sub(static_cast<int64_t>(ids.size()), std::memory_order_relaxed);
    active_.fetch_sub(1, std::memory_order_relaxed);
  }
  std::string payload;
  for (uint64_t id : ids) {
    uint32_t flags = 0;
    uint64_t redirect = 0;
    // A client that stopped tracking, or switched to BCAST since it read the key, is not told.
    if (!State(id, &flags, &redirect) || (flags & kTrackingBcast)) continue;
    // NOLOOP: not about the client's own writes.
    if ((flags & kTrackingNoloop) && id == current.id) continue;
    if (payload.empty()) {
      payload = "*1\r\n";
      AppendBulk(&payload, key);
    }
    Send(id, redirect, payload);
  }
}

void Tracker::OnKeyModified(std::string_view key, bool expired) {
  if (prefix_count_.load(std::memory_order_relaxed) > 0) {
    bool queued = false;
    {
      std::shared_lock lock(prefix_mu_);
      for (const auto& [prefix, clients] : prefixes_) {
        if (!key.starts_with(prefix)) continue;
        pending.by_prefix[prefix][std::string(key)] = expired ? 0 : current.id;
        queued = true;
      }
    }
    if (queued && !pending.scheduled) {
      pending.scheduled = true;
      if (!scheduler_ || !scheduler_([this] { FlushBroadcasts(); })) FlushBroadcasts();
    }
  }
  if (total_keys_.load(std::memory_order_relaxed) > 0) InvalidateKey(key);
}

void Tracker::FlushBroadcasts() {
  std::map<std::string, std::map<std::string, uint64_t>> batch;
  batch.swap(pending.by_prefix);
  pending.scheduled = false;
  for (const auto& [prefix, keys] : batch) {
    std::vector<uint64_t> clients;
    {
      std::shared_lock lock(prefix_mu_);
      auto it = prefixes_.find(prefix);
      if (it == prefixes_.end()) continue;
      clients.assign(it->second.begin(), it->second.end());
    }
    std::sort(clients.begin(), clients.end());
    std::string all = KeysArray(keys, 0);
    for (uint64_t id : clients) {
      uint32_t flags = 0;
      uint64_t redirect = 0;
      if (!State(id, &flags, &redirect) || !(flags & kTrackingBcast)) continue;
      if (flags & kTrackingNoloop) {
        std::string mine = KeysArray(keys, id);
        if (!mine.empty()) Send(id, redirect, mine);
      } else {
        Send(id, redirect, all);
      }
    }
  }
}

void Tracker::OnFlush(bool async) {
  struct Target {
    uint64_t id, redirect;
  };
  std::vector<Target> targets;
  {
    std::lock_guard lock(clients_mu_);
    targets.reserve(clients_.size());
    for (const auto& [id, st] : clients_) targets.push_back({id, st.redirect});
  }
  std::sort(targets.begin(), targets.end(),
            [](const Target& a, const Target& b) { return a.id < b.id; });
  for (const Target& t : targets) {
    // The null is in the tracking client's protocol, wherever it goes (as Redis).
    int resp = 2;
    if (!lookup_(t.id, [&](Subscriber& s, bool) { resp = s.resp(); })) continue;
    Send(t.id, t.redirect, resp >= 3 ? "_\r\n" : "$-1\r\n");
  }
  // Every key is forgotten.
  for (Stripe& s : stripes_) {
    absl::flat_hash_map<std::string, absl::InlinedVector<uint64_t, 2>> dropped;
    {
      std::lock_guard lock(s.mu);
      dropped.swap(s.keys);
      int64_t items = 0;
      for (const auto& [key, ids] : dropped) items += static_cast<int64_t>(ids.size());
      total_keys_.fetch_sub(static_cast<int64_t>(dropped.size()), std::memory_order_relaxed);
      total_items_.fetch_sub(items, std::memory_order_relaxed);
      active_.fetch_sub(static_cast<int64_t>(dropped.size()), std::memory_order_relaxed);
    }
  }
  (void)async;  // the table is freed here either way: it holds only key names
}

void Tracker::LimitUsedSlots(int64_t max_keys) {
  std::lock_guard lock(evict_mu_);
  if (!OverLimit(max_keys)) {
    evict_rounds_ = 0;
    return;
  }
  int effort = 100 * (evict_rounds_ + 1);
  size_t stripe = static_cast<size_t>(engine::RandomU64() % kStripes);
  for (size_t misses = 0; effort > 0 && misses < kStripes;) {
    bool found = false;
    std::string key;
    {
      Stripe& s = stripes_[stripe];
      std::lock_guard slock(s.mu);
      if (!s.keys.empty()) {
        // A random one of the stripe's first few keys (the table's order is its hash order).
        auto it = s.keys.begin();
        size_t skip = static_cast<size_t>(engine::RandomU64() % std::min<size_t>(s.keys.size(), 8));
        while (skip-- > 0) ++it;
        key = it->first;
        found = true;
      }
    }
    stripe = (stripe + 1) % kStripes;
    if (!found) {
      ++misses;
      continue;
    }
    misses = 0;
    --effort;
    InvalidateKey(key);
    if (!OverLimit(max_keys)) {
      evict_rounds_ = 0;
      return;
    }
  }
  ++evict_rounds_;
}

}  // namespace weir::pubsub
