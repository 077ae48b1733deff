#include "pubsub/monitors.h"

#include <algorithm>
#include <cstdio>

#include "common/strings.h"

namespace weir::pubsub {

void Monitors::Add(Subscriber* s) {
  std::lock_guard lock(mu_);
  if (std::find(list_.begin(), list_.end(), s) != list_.end()) return;
  list_.push_back(s);
  count_.store(static_cast<int64_t>(list_.size()), std::memory_order_relaxed);
}

void Monitors::Remove(Subscriber* s) {
  std::lock_guard lock(mu_);
  auto it = std::find(list_.begin(), list_.end(), s);
  if (it == list_.end()) return;
  list_.erase(it);
  count_.store(static_cast<int64_t>(list_.size()), std::memory_order_relaxed);
}

void Monitors::Deliver(std::string_view lines) {
  std::lock_guard lock(mu_);
  for (Subscriber* s : list_) s->Deliver(lines);
}

void Monitors::AppendLine(int64_t now_us, int db, std::string_view origin,
                          std::span<const std::string_view> args, std::string* out) {
  char head[64];
  int n =
      snprintf(head, sizeof(head), "+%lld.%06lld [%d ", static_cast<long long>(now_us / 1000000),
               static_cast<long long>(now_us % 1000000), db);
  out->append(head, static_cast<size_t>(n));
  out->append(origin);
  out->append("] ");
  for (size_t i = 0; i < args.size(); ++i) {
    if (i != 0) out->push_back(' ');
    weir::AppendRepr(args[i], out);
  }
  out->append("\r\n");
}

}  // namespace weir::pubsub
