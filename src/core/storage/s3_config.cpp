#include "core/storage/s3_config.hpp"

#include "core/common/error.hpp"
#include "core/storage/sigv4.hpp"

namespace rolloy::storage {
namespace {

struct Endpoint {
    std::string scheme, authority, base_path;
};

Endpoint parse_endpoint(const std::string &endpoint) {
    Endpoint e;
    const auto sep = endpoint.find("://");
    if (sep == std::string::npos)
        throw Error(ErrorKind::InvalidInput, "the S3 endpoint must start with http:// or https://");
    e.scheme = endpoint.substr(0, sep);
    if (e.scheme != "http" && e.scheme != "https")
        throw Error(ErrorKind::InvalidInput, "the S3 endpoint must start with http:// or https://");
    std::string rest = endpoint.substr(sep + 3);
    const auto slash = rest.find('/');
    e.authority = rest.substr(0, slash);
    if (slash != std::string::npos) e.base_path = rest.substr(slash);
    while (!e.base_path.empty() && e.base_path.back() == '/')
        e.base_path.pop_back();
    if (e.authority.empty() || e.authority.find_first_of("@?# ") != std::string::npos)
        throw Error(ErrorKind::InvalidInput, "the S3 endpoint has no usable host",
                    "expected scheme://host[:port][/path], without credentials or query");
    // Browsers and libcurl leave the default port out of the Host header: so must the signature.
    const std::string default_port = e.scheme == "https" ? ":443" : ":80";
    if (e.authority.size() > default_port.size() &&
        e.authority.compare(e.authority.size() - default_port.size(), default_port.size(), default_port) == 0)
        e.authority.resize(e.authority.size() - default_port.size());
    return e;
}

} // namespace

bool operator==(const S3Config &a, const S3Config &b) {
    return a.endpoint == b.endpoint && a.bucket == b.bucket && a.region == b.region &&
           a.path_style == b.path_style && a.access_key_id == b.access_key_id &&
           a.secret_access_key == b.secret_access_key && a.session_token == b.session_token &&
           a.connect_timeout_ms == b.connect_timeout_ms && a.timeout_ms == b.timeout_ms;
}

void validate(const S3Config &config) {
    parse_endpoint(config.endpoint);
    if (config.bucket.empty() || config.bucket.size() > 63 ||
        config.bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos)
        throw Error(ErrorKind::InvalidInput, "the S3 bucket name is not valid",
                    "3 to 63 characters: lower-case letters, digits, dots and hyphens");
    if (config.region.empty() || config.region.find_first_of("/ \n") != std::string::npos)
        throw Error(ErrorKind::InvalidInput, "the S3 region is not valid", "e.g. us-east-1, auto");
    if (config.access_key_id.empty() || config.secret_access_key.empty())
        throw Error(
            ErrorKind::WrongState, "no S3 credentials are set",
            "An admin sets them with rolloy.set_storage_credentials(access_key_id, secret_access_key).");
}

ObjectLocation locate(const S3Config &config, std::string_view key) {
    const Endpoint e = parse_endpoint(config.endpoint);
    ObjectLocation loc;
    loc.authority = config.path_style ? e.authority : config.bucket + "." + e.authority;
    loc.base = e.scheme + "://" + loc.authority;
    loc.path = e.base_path + (config.path_style ? "/" + uri_encode(config.bucket, false) : std::string());
    // The bucket itself (listing) is /bucket in path style and / on its own host.
    if (!key.empty() || !config.path_style) loc.path += "/" + uri_encode(key, true);
    return loc;
}

} // namespace rolloy::storage
