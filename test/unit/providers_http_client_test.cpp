// HttpClient against the python fake Gemini server on 127.0.0.1.
#include "core/providers/http_client.hpp"

#include "providers_test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace rolloy::providers {
namespace {

using testing::FakeServer;
using testing::ms_since;

class HttpClientTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (testing::python3_available()) server_ = new FakeServer("fake_gemini.py");
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override {
        ROLLOY_REQUIRE_FAKE(server_);
        server_->control(R"({"latency_ms": 0})");
    }

    static HttpRequest generate(const std::string &prompt) {
        HttpRequest req;
        req.method = HttpMethod::Post;
        req.url = server_->base_url() + "/v1beta/models/gemini-2.5-flash:generateContent";
        req.headers = {{"x-goog-api-key", "test-key"}, {"Content-Type", "application/json"}};
        req.body = R"({"contents":[{"role":"user","parts":[{"text":")" + prompt + R"("}]}]})";
        req.pool = "gemini";
        return req;
    }

    static FakeServer *server_;
};

FakeServer *HttpClientTest::server_ = nullptr;

TEST_F(HttpClientTest, PostsAndReadsStatusHeadersBody) {
    HttpClient http;
    const auto responses = http.perform({generate("hello [[id:hc-ok]]")});
    const HttpResponse &r = responses.at(0);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_NE(r.body.find("\"candidates\""), std::string::npos);
    EXPECT_GE(r.elapsed_ms, 0);
    EXPECT_EQ(server_->count("hc-ok", "generate"), 1);
}

TEST_F(HttpClientTest, ExposesRetryAfterOnErrors) {
    HttpClient http;
    const HttpResponse r = http.perform({generate("[[fault:429:retry_after=2]] [[id:hc-429]]")}).at(0);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.header("retry-after"), "2");
}

TEST_F(HttpClientTest, TimesOutAHungConnection) {
    HttpClient http;
    HttpRequest req = generate("[[fault:hang]] [[id:hc-hang]]");
    req.limits.total_timeout_ms = 300;
    const auto start = std::chrono::steady_clock::now();
    const HttpResponse r = http.perform({req}).at(0);
    const double took = ms_since(start);
    EXPECT_EQ(r.transport_error, TransportError::Timeout);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
    EXPECT_GE(took, 290);
    EXPECT_LT(took, 1500);
}

TEST_F(HttpClientTest, StopsAtTheResponseSizeCap) {
    HttpClient http;
    HttpRequest req = generate("[[fault:big=300000]] [[id:hc-big]]");
    req.limits.max_response_bytes = 10000;
    const HttpResponse r = http.perform({req}).at(0);
    EXPECT_EQ(r.transport_error, TransportError::TooLarge);
    EXPECT_EQ(r.error, "response larger than the limit of 10000 bytes");
    EXPECT_TRUE(r.body.empty());

    req.limits.max_response_bytes = 1 << 20; // the same response fits a larger cap
    EXPECT_TRUE(http.perform({req}).at(0).ok());
}

TEST_F(HttpClientTest, RunsRequestsConcurrently) {
    server_->control(R"({"latency_ms": 200})");
    HttpClient http;
    http.set_pool_limit("gemini", 64);
    std::vector<HttpRequest> requests;
    for (int i = 0; i < 32; ++i)
        requests.push_back(generate("concurrent [[id:hc-c" + std::to_string(i) + "]]"));
    const auto start = std::chrono::steady_clock::now();
    const auto responses = http.perform(requests);
    const double took = ms_since(start);
    for (const auto &r : responses)
        ASSERT_EQ(r.status, 200) << r.error;
    std::printf("[ figures  ] 32 requests x 200 ms server latency, pool 64: %.0f ms\n", took);
    EXPECT_GE(took, 195);
    EXPECT_LT(took, 1000); // serial would take 6.4 s
}

