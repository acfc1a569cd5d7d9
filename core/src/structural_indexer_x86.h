// The x86-64 kernels beyond the baseline (AVX2, AVX-512), chosen at run time:
// structural_indexer.cpp asks for the fastest the CPU runs.
#pragma once

#include "structural_indexer.h"

namespace keyhole::detail::x86 {

// The fastest kernel beyond SSE2 this CPU runs, or nullptr (another CPU, or
// a build for another target).
structural_indexer::index_fn fastest_kernel();
// The AVX2 and AVX-512 kernels when the CPU runs them, else nullptr (tests).
structural_indexer::index_fn avx2_kernel();
structural_indexer::index_fn avx512_kernel();

}  // namespace keyhole::detail::x86
