#include "core/storage/upload_pipeline.hpp"

#include "core/common/thread_without_signals.hpp"
#include "core/providers/curl_global.hpp"
#include "core/storage/object_keys.hpp"
#include "core/storage/s3_client.hpp"
#include "core/storage/s3_request.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace rolloy::storage {

struct UploadPipeline::Transfer {
    Pending pending;
    std::string ref;
    CURL *easy = nullptr;
    std::unique_ptr<S3Request> request;
};

UploadPipeline::UploadPipeline(Finished finished, std::size_t max_in_flight)
    : finished_(std::move(finished)), max_in_flight_(std::max<std::size_t>(1, max_in_flight)) {}

UploadPipeline::~UploadPipeline() {
    stop();
}

void UploadPipeline::submit(std::shared_ptr<const S3Config> config, generation::ImageJob &&job,
                            generation::JobRecord &&record) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    if (!multi_) {
        providers::ensure_curl_initialized();
        multi_ = curl_multi_init();
        if (!multi_) throw Error(ErrorKind::ExternalService, "could not create an HTTP handle (libcurl)");
        // Connections are kept alive for the next uploads, as many as may be in flight.
        curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(max_in_flight_));
    }
    if (!thread_.joinable()) thread_ = thread_without_signals([this] { run(); });
    queue_.push_back(Pending{std::move(config), std::move(job), std::move(record)});
    curl_multi_wakeup(multi_);
}

void UploadPipeline::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        queue_.clear();
        if (multi_) curl_multi_wakeup(multi_);
    }
    if (thread_.joinable()) thread_.join();
}

void UploadPipeline::run() {
    CURLM *multi = multi_;
    std::unordered_map<CURL *, std::unique_ptr<Transfer>> active;
    std::vector<CURL *> idle; // easy handles of finished uploads, for the next ones

    // The record's outcome goes back to its owner; a failure here must not end the thread.
    auto hand_back = [this](Transfer &t) {
        try {
            finished_(std::move(t.pending.job), std::move(t.pending.record));
        } catch (...) {
        }
    };
    auto fail = [](Transfer &t, const std::string &why) {
        t.pending.record.storage_ref.clear();
        t.pending.record.storage_error = why;
    };

    for (;;) {
        std::vector<Pending> starting;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_) break;
            while (!queue_.empty() && active.size() + starting.size() < max_in_flight_) {
                starting.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        for (Pending &p : starting) {
            auto t = std::make_unique<Transfer>();
            t->pending = std::move(p);
            try {
                const generation::JobRecord &r = t->pending.record;
                validate(*t->pending.config);
                t->ref = s3_generated_ref(t->pending.job.project_id, t->pending.job.image_id, r.sha256);
                if (!idle.empty()) {
                    t->easy = idle.back();
                    idle.pop_back();
                } else if (!(t->easy = curl_easy_init())) {
                    throw Error(ErrorKind::ExternalService, "could not create an HTTP handle (libcurl)");
                }
                t->request =
                    std::make_unique<S3Request>(t->easy, *t->pending.config, "PUT", content_key(t->ref), "",
                                                &r.image, "image/jpeg", 1 << 20, nullptr, r.sha256);
                if (curl_multi_add_handle(multi, t->easy) != CURLM_OK)
                    throw Error(ErrorKind::ExternalService, "could not start an upload (libcurl)");
                CURL *easy = t->easy;
                active.emplace(easy, std::move(t));
            } catch (const std::exception &e) {
                if (t->easy) idle.push_back(t->easy);
                fail(*t, e.what());
                hand_back(*t);
            }
        }

        int running = 0;
        curl_multi_perform(multi, &running);
        int left = 0;
        bool freed = false;
        while (CURLMsg *msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            // Read before the removal, which ends the message's life.
            CURL *easy = msg->easy_handle;
            const CURLcode code = msg->data.result;
            curl_multi_remove_handle(multi, easy);
            auto found = active.find(easy);
            if (found == active.end()) continue;
            std::unique_ptr<Transfer> t = std::move(found->second);
            active.erase(found);
            try {
                const S3Reply reply = t->request->finish(code);
                if (reply.status < 200 || reply.status >= 300)
                    throw_s3_failure(*t->pending.config, "PUT", t->request->key(), reply);
                t->pending.record.storage_ref = t->ref;
                t->pending.record.storage_error.clear();
            } catch (const std::exception &e) {
                fail(*t, e.what());
            }
            t->request.reset();
            idle.push_back(easy);
            hand_back(*t);
            freed = true;
        }
        // A finished upload freed its place: start the queued ones before waiting, or they would
        // wait for the next socket event (up to the poll's second).
        if (freed) continue;
        curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }

    for (auto &entry : active) {
        curl_multi_remove_handle(multi, entry.first);
        curl_easy_cleanup(entry.first);
    }
    for (CURL *easy : idle)
        curl_easy_cleanup(easy);
    std::lock_guard<std::mutex> lock(mutex_);
    curl_multi_cleanup(multi);
    multi_ = nullptr;
}

} // namespace rolloy::storage
