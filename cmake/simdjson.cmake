# simdjson 3.9.4 release sources, installed by npm from @nozbe/simdjson (pinned in
# package-lock.json). Never vendored: `npm ci` at the repo root brings them.
set(KEYHOLE_SIMDJSON_DIR "${PROJECT_SOURCE_DIR}/node_modules/@nozbe/simdjson/src"
    CACHE PATH "Folder holding simdjson.h and simdjson.cpp")
if(NOT EXISTS "${KEYHOLE_SIMDJSON_DIR}/simdjson.cpp")
  message(FATAL_ERROR "simdjson sources not found in ${KEYHOLE_SIMDJSON_DIR}: run `npm ci` at the repo root (toolchains/setup.sh does).")
endif()
add_library(keyhole_simdjson STATIC "${KEYHOLE_SIMDJSON_DIR}/simdjson.cpp")
target_include_directories(keyhole_simdjson SYSTEM PUBLIC "${KEYHOLE_SIMDJSON_DIR}")
# Exceptions off inside simdjson: errors are codes (and nothing may cross into JS).
target_compile_definitions(keyhole_simdjson PUBLIC SIMDJSON_EXCEPTIONS=0)
set_target_properties(keyhole_simdjson PROPERTIES POSITION_INDEPENDENT_CODE ON)
