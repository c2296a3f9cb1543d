#include "core/providers/curl_transfer.hpp"

#include <cctype>
#include <cstdlib>
#include <string_view>

namespace rolloy::providers::detail {
namespace {

std::int64_t ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

bool has_line_break(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool starts_with_ignore_case(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

TransportError classify_curl_code(CURLcode code) {
    switch (code) {
    case CURLE_OK:
        return TransportError::None;
    case CURLE_OPERATION_TIMEDOUT:
        return TransportError::Timeout;
    case CURLE_FILESIZE_EXCEEDED:
        return TransportError::TooLarge;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_TOO_MANY_REDIRECTS:
        return TransportError::BadRequest;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
        return TransportError::Connect;
    case CURLE_ABORTED_BY_CALLBACK:
        return TransportError::Aborted;
    default:
        return TransportError::Other;
    }
}

} // namespace

CurlTransfer::CurlTransfer(RequestId id, HttpRequest request, Clock::time_point queued_at)
    : id_(id), request_(std::move(request)), queued_at_(queued_at), started_at_(queued_at) {}

CurlTransfer::~CurlTransfer() {
    if (easy_) curl_easy_cleanup(easy_);
    if (header_list_) curl_slist_free_all(header_list_);
}

std::string CurlTransfer::validate() const {
    if (!starts_with_ignore_case(request_.url, "http://") &&
        !starts_with_ignore_case(request_.url, "https://"))
        return "only http:// and https:// URLs are allowed";
    if (has_line_break(request_.url)) return "the URL contains a line break";
    for (const auto &[name, value] : request_.headers) {
        // Name it, never show the value: it may be an API key.
        if (has_line_break(name) || has_line_break(value) || name.find(':') != std::string::npos)
            return "header '" + (has_line_break(name) ? std::string("?") : name) +
                   "' contains a line break or colon";
    }
    return {};
}

bool CurlTransfer::prepare(const HttpClientOptions &options) {
    easy_ = curl_easy_init();
    if (!easy_) {
        fail(TransportError::Other, "could not create an HTTP handle (out of memory?)", Clock::now());
        return false;
    }
    const HttpLimits &limits = request_.limits;
    const long connect_ms = static_cast<long>(limits.connect_timeout_ms > 0 ? limits.connect_timeout_ms
                                                                            : options.connect_timeout_ms);
    const long total_ms =
        static_cast<long>(limits.total_timeout_ms > 0 ? limits.total_timeout_ms : options.total_timeout_ms);
    max_bytes_ = limits.max_response_bytes > 0 ? limits.max_response_bytes : options.max_response_bytes;
    const bool follow = limits.follow_redirects.value_or(options.follow_redirects);

    for (const auto &[name, value] : request_.headers)
        header_list_ = curl_slist_append(header_list_, (name + ": " + value).c_str());
    // Large bodies (inline images) must not wait a second for "100 Continue".
    header_list_ = curl_slist_append(header_list_, "Expect:");

    CURL *h = easy_;
    curl_easy_setopt(h, CURLOPT_PRIVATE, this);
    curl_easy_setopt(h, CURLOPT_URL, request_.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); // never SIGALRM inside a Postgres process
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
    if (limits.fresh_connection) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, options.max_redirects);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes_));
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); // whatever libcurl can decode
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
    if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list_);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &CurlTransfer::on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, this);

    switch (request_.method) {
    case HttpMethod::Get:
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        break;
    case HttpMethod::Post:
    case HttpMethod::Put:
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        // The body lives in request_ for the whole transfer: no copy needed.
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request_.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
        if (request_.method == HttpMethod::Put) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
        break;
    case HttpMethod::Delete:
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    }
    return true;
}

void CurlTransfer::mark_started(Clock::time_point now) {
    started_at_ = now;
    response_.queued_ms = ms_between(queued_at_, now);
}

size_t CurlTransfer::on_body(char *data, size_t size, size_t count, void *self_ptr) {
    auto *self = static_cast<CurlTransfer *>(self_ptr);
    const size_t n = size * count;
    if (static_cast<std::int64_t>(self->response_.body.size() + n) > self->max_bytes_) {
        self->too_large_ = true;
        return 0; // makes libcurl stop with CURLE_WRITE_ERROR
    }
    try {
        self->response_.body.append(data, n);
    } catch (...) {
        return 0; // out of memory: stop this transfer, never throw through C frames
    }
    return n;
}

size_t CurlTransfer::on_header(char *data, size_t size, size_t count, void *self_ptr) {
    auto *self = static_cast<CurlTransfer *>(self_ptr);
    const size_t n = size * count;
    const std::string_view line(data, n);
    try {
        if (line.rfind("HTTP/", 0) == 0) {
            // A new response starts (after 100 Continue or a followed redirect): keep only the last.
            self->response_.headers.clear();
            self->response_.body.clear();
            return n;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return n; // blank line ending the header block
        std::string name(trim(line.substr(0, colon)));
        for (char &c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value(trim(line.substr(colon + 1)));
        if (name == "content-length") {
            const long long length = std::atoll(value.c_str());
            if (length > 0 && length <= self->max_bytes_)
                self->response_.body.reserve(static_cast<size_t>(length));
        }
        self->response_.headers.emplace_back(std::move(name), std::move(value));
    } catch (...) {
        return 0;
    }
    return n;
}

void CurlTransfer::finish(CURLcode code, Clock::time_point now) {
    response_.elapsed_ms = ms_between(started_at_, now);
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_OK) {
        response_.status = status;
        response_.transport_error = TransportError::None;
        return;
    }
    // A failed transfer has no trustworthy response: drop partial headers and body.
    response_.status = 0;
    response_.headers.clear();
    response_.body.clear();
    response_.body.shrink_to_fit();
    if (too_large_ || code == CURLE_FILESIZE_EXCEEDED) {
        response_.transport_error = TransportError::TooLarge;
        response_.error = "response larger than the limit of " + std::to_string(max_bytes_) + " bytes";
        return;
    }
    response_.transport_error = classify_curl_code(code);
    response_.error = error_buffer_[0] ? std::string(error_buffer_) : std::string(curl_easy_strerror(code));
}

void CurlTransfer::fail(TransportError error, std::string message, Clock::time_point now) {
    response_.status = 0;
    response_.transport_error = error;
    response_.error = std::move(message);
    response_.elapsed_ms = easy_ ? ms_between(started_at_, now) : 0;
}

} // namespace rolloy::providers::detail
