// Facts about this process and machine, read from the OS.
#pragma once

#include <cstdint>

namespace mergeflow {

// Peak resident set size of this process so far, in bytes (getrusage).
uint64_t PeakResidentBytes();

// Physical memory of the machine in bytes.
uint64_t PhysicalMemoryBytes();

// The memory this process may use: physical memory, or less when a cgroup
// (container, Kubernetes pod, Slurm job) sets a lower limit.
uint64_t AvailableMemoryBytes();

// What a command may hold in memory unless --memory-limit says otherwise:
// 80% of `available` (AvailableMemoryBytes()).
uint64_t DefaultMemoryLimit(uint64_t available);

// Seconds since an arbitrary fixed point (monotonic clock).
double MonotonicSeconds();

}  // namespace mergeflow
