#include "core/providers/replicate_flux.hpp"

#include "core/common/error.hpp"
#include "core/providers/classify.hpp"
#include "core/providers/call_steps.hpp"
#include "core/providers/replicate_api.hpp"
#include "core/providers/replicate_reconcile.hpp"
#include "core/providers/url.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>

namespace rolloy::providers::replicate {
namespace {

constexpr std::string_view kCreate = "Replicate create";
constexpr std::string_view kPoll = "Replicate prediction";
constexpr std::string_view kDownload = "Replicate output download";
constexpr std::string_view kList = "Replicate prediction list";

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

// Prediction ids are lower-case base32; anything else is not put into a URL.
bool plain_id(const std::string &id) {
    return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
}

class PredictionCall : public ProviderCall {
  public:
    PredictionCall(ProviderConfig config, ImageRequest request)
        : config_(std::move(config)), request_(std::move(request)), redactor_(config_.api_key),
          step_(config_) {}

    Action start() override {
        try {
            if (!request_.resume_token.empty()) {
                if (auto ticket = decode_ticket(request_.resume_token)) return resume(std::move(*ticket));
                if (auto pending = decode_pending(request_.resume_token)) {
                    pending_ = std::move(*pending); // an earlier attempt's create without an answer
                    return reconcile();
                }
            }
            HttpRequest req = create_request(config_, build_create_body(config_, request_));
            // Named before it leaves: the runner reports this token before sending, the worker
            // books it, and whoever holds it later finds the prediction instead of creating anew.
            pending_ = pending_create(config_, request_,
                                      req.limits.total_timeout_ms > 0 ? req.limits.total_timeout_ms
                                                                      : config_.request_timeout_ms,
                                      grace_seconds());
            request_.reference.clear(); // it lives in the body now
            request_.reference.shrink_to_fit();
            state_ = State::Create;
            return Action::send(std::move(req));
        } catch (const Error &e) {
            return finish(Outcome::failure(OutcomeKind::Permanent, "invalid_request", e.what()));
        }
    }

    Action on_response(HttpResponse response) override {
        switch (state_) {
        case State::Create:
            return on_create(response);
        case State::Poll:
            return on_poll(response);
        case State::Download:
            return on_download(response);
        case State::Reconcile:
            return on_list(response);
        }
        return finish(
            Outcome::failure(OutcomeKind::Permanent, "internal", "Replicate call in an unknown state"));
    }

    // The prediction's ticket once its id is known; before that the pending create (a create
    // stopped in flight, or one being reconciled, is found again by the next attempt).
    std::string resume_token() const override {
        if (state_ == State::Poll || state_ == State::Download) return encode_ticket(ticket_);
        return pending_.model.empty() ? std::string() : encode_pending(pending_);
    }

