// Image-to-image with Gemini 2.5 Flash Image ("Nano Banana"): the reference goes inline as
// base64, the edited image comes back inline in the same generateContent reply.
//
// Options (ProviderConfig::options):
//   response_modalities  "IMAGE" (default) or "TEXT,IMAGE" — generationConfig.responseModalities.
#pragma once
#include "core/common/core_only.hpp"

#include "core/providers/provider.hpp"
#include "core/providers/redaction.hpp"

#include <string>

namespace rolloy::providers::gemini {

// The JSON body: contents = [text prompt, inline_data reference], responseModalities,
// imageConfig.aspectRatio and seed when given. Throws rolloy::Error(InvalidText) for a prompt
// that is not UTF-8 and rolloy::Error(InvalidInput) without a reference image.
std::string build_image_body(const ProviderConfig &config, const ImageRequest &request);

// The Outcome of a generateContent response for an image request: Success with the decoded
// bytes of the first inlineData part and its mime type. Permanent: HTTP errors per
// google_error_outcome, a blocked prompt, a refusal finishReason (IMAGE_SAFETY, NO_IMAGE,
// IMAGE_OTHER, SAFETY, PROHIBITED_CONTENT, ...) and a text-only answer ("no_image", with the
// model's text). Transient: a malformed body or inline data that is not base64. The message
// quotes the reply only through `redactor`.
Outcome image_outcome(const HttpResponse &response, const Redactor &redactor);

const ImageProvider &image_provider(); // registered as "gemini"

} // namespace rolloy::providers::gemini
