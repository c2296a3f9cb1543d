// Internal to src/core/images: the pixels of an image computed in the calling thread.
// vips_image_copy_memory() runs the decode through libvips' thread pool: even with one worker
// thread, every tile is handed between threads (futex waits were a fifth of the result threads'
// time in a profile). Asking a region for the whole image computes it here instead.
#pragma once
#include "core/common/core_only.hpp"

#include "core/images/vips_support.hpp"

#include <cstdint>
#include <vector>

namespace rolloy::images::detail {

class DecodedPixels {
  public:
    // Decodes `image` (8-bit, any bands) whole; the caller bounds its size. Throws
    // Error(DataCorrupted) when the decoder fails. Keeps a reference to `image`.
    explicit DecodedPixels(VipsImage *image);
    ~DecodedPixels();
    DecodedPixels(const DecodedPixels &) = delete;
    DecodedPixels &operator=(const DecodedPixels &) = delete;

    // Rows packed (stride = width * bands).
    const std::uint8_t *data() const { return data_; }
    int width() const { return width_; }
    int height() const { return height_; }
    int bands() const { return bands_; }

  private:
    VipsRegion *region_ = nullptr;
    std::vector<std::uint8_t> packed_; // only when the region's rows are not packed
    const std::uint8_t *data_ = nullptr;
    int width_ = 0, height_ = 0, bands_ = 0;
};

} // namespace rolloy::images::detail
