#include "core/providers/http_client.hpp"

#include "core/common/error.hpp"
#include "core/providers/curl_global.hpp"
#include "core/providers/curl_transfer.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <deque>
#include <unordered_map>

namespace rolloy::providers {

using detail::Clock;
using detail::CurlTransfer;

namespace {
struct Pool {
    int limit = 1;
    int running = 0;
    std::deque<RequestId> waiting;
};
} // namespace

struct HttpClient::Impl {
    HttpClientOptions options;
    CURLM *multi = nullptr;
    RequestId next_id = 1;
    std::unordered_map<RequestId, std::unique_ptr<CurlTransfer>> transfers;         // running
    std::unordered_map<RequestId, std::unique_ptr<CurlTransfer>> waiting_transfers; // queued
    std::unordered_map<std::string, Pool> pools;
    std::vector<Completion> ready; // finished, not yet returned by wait()
    std::size_t running = 0;
    std::atomic<bool> woken{false}; // set by wakeup() from any thread

    Pool &pool_of(const std::string &name) {
        auto it = pools.find(name);
        if (it != pools.end()) return it->second;
        Pool pool;
        pool.limit = std::max(1, options.default_pool_limit);
        return pools.emplace(name, std::move(pool)).first->second;
    }

    void complete(std::unique_ptr<CurlTransfer> transfer) {
        ready.push_back(Completion{transfer->id(), transfer->take_response()});
    }

    // Starts a transfer now; on failure it completes at once.
    void launch(std::unique_ptr<CurlTransfer> transfer) {
        const auto now = Clock::now();
        if (!transfer->prepare(options)) {
            complete(std::move(transfer));
            return;
        }
        transfer->mark_started(now);
        if (curl_multi_add_handle(multi, transfer->easy()) != CURLM_OK) {
            transfer->fail(TransportError::Other, "could not start the HTTP transfer", now);
            complete(std::move(transfer));
            return;
        }
        ++pool_of(transfer->pool()).running;
        ++running;
        const RequestId id = transfer->id();
        transfers[id] = std::move(transfer);
    }

    // Fills free slots of a pool from its queue.
    void start_waiting(const std::string &pool_name) {
        Pool &pool = pool_of(pool_name);
        while (pool.running < pool.limit && !pool.waiting.empty()) {
            const RequestId id = pool.waiting.front();
            pool.waiting.pop_front();
            auto it = waiting_transfers.find(id);
            if (it == waiting_transfers.end()) continue; // cancelled while queued
            auto transfer = std::move(it->second);
            waiting_transfers.erase(it);
            launch(std::move(transfer));
        }
    }

    // Detaches a running transfer from the multi handle and frees its pool slot.
    std::unique_ptr<CurlTransfer> detach(RequestId id) {
        auto it = transfers.find(id);
        if (it == transfers.end()) return nullptr;
        auto transfer = std::move(it->second);
        transfers.erase(it);
        curl_multi_remove_handle(multi, transfer->easy());
        --pool_of(transfer->pool()).running;
        --running;
        return transfer;
    }

