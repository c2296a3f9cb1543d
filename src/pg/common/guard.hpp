// The C++ <-> Postgres boundary, implemented once.
//
// Direction 1, Postgres calls us: every extern "C" entry point is a thin shell that forwards to
// C++ through rolloy::pg::invoke(). invoke() catches every C++ exception, copies its message into
// a plain static buffer and raises the Postgres error only after the catch block (and every C++
// object of the call) is gone, so ereport's longjmp never skips a destructor.
//
// Direction 2, we call Postgres: any Postgres function that can ereport (SPI, palloc, catalog
// look-ups, CHECK_FOR_INTERRUPTS) is called through rolloy::pg::call(). It runs the callable under
// PG_TRY, turns a Postgres error into rolloy::pg::PgError (keeping the SQLSTATE and message) and
// rethrows it as a C++ exception. The callable passed to call() must hold no object with a
// destructor: a longjmp would skip it.
#pragma once
#include "pg/common/postgres.hpp"

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace rolloy::pg {

// A Postgres error caught in direction 2, carried up the C++ stack.
class PgError : public std::runtime_error {
  public:
    PgError(int sqlerrcode, const std::string &message, std::string detail, std::string hint,
            std::string file = {}, int line = 0, std::string function = {})
        : std::runtime_error(message), sqlerrcode_(sqlerrcode), detail_(std::move(detail)),
          hint_(std::move(hint)), file_(std::move(file)), line_(line), function_(std::move(function)) {}
    int sqlerrcode() const noexcept { return sqlerrcode_; }
    // The statement gave way to another session's lock: its lock_timeout ran out (55P03) or it
    // was the one a deadlock aborted (40P01). Its transaction wrote nothing; trying again later
    // is safe.
    bool gave_way_to_a_lock() const noexcept;
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }
    // Where Postgres raised it (the error's LOCATION), kept when it is raised again.
    const std::string &file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    const std::string &function() const noexcept { return function_; }

  private:
    int sqlerrcode_;
    std::string detail_;
    std::string hint_;
    std::string file_;
    int line_;
    std::string function_;
};

// Fills the pending-error buffer from the exception being handled; call only inside catch(...).
void capture_current_exception() noexcept;
// Raises the captured error as a Postgres ERROR. Never returns.
[[noreturn]] void raise_captured_error();
// Converts the Postgres error being handled in PG_CATCH into a PgError and throws it.
[[noreturn]] void throw_pg_error(MemoryContext caller_context);

// Direction 1. `body` runs C++; its result (a Datum, or void) is returned to Postgres.
template <typename Body>
auto invoke(Body &&body) -> decltype(body()) {
    using Result = decltype(body());
    bool failed = false;
    if constexpr (std::is_void_v<Result>) {
        try {
            body();
            return;
        } catch (...) {
            capture_current_exception();
            failed = true;
        }
    } else {
        try {
            return body();
        } catch (...) {
            capture_current_exception();
            failed = true;
        }
    }
    // Out of the catch block: the exception object and every C++ frame of body are gone.
    if (failed) raise_captured_error();
    pg_unreachable();
}

// Direction 2. `fn` calls Postgres and returns a trivially destructible value (or nothing).
template <typename Fn>
auto call(Fn &&fn) -> decltype(fn()) {
    using Result = decltype(fn());
    static_assert(std::is_void_v<Result> || std::is_trivially_destructible_v<Result>,
                  "values crossing a Postgres call must be trivially destructible");
    MemoryContext caller_context = CurrentMemoryContext;
    volatile bool failed = false;  // written after a longjmp: must not live in a register
    if constexpr (std::is_void_v<Result>) {
        PG_TRY();
        { fn(); }
        PG_CATCH();
        { failed = true; }
        PG_END_TRY();
        if (failed) throw_pg_error(caller_context);
    } else {
        // Written inside PG_TRY and read after it: keep it in memory (address taken through a
        // volatile pointer), never in a register a longjmp could restore.
        Result result{};
        Result *volatile slot = &result;
        PG_TRY();
        { *slot = fn(); }
        PG_CATCH();
        { failed = true; }
        PG_END_TRY();
        if (failed) throw_pg_error(caller_context);
        return *slot;
    }
}

}  // namespace rolloy::pg

// Declares an SQL-callable function with C linkage; the body is ordinary C++ run under invoke().
//   ROLLOY_FUNCTION(rolloy_foo) { ...; return Datum; }
#define ROLLOY_FUNCTION(name)                                                                           \
    static Datum name##_impl([[maybe_unused]] FunctionCallInfo fcinfo);                                 \
    extern "C" {                                                                                        \
    PG_FUNCTION_INFO_V1(name);                                                                          \
    Datum name(PG_FUNCTION_ARGS) {                                                                      \
        return rolloy::pg::invoke([fcinfo]() { return name##_impl(fcinfo); });                         \
    }                                                                                                   \
    }                                                                                                   \
    static Datum name##_impl([[maybe_unused]] FunctionCallInfo fcinfo)
