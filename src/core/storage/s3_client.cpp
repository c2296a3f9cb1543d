#include "core/storage/s3_client.hpp"

#include "core/providers/curl_global.hpp"
#include "core/storage/sigv4.hpp"

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

} // namespace

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

S3Reply S3Client::perform(const char *method, const std::string &key, const std::string &query,
                          const std::string *body, const std::string &content_type, std::size_t max_bytes) {
    S3Request request(easy_, config_, method, key, query, body, content_type, max_bytes, &abort_check_);
    return request.finish(curl_easy_perform(easy_));
}

void S3Client::put(const std::string &key, const std::string &body, const std::string &content_type) {
    S3Reply reply = perform("PUT", key, "", &body, content_type, 1 << 20);
    if (reply.status < 200 || reply.status >= 300) throw_s3_failure(config_, "PUT", key, reply);
}

std::optional<std::string> S3Client::get(const std::string &key, std::size_t max_bytes) {
    S3Reply reply = perform("GET", key, "", nullptr, "", max_bytes);
    if (reply.status == 404 && parse_error_body(reply.body).first == "NoSuchKey") return std::nullopt;
    if (reply.status != 200) throw_s3_failure(config_, "GET", key, reply);
    return std::move(reply.body);
}

void S3Client::remove(const std::string &key) {
    S3Reply reply = perform("DELETE", key, "", nullptr, "", 1 << 20);
    if (reply.status == 404 && parse_error_body(reply.body).first == "NoSuchKey") return;
    if (reply.status < 200 || reply.status >= 300) throw_s3_failure(config_, "DELETE", key, reply);
}

std::vector<ListedObject> S3Client::list(const std::string &prefix) {
    std::vector<ListedObject> all;
    std::string token;
    do {
        // Canonical already (7.88 signs the query as given): names sorted, values encoded.
        std::string query;
        if (!token.empty()) query += "continuation-token=" + uri_encode(token, false) + "&";
        query += "list-type=2&prefix=" + uri_encode(prefix, false);
        S3Reply reply = perform("GET", "", query, nullptr, "", 64 << 20);
        if (reply.status != 200) throw_s3_failure(config_, "GET (list)", "", reply);
        ListPage page = parse_list_page(reply.body);
        for (ListedObject &o : page.objects)
            all.push_back(std::move(o));
        token = std::move(page.next_token);
    } while (!token.empty());
    return all;
}

} // namespace rolloy::storage