TEST_F(HttpClientTest, PoolLimitQueuesWithoutEatingTimeouts) {
    server_->control(R"({"latency_ms": 200})");
    HttpClient http;
    http.set_pool_limit("gemini", 4);
    std::vector<HttpRequest> requests;
    for (int i = 0; i < 8; ++i) {
        requests.push_back(generate("pooled [[id:hc-p" + std::to_string(i) + "]]"));
        requests.back().limits.total_timeout_ms = 350; // fits one request, not queue wait + request
    }
    const auto start = std::chrono::steady_clock::now();
    const auto responses = http.perform(requests);
    const double took = ms_since(start);
    int queued = 0;
    for (const auto &r : responses) {
        ASSERT_EQ(r.status, 200) << r.error;
        if (r.queued_ms >= 150) ++queued;
    }
    EXPECT_EQ(queued, 4); // the second wave waited for a slot...
    EXPECT_GE(took, 390); // ...so two waves of 200 ms
    EXPECT_LT(took, 1500);
}

TEST_F(HttpClientTest, ShouldAbortEndsWaitingQuickly) {
    HttpClient http;
    std::vector<HttpRequest> requests;
    for (int i = 0; i < 4; ++i)
        requests.push_back(generate("[[fault:hang]] [[id:hc-abort" + std::to_string(i) + "]]"));
    const auto start = std::chrono::steady_clock::now();
    const auto responses = http.perform(requests, [&] { return ms_since(start) > 150; });
    const double took = ms_since(start);
    for (const auto &r : responses)
        EXPECT_EQ(r.transport_error, TransportError::Aborted);
    EXPECT_LT(took, 400);
    EXPECT_EQ(http.pending(), 0u);
}

TEST_F(HttpClientTest, RefusesOtherSchemesAndHeaderInjection) {
    HttpClient http;
    HttpRequest file;
    file.url = "file:///etc/passwd";
    HttpRequest ftp;
    ftp.url = "ftp://127.0.0.1/";
    HttpRequest header = generate("x");
    header.headers.emplace_back("x-goog-api-key", "secret\r\nX-Evil: 1");
    const auto r = http.perform({file, ftp, header});
    EXPECT_EQ(r[0].transport_error, TransportError::BadRequest);
    EXPECT_EQ(r[1].transport_error, TransportError::BadRequest);
    EXPECT_EQ(r[2].transport_error, TransportError::BadRequest);
    EXPECT_EQ(r[2].error.find("secret"), std::string::npos) << r[2].error;
}

TEST_F(HttpClientTest, RedirectsAreNotFollowedByDefaultAndNeverIntoOtherSchemes) {
    HttpClient http;
    const HttpRequest req = generate("[[fault:redirect_file]] [[id:hc-redirect]]");
    HttpResponse r = http.perform({req}).at(0);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(r.header("location"), "file:///etc/passwd");

    HttpClientOptions follow;
    follow.follow_redirects = true;
    HttpClient following(follow);
    r = following.perform({req}).at(0);
    EXPECT_EQ(r.transport_error, TransportError::BadRequest) << r.error;
    EXPECT_TRUE(r.body.empty());
}

TEST_F(HttpClientTest, ConnectionRefusedIsAConnectError) {
    HttpClient http;
    HttpRequest req;
    req.url = "http://127.0.0.1:1/"; // nothing listens on port 1
    const HttpResponse r = http.perform({req}).at(0);
    EXPECT_EQ(r.transport_error, TransportError::Connect) << r.error;
}

TEST_F(HttpClientTest, WaitSleepsWhenIdleAndWakeupEndsIt) {
    HttpClient http;
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(http.wait(120).empty());
    EXPECT_GE(ms_since(start), 110);

    start = std::chrono::steady_clock::now();
    std::thread waker([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        http.wakeup();
    });
    http.wait(5000);
    waker.join();
    EXPECT_LT(ms_since(start), 1000);
}

TEST_F(HttpClientTest, CancelDropsARequest) {
    HttpClient http;
    const RequestId hung = http.start(generate("[[fault:hang]] [[id:hc-cancel]]"));
    const RequestId ok = http.start(generate("fine [[id:hc-cancel-ok]]"));
    EXPECT_TRUE(http.cancel(hung));
    EXPECT_FALSE(http.cancel(hung));
    std::vector<Completion> done;
    const auto start = std::chrono::steady_clock::now();
    while (done.empty() && ms_since(start) < 3000)
        done = http.wait(100);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].id, ok);
    EXPECT_EQ(http.pending(), 0u);
}

} // namespace
} // namespace rolloy::providers
