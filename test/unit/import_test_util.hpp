// Helpers shared by the import unit tests.
#pragma once
#include "core/common/error.hpp"
#include "core/import/export_parser.hpp"
#include "core/import/platforms_0_1_0.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace rolloy::import::test {

// Meta, Google Ads and TikTok as the test's catalog: the definitions 0.1.0 shipped, which are the
// first rows of rolloy.ad_platforms too. Tests of other definitions build their own.
inline const PlatformCatalog &catalog() {
    static const PlatformCatalog c(platforms_of_0_1_0());
    return c;
}
inline const PlatformDefinition *platform(const char *name) {
    return catalog().resolve(name);
}
inline ParseOptions opts() {
    ParseOptions o;
    o.catalog = &catalog();
    return o;
}

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
