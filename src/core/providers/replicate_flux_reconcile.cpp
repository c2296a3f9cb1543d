// Replicate: finding the prediction of a create whose answer was lost (replicate_flux.hpp).
#include "core/providers/replicate_prediction_call.hpp"

#include "core/providers/classify.hpp"
#include "core/providers/url.hpp"

#include <algorithm>

namespace rolloy::providers::replicate::detail {

// Seconds after a create's transfer ended within which its prediction, if any, is listed.
int PredictionCall::grace_seconds() const {
    const std::string v = config_.option("reconcile_grace", "30");
    const bool digits = !v.empty() && v.size() <= 3 &&
                        std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    return digits ? std::stoi(v) : 30;
}

// The create may have made a prediction that we cannot name (and the list could not tell):
// never send it again.
Action PredictionCall::unknown(std::string what_happened, long status) {
    return fail(OutcomeKind::Permanent, "outcome_unknown",
                std::string(kCreate) + " " + what_happened +
                    "; a prediction may exist and be billed, so it is not created again "
                    "automatically (Replicate has no idempotency key): check "
                    "replicate.com/predictions before retrying this image",
                status);
}

// The create's answer is lost but its transfer is over: a prediction it made is listed
// within the grace; look for it there instead of giving up or creating again.
Action PredictionCall::lost_answer(std::string what_happened) {
    lost_because_ = std::move(what_happened);
    pending_.settle_at = now_seconds() + grace_seconds();
    return reconcile();
}

Action PredictionCall::reconcile(std::int64_t delay_ms) {
    state_ = State::Reconcile;
    pages_ = 0;
    step_.reset();
    list_url_ = first_list_url(config_.base_url, pending_);
    pass_started_ = now_seconds() + (delay_ms + 999) / 1000;
    return Action::send(list_request(), delay_ms);
}

Action PredictionCall::on_list(HttpResponse &r) {
    if (r.status < 200 || r.status >= 300 || !r.ok()) {
        Outcome out = r.ok() ? error_outcome(r, kList, redactor_) : transport_failure(r, kList);
        if (out.kind != OutcomeKind::Transient)
            return unknown(why() + "; listing predictions to find it failed: " + out.message, r.status);
        return retry_step(std::move(out), list_request());
    }
    const auto page = parse_page(r.body, pending_.image_key);
    if (!page)
        return retry_step(Outcome::failure(OutcomeKind::Transient, "malformed_response",
                                           std::string(kList) + " returned HTTP " + std::to_string(r.status) +
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

Action PredictionCall::found(const ListedPrediction &p, long status) {
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

} // namespace rolloy::providers::replicate::detail
