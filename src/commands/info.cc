// The INFO command: section selection in Redis's order, the sections the command layer owns
// (memory, commandstats, errorstats, latencystats, keyspace, debug), and the server's sections
// through ServerApi::AppendInfo.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "commands/dispatcher.h"
#include "commands/registry.h"
#include "common/config.h"
#include "common/memory.h"
#include "common/strings.h"

namespace weir::commands {
namespace {

// Memory in use once the server was set up, for used_memory_startup and the dataset figures.
int64_t g_startup_memory = 0;

int64_t ResidentSetBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long long size = 0, resident = 0;
  int got = std::fscanf(f, "%lld %lld", &size, &resident);
  std::fclose(f);
  if (got != 2) return 0;
  return resident * sysconf(_SC_PAGESIZE);
}

int64_t SystemMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : 0;
}

// Ratios in single precision as Redis computes them; a zero denominator gives 0, not inf.
float Ratio(int64_t a, int64_t b) {
  return b > 0 ? static_cast<float>(a) / static_cast<float>(b) : 0;
}

void AppendMemory(CommandContext& ctx, std::string* out) {
  mem::SamplePeak();
  const int64_t used = mem::UsedMemory();
  // Redis raises the peak to the current figure so that used never exceeds peak.
  const int64_t peak = std::max(mem::PeakMemory(), used);
  const int64_t rss = ResidentSetBytes();
  const int64_t system = SystemMemoryBytes();
  const int64_t startup = std::min(g_startup_memory, used);
  const int64_t overhead = startup;
  const int64_t dataset = used - overhead;
  const int64_t net = used > startup ? used - startup : 1;
  Config& config = ctx.server.config();
  engine::Engine& engine = ctx.server.engine();
  const int64_t maxmemory = config.Int("maxmemory");
  absl::StrAppend(
      out, "# Memory\r\n", "used_memory:", used, "\r\n", "used_memory_human:", BytesToHuman(used),
      "\r\n", "used_memory_rss:", rss, "\r\n", "used_memory_rss_human:", BytesToHuman(rss), "\r\n",
      "used_memory_peak:", peak, "\r\n", "used_memory_peak_human:", BytesToHuman(peak), "\r\n",
      absl::StrFormat("used_memory_peak_perc:%.2f%%\r\n", Ratio(used * 100, peak)),
      "used_memory_overhead:", overhead, "\r\n", "used_memory_startup:", startup, "\r\n",
      "used_memory_dataset:", dataset, "\r\n",
      absl::StrFormat("used_memory_dataset_perc:%.2f%%\r\n", Ratio(dataset * 100, net)));
  // Weir counts its own allocations: allocated and active are the same figure, and resident
  // is the process RSS.
  absl::StrAppend(
      out, "allocator_allocated:", used, "\r\n", "allocator_active:", used, "\r\n",
      "allocator_resident:", rss, "\r\n", "total_system_memory:", system, "\r\n",
      "total_system_memory_human:", BytesToHuman(system), "\r\n",
      ctx.dispatcher.scripting().MemoryInfo(), "maxmemory:", maxmemory, "\r\n",
      "maxmemory_human:", BytesToHuman(maxmemory), "\r\n",
      "maxmemory_policy:", config.String("maxmemory-policy"), "\r\n",
      "allocator_frag_ratio:1.00\r\nallocator_frag_bytes:0\r\n",
      absl::StrFormat("allocator_rss_ratio:%.2f\r\n", Ratio(rss, used)),
      "allocator_rss_bytes:", rss - used, "\r\n",
      "rss_overhead_ratio:1.00\r\nrss_overhead_bytes:0\r\n",
      absl::StrFormat("mem_fragmentation_ratio:%.2f\r\n", Ratio(rss, used)),
      "mem_fragmentation_bytes:", rss - used, "\r\n", "mem_not_counted_for_evict:0\r\n",
      "mem_replication_backlog:0\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\n",
      "mem_clients_normal:0\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\n",
      "mem_allocator:", mem::AllocatorName(), "\r\n",
      "active_defrag_running:0\r\nlazyfree_pending_objects:", engine.lazyfree_pending(),
      "\r\nlazyfreed_objects:", engine.lazyfreed(), "\r\n");
}

// Redis replaces the characters that would break INFO's line format in names.
std::string SafeInfoName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '#' || c == ':' || c == '\n' || c == '\r') c = '_';
  }
  return out;
}

void AppendCommandStat(const CommandSpec& spec, std::string* out) {
  int64_t calls = spec.stats.Sum(CommandStats::kCalls);
  int64_t usec = spec.stats.Sum(CommandStats::kUsec);
  int64_t rejected = spec.stats.Sum(CommandStats::kRejected);
  int64_t failed = spec.stats.Sum(CommandStats::kFailed);
  if (calls != 0 || rejected != 0 || failed != 0) {
    // Redis divides in single precision.
    float per_call = calls == 0 ? 0 : static_cast<float>(usec) / static_cast<float>(calls);
    absl::StrAppend(out, "cmdstat_", SafeInfoName(spec.FullName()), ":calls=", calls,
                    ",usec=", usec, absl::StrFormat(",usec_per_call=%.2f", per_call),
                    ",rejected_calls=", rejected, ",failed_calls=", failed, "\r\n");
  }
  for (const auto& sub : spec.subcommands) AppendCommandStat(*sub, out);
}

