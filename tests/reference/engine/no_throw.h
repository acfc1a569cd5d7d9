// The API's exception boundary. Where exceptions exist (native), allocation
// failure inside a call becomes a status (status_code::internal); built with
// -fno-exceptions (WebAssembly) there is nothing to catch and it aborts the
// instance, which the JS layer reports and refuses further calls.
#pragma once

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define KEYHOLE_TRY try
#define KEYHOLE_CATCH_ALL catch (...)
#else
#define KEYHOLE_TRY if (true)
#define KEYHOLE_CATCH_ALL else
#endif
