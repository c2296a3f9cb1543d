// Finding a Replicate create whose answer was lost: the pending-create token, the list page
// and the match rules (replicate_reconcile.hpp), without network.
#include "core/providers/replicate_api.hpp"
#include "core/providers/replicate_reconcile.hpp"

#include "core/common/error.hpp"
#include "core/common/sha256.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace rolloy::providers::replicate {
namespace {

ProviderConfig config() {
    ProviderConfig c;
    c.base_url = "https://api.replicate.com";
    c.model = "black-forest-labs/flux-dev";
    c.api_key = "r8_KEY";
    return c;
}

ImageRequest request() {
    ImageRequest r;
    r.prompt = "a watercolor fox";
    r.reference = "PNG";
    r.seed = 42;
    return r;
}

std::string listed(const std::string &id, const std::string &model, const std::string &created_at,
                   const std::string &prompt, const std::string &seed) {
    return R"({"id":")" + id + R"(","model":")" + model + R"(","version":"hidden","status":"processing",)" +
           R"("created_at":")" + created_at + R"(","input":{"prompt":")" + prompt + R"(","seed":)" + seed +
           R"(,"image":"data:image/png;base64,AAAA"},)" +
           R"("urls":{"get":"https://api.replicate.com/v1/predictions/)" + id +
           R"(","cancel":"https://api.replicate.com/v1/predictions/)" + id + R"(/cancel"}})";
}

TEST(ReplicateReconcile, PendingTokenRoundTripsAndIsNoTicket) {
    const PendingCreate p = pending_create(config(), request(), 70000, 30);
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    EXPECT_LE(std::abs(p.sent_at - now), 2);
    EXPECT_EQ(p.settle_at, p.sent_at + 70 + 30);
    EXPECT_EQ(p.prompt_sha256, sha256_hex("a watercolor fox"));
    EXPECT_EQ(p.image_key, "image");
    EXPECT_EQ(p.image_sha256, sha256_hex("data:image/jpeg;base64,UE5H")); // the data: URI sent
    const std::string token = encode_pending(p);
    EXPECT_EQ(token.find("watercolor"), std::string::npos); // the prompt is not copied into the ledger
    const auto back = decode_pending(token);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->model, "black-forest-labs/flux-dev");
    EXPECT_EQ(back->sent_at, p.sent_at);
    EXPECT_EQ(back->settle_at, p.settle_at);
    EXPECT_EQ(back->seed, std::optional<std::int64_t>(42));
    EXPECT_EQ(back->image_sha256, p.image_sha256);
    EXPECT_FALSE(decode_ticket(token)); // a pending create names no prediction
    EXPECT_FALSE(
        decode_pending(encode_ticket({"abc", "https://api.replicate.com/v1/predictions/abc", "", 1})));
    EXPECT_FALSE(decode_pending("garbage"));
    EXPECT_FALSE(decode_pending(R"({"replicate_create":{"model":"m","sent_at":1,"prompt_sha256":"short"}})"));
    ImageRequest unseeded = request();
    unseeded.seed.reset();
    EXPECT_FALSE(decode_pending(encode_pending(pending_create(config(), unseeded, 0, 0)))->seed);
}

TEST(ReplicateReconcile, Iso8601) {
    EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), std::optional<std::int64_t>(0));
    EXPECT_EQ(parse_iso8601("2023-09-08T16:19:34.907244Z"), std::optional<std::int64_t>(1694189974));
    EXPECT_EQ(parse_iso8601("2023-09-08T18:19:34+02:00"), std::optional<std::int64_t>(1694189974));
    EXPECT_EQ(parse_iso8601("2023-09-08T14:19:34.5-02:00"), std::optional<std::int64_t>(1694189974));
    for (const char *bad : {"", "2023-09-08", "2023-09-08T16:19:34", "2023-13-08T16:19:34Z",
                            "2023-09-08T16:19:34Zjunk", "yesterday", "2023-09-08T16:19:34+0200"})
        EXPECT_FALSE(parse_iso8601(bad)) << bad;
    EXPECT_EQ(format_iso8601(1694189974), "2023-09-08T16:19:34Z");
    PendingCreate p;
    p.sent_at = 1694189974;
    EXPECT_EQ(first_list_url("https://api.replicate.com", p),
              "https://api.replicate.com/v1/predictions?created_after=2023-09-08T16:17:34Z");
}

