// The worker's upload of a completed image (core/storage/result_upload.hpp) against a local
// server that records every request as it arrived on the wire: one signed PUT per image (the
// file; its thumbnail goes into the database with the row), under the content-hash key, and no
// "Expect: 100-continue" round trip for image-sized bodies.
#include "core/common/sha256.hpp"
#include "core/storage/object_keys.hpp"
#include "core/storage/result_upload.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace rolloy::storage {
namespace {

struct Captured {
    std::string method, target;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;
};

// An HTTP/1.1 server on 127.0.0.1 that answers every request with `status` (and S3's XML error
// body for errors), keeps connections alive and records what it received. Never sends
// "100 Continue".
class CaptureServer {
  public:
    explicit CaptureServer(int status = 200) : status_(status) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        listen(fd_, 8);
        socklen_t len = sizeof addr;
        getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        accept_thread_ = std::thread([this] { accept_loop(); });
    }

    ~CaptureServer() {
        stopping_ = true;
        shutdown(fd_, SHUT_RDWR);
        close(fd_);
        accept_thread_.join();
        // The uploading thread keeps its connection alive: end it from this side.
        for (int c : client_fds_)
            shutdown(c, SHUT_RDWR);
        for (auto &t : connections_)
            t.join();
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

    std::vector<Captured> requests() {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

  private:
    void accept_loop() {
        while (!stopping_) {
            const int c = accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            client_fds_.push_back(c);
            connections_.emplace_back([this, c] { serve(c); });
        }
    }

    void serve(int c) {
        std::string buffer;
        char chunk[65536];
        for (;;) {
            std::size_t head_end;
            while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
                const ssize_t n = recv(c, chunk, sizeof chunk, 0);
                if (n <= 0) return close(c), void();
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            Captured r;
            const std::string head = buffer.substr(0, head_end);
            buffer.erase(0, head_end + 4);
            std::size_t line_end = head.find("\r\n");
            const std::string request_line = head.substr(0, line_end);
            r.method = request_line.substr(0, request_line.find(' '));
            r.target =
                request_line.substr(r.method.size() + 1, request_line.rfind(' ') - r.method.size() - 1);
            while (line_end != std::string::npos) {
                const std::size_t next = head.find("\r\n", line_end + 2);
                const std::string line = head.substr(line_end + 2, next - line_end - 2);
                const std::size_t colon = line.find(':');
                std::string name = line.substr(0, colon);
                std::transform(name.begin(), name.end(), name.begin(), ::tolower);
                r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
                line_end = next;
            }
            const std::size_t length =
                r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
            while (buffer.size() < length) {
                const ssize_t n = recv(c, chunk, sizeof chunk, 0);
                if (n <= 0) return close(c), void();
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            r.body = buffer.substr(0, length);
            buffer.erase(0, length);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                requests_.push_back(std::move(r));
            }
            const std::string body = status_ == 200
                                         ? ""
                                         : "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
                                           "<Message>The signature does not match</Message></Error>";
            const std::string answer = "HTTP/1.1 " + std::to_string(status_) +
                                       " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                                       body;
            send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
        }
    }

    int status_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread accept_thread_;
    std::vector<int> client_fds_;
    std::vector<std::thread> connections_;
    std::mutex mutex_;
    std::vector<Captured> requests_;
};

std::shared_ptr<const S3Config> config_for(const CaptureServer &server) {
    auto c = std::make_shared<S3Config>();
    c->endpoint = server.endpoint();
    c->bucket = "images";
    c->access_key_id = "AKIDTEST";
    c->secret_access_key = "test-secret-0001";
    c->timeout_ms = 10000;
    return c;
}

generation::JobRecord completed(std::size_t image_bytes) {
    generation::JobRecord r;
    r.kind = generation::JobRecord::Kind::Completed;
    r.image.assign(image_bytes, '\x5a');
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

// A 64-px image (~2 KB) and a 1-megapixel one (~300 KB): one PUT each, the file only.
TEST(StorageResultUpload, OnePutPerImageTheFileOnly) {
    CaptureServer server;
    const auto config = config_for(server);
    generation::JobRecord small = completed(1800), large = completed(300000);
    upload_result(config, job("image-1"), small);
    upload_result(config, job("image-2"), large);
    EXPECT_EQ(small.storage_error, "");
    EXPECT_EQ(small.storage_ref, s3_generated_ref("project-1", "image-1", small.sha256));
    EXPECT_EQ(large.storage_ref, s3_generated_ref("project-1", "image-2", large.sha256));

    const std::vector<Captured> requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    const generation::JobRecord *records[] = {&small, &large};
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const Captured &r = requests[i];
        EXPECT_EQ(r.method, "PUT");
        EXPECT_EQ(r.target, "/images/" + content_key(records[i]->storage_ref));
        EXPECT_EQ(r.body, records[i]->image) << "the file, not the thumbnail";
        EXPECT_EQ(r.headers.at("x-amz-content-sha256"), records[i]->sha256);
        EXPECT_EQ(r.headers.at("content-type"), "image/jpeg");
        EXPECT_NE(r.headers.at("authorization").find("AWS4-HMAC-SHA256 Credential=AKIDTEST/"),
                  std::string::npos);
        // libcurl 7.88 adds Expect: 100-continue above 1 MiB only; below it no round trip waits.
        EXPECT_EQ(r.headers.count("expect"), 0u) << r.body.size() << " bytes";
    }
}

TEST(StorageResultUpload, ARefusedPutLeavesNoReference) {
    CaptureServer server(403);
    generation::JobRecord r = completed(1800);
    upload_result(config_for(server), job("image-1"), r);
    EXPECT_EQ(r.storage_ref, "");
    EXPECT_NE(r.storage_error.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << r.storage_error;
    EXPECT_EQ(r.storage_error.find("test-secret"), std::string::npos) << "no secret in the message";
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST(StorageResultUpload, OnlyCompletedRecordsWithAStoreAreUploaded) {
    CaptureServer server;
    generation::JobRecord failed = completed(1800);
    failed.kind = generation::JobRecord::Kind::Failed;
    upload_result(config_for(server), job("image-1"), failed);
    generation::JobRecord db_store = completed(1800);
    upload_result(nullptr, job("image-2"), db_store);
    EXPECT_EQ(failed.storage_ref, "");
    EXPECT_EQ(db_store.storage_ref, "");
    EXPECT_EQ(server.requests().size(), 0u);
}

} // namespace
} // namespace rolloy::storage
