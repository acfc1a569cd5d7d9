// KEYHOLE_ALWAYS_INLINE: for the few small functions on the parse's and the
// filter's hottest paths whose call would cost as much as their work. g++
// inlines them on its own; clang (the WebAssembly build) did not, and calls
// them once per token or member.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define KEYHOLE_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define KEYHOLE_ALWAYS_INLINE inline
#endif
