// A local HTTP server for the storage tests that records every request as it arrived on the
// wire (test/unit/storage_*_test.cpp).
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rolloy::storage::testing {

struct Captured {
    std::string method, target;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;
};

// An HTTP/1.1 server on 127.0.0.1 that answers every request with `status` (and S3's XML error
// body for errors) after `delay_ms`, and not before `hold` requests have been in at once (10 s at
// most), keeps connections alive and records what it received, how many connections it accepted
// and how many requests it held at once. Never sends "100 Continue". A thread per connection.
class CaptureServer {
  public:
    explicit CaptureServer(int status = 200, int delay_ms = 0, int hold = 0)
        : status_(status), delay_ms_(delay_ms), hold_(hold) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        listen(fd_, 64);
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
        // Clients keep their connections alive: end them from this side.
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (int c : client_fds_)
                shutdown(c, SHUT_RDWR);
        }
        for (auto &t : connections_)
            t.join();
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

    std::vector<Captured> requests() {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    std::size_t connections() {
        std::lock_guard<std::mutex> lock(mutex_);
        return client_fds_.size();
    }
    int most_at_once() const { return most_at_once_; }

  private:
    void accept_loop() {
        while (!stopping_) {
            const int c = accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            std::lock_guard<std::mutex> lock(mutex_);
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
                most_at_once_ = std::max(most_at_once_.load(), ++at_once_);
            }
            // Sliced, so that the destructor's shutdown ends a long delay at once.
            for (int waited = 0;
                 (waited < delay_ms_ || most_at_once_ < hold_) && waited < 10000 && !stopping_; waited += 10)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            --at_once_;
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

    int status_, delay_ms_, hold_;
    std::atomic<int> at_once_{0}, most_at_once_{0};
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread accept_thread_;
    std::vector<int> client_fds_;
    std::vector<std::thread> connections_;
    std::mutex mutex_;
    std::vector<Captured> requests_;
};

} // namespace rolloy::storage::testing
