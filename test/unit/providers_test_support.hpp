// Helpers shared by the providers tests: fixture files, canned HttpResponses, and the python
// fake servers of test/fakes run as child processes on 127.0.0.1.
#pragma once

#include "core/providers/http_client.hpp"
#include "core/providers/json.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

extern char **environ;

namespace rolloy::providers::testing {

inline std::string read_fixture(const std::string &name) {
    std::ifstream in(std::string(ROLLOY_TEST_DATA_DIR) + "/fixtures/providers/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline HttpResponse response(long status, std::string body, HeaderList headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

inline bool python3_available() {
    const char *path = std::getenv("PATH");
    if (!path) return false;
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const std::string candidate = dir + "/python3";
        if (access(candidate.c_str(), X_OK) == 0) return true;
    }
    return false;
}

inline double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// A fake provider server (test/fakes/<script>) in a child process, killed on destruction.
class FakeServer {
  public:
    explicit FakeServer(const std::string &script) {
        int fds[2];
        if (pipe(fds) != 0) return;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        const std::string path = std::string(ROLLOY_TEST_DATA_DIR) + "/fakes/" + script;
        char *argv[] = {const_cast<char *>("python3"), const_cast<char *>("-B"),
                        const_cast<char *>(path.c_str()), const_cast<char *>("0"), nullptr};
        const int rc = posix_spawnp(&pid_, "python3", &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        out_fd_ = fds[0];
        if (rc != 0) {
            pid_ = -1;
            return;
        }
        // The first stdout line is the port.
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd p{out_fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[64];
            const ssize_t n = read(out_fd_, buf, sizeof buf);
            if (n <= 0) break;
            line.append(buf, static_cast<size_t>(n));
        }
        port_ = std::atoi(line.c_str());
    }

    ~FakeServer() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            waitpid(pid_, &status, 0);
        }
        if (out_fd_ >= 0) close(out_fd_);
    }

    bool running() const { return pid_ > 0 && port_ > 0; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }

    // How many requests of `what` ("generate", "submit", "status", ...) the key received.
    int count(const std::string &key, const std::string &what) const {
        const json::Ptr doc = get_json("/_stats?key=" + key);
        return static_cast<int>(json::get_int(doc.get(), {"counts", what.c_str()}));
    }

    // POST /_control, e.g. R"({"latency_ms": 200})".
    void control(const std::string &body) const {
        HttpClient http;
        HttpRequest req;
        req.method = HttpMethod::Post;
        req.url = base_url() + "/_control";
        req.body = body;
        http.perform({req});
    }

  private:
    json::Ptr get_json(const std::string &path) const {
        HttpClient http;
        HttpRequest req;
        req.url = base_url() + path;
        auto responses = http.perform({req});
        return json::parse(responses.at(0).body);
    }

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int port_ = 0;
};

#define ROLLOY_REQUIRE_FAKE(server)                                                                          \
    do {                                                                                                     \
        if (!::rolloy::providers::testing::python3_available()) GTEST_SKIP() << "python3 not available";     \
        ASSERT_TRUE((server) && (server)->running()) << "the fake server did not start";                     \
    } while (0)

// A test suite sharing one fake server: started once per suite (skipped without python3), its
// latency set before each test. `Script` names the fake (a file in test/fakes).
template <const char *Script, int LatencyMs> class FakeServerSuite : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (python3_available()) server_ = new FakeServer(Script);
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override {
        ROLLOY_REQUIRE_FAKE(server_);
        server_->control("{\"latency_ms\": " + std::to_string(LatencyMs) + "}");
    }
    static inline FakeServer *server_ = nullptr;
};

} // namespace rolloy::providers::testing
