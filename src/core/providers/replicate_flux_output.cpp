// Replicate: the prediction's output, a data URI or a download (replicate_flux.hpp).
#include "core/providers/replicate_prediction_call.hpp"

#include "core/providers/classify.hpp"
#include "core/providers/url.hpp"

#include <ctime>

namespace rolloy::providers::replicate::detail {

Action PredictionCall::download(const std::string &url, long status) {
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

Action PredictionCall::on_download(HttpResponse &r) {
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

bool PredictionCall::outputs_expired() const {
    return ticket_.created_at > 0 &&
           static_cast<std::int64_t>(std::time(nullptr)) - ticket_.created_at >= kOutputLifetimeSeconds;
}

Action PredictionCall::expired(std::string message, long status) {
    return fail(OutcomeKind::Permanent, "output_expired",
                message + "; Replicate keeps outputs for an hour, so this prediction cannot be "
                          "recovered (retry the image to pay for a new one)",
                status);
}

HttpRequest PredictionCall::download_request() const {
    // The key only for the API's own origin; replicate.delivery gets none.
    if (same_origin(output_url_, config_.base_url)) {
        HttpRequest req = api_request(config_, HttpMethod::Get, output_url_);
        req.limits.max_response_bytes = config_.max_image_bytes;
        return req;
    }
    return file_download_request(config_, output_url_, "replicate");
}

std::string PredictionCall::mime_from_url(const std::string &url) {
    std::string path = url.substr(0, url.find_first_of("?#"));
    const auto dot = path.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    if (ext == "png") return "image/png";
    if (ext == "webp") return "image/webp";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    return "application/octet-stream";
}

Outcome PredictionCall::success(std::string bytes, std::string mime, long status) const {
    Outcome out;
    out.kind = OutcomeKind::Success;
    out.http_status = status;
    out.image = std::move(bytes);
    out.image_mime = std::move(mime);
    return out;
}

} // namespace rolloy::providers::replicate::detail
