// Helpers shared by the import unit tests.
#pragma once
#include "core/common/error.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace rolloy::import::test {

inline std::string read_fixture(const std::string &name) {
    std::ifstream in(std::string(ROLLOY_TEST_DATA_DIR) + "/fixtures/import/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing fixture " << name;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Runs `body`, expects a rolloy::Error of `kind` and returns its message (empty if none thrown).
template <typename Body> std::string error_message(Body &&body, ErrorKind kind, std::string *hint = nullptr) {
    try {
        body();
    } catch (const Error &e) {
        EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
        if (hint) *hint = e.hint();
        return e.what();
    }
    ADD_FAILURE() << "no rolloy::Error thrown";
    return {};
}

} // namespace rolloy::import::test
