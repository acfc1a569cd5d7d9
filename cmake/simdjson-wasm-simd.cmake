# The SIMD128 wasm build of simdjson (included by simdjson.cmake under KEYHOLE_WASM_SIMD).
# simdjson detects its kernels from the target architecture's macros, none of which a
# wasm32 compiler defines; claiming one makes that kernel the only, built-in one (no
# run-time dispatch, no fallback compiled). Everything is PUBLIC: every file that
# includes simdjson.h must see the same kernel (ODR), and -msimd128 lets the core's own
# loops vectorise too.
target_compile_options(keyhole_simdjson PUBLIC -msimd128)
target_link_options(keyhole_simdjson PUBLIC -msimd128)
if(KEYHOLE_WASM_SIMD_KERNEL STREQUAL "westmere")
  # -msse4.2 makes Emscripten define __SSE4_2__ and accept the SSE headers; __PCLMUL__
  # tells simdjson that carry-less multiply exists (x86_compat/wmmintrin.h provides it).
  target_compile_options(keyhole_simdjson PUBLIC -msse4.2)
  target_compile_definitions(keyhole_simdjson PUBLIC
    SIMDJSON_IS_X86_64=1 __PCLMUL__=1
    SIMDJSON_IMPLEMENTATION_HASWELL=0 SIMDJSON_IMPLEMENTATION_ICELAKE=0 SIMDJSON_IMPLEMENTATION_FALLBACK=0)
  # Before the compiler's own x86intrin.h / wmmintrin.h, which refuse a non-x86 target.
  target_include_directories(keyhole_simdjson SYSTEM BEFORE PUBLIC "${PROJECT_SOURCE_DIR}/wasm/src/x86_compat")
elseif(KEYHOLE_WASM_SIMD_KERNEL STREQUAL "arm64")
  find_path(KEYHOLE_SIMDE_ARM_DIR neon/types.h PATHS /usr/include/simde/arm NO_CMAKE_FIND_ROOT_PATH
    DOC "SIMDe's arm/ folder (Debian: libsimde-dev), where Emscripten's arm_neon.h finds neon/*.h")
  if(NOT KEYHOLE_SIMDE_ARM_DIR)
    message(FATAL_ERROR "SIMDe's NEON headers not found (Debian: apt-get install libsimde-dev), or use KEYHOLE_WASM_SIMD_KERNEL=westmere")
  endif()
  target_compile_definitions(keyhole_simdjson PUBLIC SIMDJSON_IS_ARM64=1 SIMDJSON_IMPLEMENTATION_FALLBACK=0)
  target_include_directories(keyhole_simdjson SYSTEM PUBLIC "${KEYHOLE_SIMDE_ARM_DIR}")
  target_compile_options(keyhole_simdjson PUBLIC "SHELL:-include ${PROJECT_SOURCE_DIR}/wasm/src/neon_shim.h")
else()
  message(FATAL_ERROR "KEYHOLE_WASM_SIMD_KERNEL must be westmere or arm64, not '${KEYHOLE_WASM_SIMD_KERNEL}'")
endif()
