// The state machine of one Replicate call (replicate_flux.hpp says what it does), shared by the
// files that define its steps: replicate_flux.cpp (create and poll), replicate_flux_reconcile.cpp
// (finding a create whose answer was lost) and replicate_flux_output.cpp (the output's download).
// Internal to those files.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/call_steps.hpp"
#include "core/providers/provider.hpp"
#include "core/providers/redaction.hpp"
#include "core/providers/replicate_api.hpp"
#include "core/providers/replicate_reconcile.hpp"
#include "core/providers/url.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace rolloy::providers::replicate::detail {

constexpr std::string_view kCreate = "Replicate create";
constexpr std::string_view kPoll = "Replicate prediction";
constexpr std::string_view kDownload = "Replicate output download";
constexpr std::string_view kList = "Replicate prediction list";

inline std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

// Prediction ids are lower-case base32; anything else is not put into a URL.
inline bool plain_id(const std::string &id) {
    return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
}

class PredictionCall : public ProviderCall {
  public:
    PredictionCall(ProviderConfig config, ImageRequest request)
        : config_(std::move(config)), request_(std::move(request)), redactor_(config_.api_key),
          step_(config_) {}
    Action start() override;
    Action on_response(HttpResponse response) override;
    std::string resume_token() const override;
    std::optional<HttpRequest> cancel_request() const override;

  private:
    enum class State { Create, Poll, Download, Reconcile };

    // replicate_flux.cpp: the create, the polls, the end of the call
    Action finish(Outcome out);
    Action fail(OutcomeKind kind, const char *code, std::string message, long status);
    std::string origin() const { return url_origin(config_.base_url).value_or("the configured base URL"); }
    Action resume(ResumeTicket ticket);
    Action on_create(HttpResponse &r);
    Action on_poll(HttpResponse &r);
    Action on_prediction(const Prediction &p, long status);
    Action retry_step(Outcome failure, HttpRequest again);
    Action poll(std::int64_t delay_ms);
    HttpRequest poll_request() const { return api_request(config_, HttpMethod::Get, ticket_.get_url); }

    // replicate_flux_reconcile.cpp: a create whose answer is lost
    int grace_seconds() const;
    Action unknown(std::string what_happened, long status);
    Action lost_answer(std::string what_happened);
    Action reconcile(std::int64_t delay_ms = 0);
    Action on_list(HttpResponse &r);
    std::string why() const { return lost_because_.empty() ? "was stopped in flight" : lost_because_; }
    Action found(const ListedPrediction &p, long status);
    HttpRequest list_request() const { return api_request(config_, HttpMethod::Get, list_url_); }

    // replicate_flux_output.cpp: the output
    Action download(const std::string &url, long status);
    Action on_download(HttpResponse &r);
    bool outputs_expired() const;
    Action expired(std::string message, long status);
    HttpRequest download_request() const;
    static std::string mime_from_url(const std::string &url);
    Outcome success(std::string bytes, std::string mime, long status) const;

    ProviderConfig config_;
    ImageRequest request_;
    Redactor redactor_;
    State state_ = State::Create;
    ResumeTicket ticket_;
    PendingCreate pending_;         // the create sent or being reconciled (model empty: none)
    std::string lost_because_;      // what became of the create's answer
    std::string list_url_;          // the list page to fetch
    int pages_ = 0;                 // pages read in this pass
    std::int64_t pass_started_ = 0; // when this pass's first page was asked for (unix seconds)
    std::string output_url_;
    StepRetry step_;
};

} // namespace rolloy::providers::replicate::detail
