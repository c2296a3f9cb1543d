#include "core/storage/s3_client.hpp"

#include "core/common/sha256.hpp"
#include "core/providers/curl_global.hpp"
#include "core/storage/sigv4.hpp"

#include <curl/curl.h>

#include <cstring>

namespace rolloy::storage {
namespace {

// The text of the first <tag>…</tag> at or after `from`; npos-safe.
std::string element(const std::string &xml, const std::string &tag, std::size_t from = 0,
                    std::size_t until = std::string::npos) {
    const std::string open = "<" + tag + ">", close = "</" + tag + ">";
    const auto start = xml.find(open, from);
    if (start == std::string::npos || start >= until) return {};
    const auto end = xml.find(close, start);
    if (end == std::string::npos) return {};
    return xml.substr(start + open.size(), end - start - open.size());
}

std::string xml_unescape(std::string text) {
    static const std::pair<const char *, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        bool replaced = false;
        if (text[i] == '&')
            for (auto &entity : entities)
                if (text.compare(i, std::strlen(entity.first), entity.first) == 0) {
                    out += entity.second;
                    i += std::strlen(entity.first) - 1;
                    replaced = true;
                    break;
                }
        if (!replaced) out += text[i];
    }
    return out;
}

// 2026-12-05T13:00:00.000Z -> time_t (UTC); 0 when it does not parse.
std::time_t parse_iso8601(const std::string &text) {
    std::tm tm{};
    if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
    return timegm(&tm);
}

struct Sink {
    std::string *body;
    std::size_t max_bytes;
    bool too_large = false;
};

size_t on_body(char *data, size_t size, size_t count, void *user) {
    auto *sink = static_cast<Sink *>(user);
    const size_t n = size * count;
    if (sink->body->size() + n > sink->max_bytes) {
        sink->too_large = true;
        return 0;
    }
    sink->body->append(data, n);
    return n;
}

int on_progress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto *check = static_cast<std::function<bool()> *>(user);
    return (*check && (*check)()) ? 1 : 0;
}

} // namespace

std::vector<std::string> request_headers(const S3Config &config, const std::string &payload_sha256,
                                         const std::string &content_type) {
    std::vector<std::string> headers;
    headers.push_back("x-amz-content-sha256: " + payload_sha256);
    if (!content_type.empty()) headers.push_back("Content-Type: " + content_type);
    if (!config.session_token.empty()) headers.push_back("x-amz-security-token: " + config.session_token);
    return headers;
}

std::string sigv4_option(const S3Config &config) {
    return "aws:amz:" + config.region + ":s3";
}

std::pair<std::string, std::string> parse_error_body(const std::string &xml) {
    return {xml_unescape(element(xml, "Code")), xml_unescape(element(xml, "Message"))};
}

ListPage parse_list_page(const std::string &xml) {
    ListPage page;
    for (std::size_t at = xml.find("<Contents>"); at != std::string::npos;
         at = xml.find("<Contents>", at + 1)) {
        const auto end = xml.find("</Contents>", at);
        ListedObject object;
        object.key = xml_unescape(element(xml, "Key", at, end));
        object.last_modified = parse_iso8601(element(xml, "LastModified", at, end));
        if (!object.key.empty()) page.objects.push_back(std::move(object));
    }
    if (element(xml, "IsTruncated") == "true")
        page.next_token = xml_unescape(element(xml, "NextContinuationToken"));
    return page;
}

S3Client::S3Client(S3Config config) : config_(std::move(config)) {
    validate(config_);
    providers::ensure_curl_initialized();
    easy_ = curl_easy_init();
    if (!easy_) throw Error(ErrorKind::ExternalService, "could not create an HTTP handle (libcurl)");
}

S3Client::~S3Client() {
    if (easy_) curl_easy_cleanup(easy_);
}