    void collect_finished() {
        int left = 0;
        while (CURLMsg *msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            void *priv = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
            auto *raw = static_cast<CurlTransfer *>(priv);
            const CURLcode code = msg->data.result;
            auto transfer = detach(raw->id());
            if (!transfer) continue;
            transfer->finish(code, Clock::now());
            const std::string pool = transfer->pool();
            complete(std::move(transfer));
            start_waiting(pool);
        }
    }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
    ensure_curl_initialized();
    impl_->options = std::move(options);
    impl_->multi = curl_multi_init();
    if (!impl_->multi) throw Error(ErrorKind::ExternalService, "could not create an HTTP client (libcurl)");
}

HttpClient::~HttpClient() {
    for (auto &[id, transfer] : impl_->transfers)
        curl_multi_remove_handle(impl_->multi, transfer->easy());
    impl_->transfers.clear();
    impl_->waiting_transfers.clear();
    curl_multi_cleanup(impl_->multi);
}

void HttpClient::set_pool_limit(const std::string &pool, int limit) {
    impl_->pool_of(pool).limit = std::max(1, limit);
    impl_->start_waiting(pool);
}

RequestId HttpClient::start(HttpRequest request) {
    Impl &s = *impl_;
    const RequestId id = s.next_id++;
    const auto now = Clock::now();
    auto transfer = std::make_unique<CurlTransfer>(id, std::move(request), now);
    if (std::string problem = transfer->validate(); !problem.empty()) {
        transfer->fail(TransportError::BadRequest, std::move(problem), now);
        s.complete(std::move(transfer));
        return id;
    }
    Pool &pool = s.pool_of(transfer->pool());
    if (pool.running < pool.limit) {
        s.launch(std::move(transfer));
    } else {
        pool.waiting.push_back(id);
        s.waiting_transfers[id] = std::move(transfer);
    }
    return id;
}

bool HttpClient::cancel(RequestId id) {
    Impl &s = *impl_;
    if (s.waiting_transfers.erase(id) > 0) return true; // its stale queue entry is skipped later
    if (auto transfer = s.detach(id)) {
        const std::string pool = transfer->pool();
        transfer.reset();
        s.start_waiting(pool);
        return true;
    }
    const auto it =
        std::find_if(s.ready.begin(), s.ready.end(), [id](const Completion &c) { return c.id == id; });
    if (it == s.ready.end()) return false;
    s.ready.erase(it);
    return true;
}

std::vector<Completion> HttpClient::wait(std::int64_t max_wait_ms) {
    Impl &s = *impl_;
    const auto deadline = Clock::now() + std::chrono::milliseconds(std::max<std::int64_t>(0, max_wait_ms));
    for (;;) {
        int still_running = 0;
        curl_multi_perform(s.multi, &still_running);
        s.collect_finished();
        if (!s.ready.empty()) break;
        const auto remaining =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (remaining <= 0) break;
        // curl_multi_poll sleeps even without transfers and is woken by curl_multi_wakeup.
        curl_multi_poll(s.multi, nullptr, 0, static_cast<int>(std::min<std::int64_t>(remaining, INT_MAX)),
                        nullptr);
        if (s.woken.exchange(false)) break;
    }
    std::vector<Completion> out;
    out.swap(s.ready);
    return out;
}

std::vector<Completion> HttpClient::abort_all() {
    Impl &s = *impl_;
    std::vector<Completion> out;
    out.swap(s.ready);
    const auto now = Clock::now();
    std::vector<RequestId> ids;
    for (const auto &[id, transfer] : s.transfers)
        ids.push_back(id);
    for (const auto &[id, transfer] : s.waiting_transfers)
        ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (const RequestId id : ids) {
        auto transfer = s.detach(id);
        if (!transfer) {
            auto it = s.waiting_transfers.find(id);
            transfer = std::move(it->second);
            s.waiting_transfers.erase(it);
        }
        transfer->fail(TransportError::Aborted, "request aborted", now);
        out.push_back(Completion{id, transfer->take_response()});
    }
    for (auto &[name, pool] : s.pools)
        pool.waiting.clear();
    return out;
}

std::size_t HttpClient::pending() const {
    return impl_->transfers.size() + impl_->waiting_transfers.size() + impl_->ready.size();
}

std::size_t HttpClient::in_flight() const {
    return impl_->running;
}

std::size_t HttpClient::in_flight(const std::string &pool) const {
    const auto it = impl_->pools.find(pool);
    return it == impl_->pools.end() ? 0 : static_cast<std::size_t>(it->second.running);
}

void HttpClient::wakeup() {
    impl_->woken.store(true);
    curl_multi_wakeup(impl_->multi);
}

std::vector<HttpResponse> HttpClient::perform(std::vector<HttpRequest> requests,
                                              const std::function<bool()> &should_abort) {
    std::unordered_map<RequestId, std::size_t> index;
    for (std::size_t i = 0; i < requests.size(); ++i)
        index[start(std::move(requests[i]))] = i;
    std::vector<HttpResponse> out(requests.size());
    std::size_t remaining = requests.size();
    auto take = [&](std::vector<Completion> done) {
        for (auto &c : done) {
            const auto it = index.find(c.id);
            if (it == index.end()) continue;
            out[it->second] = std::move(c.response);
            index.erase(it);
            --remaining;
        }
    };
    while (remaining > 0) {
        if (should_abort && should_abort()) {
            for (const auto &[id, i] : index) {
                cancel(id);
                out[i].transport_error = TransportError::Aborted;
                out[i].error = "request aborted";
            }
            break;
        }
        take(wait(100));
    }
    return out;
}

} // namespace rolloy::providers