void AppendCommandStats(CommandContext& ctx, std::string* out) {
  out->append("# Commandstats\r\n");
  for (const CommandSpec* spec : ctx.dispatcher.registry().all()) AppendCommandStat(*spec, out);
}

void AppendErrorStats(CommandContext& ctx, std::string* out) {
  out->append("# Errorstats\r\n");
  std::vector<std::pair<std::string, int64_t>> stats = ctx.dispatcher.ErrorStats();
  // Redis keeps them in a radix tree: listed in byte order of the prefix.
  std::sort(stats.begin(), stats.end());
  for (const auto& [name, count] : stats) {
    absl::StrAppend(out, "errorstat_", SafeInfoName(name), ":count=", count, "\r\n");
  }
}

void AppendKeyspace(CommandContext& ctx, std::string* out) {
  out->append("# Keyspace\r\n");
  engine::Engine& engine = ctx.server.engine();
  for (int db = 0; db < engine.num_dbs(); ++db) {
    int64_t keys = engine.KeyCount(db);
    int64_t expires = engine.ExpiresCount(db);
    if (keys != 0 || expires != 0) {
      absl::StrAppend(out, "db", db, ":keys=", keys, ",expires=", expires, ",avg_ttl=0\r\n");
    }
  }
}

struct Selection {
  std::set<std::string> names;  // lowercase
  bool all = false;
  bool everything = false;

  bool Has(std::string_view name) const { return all || names.count(std::string(name)) > 0; }
};

constexpr std::string_view kDefaultSections[] = {
    "server", "clients",     "memory",     "persistence", "stats",    "replication",
    "cpu",    "module_list", "errorstats", "cluster",     "keyspace",
};

Selection ParseSections(CommandContext& ctx) {
  Selection s;
  if (ctx.argc() == 1) {
    s.names.insert(std::begin(kDefaultSections), std::end(kDefaultSections));
    return s;
  }
  std::string lower;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    AsciiLower(ctx.arg(i), &lower);
    if (lower == "default") {
      s.names.insert(std::begin(kDefaultSections), std::end(kDefaultSections));
    } else if (lower == "all") {
      s.all = true;
    } else if (lower == "everything") {
      s.all = true;
      s.everything = true;
    } else {
      s.names.insert(lower);
    }
  }
  return s;
}

void CmdInfo(CommandContext& ctx) {
  Selection sel = ParseSections(ctx);
  std::string info;
  int sections = 0;
  // Each section's lines end in CRLF; an extra CRLF before every section but the first makes
  // the blank separator line.
  auto begin = [&] {
    if (sections++ > 0) info.append("\r\n");
  };
  auto server_section = [&](std::string_view name) {
    begin();
    ctx.server.AppendInfo(name, &info);
  };
  if (sel.Has("server")) server_section("server");
  if (sel.Has("clients")) server_section("clients");
  if (sel.Has("memory")) {
    begin();
    AppendMemory(ctx, &info);
  }
  if (sel.Has("persistence")) server_section("persistence");
  if (sel.Has("stats")) server_section("stats");
  if (sel.Has("replication")) server_section("replication");
  if (sel.Has("cpu")) server_section("cpu");
  if (sel.Has("module_list") || sel.Has("modules")) server_section("modules");
  if (sel.Has("commandstats")) {
    begin();
    AppendCommandStats(ctx, &info);
  }
  if (sel.Has("errorstats")) {
    begin();
    AppendErrorStats(ctx, &info);
  }
  if (sel.Has("latencystats")) {
    // No latency histograms are kept: the section is there, empty.
    begin();
    info.append("# Latencystats\r\n");
  }
  if (sel.Has("cluster")) server_section("cluster");
  if (sel.Has("keyspace")) {
    begin();
    AppendKeyspace(ctx, &info);
  }
  // Redis's debug section is never part of all/everything: only asked for by name.
  if (sel.names.count("debug") > 0) {
    begin();
    info.append(
        "# Debug\r\neventloop_duration_aof_sum:0\r\neventloop_duration_cron_sum:0\r\n"
        "eventloop_duration_max:0\r\neventloop_cmd_per_cycle_max:0\r\n");
  }
  ctx.reply.Verbatim(info, "txt");
}

}  // namespace

void RegisterInfoCommands(CommandRegistry& r) {
  g_startup_memory = mem::UsedMemory();
  // Every shard locked: the keyspace section counts keys in all of them.
  r.Add({"info",
         -1,
         kLoading | kStale | kSentinel | kAllShards,
         "slow dangerous",
         {},
         CmdInfo,
         "Returns information and statistics about the server.",
         "1.0.0",
         "server",
         "O(1)",
         nullptr,
         "nondeterministic_output request_policy:all_shards response_policy:special"});
}

}  // namespace weir::commands