S3Client::Reply S3Client::perform(const char *method, const std::string &key, const std::string &query,
                                  const std::string *body, const std::string &content_type,
                                  std::size_t max_bytes) {
    const ObjectLocation loc = locate(config_, key);
    const std::string url = loc.url() + (query.empty() ? "" : "?" + query);
    const std::string payload_hash = body ? sha256_hex(*body) : kEmptyPayloadSha256;
    curl_slist *headers = nullptr;
    for (const std::string &h : request_headers(config_, payload_hash, content_type))
        headers = curl_slist_append(headers, h.c_str());
    Reply reply;
    Sink sink{&reply.body, max_bytes};
    char error_buffer[CURL_ERROR_SIZE] = {};
    const std::string sigv4 = sigv4_option(config_);

    CURL *h = easy_;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, config_.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, config_.timeout_ms);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, config_.access_key_id.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config_.secret_access_key.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "rolloy-storage");
    // libcurl adds "Expect: 100-continue" to bodies over 1 MiB only (images are mostly smaller)
    // and then waits for the 100 answer, a round trip. Waiting 0 ms sends the body at once. The
    // header itself cannot be removed: 7.88 would sign the removal ("Expect:") and the server
    // would answer 403 SignatureDoesNotMatch (tried against @20minutes/s3rver).
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &abort_check_);
    if (body) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
    } else if (std::strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    const CURLcode code = curl_easy_perform(h);
    curl_slist_free_all(headers);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
    if (code != CURLE_OK) {
        std::string what = sink.too_large
                               ? "the object is larger than " + std::to_string(max_bytes) + " bytes"
                           : code == CURLE_ABORTED_BY_CALLBACK ? std::string("cancelled")
                           : error_buffer[0]                   ? std::string(error_buffer)
                                                               : std::string(curl_easy_strerror(code));
        throw S3Error(0, "", std::string("S3 ") + method + " failed: " + what + " (" + loc.path + ")",
                      "endpoint " + loc.base);
    }
    return reply;
}

void S3Client::fail(const char *method, const std::string &key, const Reply &reply) {
    auto [code, message] = parse_error_body(reply.body);
    std::string hint;
    if (reply.status == 403)
        hint = "Check the access key and secret (rolloy.set_storage_credentials), the region and the clock.";
    else if (code == "NoSuchBucket")
        hint = "Create the bucket or set rolloy.s3_bucket to an existing one.";
    // Status and code first: the worker keeps the first 255 bytes of a message.
    std::string text = "S3 " + std::string(method) + ": HTTP " + std::to_string(reply.status) +
                       (code.empty() ? "" : " " + code) + (message.empty() ? "" : ": " + message) + " (" +
                       locate(config_, key).path + ")";
    if (text.size() > 400) text.resize(400);
    throw S3Error(reply.status, code, text, "endpoint " + locate(config_, key).base, hint);
}

void S3Client::put(const std::string &key, const std::string &body, const std::string &content_type) {
    Reply reply = perform("PUT", key, "", &body, content_type, 1 << 20);
    if (reply.status < 200 || reply.status >= 300) fail("PUT", key, reply);
}

std::optional<std::string> S3Client::get(const std::string &key, std::size_t max_bytes) {
    Reply reply = perform("GET", key, "", nullptr, "", max_bytes);
    if (reply.status == 404 && parse_error_body(reply.body).first == "NoSuchKey") return std::nullopt;
    if (reply.status != 200) fail("GET", key, reply);
    return std::move(reply.body);
}

void S3Client::remove(const std::string &key) {
    Reply reply = perform("DELETE", key, "", nullptr, "", 1 << 20);
    if (reply.status == 404 && parse_error_body(reply.body).first == "NoSuchKey") return;
    if (reply.status < 200 || reply.status >= 300) fail("DELETE", key, reply);
}

std::vector<ListedObject> S3Client::list(const std::string &prefix) {
    std::vector<ListedObject> all;
    std::string token;
    do {
        // Canonical already (7.88 signs the query as given): names sorted, values encoded.
        std::string query;
        if (!token.empty()) query += "continuation-token=" + uri_encode(token, false) + "&";
        query += "list-type=2&prefix=" + uri_encode(prefix, false);
        Reply reply = perform("GET", "", query, nullptr, "", 64 << 20);
        if (reply.status != 200) fail("GET (list)", "", reply);
        ListPage page = parse_list_page(reply.body);
        for (ListedObject &o : page.objects)
            all.push_back(std::move(o));
        token = std::move(page.next_token);
    } while (!token.empty());
    return all;
}

} // namespace rolloy::storage
