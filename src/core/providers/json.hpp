// Small RAII and lookup helpers over jansson (never include it next to Postgres headers: both
// declare json_object). Lookups tolerate missing keys and wrong types, since provider bodies
// are untrusted input.
#pragma once
#include "core/common/core_only.hpp"

#include <jansson.h>

// Inside Postgres, a call to jansson's json_object() binds to the postgres executable's SQL
// function of the same name (the dynamic linker searches the executable first; only this one
// symbol clashes). Objects are made with json::object() instead, and the name is poisoned so
// that no new call can creep in.
#pragma GCC poison json_object

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rolloy::providers::json {

struct Deleter {
    void operator()(json_t *value) const noexcept { json_decref(value); }
};
using Ptr = std::unique_ptr<json_t, Deleter>;

// A new empty JSON object (what json_object() would return; see the note above).
json_t *object();

// Parses a whole body; nullptr when it is not JSON.
Ptr parse(std::string_view text);

// Compact serialisation. Throws rolloy::Error(Internal) if jansson fails (out of memory).
std::string dump(const json_t *value);

// Request bodies that carry an image as one long string (base64, a data URI): the body is built
// with a placeholder string, then dumped with the long string spliced in. jansson would check and
// escape megabytes of base64 a byte at a time (30 % of the worker's loop in a profile).
// The placeholder is random per call, so no text in the body can imitate it.
std::string verbatim_placeholder();
// Compact serialisation of `value` whose one string value equal to `placeholder` is replaced by
// `text` (ASCII; quotes, backslashes and control characters are escaped). Throws
// rolloy::Error(Internal) unless the placeholder occurs exactly once.
std::string dump_with_verbatim(const json_t *value, const std::string &placeholder, std::string_view text);

// A new JSON string, or nullptr when `text` is not valid UTF-8.
json_t *string(std::string_view text);

// Child lookup along object keys; nullptr as soon as one is missing or not an object.
const json_t *at(const json_t *value, std::initializer_list<const char *> path);

// Typed reads of a child (or of `value` itself with an empty path); defaults when absent.
std::string get_string(const json_t *value, std::initializer_list<const char *> path,
                       std::string fallback = {});
std::int64_t get_int(const json_t *value, std::initializer_list<const char *> path,
                     std::int64_t fallback = 0);
bool get_bool(const json_t *value, std::initializer_list<const char *> path, bool fallback = false);

// Sets obj[key] and takes ownership of `child`. False (and nothing set) when child is nullptr.
bool set(json_t *obj, const char *key, json_t *child);

// A parsed body whose long string values were lifted out before parsing. jansson lexes strings
// byte by byte (about 10 ns a byte); an inline image is megabytes of base64 in one string, so
// strings of at least `lift_at_least` bytes without escapes are cut out with a memchr scan,
// replaced by short placeholders, and restored on read by get_string(). Keeps views into
// `text`: the body must outlive this object.
class LiftedDocument {
  public:
    static LiftedDocument parse(std::string_view text, std::size_t lift_at_least = 4096);

    const json_t *root() const { return root_.get(); }
    // Like json::get_string, with lifted strings restored.
    std::string get_string(const json_t *value, std::initializer_list<const char *> path,
                           std::string fallback = {}) const;
    std::size_t lifted_count() const { return lifted_.size(); }

  private:
    Ptr root_;
    std::vector<std::string_view> lifted_;
};

} // namespace rolloy::providers::json
