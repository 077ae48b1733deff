// Set: encodings and their conversions (Redis 7.2's t_set.c rules), membership, and the random
// member algorithms of SRANDMEMBER and SPOP.
#include "types/set.h"

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <memory>
#include <new>
#include <utility>

#include "common/memory.h"
#include "common/numbers.h"

namespace weir::types {
namespace {

// Redis keeps intsets below 2^30 entries whatever set-max-intset-entries says.
size_t IntsetMaxEntries(const SetLimits& limits) {
  return std::min<size_t>(limits.max_intset_entries, size_t{1} << 30);
}

size_t DecimalLength(int64_t v) {
  char buf[24];
  return static_cast<size_t>(FormatInt64(v, buf));
}

}  // namespace

// ---- Allocation and representation --------------------------------------------------------

void* Set::AllocateFor(size_t bytes) { return mem::Allocate(std::max(bytes, sizeof(Set))); }

void Set::operator delete(void* p) { mem::Free(p); }

Set::Set(Encoding encoding, size_t intset_room) : encoding_(encoding) {
  switch (encoding) {
    case Encoding::kIntset:
      new (rep_) IntSet(intset_room);
      break;
    case Encoding::kListpack:
      new (slot()) Listpack();
      break;
    case Encoding::kHashtable:
      set_table(nullptr);
      break;
  }
}

Set::~Set() { DestroyRep(); }

Set* Set::NewIntset(size_t size_hint, size_t int_bytes) {
  size_t room = std::min(size_hint * int_bytes, IntSet::kMaxInlineBytes);
  void* p = AllocateFor(kRepOffset + IntSet::FootprintFor(room));
  return new (p) Set(Encoding::kIntset, IntSet::InlineBytesFor(mem::UsableSize(p) - kRepOffset));
}

Set* Set::NewListpack() { return new (AllocateFor(sizeof(Set))) Set(Encoding::kListpack, 0); }

Set* Set::NewHashtable(size_t size_hint) {
  Set* s = new (AllocateFor(sizeof(Set))) Set(Encoding::kHashtable, 0);
  s->MakeHashtableRep(size_hint);
  return s;
}

Set* Set::Create(std::string_view first, size_t size_hint, const SetLimits& limits,
                 size_t int_bytes) {
  int64_t v;
  if (ParseInt64(first, &v) && size_hint <= limits.max_intset_entries) {
    return NewIntset(size_hint, int_bytes);
  }
  if (size_hint <= limits.max_listpack_entries) return NewListpack();
  return NewHashtable(size_hint);
}

size_t Set::IntsetRoom() const {
  return IntSet::InlineBytesFor(mem::UsableSize(const_cast<Set*>(this)) - kRepOffset);
}

void Set::DestroyRep() {
  switch (encoding_) {
    case Encoding::kIntset:
      ints().~IntSet();
      break;
    case Encoding::kListpack:
      lp().~Listpack();
      break;
    case Encoding::kHashtable:
      delete table();
      break;
  }
}

void Set::MakeIntsetRep() {
  new (rep_) IntSet(IntsetRoom());
  encoding_ = Encoding::kIntset;
}

void Set::MakeListpackRep() {
  new (slot()) Listpack();
  encoding_ = Encoding::kListpack;
}

void Set::MakeHashtableRep(size_t capacity) {
  auto table = std::make_unique<StringTable>(false);
  if (capacity > 0) table->Reserve(capacity);
  set_table(table.release());
  encoding_ = Encoding::kHashtable;
}

// ---- Object -------------------------------------------------------------------------------

Object* Set::Clone() const {
  switch (encoding_) {
    case Encoding::kIntset: {
      Set* s = NewIntset(ints().size(), ints().width());
      s->ints().CopyFrom(ints());
      return s;
    }
    case Encoding::kListpack: {
      Set* s = NewListpack();
      s->lp() = lp().Clone();
      return s;
    }
    case Encoding::kHashtable: {
      Set* s = new (AllocateFor(sizeof(Set))) Set(Encoding::kHashtable, 0);
      s->set_table(new StringTable(*table()));
      return s;
    }
  }
  return nullptr;
}

size_t Set::Size() const {
  switch (encoding_) {
    case Encoding::kIntset:
      return ints().size();
    case Encoding::kListpack:
      return lp().size();
    case Encoding::kHashtable:
      return table()->size();
  }
  return 0;
}

size_t Set::MemoryUsage() const {
  size_t bytes = mem::UsableSize(const_cast<Set*>(this));
  switch (encoding_) {
    case Encoding::kIntset:
      return bytes + ints().HeapBytes();
    case Encoding::kListpack:
      return bytes + lp().MemoryUsage();
    case Encoding::kHashtable:
      return bytes + mem::UsableSize(table()) + table()->MemoryUsage();
  }
  return bytes;
}

const char* Set::EncodingName() const {
  switch (encoding_) {
    case Encoding::kIntset:
      return "intset";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kHashtable:
      return "hashtable";
  }
  return "unknown";
}

// ---- Encoding changes ---------------------------------------------------------------------

void Set::ConvertToHashtable(size_t capacity) {
  if (encoding_ == Encoding::kHashtable) return;
  auto table = std::make_unique<StringTable>(false);
  table->Reserve(std::max(capacity, Size()));
  char buf[kIntBufSize];
  ForEach([&](const SetMember& m) { table->Insert(m.ToString(buf)); });
  DestroyRep();
  set_table(table.release());
  encoding_ = Encoding::kHashtable;
}

void Set::ConvertToListpack() {
  if (encoding_ == Encoding::kListpack) return;
  Listpack lp;
  ForEach([&](const SetMember& m) {
    if (m.is_int) {
      lp.AppendInt(m.num);
    } else {
      lp.Append(m.str);
    }
  });
  DestroyRep();
  new (slot()) Listpack(std::move(lp));
  encoding_ = Encoding::kListpack;
}

void Set::MaybeConvertToIntset(const SetLimits& limits) {
  if (encoding_ == Encoding::kIntset || Size() > IntsetMaxEntries(limits)) return;
  std::vector<int64_t> values;
  values.reserve(Size());
  bool all_integers = true;
  ForEach([&](const SetMember& m) {
    int64_t v = m.num;
    if (!m.is_int && !ParseInt64(m.str, &v)) {
      all_integers = false;
      return false;
    }
    values.push_back(v);
    return true;
  });
  if (!all_integers) return;
  // Sorted first, so every insertion appends.
  std::sort(values.begin(), values.end());
  DestroyRep();
  MakeIntsetRep();
  for (int64_t v : values) ints().Insert(v);
}

void Set::ShrinkToFit() {
  if (encoding_ == Encoding::kListpack) lp().ShrinkToFit();
}

void Set::ReplaceWith(Set* other) {
  DestroyRep();
  switch (other->encoding_) {
    case Encoding::kIntset:
      MakeIntsetRep();
      ints().CopyFrom(other->ints());
      break;
    case Encoding::kListpack:
      new (slot()) Listpack(std::move(other->lp()));
      encoding_ = Encoding::kListpack;
      break;
    case Encoding::kHashtable:
      set_table(other->table());
      encoding_ = Encoding::kHashtable;
      other->set_table(nullptr);
      break;
  }
  delete other;
}

void Set::PrepareForAdds(size_t n, const SetLimits& limits) {
  if ((encoding_ == Encoding::kListpack && n > limits.max_listpack_entries) ||
      (encoding_ == Encoding::kIntset && n > limits.max_intset_entries)) {
    ConvertToHashtable(n);
  }
}

void Set::CheckIntsetSize(const SetLimits& limits) {
  if (ints().size() > IntsetMaxEntries(limits)) ConvertToHashtable(ints().size());
}

void Set::ConvertIntsetForString(size_t len, const SetLimits& limits) {
  // A listpack only if the new member and the longest integer fit its limits (Redis checks the
  // decimal length of the smallest and largest integers).
  const size_t n = ints().size();
  size_t longest = 0;
  if (n > 0) longest = std::max(DecimalLength(ints().Min()), DecimalLength(ints().Max()));
  if (n < limits.max_listpack_entries && len <= limits.max_listpack_value &&
      longest <= limits.max_listpack_value) {
    ConvertToListpack();
  } else {
    ConvertToHashtable(n + 1);
  }
}

void Set::AddAbsentString(std::string_view s, const SetLimits& limits) {
  if (encoding_ == Encoding::kListpack) {
    if (lp().size() < limits.max_listpack_entries && s.size() <= limits.max_listpack_value) {
      lp().Append(s);
      return;
    }
    ConvertToHashtable(lp().size() + 1);
  }
  table()->Insert(s);
}

// ---- Membership ---------------------------------------------------------------------------

bool Set::Add(std::string_view member, const SetLimits& limits) {
  switch (encoding_) {
    case Encoding::kIntset: {
      int64_t v;
      if (ParseInt64(member, &v)) {
        if (!ints().Insert(v)) return false;
        CheckIntsetSize(limits);
        return true;
      }
      // Not an integer, so certainly not a member of an intset.
      ConvertIntsetForString(member.size(), limits);
      AddAbsentString(member, limits);
      return true;
    }
    case Encoding::kListpack:
      if (lp().Find(lp().First(), member) != Listpack::kNone) return false;
      AddAbsentString(member, limits);
      return true;
    case Encoding::kHashtable:
      return table()->Insert(member);
  }
  return false;
}

bool Set::Add(const SetMember& member, const SetLimits& limits) {
  if (member.is_int && encoding_ == Encoding::kIntset) {
    if (!ints().Insert(member.num)) return false;
    CheckIntsetSize(limits);
    return true;
  }
  char buf[kIntBufSize];
  return Add(member.ToString(buf), limits);
}

bool Set::Remove(std::string_view member) {
  switch (encoding_) {
    case Encoding::kIntset: {
      int64_t v;
      return ParseInt64(member, &v) && ints().Erase(v);
    }
    case Encoding::kListpack: {
      Listpack::Pos p = lp().Find(lp().First(), member);
      if (p == Listpack::kNone) return false;
      lp().Delete(p);
      return true;
    }
    case Encoding::kHashtable:
      return table()->Erase(member);
  }
  return false;
}

bool Set::Remove(const SetMember& member) {
  if (member.is_int && encoding_ == Encoding::kIntset) return ints().Erase(member.num);
  char buf[kIntBufSize];
  return Remove(member.ToString(buf));
}

bool Set::Contains(std::string_view member) const {
  switch (encoding_) {
    case Encoding::kIntset: {
      int64_t v;
      return ParseInt64(member, &v) && ints().Contains(v);
    }
    case Encoding::kListpack:
      return lp().Find(lp().First(), member) != Listpack::kNone;
    case Encoding::kHashtable:
      return table()->Contains(member);
  }
  return false;
}

bool Set::Contains(const SetMember& member) const {
  if (member.is_int && encoding_ == Encoding::kIntset) return ints().Contains(member.num);
  char buf[kIntBufSize];
  return Contains(member.ToString(buf));
}

// ---- Random members -----------------------------------------------------------------------

void Set::ListpackEntries(std::vector<LpEntry>* out) const {
  out->reserve(lp().size());
  for (Listpack::Pos p = lp().First(); p != Listpack::kNone; p = lp().Next(p)) {
    out->push_back({p, lp().Get(p)});
  }
}

void Set::SelectionSample(size_t n, size_t k, Rng rng, std::vector<size_t>* out) {
  out->reserve(k);
  for (size_t i = 0; i < n && k > 0; ++i) {
    // Take item i with probability (still needed) / (still left).
    if (rng() % (n - i) < k) {
      out->push_back(i);
      --k;
    }
  }
}

SetMember Set::RandomMember(Rng rng) const {
  SetMember m;
  switch (encoding_) {
    case Encoding::kIntset:
      m.num = ints().At(rng() % ints().size());
      m.is_int = true;
      break;
    case Encoding::kListpack:
      m = lp().Get(lp().Seek(static_cast<int64_t>(rng() % lp().size())));
      break;
    case Encoding::kHashtable:
      m.str = table()->Random()->key();
      break;
  }
  return m;
}

void Set::RandomMembers(size_t count, Rng rng, MemberFn fn) const {
  if (encoding_ == Encoding::kListpack) {
    // Index the listpack once instead of seeking for every pick.
    std::vector<LpEntry> entries;
    ListpackEntries(&entries);
    for (size_t i = 0; i < count; ++i) fn(entries[rng() % entries.size()].value);
    return;
  }
  for (size_t i = 0; i < count; ++i) fn(RandomMember(rng));
}

void Set::DistinctRandomMembers(size_t count, Rng rng, MemberFn fn) const {
  const size_t size = Size();
  if (encoding_ == Encoding::kListpack) {
    // One pass in listpack order (Redis's lpNextRandom does the same selection).
    std::vector<LpEntry> entries;
    ListpackEntries(&entries);
    std::vector<size_t> picked;
    SelectionSample(size, count, rng, &picked);
    for (size_t i : picked) fn(entries[i].value);
    return;
  }
  if (count * 3 > size) {
    // Close to the whole set: pick from a copy of every member (a partial Fisher-Yates shuffle
    // is a uniform choice of count distinct members, as Redis's "remove random ones" is).
    std::vector<SetMember> all;
    all.reserve(size);
    ForEach([&](const SetMember& m) { all.push_back(m); });
    for (size_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + rng() % (size - i)]);
      fn(all[i]);
    }
    return;
  }
  // Far fewer than the set holds: draw at random, skipping repeats. Members are told apart by
  // value (intset) or by the address of their bytes (hash table).
  absl::flat_hash_set<uint64_t> seen;
  seen.reserve(count);
  while (seen.size() < count) {
    SetMember m = RandomMember(rng);
    uint64_t id =
        m.is_int ? static_cast<uint64_t>(m.num) : reinterpret_cast<uintptr_t>(m.str.data());
    if (seen.insert(id).second) fn(m);
  }
}