TEST(ReplicateReconcile, PagesAndMatches) {
    PendingCreate p;
    p.model = "black-forest-labs/flux-dev";
    p.sent_at = 1694189974; // 16:19:34
    p.seed = 42;
    p.prompt_sha256 = sha256_hex("a watercolor fox");
    const std::string body =
        R"({"next":"https://api.replicate.com/v1/predictions?cursor=abc","previous":null,"results":[)" +
        listed("newer", "black-forest-labs/flux-dev", "2023-09-08T16:19:40.1Z", "another prompt", "42") +
        "," +
        listed("ours", "black-forest-labs/flux-dev", "2023-09-08T16:19:35.2Z", "a watercolor fox", "42") +
        "," +
        listed("otherseed", "black-forest-labs/flux-dev", "2023-09-08T16:19:35Z", "a watercolor fox", "7") +
        "," +
        listed("othermodel", "black-forest-labs/flux-schnell", "2023-09-08T16:19:35Z", "a watercolor fox",
               "42") +
        "," +
        listed("skewed", "black-forest-labs/flux-dev", "2023-09-08T16:18:00Z", "a watercolor fox", "42") +
        "," + listed("old", "black-forest-labs/flux-dev", "2023-09-08T16:10:00Z", "a watercolor fox", "42") +
        R"(,{"no":"id"}]})";
    const auto page = parse_page(body);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->next, "https://api.replicate.com/v1/predictions?cursor=abc");
    ASSERT_EQ(page->results.size(), 6u); // the entry without an id is skipped
    std::vector<std::string> matched, older;
    for (const ListedPrediction &l : page->results) {
        if (matches(p, l)) matched.push_back(l.id);
        if (before_window(p, l)) older.push_back(l.id);
    }
    // Our clock may run ahead of Replicate's by up to kClockSlackSeconds: "skewed" matches too;
    // the newest match is taken (the list is newest first).
    EXPECT_EQ(matched, (std::vector<std::string>{"ours", "skewed"}));
    EXPECT_EQ(older, (std::vector<std::string>{"old"}));
    EXPECT_EQ(page->results[1].get_url, "https://api.replicate.com/v1/predictions/ours");
    // The reference photo, when the list shows it as a data: URI, must be ours too.
    p.image_sha256 = sha256_hex("data:image/png;base64,BBBB");
    EXPECT_FALSE(matches(p, page->results[1])); // listed with data:image/png;base64,AAAA
    p.image_sha256 = sha256_hex("data:image/png;base64,AAAA");
    EXPECT_TRUE(matches(p, page->results[1]));
    const auto hosted =
        parse_page(R"({"results":[{"id":"x","model":"black-forest-labs/flux-dev",)"
                   R"("created_at":"2023-09-08T16:19:35Z","input":{"prompt":"a watercolor fox",)"
                   R"("seed":42,"input_image":"https://replicate.delivery/in.png"}}]})",
                   "input_image");
    ASSERT_TRUE(hosted);
    EXPECT_TRUE(matches(p, hosted->results[0])); // a URL of Replicate's own cannot be compared
    EXPECT_FALSE(parse_page(R"({"detail":"nope"})"));
    EXPECT_FALSE(parse_page("<html>"));
    const auto empty = parse_page(R"({"next":null,"previous":null,"results":[]})");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->results.empty());
    EXPECT_TRUE(empty->next.empty());
}

// A recorded page in the shape of the OpenAPI example of predictions.list.
TEST(ReplicateReconcile, RecordedPage) {
    const auto page = parse_page(testing::read_fixture("replicate_list_page.json"));
    ASSERT_TRUE(page);
    EXPECT_EQ(page->next, "https://api.replicate.com/v1/predictions?cursor=cD0yMDI2LTEyLTA1");
    ASSERT_EQ(page->results.size(), 1u);
    const ListedPrediction &p = page->results[0];
    EXPECT_EQ(p.id, "gm3qorzdhgbfurvjtvhg6dckhu");
    EXPECT_EQ(p.model, "black-forest-labs/flux-dev");
    EXPECT_EQ(p.created_at, parse_iso8601("2026-12-05T16:19:34Z"));
    EXPECT_EQ(p.seed, std::optional<std::int64_t>(42));
    EXPECT_EQ(p.prompt, "a watercolor fox");
    EXPECT_EQ(p.image_sha256, sha256_hex("data:image/png;base64,UE5HREFUQQ=="));
    EXPECT_EQ(p.cancel_url, "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel");
}

TEST(ReplicateReconcile, CancelAfterHeader) {
    ProviderConfig c = config();
    auto header = [](const HttpRequest &req) {
        for (const auto &[name, value] : req.headers)
            if (name == "Cancel-After") return value;
        return std::string("(none)");
    };
    EXPECT_EQ(header(create_request(c, "{}")), "(none)");
    c.options["cancel_after"] = "900";
    EXPECT_EQ(header(create_request(c, "{}")), "900s");
    c.options["cancel_after"] = "2"; // below Replicate's minimum of 5 s
    EXPECT_EQ(header(create_request(c, "{}")), "5s");
    c.options["cancel_after"] = "0";
    EXPECT_EQ(header(create_request(c, "{}")), "(none)");
    c.options["cancel_after"] = "soon";
    EXPECT_THROW(create_request(c, "{}"), Error);
}

} // namespace
} // namespace rolloy::providers::replicate
