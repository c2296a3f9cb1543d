#include "core/providers/job_runner.hpp"

#include "core/common/error.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace rolloy::providers {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

struct Job {
    std::unique_ptr<ProviderCall> call;
    Clock::time_point added;
    std::optional<Clock::time_point> deadline;
    std::optional<RequestId> in_flight;
    std::optional<Clock::time_point> send_at; // a delayed request waits here
    HttpRequest delayed;
    int http_requests = 0;
    std::string token; // the last resume token reported (take_token_changes)
};

} // namespace

struct JobRunner::Impl {
    HttpClient &http;
    std::map<JobId, Job> jobs;
    std::unordered_map<RequestId, JobId> by_request;
    std::unordered_set<RequestId> orphans; // fire-and-forget cancel requests
    std::vector<FinishedJob> finished;
    std::vector<TokenChange> token_changes;

    explicit Impl(HttpClient &client) : http(client) {}

    void send(JobId id, Job &job, HttpRequest request) {
        const RequestId rid = http.start(std::move(request));
        job.in_flight = rid;
        job.send_at.reset();
        by_request[rid] = id;
        ++job.http_requests;
    }

    void complete(JobId id, Outcome outcome) {
        auto it = jobs.find(id);
        if (it == jobs.end()) return;
        Job &job = it->second;
        if (job.in_flight) {
            http.cancel(*job.in_flight);
            by_request.erase(*job.in_flight);
        }
        outcome.latency_ms = ms_between(job.added, Clock::now());
        outcome.http_requests = job.http_requests;
        finished.push_back(FinishedJob{id, std::move(outcome)});
        jobs.erase(it);
    }

    // Applies what a call asked for; a throwing call ends its job.
    template <typename F> void advance(JobId id, F &&next_action) {
        Action action;
        try {
            action = next_action();
        } catch (const std::exception &e) {
            action = Action::finish(Outcome::failure(OutcomeKind::Permanent, "internal",
                                                     std::string("provider call failed: ") + e.what()));
        }
        auto it = jobs.find(id);
        if (it == jobs.end()) return;
        Job &job = it->second;
        if (action.type != Action::Type::Finish) note_token(id, job);
        if (action.type == Action::Type::Finish) {
            complete(id, std::move(action.outcome));
        } else if (action.delay_ms <= 0) {
            send(id, job, std::move(action.request));
        } else {
            job.delayed = std::move(action.request);
            job.send_at = Clock::now() + std::chrono::milliseconds(action.delay_ms);
        }
    }

    // A call that learnt its provider-side id (fal's queue ticket, a Replicate prediction) says
    // so once, before its next request: the worker books it before waiting on the network again.
    void note_token(JobId id, Job &job) {
        std::string token;
        try {
            token = job.call->resume_token();
        } catch (const std::exception &) {
            return;
        }
        if (token.empty() || token == job.token) return;
        job.token = token;
        token_changes.push_back(TokenChange{id, std::move(token)});
    }

    void give_up(JobId id, Job &job, Clock::time_point now) {
        std::optional<HttpRequest> cancel = job.call->cancel_request();
        Outcome out = Outcome::failure(OutcomeKind::Transient, "deadline",
                                       "gave up after " + std::to_string(ms_between(job.added, now)) +
                                           " ms: the job deadline passed before the provider finished");
        if (cancel) {
            orphans.insert(http.start(std::move(*cancel)));
        } else {
            out.resume_token = job.call->resume_token();
        }
        complete(id, std::move(out));
    }

    // Sends due delayed requests and ends jobs past their deadline. Returns the time of the
    // next timer, if any.
    std::optional<Clock::time_point> run_timers() {
        const auto now = Clock::now();
        std::optional<Clock::time_point> next;
        std::vector<JobId> expired;
        for (auto &[id, job] : jobs) {
            if (job.deadline && *job.deadline <= now) {
                expired.push_back(id);
                continue;
            }
            if (job.send_at && *job.send_at <= now) send(id, job, std::move(job.delayed));
            if (job.send_at) next = next ? std::min(*next, *job.send_at) : *job.send_at;
            if (job.deadline) next = next ? std::min(*next, *job.deadline) : *job.deadline;
        }
        for (const JobId id : expired)
            give_up(id, jobs.at(id), now);
        return next;
    }
};

JobRunner::JobRunner(HttpClient &http) : impl_(std::make_unique<Impl>(http)) {}

JobRunner::~JobRunner() {
    for (auto &[id, job] : impl_->jobs)
        if (job.in_flight) impl_->http.cancel(*job.in_flight);
    for (const RequestId rid : impl_->orphans)
        impl_->http.cancel(rid);
}

