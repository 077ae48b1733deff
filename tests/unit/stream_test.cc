// types::Stream against a simple model (an ordered map of entries): appends, ranges in both
// directions, deletion, trimming, and the consumer groups' pending entries lists.
#include "types/stream.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/memory.h"

namespace weir::types {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;
using Model = std::map<StreamId, Fields>;

std::vector<std::string_view> Flatten(const Fields& f) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : f) {
    out.push_back(k);
    out.push_back(v);
  }
  return out;
}

Fields ReadEntry(const Stream::Iterator& it) {
  Fields f;
  for (size_t i = 0; i < it.field_count(); ++i) {
    f.emplace_back(std::string(it.field(i)), std::string(it.value(i)));
  }
  return f;
}

std::vector<std::pair<StreamId, Fields>> Range(const Stream& s, StreamId a, StreamId b, bool rev) {
  std::vector<std::pair<StreamId, Fields>> out;
  Stream::Iterator it(s, a, b, rev);
  while (it.Next()) out.emplace_back(it.id(), ReadEntry(it));
  return out;
}

std::vector<std::pair<StreamId, Fields>> ModelRange(const Model& m, StreamId a, StreamId b,
                                                    bool rev) {
  std::vector<std::pair<StreamId, Fields>> out;
  if (a > b) return out;
  for (auto it = m.lower_bound(a); it != m.end() && it->first <= b; ++it) out.push_back(*it);
  if (rev) std::reverse(out.begin(), out.end());
  return out;
}

Fields RandomFields(std::mt19937_64& rng) {
  static const char* kNames[] = {"f1", "f2", "event", "user", ""};
  static const char* kValues[] = {"abc",
                                  "click",
                                  "",
                                  "0",
                                  "-1",
                                  "007",
                                  "12345678901234567890",
                                  "-4611686018427387904",
                                  "4611686018427387903",
                                  "x"};
  Fields f;
  // Mostly the same field names (shared with the block's master), sometimes others.
  int shape = rng() % 4;
  int n = shape == 0 ? 1 + rng() % 4 : 3;
  for (int i = 0; i < n; ++i) {
    std::string name = shape == 0 ? kNames[rng() % 5] : std::string("f") + char('1' + i);
    std::string value;
    switch (rng() % 4) {
      case 0:
        value = kValues[rng() % 10];
        break;
      case 1:
        value = std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));
        break;
      case 2:
        value = "x" + std::to_string(rng() % 100000);
        break;
      default:
        value = std::string(rng() % 40, static_cast<char>('a' + rng() % 26));
        break;
    }
    f.emplace_back(name, value);
  }
  return f;
}

void ExpectSame(const Stream& s, const Model& m) {
  ASSERT_EQ(s.length(), m.size());
  ASSERT_EQ(Range(s, StreamId{}, StreamId::Max(), false),
            ModelRange(m, StreamId{}, StreamId::Max(), false));
  if (m.empty()) {
    EXPECT_EQ(s.first_id(), StreamId{});
    EXPECT_FALSE(s.LastLiveId().has_value());
  } else {
    EXPECT_EQ(s.first_id(), m.begin()->first);
    EXPECT_EQ(s.LastLiveId(), m.rbegin()->first);
  }
}

StreamId RandomIdNear(std::mt19937_64& rng, const Model& m, StreamId last) {
  if (!m.empty() && rng() % 2) {
    auto it = m.begin();
    std::advance(it, rng() % m.size());
    StreamId id = it->first;
    if (rng() % 3 == 0) id.Increment();
    if (rng() % 3 == 0) id.Decrement();
    return id;
  }
  return StreamId{rng() % (last.ms + 3), rng() % 4};
}

