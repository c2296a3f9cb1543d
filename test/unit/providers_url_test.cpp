#include "core/providers/url.hpp"

#include <gtest/gtest.h>

namespace rolloy::providers {
namespace {

TEST(Url, JoinsWithExactlyOneSlash) {
    EXPECT_EQ(join_url("https://h", "v1/x"), "https://h/v1/x");
    EXPECT_EQ(join_url("https://h/", "/v1/x"), "https://h/v1/x");
    EXPECT_EQ(join_url("http://127.0.0.1:8080/base//", "fal-ai/flux/dev"),
              "http://127.0.0.1:8080/base/fal-ai/flux/dev");
}

TEST(Url, OriginsAsLibcurlParsesThem) {
    EXPECT_EQ(url_origin("https://queue.fal.run/fal-ai/flux/requests/1"), "https://queue.fal.run:443");
    EXPECT_EQ(url_origin("HTTP://Example.COM:8080/x"), "http://example.com:8080");
    EXPECT_EQ(url_origin("https://queue.fal.run@evil.example/x"), "https://evil.example:443");
    EXPECT_FALSE(url_origin("file:///etc/passwd"));
    EXPECT_FALSE(url_origin("not a url"));
    EXPECT_TRUE(same_origin("https://queue.fal.run", "https://queue.fal.run:443/a/b?c"));
    EXPECT_FALSE(same_origin("https://queue.fal.run", "http://queue.fal.run"));
    EXPECT_FALSE(same_origin("http://127.0.0.1:5000", "http://localhost:5000"));
}

TEST(Url, DataUrisRoundTrip) {
    const std::string uri = make_data_uri("image/png", std::string("\x89PNG\r\n", 6));
    EXPECT_EQ(uri, "data:image/png;base64,iVBORw0K");
    EXPECT_TRUE(is_data_uri(uri));
    const auto parsed = parse_data_uri(uri);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->mime, "image/png");
    EXPECT_EQ(parsed->bytes, std::string("\x89PNG\r\n", 6));
    EXPECT_FALSE(parse_data_uri("data:text/plain,hello")); // not base64
    EXPECT_FALSE(parse_data_uri("https://x/y.png"));
    EXPECT_FALSE(parse_data_uri("data:image/png;base64,@@@"));
}

} // namespace
} // namespace rolloy::providers
