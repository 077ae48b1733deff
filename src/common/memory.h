// Allocation with accounting: every byte the server allocates (through Allocate or global
// operator new) is counted, so INFO's used_memory is exact without asking the allocator.
#pragma once

#include <cstddef>
#include <cstdint>

namespace weir::mem {

void* Allocate(size_t size);
void Free(void* p);
// Bytes actually reserved for p (the allocator's size class), as counted.
size_t UsableSize(void* p);

// Sum over all threads of bytes allocated and not yet freed.
int64_t UsedMemory();
// Peak of UsedMemory() as sampled by callers of SamplePeak().
int64_t PeakMemory();
void SamplePeak();

// The allocator's name as INFO's mem_allocator reports it.
const char* AllocatorName();

}  // namespace weir::mem