TEST(StreamId, ParseAndFormat) {
  StreamId id;
  bool seq_given;
  EXPECT_TRUE(ParseStreamId("1-2", 0, true, &id));
  EXPECT_EQ(id, (StreamId{1, 2}));
  EXPECT_TRUE(ParseStreamId("5", 7, true, &id));
  EXPECT_EQ(id, (StreamId{5, 7}));
  EXPECT_TRUE(ParseStreamId("-", 0, false, &id));
  EXPECT_EQ(id, StreamId{});
  EXPECT_TRUE(ParseStreamId("+", 0, false, &id));
  EXPECT_EQ(id, StreamId::Max());
  EXPECT_FALSE(ParseStreamId("-", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("+", 0, true, &id));
  EXPECT_TRUE(ParseStreamId("18446744073709551615-18446744073709551615", 0, true, &id));
  EXPECT_EQ(id, StreamId::Max());
  EXPECT_FALSE(ParseStreamId("18446744073709551616", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("1-2-3", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("-1", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("1-", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("abc", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("1-*", 0, true, &id));  // only where seq_given is asked for
  EXPECT_TRUE(ParseStreamId("1-*", 0, true, &id, &seq_given));
  EXPECT_FALSE(seq_given);
  EXPECT_TRUE(ParseStreamId("3-4", 0, true, &id, &seq_given));
  EXPECT_TRUE(seq_given);
  // string2ull's strtoull fallback: leading zeros and '+' are accepted.
  EXPECT_TRUE(ParseStreamId("007-+1", 0, true, &id));
  EXPECT_EQ(id, (StreamId{7, 1}));
  EXPECT_EQ((StreamId{123, 45}).ToString(), "123-45");
  EXPECT_EQ(StreamId::Max().ToString(), "18446744073709551615-18446744073709551615");
  StreamId max = StreamId::Max();
  EXPECT_FALSE(max.Increment());
  EXPECT_EQ(max, StreamId{});
  StreamId zero;
  EXPECT_FALSE(zero.Decrement());
  EXPECT_EQ(zero, StreamId::Max());
}

TEST(Stream, AutoAndExplicitIds) {
  Stream s;
  Stream::Limits limits;
  std::vector<std::string_view> fv = {"a", "1"};
  StreamId id;
  ASSERT_EQ(s.Add(nullptr, true, 1000, fv, limits, &id), Stream::AddStatus::kOk);
  EXPECT_EQ(id, (StreamId{1000, 0}));
  ASSERT_EQ(s.Add(nullptr, true, 1000, fv, limits, &id), Stream::AddStatus::kOk);
  EXPECT_EQ(id, (StreamId{1000, 1}));
  ASSERT_EQ(s.Add(nullptr, true, 999, fv, limits, &id), Stream::AddStatus::kOk);  // clock back
  EXPECT_EQ(id, (StreamId{1000, 2}));
  StreamId explicit_id{1000, 2};
  EXPECT_EQ(s.Add(&explicit_id, true, 0, fv, limits, &id), Stream::AddStatus::kIdTooSmall);
  StreamId ms_only{1000, 0};
  ASSERT_EQ(s.Add(&ms_only, false, 0, fv, limits, &id), Stream::AddStatus::kOk);
  EXPECT_EQ(id, (StreamId{1000, 3}));
  StreamId future{2000, 0};
  ASSERT_EQ(s.Add(&future, false, 0, fv, limits, &id), Stream::AddStatus::kOk);
  EXPECT_EQ(id, (StreamId{2000, 0}));
  StreamId max_seq{3000, UINT64_MAX};
  ASSERT_EQ(s.Add(&max_seq, true, 0, fv, limits, &id), Stream::AddStatus::kOk);
  StreamId same_ms{3000, 0};
  EXPECT_EQ(s.Add(&same_ms, false, 0, fv, limits, &id), Stream::AddStatus::kIdTooSmall);
  EXPECT_EQ(s.length(), 6u);
  EXPECT_EQ(s.entries_added(), 6u);
  EXPECT_EQ(s.last_id(), max_seq);
}

TEST(Stream, RandomisedAgainstModel) {
  for (int round = 0; round < 20; ++round) {
    std::mt19937_64 rng(round);
    Stream s;
    Model m;
    Stream::Limits limits{static_cast<int64_t>(1 + rng() % 12), rng() % 3 == 0 ? 200 : 4096};
    uint64_t now = 1;
    for (int step = 0; step < 3000; ++step) {
      int op = rng() % 100;
      if (op < 55) {
        Fields f = RandomFields(rng);
        auto fv = Flatten(f);
        StreamId id;
        if (rng() % 3 == 0) {
          StreamId want{s.last_id().ms + rng() % 3, rng() % 5};
          auto st = s.Add(&want, true, 0, fv, limits, &id);
          if (want <= s.last_id() && st == Stream::AddStatus::kIdTooSmall) continue;
          ASSERT_EQ(st, Stream::AddStatus::kOk);
        } else {
          now += rng() % 20;
          ASSERT_EQ(s.Add(nullptr, true, now, fv, limits, &id), Stream::AddStatus::kOk);
        }
        m[id] = f;
      } else if (op < 70) {
        StreamId id = RandomIdNear(rng, m, s.last_id());
        bool expect = m.erase(id) == 1;
        ASSERT_EQ(s.Delete(id), expect);
      } else if (op < 75) {
        Stream::TrimArgs t;
        t.approx = rng() % 2;
        if (rng() % 2) {
          t.strategy = Stream::TrimArgs::Strategy::kMaxLen;
          t.maxlen = m.empty() ? 0 : rng() % (m.size() + 3);
        } else {
          t.strategy = Stream::TrimArgs::Strategy::kMinId;
          t.minid = RandomIdNear(rng, m, s.last_id());
        }
        if (t.approx && rng() % 2) t.limit = rng() % 30;
        size_t before = m.size();
        int64_t removed = s.Trim(t);
        ASSERT_GE(removed, 0);
        if (!t.approx) {
          // Exact trimming removes exactly the oldest entries that the strategy names.
          while (!m.empty() && (t.strategy == Stream::TrimArgs::Strategy::kMaxLen
                                    ? m.size() > static_cast<size_t>(t.maxlen)
                                    : m.begin()->first < t.minid)) {
            m.erase(m.begin());
          }
          ASSERT_EQ(static_cast<size_t>(removed), before - m.size());
        } else {
          // Approximate trimming removes some oldest entries, never more than asked.
          for (int64_t i = 0; i < removed; ++i) {
            if (t.strategy == Stream::TrimArgs::Strategy::kMinId) {
              ASSERT_LT(m.begin()->first, t.minid);
            }
            m.erase(m.begin());
          }
          if (t.strategy == Stream::TrimArgs::Strategy::kMaxLen) {
            ASSERT_TRUE(m.size() >= static_cast<size_t>(t.maxlen) || removed == 0);
          }
          if (t.limit > 0) {
            ASSERT_LE(removed, t.limit);
          }
        }
      } else {
        StreamId a = RandomIdNear(rng, m, s.last_id());
        StreamId b = RandomIdNear(rng, m, s.last_id());
        if (rng() % 4 == 0) a = StreamId{};
        if (rng() % 4 == 0) b = StreamId::Max();
        bool rev = rng() % 2;
        ASSERT_EQ(Range(s, a, b, rev), ModelRange(m, a, b, rev));
        ASSERT_EQ(s.Contains(a), m.count(a) == 1);
      }
      if (step % 97 == 0) ExpectSame(s, m);
    }
    ExpectSame(s, m);
    ASSERT_EQ(Range(s, StreamId{}, StreamId::Max(), true),
              ModelRange(m, StreamId{}, StreamId::Max(), true));
    // A clone reads back the same.
    std::unique_ptr<Stream> copy(static_cast<Stream*>(s.Clone()));
    ExpectSame(*copy, m);
  }
}

TEST(Stream, TrimApproxRemovesWholeBlocksOnly) {
  Stream s;
  Stream::Limits limits{10, 4096};
  std::vector<std::string_view> fv = {"f", "v"};
  for (int i = 0; i < 95; ++i) s.Add(nullptr, true, 1 + i, fv, limits, nullptr);
  EXPECT_EQ(s.block_count(), 10u);
  Stream::TrimArgs t;
  t.strategy = Stream::TrimArgs::Strategy::kMaxLen;
  t.approx = true;
  t.maxlen = 52;
  EXPECT_EQ(s.Trim(t), 40);  // 4 blocks of 10; a 5th would leave 45 < 52
  EXPECT_EQ(s.length(), 55u);
  t.approx = false;
  EXPECT_EQ(s.Trim(t), 3);
  EXPECT_EQ(s.length(), 52u);
  EXPECT_EQ(s.first_id(), (StreamId{44, 0}));
  // LIMIT stops before a block that would exceed it.
  t.approx = true;
  t.maxlen = 0;
  t.limit = 15;
  EXPECT_EQ(s.Trim(t), 7);  // the partly trimmed block had 7 live entries
  EXPECT_EQ(s.length(), 45u);
}

TEST(Stream, DeletingAllEntriesOfABlockFreesIt) {
  Stream s;
  Stream::Limits limits{3, 4096};
  std::vector<std::string_view> fv = {"f", "v"};
  for (int i = 1; i <= 9; ++i) s.Add(nullptr, true, i, fv, limits, nullptr);
  EXPECT_EQ(s.block_count(), 3u);
  EXPECT_TRUE(s.Delete(StreamId{4, 0}));
  EXPECT_TRUE(s.Delete(StreamId{5, 0}));
  EXPECT_FALSE(s.Delete(StreamId{5, 0}));
  EXPECT_EQ(s.block_count(), 3u);
  EXPECT_TRUE(s.Delete(StreamId{6, 0}));
  EXPECT_EQ(s.block_count(), 2u);
  EXPECT_EQ(s.max_deleted_id(), (StreamId{6, 0}));
  EXPECT_TRUE(s.Delete(StreamId{1, 0}));
  EXPECT_EQ(s.first_id(), (StreamId{2, 0}));
  EXPECT_EQ(s.length(), 5u);
}

TEST(Stream, ExactTrimKeepsABlockOfTombstones) {
  Stream s;
  Stream::Limits limits{5, 4096};
  std::vector<std::string_view> fv = {"f", "v"};
  for (int i = 1; i <= 8; ++i) s.Add(nullptr, true, i, fv, limits, nullptr);
  EXPECT_TRUE(s.Delete(StreamId{8, 0}));
  Stream::TrimArgs t;
  t.strategy = Stream::TrimArgs::Strategy::kMinId;
  t.minid = StreamId{8, 0};
  EXPECT_EQ(s.Trim(t), 7);
  EXPECT_EQ(s.length(), 0u);
  EXPECT_EQ(s.block_count(), 1u);  // kept, as Redis keeps the listpack
  EXPECT_FALSE(s.LastLiveId().has_value());
  EXPECT_EQ(s.first_id(), StreamId{});
  StreamId id;
  ASSERT_EQ(s.Add(nullptr, true, 9, fv, limits, &id), Stream::AddStatus::kOk);
  EXPECT_EQ(s.block_count(), 1u);  // appended into it
  EXPECT_EQ(s.first_id(), id);
  EXPECT_EQ(s.LastLiveId(), id);
  EXPECT_EQ(Range(s, StreamId{}, StreamId::Max(), true).size(), 1u);
}

TEST(Stream, CompactEncoding) {
  // The measure: XADD s * f1 <int> f2 abc f3 x<int>. Redis uses about 26 bytes per entry.
  Stream s;
  Stream::Limits limits;
  int64_t before = mem::UsedMemory();
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    std::string a = std::to_string(i), c = "x" + std::to_string(i);
    std::vector<std::string_view> fv = {"f1", a, "f2", "abc", "f3", c};
    s.Add(nullptr, true, 1000000 + i / 50, fv, limits, nullptr);
  }
  double per_entry = static_cast<double>(mem::UsedMemory() - before) / n;
  EXPECT_LT(per_entry, 20.0);
  std::printf("bytes per entry: %.2f (block bytes %.2f)\n", per_entry,
              static_cast<double>(s.BlockBytes()) / n);
  Stream::Iterator it(s, StreamId{}, StreamId::Max(), true);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.value(0), std::to_string(n - 1));
  EXPECT_EQ(it.value(1), "abc");
  EXPECT_EQ(it.value(2), "x" + std::to_string(n - 1));
}

TEST(ConsumerGroupTest, PendingEntries) {
  ConsumerGroup g(StreamId{}, 0);
  StreamConsumer* alice = g.CreateConsumer("alice", 10);
  StreamConsumer* bob = g.CreateConsumer("bob", 11);
  EXPECT_EQ(g.CreateConsumer("alice", 12), nullptr);
  EXPECT_EQ(g.FindConsumer("alice"), alice);
  for (uint64_t i = 1; i <= 5; ++i) g.Deliver(StreamId{i, 0}, alice, 100);
  EXPECT_EQ(g.pel().size(), 5u);
  EXPECT_EQ(alice->pending.size(), 5u);
  // A redelivery to another consumer moves ownership and resets the count.
  g.FindPending(StreamId{2, 0})->delivery_count = 7;
  g.Deliver(StreamId{2, 0}, bob, 200);
  const PendingEntry* pe = g.FindPending(StreamId{2, 0});
  EXPECT_EQ(pe->consumer, bob);
  EXPECT_EQ(pe->delivery_count, 1u);
  EXPECT_EQ(pe->delivery_time, 200);
  EXPECT_EQ(alice->pending.size(), 4u);
  EXPECT_EQ(bob->pending.count(StreamId{2, 0}), 1u);
  // Claim by SetOwner.
  PendingEntry* p3 = g.FindPending(StreamId{3, 0});
  g.SetOwner(StreamId{3, 0}, p3, bob);
  EXPECT_EQ(alice->pending.size(), 3u);
  EXPECT_EQ(bob->pending.size(), 2u);
  // Ack.
  EXPECT_TRUE(g.RemovePending(StreamId{3, 0}));
  EXPECT_FALSE(g.RemovePending(StreamId{3, 0}));
  EXPECT_EQ(bob->pending.size(), 1u);
  // FORCE-style creation.
  PendingEntry* forced = g.AddUnowned(StreamId{9, 0});
  forced->delivery_count = 1;
  g.SetOwner(StreamId{9, 0}, forced, alice);
  EXPECT_EQ(alice->pending.count(StreamId{9, 0}), 1u);
  // Deleting a consumer drops its pending entries from the group.
  EXPECT_EQ(g.DeleteConsumer("alice"), 4);
  EXPECT_EQ(g.DeleteConsumer("alice"), -1);
  EXPECT_EQ(g.pel().size(), 1u);
  EXPECT_EQ(g.pel().begin()->first, (StreamId{2, 0}));
}

TEST(ConsumerGroupTest, RandomisedPelAgainstModel) {
  std::mt19937_64 rng(7);
  ConsumerGroup g(StreamId{}, 0);
  std::vector<StreamConsumer*> cs;
  for (int i = 0; i < 4; ++i) cs.push_back(g.CreateConsumer("c" + std::to_string(i), 0));
  std::map<StreamId, int> model;  // id -> owner index
  for (int step = 0; step < 20000; ++step) {
    StreamId id{rng() % 200, 0};
    int who = rng() % 4;
    switch (rng() % 3) {
      case 0:
        g.Deliver(id, cs[who], step);
        model[id] = who;
        break;
      case 1:
        ASSERT_EQ(g.RemovePending(id), model.erase(id) == 1);
        break;
      default:
        if (PendingEntry* pe = g.FindPending(id)) {
          g.SetOwner(id, pe, cs[who]);
          model[id] = who;
        } else {
          ASSERT_EQ(model.count(id), 0u);
        }
    }
  }
  ASSERT_EQ(g.pel().size(), model.size());
  std::vector<size_t> owned(4);
  for (const auto& [id, who] : model) {
    ASSERT_EQ(g.pel().at(id).consumer, cs[who]);
    ASSERT_EQ(cs[who]->pending.count(id), 1u);
    ++owned[who];
  }
  for (int i = 0; i < 4; ++i) ASSERT_EQ(cs[i]->pending.size(), owned[i]);
}

TEST(Stream, LagAndEntriesRead) {
  Stream s;
  Stream::Limits limits;
  std::vector<std::string_view> fv = {"f", "v"};
  for (uint64_t i = 1; i <= 5; ++i) {
    StreamId id{i, 0};
    s.Add(&id, true, 0, fv, limits, nullptr);
  }
  ConsumerGroup* g = s.CreateGroup("g", StreamId{}, ConsumerGroup::kUnknownEntriesRead);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(s.CreateGroup("g", StreamId{}, 0), nullptr);
  EXPECT_EQ(s.Lag(*g), 5);
  s.AdvanceGroup(*g, StreamId{1, 0});
  EXPECT_EQ(g->entries_read, 1);
  s.AdvanceGroup(*g, StreamId{2, 0});
  EXPECT_EQ(g->entries_read, 2);
  EXPECT_EQ(s.Lag(*g), 3);
  // A deletion ahead of the group makes the lag unknown until the group passes it.
  s.Delete(StreamId{4, 0});
  EXPECT_EQ(s.Lag(*g), std::nullopt);
  s.AdvanceGroup(*g, StreamId{3, 0});
  s.AdvanceGroup(*g, StreamId{5, 0});
  EXPECT_EQ(g->entries_read, 5);
  EXPECT_EQ(s.Lag(*g), 0);
  EXPECT_TRUE(s.DestroyGroup("g"));
  EXPECT_FALSE(s.DestroyGroup("g"));
}

}  // namespace
}  // namespace weir::types