void JobRunner::add(JobId id, std::unique_ptr<ProviderCall> call, std::int64_t deadline_ms) {
    if (!call) throw Error(ErrorKind::InvalidInput, "no provider call given for job " + std::to_string(id));
    if (impl_->jobs.count(id))
        throw Error(ErrorKind::InvalidInput, "job " + std::to_string(id) + " is already running");
    Job job;
    job.call = std::move(call);
    job.added = Clock::now();
    if (deadline_ms > 0) job.deadline = job.added + std::chrono::milliseconds(deadline_ms);
    ProviderCall *raw = job.call.get();
    impl_->jobs.emplace(id, std::move(job));
    impl_->advance(id, [raw] { return raw->start(); });
}

std::vector<TokenChange> JobRunner::take_token_changes() {
    std::vector<TokenChange> out;
    out.swap(impl_->token_changes);
    return out;
}

std::vector<FinishedJob> JobRunner::step(std::int64_t max_wait_ms) {
    Impl &s = *impl_;
    const auto next_timer = s.run_timers();
    std::int64_t wait_ms = s.finished.empty() ? std::max<std::int64_t>(0, max_wait_ms) : 0;
    if (next_timer)
        wait_ms = std::min(wait_ms, std::max<std::int64_t>(0, ms_between(Clock::now(), *next_timer) + 1));

    for (Completion &c : s.http.wait(wait_ms)) {
        if (s.orphans.erase(c.id)) continue;
        const auto it = s.by_request.find(c.id);
        if (it == s.by_request.end()) continue;
        const JobId id = it->second;
        s.by_request.erase(it);
        Job &job = s.jobs.at(id);
        job.in_flight.reset();
        ProviderCall *raw = job.call.get();
        s.advance(id, [raw, &c] { return raw->on_response(std::move(c.response)); });
    }
    s.run_timers();
    std::vector<FinishedJob> out;
    out.swap(s.finished);
    return out;
}

std::vector<FinishedJob> JobRunner::run(const std::function<bool()> &should_abort) {
    std::vector<FinishedJob> out;
    auto append = [&out](std::vector<FinishedJob> more) {
        for (auto &f : more)
            out.push_back(std::move(f));
    };
    // Orphans (cancel requests of jobs past their deadline) are driven to the end too, so the
    // provider hears about the cancellation; they carry short timeouts.
    while (!impl_->jobs.empty() || !impl_->finished.empty() || !impl_->orphans.empty()) {
        if (should_abort && should_abort()) {
            append(abort_all());
            break;
        }
        append(step(100));
    }
    return out;
}

bool JobRunner::cancel(JobId id) {
    Impl &s = *impl_;
    auto it = s.jobs.find(id);
    if (it == s.jobs.end()) return false;
    std::optional<HttpRequest> request;
    try {
        request = it->second.call->cancel_request();
    } catch (const std::exception &) {
        request.reset();
    }
    // Without a cancel request (Gemini: one exchange, already sent) the call runs on: its answer
    // is what tells what it cost, and the worker books it though nobody keeps the result.
    if (!request) return false;
    s.orphans.insert(s.http.start(std::move(*request)));
    s.complete(id, Outcome::failure(OutcomeKind::Permanent, "cancelled",
                                    "cancelled: the work was withdrawn before the provider finished"));
    return true;
}

std::vector<FinishedJob> JobRunner::abort_all() {
    Impl &s = *impl_;
    std::vector<JobId> ids;
    for (const auto &[id, job] : s.jobs)
        ids.push_back(id);
    for (const JobId id : ids) {
        Outcome out = Outcome::failure(OutcomeKind::Transient, "aborted",
                                       "stopped before the provider finished (the worker is shutting down)");
        out.resume_token = s.jobs.at(id).call->resume_token();
        s.complete(id, std::move(out));
    }
    for (const RequestId rid : s.orphans)
        s.http.cancel(rid);
    s.orphans.clear();
    std::vector<FinishedJob> out;
    out.swap(s.finished);
    return out;
}

std::size_t JobRunner::active() const {
    return impl_->jobs.size() + impl_->finished.size();
}

void JobRunner::wakeup() {
    impl_->http.wakeup();
}

Outcome run_call(HttpClient &http, std::unique_ptr<ProviderCall> call, std::int64_t deadline_ms,
                 const std::function<bool()> &should_abort) {
    JobRunner runner(http);
    runner.add(0, std::move(call), deadline_ms);
    auto finished = runner.run(should_abort);
    if (finished.empty())
        return Outcome::failure(OutcomeKind::Permanent, "internal",
                                "the provider call ended without an outcome");
    return std::move(finished.front().outcome);
}

} // namespace rolloy::providers
