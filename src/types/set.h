// Set: the structure behind a set key, with Redis 7.2's three encodings and its rules for moving
// between them.
//
//   intset     every member an integer, at most set-max-intset-entries of them (IntSet)
//   listpack   few, short members of any kind: at most set-max-listpack-entries members of at
//              most set-max-listpack-value bytes each (Listpack, searched linearly)
//   hashtable  anything larger (StringTable)
//
// A set moves intset -> listpack or hashtable (a non-integer member, or too many members) and
// listpack -> hashtable (too many or too long members), never back, except where Redis rebuilds
// a set: the results of SINTERSTORE (MaybeConvertToIntset) and of SPOP's "keep the few that
// remain" path, which start small again.
//
// Memory: a set with a handful of small integers is one allocation. The intset sits inline in
// the tail of the Set object itself (the factories size the allocation for the expected members
// and IntSet uses whatever the allocator's size class gives), so 10 small integers cost a
// 32-byte object. Other encodings keep their structure's pointer in the same bytes.
//
// Not thread-safe: the shard lock of the owning key guards it. Member views (SetMember::str)
// stay valid until the set changes.
#pragma once

#include <absl/functional/function_ref.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "types/intset.h"
#include "types/listpack.h"
#include "types/object.h"
#include "types/string_table.h"

namespace weir::types {

// The configuration that decides encodings (set-max-intset-entries, set-max-listpack-entries,
// set-max-listpack-value), read by the caller when it changes a set.
struct SetLimits {
  size_t max_intset_entries = 512;
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

// A member as a set hands it out: an integer (intset elements, listpack entries that hold
// numbers) or a view of its bytes. ToString(buf) gives the text either way.
using SetMember = Listpack::Value;

class Set final : public Object {
 public:
  enum class Encoding : uint8_t { kIntset, kListpack, kHashtable };
  using Rng = uint64_t (*)();
  // Room a caller provides for SetMember::ToString of an integer.
  static constexpr size_t kIntBufSize = Listpack::kIntBufSize;

  // Sets are made only by these factories (the object's size depends on its inline intset
  // room) and destroyed with delete.
  // Redis's setTypeCreate: an empty set about to receive size_hint members, the first being
  // `first`: an intset if first is an integer and the hint fits one, else a listpack if the hint
  // fits one, else a hash table sized for the hint.
  // int_bytes: the width the integers about to be added need (2, 4 or 8; SADD knows them all),
  // so that an intset gets its room inline at once instead of outgrowing it.
  static Set* Create(std::string_view first, size_t size_hint, const SetLimits& limits,
                     size_t int_bytes = 2);
  // An empty intset with inline room for about size_hint integers of int_bytes each.
  static Set* NewIntset(size_t size_hint = 0, size_t int_bytes = 2);
  static Set* NewListpack();
  static Set* NewHashtable(size_t size_hint = 0);
  static void operator delete(void* p);

  ~Set() override;
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;

  // Object.
  Object* Clone() const override;
  size_t Size() const override;
  size_t MemoryUsage() const override;
  const char* EncodingName() const override;

  Encoding encoding() const { return encoding_; }

  // Redis's setTypeMaybeConvert: before adding up to n members, converts an intset or listpack
  // that n members would overflow straight to a hash table sized for n.
  void PrepareForAdds(size_t n, const SetLimits& limits);
  // Adds a member; false when it was already present. May change the encoding.
  bool Add(std::string_view member, const SetLimits& limits);
  bool Add(const SetMember& member, const SetLimits& limits);
  // Removes a member; false when it was absent. Never changes the encoding.
  bool Remove(std::string_view member);
  bool Remove(const SetMember& member);
  bool Contains(std::string_view member) const;
  bool Contains(const SetMember& member) const;

  // Calls fn(const SetMember&) on every member, in the encoding's order (ascending for an
  // intset, insertion order for a listpack); stops early when fn returns false (fn may also
  // return void). The set must not change during the walk.
  template <class Fn>
  void ForEach(Fn&& fn) const;

  // One step of SSCAN over a hash-table set (the other encodings are returned whole by their
  // callers): calls fn on some members and returns the next cursor, 0 when done. Members present
  // for the whole scan are returned at least once.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const;

  // ---- Random members, with Redis's algorithms and their distributions ----
  // A uniformly chosen member of a non-empty set.
  SetMember RandomMember(Rng rng) const;
  using MemberFn = absl::FunctionRef<void(const SetMember&)>;
  // SRANDMEMBER with a negative count: count members chosen independently (repeats possible),
  // each passed to fn.
  void RandomMembers(size_t count, Rng rng, MemberFn fn) const;
  // SRANDMEMBER with a positive count below Size(): count distinct members, each subset of that
  // size equally likely, passed to fn.
  void DistinctRandomMembers(size_t count, Rng rng, MemberFn fn) const;
  // SPOP without count: removes a uniformly chosen member of a non-empty set and returns it.
  std::string PopRandom(Rng rng);
  // SPOP with 0 < count < Size(): removes count members (each subset of that size equally
  // likely), passing each to fn before it leaves the set (the view dies after the call).
  void PopRandomMembers(size_t count, const SetLimits& limits, Rng rng, MemberFn fn);

