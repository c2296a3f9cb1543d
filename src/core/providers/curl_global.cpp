#include "core/providers/curl_global.hpp"

#include "core/common/error.hpp"

#include <curl/curl.h>

#include <mutex>

namespace rolloy::providers {

void ensure_curl_initialized() {
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (result != CURLE_OK)
        throw Error(ErrorKind::ExternalService, "could not initialise the HTTP library (libcurl)",
                    curl_easy_strerror(result));
}

} // namespace rolloy::providers
