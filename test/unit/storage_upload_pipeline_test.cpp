// The worker's uploads of completed images (core/storage/upload_pipeline.hpp) against a local
// server that records every request as it arrived on the wire: one signed PUT per image (the
// file; its thumbnail goes into the database with the row) under the content-hash key, no
// "Expect: 100-continue" round trip for image-sized bodies, many uploads at once on kept-alive
// connections, failures reported on the record, and a stop that ends every call back.
#include "storage_capture_server.hpp"

#include "core/common/sha256.hpp"
#include "core/storage/object_keys.hpp"
#include "core/storage/upload_pipeline.hpp"

#include <gtest/gtest.h>

#include <condition_variable>

namespace rolloy::storage {
namespace {

using testing::Captured;
using testing::CaptureServer;

std::shared_ptr<const S3Config> config_for(const std::string &endpoint) {
    auto c = std::make_shared<S3Config>();
    c->endpoint = endpoint;
    c->bucket = "images";
    c->access_key_id = "AKIDTEST";
    c->secret_access_key = "test-secret-0001";
    c->timeout_ms = 10000;
    return c;
}

generation::JobRecord completed(std::size_t image_bytes, char fill = '\x5a') {
    generation::JobRecord r;
    r.kind = generation::JobRecord::Kind::Completed;
    r.image.assign(image_bytes, fill);
    r.thumbnail = "thumbnail bytes";
    r.sha256 = sha256_hex(r.image);
    return r;
}

generation::ImageJob job(const std::string &image_id) {
    generation::ImageJob j;
    j.project_id = "project-1";
    j.image_id = image_id;
    return j;
}

// The records the pipeline hands back, by image id.
class Results {
  public:
    UploadPipeline::Finished callback() {
        return [this](generation::ImageJob j, generation::JobRecord r) {
            std::lock_guard<std::mutex> lock(mutex_);
            records_[j.image_id] = std::move(r);
            changed_.notify_all();
        };
    }
    // Waits (10 s at most, so a broken pipeline fails rather than hangs) for n records.
    std::map<std::string, generation::JobRecord>
    wait_for(std::size_t n, std::chrono::milliseconds at_most = std::chrono::seconds(10)) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait_for(lock, at_most, [&] { return records_.size() >= n; });
        return records_;
    }
    std::size_t count() {
        std::lock_guard<std::mutex> lock(mutex_);
        return records_.size();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, generation::JobRecord> records_;
};

void submit(UploadPipeline &pipeline, const std::shared_ptr<const S3Config> &config, const std::string &id,
            generation::JobRecord record) {
    pipeline.submit(config, job(id), std::move(record));
}

// n small images, image-0 .. image-(n-1), each with bytes of its own.
void submit_many(UploadPipeline &pipeline, const CaptureServer &server, int n) {
    for (int i = 0; i < n; ++i)
        submit(pipeline, config_for(server.endpoint()), "image-" + std::to_string(i),
               completed(1800, char('a' + i)));
}

// A 64-px image (~2 KB) and a 1-megapixel one (~300 KB): one PUT each, the file only.
TEST(StorageUploadPipeline, OnePutPerImageTheFileOnly) {
    CaptureServer server;
    Results results;
    UploadPipeline pipeline(results.callback());
    const generation::JobRecord small = completed(1800), large = completed(300000, '\x33');
    submit(pipeline, config_for(server.endpoint()), "image-1", small);
    submit(pipeline, config_for(server.endpoint()), "image-2", large);
    auto done = results.wait_for(2);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done["image-1"].storage_error, "");
    EXPECT_EQ(done["image-1"].storage_ref, s3_generated_ref("project-1", "image-1", small.sha256));
    EXPECT_EQ(done["image-2"].storage_ref, s3_generated_ref("project-1", "image-2", large.sha256));
    EXPECT_EQ(done["image-2"].image, large.image) << "the record comes back whole";
    EXPECT_EQ(done["image-2"].thumbnail, large.thumbnail);