std::string Set::PopRandom(Rng rng) {
  std::string out;
  char buf[kIntBufSize];
  if (encoding_ == Encoding::kListpack) {
    Listpack::Pos p = lp().Seek(static_cast<int64_t>(rng() % lp().size()));
    out = lp().Get(p).ToString(buf);
    lp().Delete(p);
    return out;
  }
  SetMember m = RandomMember(rng);
  out = m.ToString(buf);
  Remove(m);
  return out;
}

void Set::PopRandomMembers(size_t count, const SetLimits& limits, Rng rng, MemberFn fn) {
  const size_t size = Size();
  const size_t remaining = size - count;
  // Redis's SPOP_MOVE_STRATEGY_MUL: pop one by one unless nearly everything goes, in which
  // case the few members that stay are moved to a new set and the old one is handed out.
  if (remaining * 5 > count) {
    if (encoding_ == Encoding::kListpack) {
      std::vector<LpEntry> entries;
      ListpackEntries(&entries);
      std::vector<size_t> picked;
      SelectionSample(size, count, rng, &picked);
      for (size_t i : picked) fn(entries[i].value);
      // Back to front, so the positions not yet deleted stay valid.
      for (size_t i = picked.size(); i-- > 0;) lp().Delete(entries[picked[i]].pos);
      return;
    }
    for (size_t i = 0; i < count; ++i) {
      SetMember m = RandomMember(rng);
      fn(m);
      Remove(m);
    }
    return;
  }
  Set* keep = nullptr;
  if (encoding_ == Encoding::kListpack) {
    keep = NewListpack();
    std::vector<LpEntry> entries;
    ListpackEntries(&entries);
    std::vector<size_t> picked;
    SelectionSample(size, remaining, rng, &picked);
    for (size_t i : picked) keep->Add(entries[i].value, limits);
    for (size_t i = picked.size(); i-- > 0;) lp().Delete(entries[picked[i]].pos);
  } else {
    for (size_t i = 0; i < remaining; ++i) {
      SetMember m = RandomMember(rng);
      // As Redis: the new set starts as an intset for integers and as a listpack otherwise
      // (a hash table's members are strings), and grows from there.
      if (keep == nullptr) keep = m.is_int ? NewIntset(remaining) : NewListpack();
      keep->Add(m, limits);
      Remove(m);
    }
  }
  ForEach(fn);
  ReplaceWith(keep);
}

}  // namespace weir::types
