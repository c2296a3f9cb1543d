#include "core/providers/json.hpp"

#include "core/common/error.hpp"

#include <cmath>
#include <cstdio>
#include <random>
#include <cstdlib>

namespace rolloy::providers::json {

json_t *object() {
    // json_pack runs inside libjansson, whose internal call to its own json_object() is bound
    // within the library, so this never reaches Postgres' function of that name.
    json_t *value = json_pack("{}");
    if (!value) throw Error(ErrorKind::Internal, "out of memory building JSON");
    return value;
}

Ptr parse(std::string_view text) {
    json_error_t error;
    return Ptr(json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error));
}

std::string dump(const json_t *value) {
    char *text = json_dumps(value, JSON_COMPACT);
    if (!text) throw Error(ErrorKind::Internal, "could not serialise a JSON request body");
    std::string out(text);
    std::free(text);
    return out;
}

std::string verbatim_placeholder() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    char text[48];
    std::snprintf(text, sizeof text, "rolloy-verbatim-%016llx", static_cast<unsigned long long>(random()));
    return text;
}

std::string dump_with_verbatim(const json_t *value, const std::string &placeholder, std::string_view text) {
    const std::string body = dump(value);
    const std::string quoted = '"' + placeholder + '"';
    const std::size_t at = body.find(quoted);
    if (at == std::string::npos || body.find(quoted, at + 1) != std::string::npos)
        throw Error(ErrorKind::Internal, "a request body placeholder was not found exactly once");
    std::string out;
    out.reserve(body.size() + text.size() + 16);
    out.append(body, 0, at + 1);
    std::size_t run = 0; // start of the current stretch that needs no escaping
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text.substr(run, i - run));
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, c == '"' || c == '\\' ? "\\%c" : "\\u%04x", c);
        out += escaped;
        run = i + 1;
    }
    out.append(text.substr(run));
    out.append(body, at + quoted.size() - 1, std::string::npos);
    return out;
}

json_t *string(std::string_view text) {
    return json_stringn(text.data(), text.size());
}

const json_t *at(const json_t *value, std::initializer_list<const char *> path) {
    for (const char *key : path) {
        if (!json_is_object(value)) return nullptr;
        value = json_object_get(value, key);
    }
    return value;
}

std::string get_string(const json_t *value, std::initializer_list<const char *> path, std::string fallback) {
    const json_t *child = at(value, path);
    if (!json_is_string(child)) return fallback;
    return std::string(json_string_value(child), json_string_length(child));
}

std::int64_t get_int(const json_t *value, std::initializer_list<const char *> path, std::int64_t fallback) {
    const json_t *child = at(value, path);
    if (json_is_integer(child)) return static_cast<std::int64_t>(json_integer_value(child));
    if (json_is_real(child)) {
        const double d = json_real_value(child);
        if (std::isfinite(d) && std::fabs(d) < 9.0e18) return static_cast<std::int64_t>(d);
    }
    // Some Google fields are int64 encoded as strings in proto3 JSON.
    if (json_is_string(child)) {
        char *end = nullptr;
        const char *text = json_string_value(child);
        const long long v = std::strtoll(text, &end, 10);
        if (end != text && *end == '\0') return v;
    }
    return fallback;
}

bool get_bool(const json_t *value, std::initializer_list<const char *> path, bool fallback) {
    const json_t *child = at(value, path);
    return json_is_boolean(child) ? json_is_true(child) : fallback;
}

bool set(json_t *obj, const char *key, json_t *child) {
    if (!child) return false;
    return json_object_set_new(obj, key, child) == 0;
}

namespace {
// Starts every placeholder; a genuine string would need an escaped U+0001 to look like one.
constexpr std::string_view kLiftMark = "\x01rolloy-lifted:";
} // namespace

LiftedDocument LiftedDocument::parse(std::string_view text, std::size_t lift_at_least) {
    LiftedDocument doc;
    std::string skeleton;
    std::size_t copied = 0; // text[0, copied) is already in skeleton
    std::size_t pos = 0;
    while (pos < text.size()) {
        // Outside a string, a quote can only open one.
        const std::size_t open = text.find('"', pos);
        if (open == std::string_view::npos) break;
        std::size_t close = open + 1;
        for (;;) {
            close = text.find('"', close);
            if (close == std::string_view::npos) break;
            std::size_t backslashes = 0;
            while (close - backslashes - 1 > open && text[close - backslashes - 1] == '\\')
                ++backslashes;
            if (backslashes % 2 == 0) break; // not escaped: the string ends here
            ++close;
        }
        if (close == std::string_view::npos) break; // unterminated: let jansson report it
        const std::string_view content = text.substr(open + 1, close - open - 1);
        if (content.size() >= lift_at_least && content.find('\\') == std::string_view::npos) {
            if (skeleton.empty()) skeleton.reserve(text.size() / 8 + 256);
            skeleton.append(text.substr(copied, open + 1 - copied));
            skeleton += "\\u0001rolloy-lifted:" + std::to_string(doc.lifted_.size());
            doc.lifted_.push_back(content);
            copied = close; // the closing quote goes out with the next chunk
        }
        pos = close + 1;
    }
    if (doc.lifted_.empty()) {
        doc.root_ = json::parse(text);
    } else {
        skeleton.append(text.substr(copied));
        doc.root_ = json::parse(skeleton);
    }
    return doc;
}

std::string LiftedDocument::get_string(const json_t *value, std::initializer_list<const char *> path,
                                       std::string fallback) const {
    std::string s = json::get_string(value, path, std::move(fallback));
    if (s.size() > kLiftMark.size() && s.compare(0, kLiftMark.size(), kLiftMark) == 0) {
        const std::size_t index = std::strtoull(s.c_str() + kLiftMark.size(), nullptr, 10);
        if (index < lifted_.size()) return std::string(lifted_[index]);
    }
    return s;
}

} // namespace rolloy::providers::json
