// Short transactions for the background worker, which holds none between them (never across
// an HTTP call). in_transaction() starts one, connects SPI, runs the body, commits; on any
// exception it aborts and rethrows.
#pragma once
#include "pg/common/spi.hpp"

#include <utility>

namespace rolloy::pg {

void begin_transaction(const char *activity);
void commit_transaction();
void abort_transaction() noexcept;

template <typename Body>
auto in_transaction(const char *activity, Body &&body) -> decltype(body(std::declval<SpiConnection &>())) {
    begin_transaction(activity);
    try {
        SpiConnection spi;
        if constexpr (std::is_void_v<decltype(body(spi))>) {
            body(spi);
            spi.finish();
            commit_transaction();
        } else {
            auto result = body(spi);
            spi.finish();
            commit_transaction();
            return result;
        }
    } catch (...) {
        abort_transaction();
        throw;
    }
}

}  // namespace rolloy::pg