    const std::vector<Captured> requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    for (const Captured &r : requests) {
        const generation::JobRecord &sent = r.body.size() == small.image.size() ? small : large;
        const std::string id = &sent == &small ? "image-1" : "image-2";
        EXPECT_EQ(r.method, "PUT");
        EXPECT_EQ(r.target, "/images/" + content_key(done[id].storage_ref));
        EXPECT_EQ(r.body, sent.image) << "the file, not the thumbnail";
        EXPECT_EQ(r.headers.at("x-amz-content-sha256"), sent.sha256);
        EXPECT_EQ(r.headers.at("content-type"), "image/jpeg");
        EXPECT_NE(r.headers.at("authorization").find("AWS4-HMAC-SHA256 Credential=AKIDTEST/"),
                  std::string::npos);
        // libcurl 7.88 adds Expect: 100-continue above 1 MiB only; below it no round trip waits.
        EXPECT_EQ(r.headers.count("expect"), 0u) << r.body.size() << " bytes";
    }
}

TEST(StorageUploadPipeline, ARefusedPutLeavesNoReference) {
    CaptureServer server(403);
    Results results;
    UploadPipeline pipeline(results.callback());
    submit(pipeline, config_for(server.endpoint()), "image-1", completed(1800));
    auto done = results.wait_for(1);
    ASSERT_EQ(done.size(), 1u);
    const generation::JobRecord &r = done["image-1"];
    EXPECT_EQ(r.storage_ref, "");
    EXPECT_NE(r.storage_error.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << r.storage_error;
    EXPECT_EQ(r.storage_error.find("test-secret"), std::string::npos) << "no secret in the message";
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST(StorageUploadPipeline, NoServerAndABadConfigurationAreReportedOnTheRecord) {
    // A port nobody listens on: a server started and stopped gives one.
    std::string endpoint;
    {
        CaptureServer gone;
        endpoint = gone.endpoint();
    }
    Results results;
    UploadPipeline pipeline(results.callback());
    submit(pipeline, config_for(endpoint), "unreachable", completed(1800));
    auto no_bucket = std::make_shared<S3Config>(*config_for(endpoint));
    no_bucket->bucket.clear();
    submit(pipeline, no_bucket, "no-bucket", completed(1800));
    auto done = results.wait_for(2);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done["unreachable"].storage_ref, "");
    EXPECT_NE(done["unreachable"].storage_error.find("S3 PUT failed"), std::string::npos)
        << done["unreachable"].storage_error;
    EXPECT_EQ(done["no-bucket"].storage_ref, "");
    EXPECT_NE(done["no-bucket"].storage_error.find("bucket"), std::string::npos)
        << done["no-bucket"].storage_error;
}

// A slow bucket holds no thread per upload: 24 uploads to a server that answers none before all
// 24 are in are all in flight together, on as many connections, and all come back.
TEST(StorageUploadPipeline, ManyUploadsAtOnceToASlowBucket) {
    CaptureServer server(200, 0, 24);
    Results results;
    UploadPipeline pipeline(results.callback());
    submit_many(pipeline, server, 24);
    auto done = results.wait_for(24);
    ASSERT_EQ(done.size(), 24u);
    for (auto &entry : done)
        EXPECT_NE(entry.second.storage_ref, "") << entry.first << ": " << entry.second.storage_error;
    EXPECT_EQ(server.most_at_once(), 24);
    EXPECT_EQ(server.requests().size(), 24u);
}

// At most max_in_flight at once; the rest wait their turn, and connections are kept alive
// for them rather than opened anew.
TEST(StorageUploadPipeline, AtMostTheLimitInFlightOnKeptConnections) {
    CaptureServer server(200, 50);
    Results results;
    UploadPipeline pipeline(results.callback(), 3);
    submit_many(pipeline, server, 15);
    auto done = results.wait_for(15);
    ASSERT_EQ(done.size(), 15u);
    for (auto &entry : done)
        EXPECT_EQ(entry.second.storage_error, "") << entry.first;
    EXPECT_LE(server.most_at_once(), 3);
    EXPECT_GE(server.most_at_once(), 2);
    EXPECT_LE(server.connections(), 3u);
}

// A queued upload starts as soon as a place frees, not when the pipeline's thread next wakes up
// idle (after a second without socket events): five uploads one at a time to a server that
// answers at once are all back long before one idle wake-up.
TEST(StorageUploadPipeline, AQueuedUploadStartsWhenAPlaceFrees) {
    CaptureServer server;
    Results results;
    UploadPipeline pipeline(results.callback(), 1);
    submit_many(pipeline, server, 5);
    EXPECT_EQ(results.wait_for(5, std::chrono::milliseconds(900)).size(), 5u);
    EXPECT_EQ(server.most_at_once(), 1);
}

// stop() abandons uploads in flight, drops queued ones and ends every call back: nothing comes
// back during or after it, and later submissions are dropped.
TEST(StorageUploadPipeline, StopEndsEveryCallBack) {
    CaptureServer server(200, 5000);
    Results results;
    UploadPipeline pipeline(results.callback(), 2);
    submit_many(pipeline, server, 4);
    while (server.requests().size() < 2)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pipeline.stop();
    submit(pipeline, config_for(server.endpoint()), "after-stop", completed(1800));
    EXPECT_EQ(results.count(), 0u);
    EXPECT_EQ(server.requests().size(), 2u) << "the queued two were never sent";
}

} // namespace
} // namespace rolloy::storage