  // ---- Encoding changes (the add/remove paths call these as Redis does) ----
  void ConvertToHashtable(size_t capacity);
  void ConvertToListpack();
  // Redis's maybeConvertToIntset, for results known to hold only integers (SINTERSTORE): makes
  // a listpack or hash table an intset again when it fits one.
  void MaybeConvertToIntset(const SetLimits& limits);
  // Gives back memory a listpack built with room to spare holds.
  void ShrinkToFit();
  // Takes over other's members and encoding; other is deleted.
  void ReplaceWith(Set* other);

 private:
  // Layout: [vtable][encoding_][rep_ ...inline intset room to the end of the allocation].
  // rep_ holds an IntSet placed at its start (alignment 1, so the inline elements begin right
  // after the IntSet header), or, for the other encodings, a Listpack or a StringTable pointer
  // in its 8-aligned slot (see slot()).
  static constexpr size_t kRepOffset = sizeof(void*) + 1;
  static constexpr size_t kRepBytes = 3 * sizeof(void*) - kRepOffset;

  Set(Encoding encoding, size_t intset_room);
  // An uninitialised object of at least `bytes` bytes (the allocator may give more).
  static void* AllocateFor(size_t bytes);

  IntSet& ints() { return *reinterpret_cast<IntSet*>(rep_); }
  const IntSet& ints() const { return *reinterpret_cast<const IntSet*>(rep_); }
  void* slot() { return rep_ + (sizeof(void*) - kRepOffset % sizeof(void*)) % sizeof(void*); }
  const void* slot() const { return const_cast<Set*>(this)->slot(); }
  Listpack& lp() { return *static_cast<Listpack*>(slot()); }
  const Listpack& lp() const { return *static_cast<const Listpack*>(slot()); }
  StringTable* table() const { return *static_cast<StringTable* const*>(slot()); }
  void set_table(StringTable* t) { *static_cast<StringTable**>(slot()) = t; }

  // The inline intset room this object's allocation gives.
  size_t IntsetRoom() const;
  // Destroys the current representation (the object's bytes stay).
  void DestroyRep();
  void MakeIntsetRep();
  void MakeListpackRep();
  void MakeHashtableRep(size_t capacity);

  // Adding to an intset a string that is not an integer: listpack or hash table, as Redis.
  void ConvertIntsetForString(size_t len, const SetLimits& limits);
  // Adds a member known to be absent to a hash table or listpack (which may convert).
  void AddAbsentString(std::string_view s, const SetLimits& limits);
  // Redis's maybeConvertIntset after an integer was added.
  void CheckIntsetSize(const SetLimits& limits);

  // Members of a listpack, with their positions, in order.
  struct LpEntry {
    Listpack::Pos pos;
    SetMember value;
  };
  void ListpackEntries(std::vector<LpEntry>* out) const;
  // Algorithm S (Knuth): indexes of k of n items, each k-subset equally likely, ascending.
  static void SelectionSample(size_t n, size_t k, Rng rng, std::vector<size_t>* out);

  Encoding encoding_;
  unsigned char rep_[kRepBytes];
};

static_assert(sizeof(Set) == 3 * sizeof(void*));

template <class Fn>
void Set::ForEach(Fn&& fn) const {
  constexpr bool kStops = std::is_same_v<decltype(fn(std::declval<const SetMember&>())), bool>;
  switch (encoding_) {
    case Encoding::kIntset:
      ints().ForEach([&](int64_t v) {
        SetMember m;
        m.num = v;
        m.is_int = true;
        if constexpr (kStops) {
          return fn(static_cast<const SetMember&>(m));
        } else {
          fn(static_cast<const SetMember&>(m));
        }
      });
      break;
    case Encoding::kListpack:
      lp().ForEach([&](const Listpack::Value& v) {
        if constexpr (kStops) {
          return fn(v);
        } else {
          fn(v);
        }
      });
      break;
    case Encoding::kHashtable:
      for (const StringTable::Element& e : *table()) {
        SetMember m;
        m.str = e.key();
        if constexpr (kStops) {
          if (!fn(static_cast<const SetMember&>(m))) return;
        } else {
          fn(static_cast<const SetMember&>(m));
        }
      }
      break;
  }
}

template <class Fn>
uint64_t Set::Scan(uint64_t cursor, Fn&& fn) const {
  if (encoding_ != Encoding::kHashtable) {
    ForEach(fn);
    return 0;
  }
  return table()->Scan(cursor, [&](const StringTable::Element& e) {
    SetMember m;
    m.str = e.key();
    fn(static_cast<const SetMember&>(m));
  });
}

}  // namespace weir::types