    std::optional<HttpRequest> cancel_request() const override {
        if (state_ != State::Poll || ticket_.cancel_url.empty() ||
            !same_origin(ticket_.cancel_url, config_.base_url))
            return std::nullopt;
        HttpRequest req = api_request(config_, HttpMethod::Post, ticket_.cancel_url);
        req.limits.total_timeout_ms = std::min<std::int64_t>(config_.request_timeout_ms, 5'000);
        return req;
    }

  private:
    enum class State { Create, Poll, Download, Reconcile };

    Action finish(Outcome out) {
        if (out.request_id.empty()) out.request_id = ticket_.id;
        out.message = redactor_.redact(out.message);
        return Action::finish(std::move(out));
    }

    Action fail(OutcomeKind kind, const char *code, std::string message, long status) {
        return finish(Outcome::failure(kind, code, std::move(message), status));
    }

    std::string origin() const { return url_origin(config_.base_url).value_or("the configured base URL"); }

    Action resume(ResumeTicket ticket) {
        ticket_ = std::move(ticket);
        if (!same_origin(ticket_.get_url, config_.base_url))
            return fail(OutcomeKind::Permanent, "untrusted_url",
                        "the resume token names a Replicate prediction outside " + origin() +
                            "; the API key is not sent there, and no new prediction is created "
                            "(it could be billed twice)",
                        0);
        return poll(0);
    }

    // Seconds after a create's transfer ended within which its prediction, if any, is listed.
    int grace_seconds() const {
        const std::string v = config_.option("reconcile_grace", "30");
        const bool digits = !v.empty() && v.size() <= 3 &&
                            std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        return digits ? std::stoi(v) : 30;
    }

    // The create may have made a prediction that we cannot name (and the list could not tell):
    // never send it again.
    Action unknown(std::string what_happened, long status) {
        return fail(OutcomeKind::Permanent, "outcome_unknown",
                    std::string(kCreate) + " " + what_happened +
                        "; a prediction may exist and be billed, so it is not created again "
                        "automatically (Replicate has no idempotency key): check "
                        "replicate.com/predictions before retrying this image",
                    status);
    }

    Action on_create(HttpResponse &r) {
        if (!r.ok()) {
            if (never_sent(r) || r.transport_error == TransportError::Aborted) {
                pending_ = PendingCreate(); // nothing left: nothing to find
                return finish(transport_failure(r, kCreate));
            }
            return lost_answer("got no answer (" + std::string(to_string(r.transport_error)) + ": " +
                               redactor_.redact(r.error) + ")");
        }
        if (r.status >= 500)
            return lost_answer("returned HTTP " + std::to_string(r.status) + ": " +
                               error_message(r, redactor_));
        if (r.status < 200 || r.status >= 300) return finish(error_outcome(r, kCreate, redactor_));
        auto p = parse_prediction(r.body);
        if (!p)
            return lost_answer("returned HTTP " + std::to_string(r.status) +
                               " without a prediction id: " + redactor_.excerpt(r.body, 200));
        ticket_.id = p->id;
        ticket_.get_url = p->get_url;
        ticket_.cancel_url = p->cancel_url;
        ticket_.created_at = static_cast<std::int64_t>(std::time(nullptr));
        if (ticket_.get_url.empty() && plain_id(p->id))
            ticket_.get_url = join_url(config_.base_url, "/v1/predictions/" + p->id);
        if (!same_origin(ticket_.get_url, config_.base_url))
            return fail(OutcomeKind::Permanent, "untrusted_url",
                        "Replicate returned prediction URLs outside " + origin() +
                            "; the API key is not sent there (prediction " + redactor_.excerpt(p->id, 64) +
                            " may still run and be billed)",
                        r.status);
        state_ = State::Poll; // the prediction exists: from now on it is polled, never created again
        return on_prediction(*p, r.status);
    }

    // The create's answer is lost but its transfer is over: a prediction it made is listed
    // within the grace; look for it there instead of giving up or creating again.
    Action lost_answer(std::string what_happened) {
        lost_because_ = std::move(what_happened);
        pending_.settle_at = now_seconds() + grace_seconds();
        return reconcile();
    }

    Action reconcile(std::int64_t delay_ms = 0) {
        state_ = State::Reconcile;
        pages_ = 0;
        step_.reset();
        list_url_ = first_list_url(config_.base_url, pending_);
        pass_started_ = now_seconds() + (delay_ms + 999) / 1000;
        return Action::send(list_request(), delay_ms);
    }

    Action on_list(HttpResponse &r) {
        if (r.status < 200 || r.status >= 300 || !r.ok()) {
            Outcome out = r.ok() ? error_outcome(r, kList, redactor_) : transport_failure(r, kList);
            if (out.kind != OutcomeKind::Transient)
                return unknown(why() + "; listing predictions to find it failed: " + out.message, r.status);
            return retry_step(std::move(out), list_request());
        }
        const auto page = parse_page(r.body, pending_.image_key);
        if (!page)
            return retry_step(Outcome::failure(OutcomeKind::Transient, "malformed_response",
                                               std::string(kList) + " returned HTTP " +
                                                   std::to_string(r.status) +
                                                   " that is not a list: " + redactor_.excerpt(r.body, 200),
                                               r.status),
                              list_request());
        step_.reset();
        bool older = false;
        for (const ListedPrediction &p : page->results) {
            if (matches(pending_, p)) return found(p, r.status);
            older = older || before_window(pending_, p);
        }
        if (!older && !page->next.empty()) {
            if (++pages_ >= kMaxListPages)
                return unknown(why() + "; more than " + std::to_string(kMaxListPages * 100) +
                                   " predictions were made since, too many to look through",
                               r.status);
            if (!same_origin(page->next, config_.base_url))
                return unknown(why() + "; the list's next page is outside " + origin(), r.status);
            list_url_ = page->next;
            return Action::send(list_request());
        }
        if (pass_started_ < pending_.settle_at) // it may still arrive: list again once it cannot
            return reconcile((pending_.settle_at - now_seconds()) * 1000 + 1000);
        pending_ = PendingCreate();
        return fail(OutcomeKind::Transient, "create_lost",
                    std::string(kCreate) + " " + why() +
                        "; Replicate lists no prediction it made, so nothing was created or billed and "
                        "the next attempt creates one",
                    r.status);
    }

    std::string why() const { return lost_because_.empty() ? "was stopped in flight" : lost_because_; }

    Action found(const ListedPrediction &p, long status) {
        ticket_.id = p.id;
        ticket_.get_url = p.get_url;
        ticket_.cancel_url = p.cancel_url;
        ticket_.created_at = pending_.sent_at; // outputs expire an hour after the create
        if (ticket_.get_url.empty() && plain_id(p.id))
            ticket_.get_url = join_url(config_.base_url, "/v1/predictions/" + p.id);
        if (!same_origin(ticket_.get_url, config_.base_url))
            return fail(OutcomeKind::Permanent, "untrusted_url",
                        "Replicate listed the prediction with URLs outside " + origin() +
                            "; the API key is not sent there (prediction " + redactor_.excerpt(p.id, 64) +
                            " may still run and be billed)",
                        status);
        return poll(0); // from now on it is polled, never created again
    }

    HttpRequest list_request() const { return api_request(config_, HttpMethod::Get, list_url_); }

    Action on_poll(HttpResponse &r) {
        if (!r.ok()) return retry_step(transport_failure(r, kPoll), poll_request());
        if (r.status == 404)
            return fail(OutcomeKind::Permanent, "prediction_lost",
                        std::string(kPoll) + " " + ticket_.id +
                            " returned HTTP 404: Replicate does not know it (another account's key?): " +
                            error_message(r, redactor_),
                        404);
        if (r.status < 200 || r.status >= 300)
            return retry_step(error_outcome(r, kPoll, redactor_), poll_request());
        auto p = parse_prediction(r.body);
        if (!p)
            return retry_step(
                Outcome::failure(OutcomeKind::Transient, "malformed_response",
                                 std::string(kPoll) + " returned HTTP " + std::to_string(r.status) +
                                     " that is not a prediction: " + redactor_.excerpt(r.body, 200),
                                 r.status),
                poll_request());
        return on_prediction(*p, r.status);
    }

    Action on_prediction(const Prediction &p, long status) {
        const std::string what = "Replicate prediction " + ticket_.id;
        switch (p.status) {
        case Status::Starting:
        case Status::Processing:
            step_.reset();
            return poll(config_.poll_interval_ms);
        case Status::Succeeded:
            if (!p.outputs.empty()) return download(p.outputs.front(), status);
            if (p.output_null || p.data_removed)
                return expired(what + " succeeded but its output is gone", status);
            return fail(OutcomeKind::Permanent, "content_flagged",
                        what + " succeeded with no image: the safety checker refused every output", status);
        case Status::Failed: {
            const bool nsfw = p.error.find("NSFW") != std::string::npos;
            return fail(
                OutcomeKind::Permanent, nsfw ? "content_flagged" : "prediction_failed",
                what + " failed: " + redactor_.excerpt(p.error.empty() ? "(no error given)" : p.error, 500),
                status);
        }
        case Status::Canceled:
            return fail(OutcomeKind::Permanent, "prediction_canceled",
                        what + " was canceled (on replicate.com, or by its deadline)", status);
        case Status::Aborted: // ended before it ran: nothing billed, a new create is safe
            return fail(OutcomeKind::Transient, "prediction_aborted", what + " was aborted before it started",
                        status);
        case Status::Unknown:
            break;
        }
        return retry_step(
            Outcome::failure(OutcomeKind::Transient, "malformed_response",
                             what + " has an unknown status \"" + redactor_.excerpt(p.status_text, 40) + "\"",
                             status),
            poll_request());
    }

    Action download(const std::string &url, long status) {
        output_url_ = url;
        step_.reset();
        if (is_data_uri(url)) {
            auto data = parse_data_uri(url);
            if (!data || data->bytes.empty())
                return fail(OutcomeKind::Transient, "malformed_response",
                            "Replicate output is a data URI without base64 image bytes", status);
            return finish(success(std::move(data->bytes), std::move(data->mime), status));
        }
        state_ = State::Download;
        return Action::send(download_request());
    }

    Action on_download(HttpResponse &r) {
        if (!r.ok()) return retry_step(transport_failure(r, kDownload), download_request());
        if (r.status < 200 || r.status >= 300) {
            Outcome out = http_failure(r, kDownload, redactor_.excerpt(r.body, 200));
            if (r.status == 403 || r.status == 404 || r.status == 410) {
                if (outputs_expired())
                    return expired(out.message + " (outputs are deleted after an hour)", r.status);
                out.kind = OutcomeKind::Transient; // a fresh file not there yet: try again
            }
            return retry_step(std::move(out), download_request());
        }
        std::string mime(r.header("content-type").value_or(""));
        if (const auto semi = mime.find(';'); semi != std::string::npos) mime.erase(semi);
        // A page or an empty body instead of the file (the decoder sniffs the bytes later).
        if (r.body.empty() || mime.rfind("text/", 0) == 0 || mime.find("json") != std::string::npos)
            return retry_step(Outcome::failure(OutcomeKind::Transient, "not_image",
                                               std::string(kDownload) + " returned " +
                                                   (r.body.empty() ? std::string("an empty body")
                                                                   : mime + ", not an image: " +
                                                                         redactor_.excerpt(r.body, 200)),
                                               r.status),
                              download_request());
        if (mime.empty() || mime == "application/octet-stream") mime = mime_from_url(output_url_);
        return finish(success(std::move(r.body), std::move(mime), r.status));
    }

    bool outputs_expired() const {
        return ticket_.created_at > 0 &&
               static_cast<std::int64_t>(std::time(nullptr)) - ticket_.created_at >= kOutputLifetimeSeconds;
    }

    Action expired(std::string message, long status) {
        return fail(OutcomeKind::Permanent, "output_expired",
                    message + "; Replicate keeps outputs for an hour, so this prediction cannot be "
                              "recovered (retry the image to pay for a new one)",
                    status);
    }

    // A transient failure inside a step: the same request again after a backoff, or give up
    // with the resume token (the prediction exists; the next attempt continues it).
    Action retry_step(Outcome failure, HttpRequest again) {
        if (const auto delay = step_.next_delay(failure)) return Action::send(std::move(again), *delay);
        if (failure.kind == OutcomeKind::Transient) failure.resume_token = resume_token();
        return finish(std::move(failure));
    }

    Action poll(std::int64_t delay_ms) {
        state_ = State::Poll;
        return Action::send(poll_request(), delay_ms);
    }

    HttpRequest poll_request() const { return api_request(config_, HttpMethod::Get, ticket_.get_url); }

    HttpRequest download_request() const {
        // The key only for the API's own origin; replicate.delivery gets none.
        if (same_origin(output_url_, config_.base_url)) {
            HttpRequest req = api_request(config_, HttpMethod::Get, output_url_);
            req.limits.max_response_bytes = config_.max_image_bytes;
            return req;
        }
        return file_download_request(config_, output_url_, "replicate");
    }

    static std::string mime_from_url(const std::string &url) {
        std::string path = url.substr(0, url.find_first_of("?#"));
        const auto dot = path.rfind('.');
        const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
        if (ext == "png") return "image/png";
        if (ext == "webp") return "image/webp";
        if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
        return "application/octet-stream";
    }

    Outcome success(std::string bytes, std::string mime, long status) const {
        Outcome out;
        out.kind = OutcomeKind::Success;
        out.http_status = status;
        out.image = std::move(bytes);
        out.image_mime = std::move(mime);
        return out;
    }

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

class ReplicateFluxProvider : public ImageProvider {
  public:
    std::string_view name() const override { return "replicate"; }
    std::unique_ptr<ProviderCall> make_call(const ProviderConfig &config,
                                            ImageRequest request) const override {
        return std::make_unique<PredictionCall>(config, std::move(request));
    }
};

} // namespace

const ImageProvider &image_provider() {
    static const ReplicateFluxProvider provider;
    return provider;
}

} // namespace rolloy::providers::replicate
