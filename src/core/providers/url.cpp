#include "core/providers/url.hpp"

#include "core/common/base64.hpp"
#include "core/providers/reference_base64.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>

namespace rolloy::providers {
namespace {

struct UrlDeleter {
    void operator()(CURLU *u) const noexcept { curl_url_cleanup(u); }
};

std::string lower(std::string s) {
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::optional<std::string> url_part(CURLU *u, CURLUPart part, unsigned flags) {
    char *value = nullptr;
    if (curl_url_get(u, part, &value, flags) != CURLUE_OK || !value) return std::nullopt;
    std::string out(value);
    curl_free(value);
    return out;
}

} // namespace

std::string join_url(std::string_view base, std::string_view path) {
    while (!base.empty() && base.back() == '/')
        base.remove_suffix(1);
    while (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    std::string out(base);
    out += '/';
    out += path;
    return out;
}

std::optional<std::string> url_origin(std::string_view url) {
    std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
    if (!u) return std::nullopt;
    const std::string text(url);
    if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return std::nullopt;
    const auto scheme = url_part(u.get(), CURLUPART_SCHEME, 0);
    const auto host = url_part(u.get(), CURLUPART_HOST, 0);
    const auto port = url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
    if (!scheme || !host || !port) return std::nullopt;
    const std::string s = lower(*scheme);
    if (s != "http" && s != "https") return std::nullopt;
    return s + "://" + lower(*host) + ":" + *port;
}

bool same_origin(std::string_view a, std::string_view b) {
    const auto oa = url_origin(a);
    const auto ob = url_origin(b);
    return oa && ob && *oa == *ob;
}

std::string make_data_uri(std::string_view mime, std::string_view bytes) {
    std::string out = "data:";
    out += mime;
    out += ";base64,";
    out += reference_base64(bytes); // data URIs carry reference photos: the same one per batch
    return out;
}

bool is_data_uri(std::string_view uri) {
    return uri.size() >= 5 && lower(std::string(uri.substr(0, 5))) == "data:";
}

std::optional<DataUri> parse_data_uri(std::string_view uri) {
    if (!is_data_uri(uri)) return std::nullopt;
    const auto comma = uri.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    std::string_view meta = uri.substr(5, comma - 5);
    constexpr std::string_view kBase64 = ";base64";
    if (meta.size() < kBase64.size() ||
        lower(std::string(meta.substr(meta.size() - kBase64.size()))) != kBase64)
        return std::nullopt; // only base64 payloads carry images
    meta.remove_suffix(kBase64.size());
    auto bytes = base64_decode(uri.substr(comma + 1));
    if (!bytes) return std::nullopt;
    return DataUri{std::string(meta), std::move(*bytes)};
}

} // namespace rolloy::providers
