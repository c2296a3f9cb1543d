#include "core/providers/replicate_reconcile.hpp"

#include "core/common/sha256.hpp"
#include "core/providers/json.hpp"
#include "core/providers/replicate_api.hpp"
#include "core/providers/url.hpp"

#include <cctype>
#include <ctime>

namespace rolloy::providers::replicate {
namespace {

// Digits of text[pos, pos + n) as a number; -1 if any is not a digit.
int digits(std::string_view text, std::size_t pos, std::size_t n) {
    if (pos + n > text.size()) return -1;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

std::optional<std::int64_t> int_at(const json_t *value, std::initializer_list<const char *> path) {
    const json_t *v = json::at(value, path);
    if (json_is_integer(v)) return json_integer_value(v);
    return std::nullopt;
}

} // namespace

PendingCreate pending_create(const ProviderConfig &config, const ImageRequest &request,
                             std::int64_t timeout_ms, std::int64_t grace_seconds) {
    PendingCreate p;
    p.model = config.model;
    p.sent_at = static_cast<std::int64_t>(std::time(nullptr));
    p.settle_at = p.sent_at + (timeout_ms + 999) / 1000 + grace_seconds;
    p.seed = request.seed;
    p.prompt_sha256 = sha256_hex(request.prompt);
    p.image_key = config.option("image_input", "image");
    if (!request.reference.empty()) p.image_sha256 = sha256_hex(reference_data_uri(request));
    return p;
}

std::string encode_pending(const PendingCreate &pending) {
    json_t *inner = json::object();
    json::Ptr obj(json::object());
    json::set(obj.get(), "replicate_create", inner);
    json::set(inner, "model", json::string(pending.model));
    json::set(inner, "sent_at", json_integer(pending.sent_at));
    json::set(inner, "settle_at", json_integer(pending.settle_at));
    if (pending.seed) json::set(inner, "seed", json_integer(*pending.seed));
    json::set(inner, "prompt_sha256", json::string(pending.prompt_sha256));
    json::set(inner, "image_key", json::string(pending.image_key));
    json::set(inner, "image_sha256", json::string(pending.image_sha256));
    return json::dump(obj.get());
}

std::optional<PendingCreate> decode_pending(std::string_view token) {
    const json::Ptr root = json::parse(token);
    const json_t *inner = json::at(root.get(), {"replicate_create"});
    if (!json_is_object(inner)) return std::nullopt;
    PendingCreate p;
    p.model = json::get_string(inner, {"model"});
    p.sent_at = json::get_int(inner, {"sent_at"});
    p.settle_at = json::get_int(inner, {"settle_at"});
    p.seed = int_at(inner, {"seed"});
    p.prompt_sha256 = json::get_string(inner, {"prompt_sha256"});
    p.image_key = json::get_string(inner, {"image_key"}, "image");
    p.image_sha256 = json::get_string(inner, {"image_sha256"});
    if (p.model.empty() || p.sent_at <= 0 || p.prompt_sha256.size() != 64) return std::nullopt;
    return p;
}

std::string format_iso8601(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<std::int64_t> parse_iso8601(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
    const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
    const int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 60 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return std::nullopt;
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])))
            ++pos;
    }
    std::int64_t offset = 0;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const int oh = digits(s, pos + 1, 2), om = digits(s, pos + 4, 2);
        if (oh < 0 || om < 0 || pos + 6 != s.size() || s[pos + 3] != ':') return std::nullopt;
        offset = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else if (pos + 1 != s.size() || s[pos] != 'Z') {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

std::string first_list_url(const std::string &base_url, const PendingCreate &pending) {
    return join_url(base_url,
                    "/v1/predictions?created_after=" + format_iso8601(pending.sent_at - kClockSlackSeconds));
}

std::optional<PredictionPage> parse_page(std::string_view body, const std::string &image_key) {
    // Every listed prediction carries its input, inline reference photos included: lift them.
    const json::LiftedDocument doc = json::LiftedDocument::parse(body);
    const json_t *results = json::at(doc.root(), {"results"});
    if (!json_is_object(doc.root()) || !json_is_array(results)) return std::nullopt;
    PredictionPage page;
    page.next = json::get_string(doc.root(), {"next"});
    for (std::size_t i = 0; i < json_array_size(results); ++i) {
        const json_t *r = json_array_get(results, i);
        ListedPrediction p;
        p.id = json::get_string(r, {"id"});
        if (p.id.empty()) continue;
        p.model = json::get_string(r, {"model"});
        p.get_url = json::get_string(r, {"urls", "get"});
        p.cancel_url = json::get_string(r, {"urls", "cancel"});
        p.created_at = parse_iso8601(json::get_string(r, {"created_at"}));
        p.seed = int_at(r, {"input", "seed"});
        p.prompt = doc.get_string(r, {"input", "prompt"});
        if (const std::string image = doc.get_string(r, {"input", image_key.c_str()});
            image.rfind("data:", 0) == 0)
            p.image_sha256 = sha256_hex(image);
        page.results.push_back(std::move(p));
    }
    return page;
}

bool before_window(const PendingCreate &pending, const ListedPrediction &p) {
    return p.created_at && *p.created_at < pending.sent_at - kClockSlackSeconds;
}

bool matches(const PendingCreate &pending, const ListedPrediction &p) {
    return p.model == pending.model && p.created_at && !before_window(pending, p) && p.seed == pending.seed &&
           sha256_hex(p.prompt) == pending.prompt_sha256 &&
           (pending.image_sha256.empty() || p.image_sha256.empty() || p.image_sha256 == pending.image_sha256);
}

} // namespace rolloy::providers::replicate
