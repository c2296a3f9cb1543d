// The reference photo as base64, for request bodies. A batch sends the same photo with every
// call (a project's variants share it); encoding it again for each call was 5 % of the worker's
// loop thread, so the last photo encoded is remembered (per thread, photos up to 2 MB).
#pragma once
#include "core/common/core_only.hpp"

#include <string>
#include <string_view>

namespace rolloy::providers {

std::string reference_base64(std::string_view bytes);

} // namespace rolloy::providers
