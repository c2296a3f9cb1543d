#include "core/images/jpeg_writer.hpp"

#include "core/common/error.hpp"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>

#include <jpeglib.h>

namespace rolloy::images::detail {
namespace {

// libjpeg reports errors by calling error_exit, which must not return. We jump back to
// compress() - a function with no C++ objects, so the longjmp skips no destructor.
struct ErrorManager {
    jpeg_error_mgr base;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr info) {
    auto *errors = reinterpret_cast<ErrorManager *>(info->err);
    (*info->err->format_message)(info, errors->message);
    std::longjmp(errors->jump, 1);
}

void ignore_message(j_common_ptr) {}

// Plain C style on purpose (see ErrorManager). On success *out is malloc'ed by libjpeg.
bool compress(const std::uint8_t *pixels, int width, int height, int bands, int quality, bool progressive,
              unsigned char **out, unsigned long *length, char *message) {
    jpeg_compress_struct info;
    ErrorManager errors;
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = on_error;
    errors.base.output_message = ignore_message;
    errors.message[0] = '\0';
    *out = nullptr;
    *length = 0;
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&info);
        std::free(*out);
        *out = nullptr;
        std::snprintf(message, JMSG_LENGTH_MAX, "%s", errors.message);
        return false;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, out, length);
    info.image_width = JDIMENSION(width);
    info.image_height = JDIMENSION(height);
    info.input_components = bands;
    info.in_color_space = bands == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    info.optimize_coding = TRUE;
    if (progressive) jpeg_simple_progression(&info);
    jpeg_start_compress(&info, TRUE);
    const std::size_t stride = std::size_t(width) * bands;
    while (info.next_scanline < info.image_height) {
        // libjpeg's API takes non-const rows; it only reads them.
        JSAMPROW row = const_cast<JSAMPROW>(pixels + info.next_scanline * stride);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return true;
}

} // namespace

std::string write_jpeg(const std::uint8_t *pixels, int width, int height, int bands, int quality,
                       bool progressive) {
    if (bands != 1 && bands != 3)
        throw Error(ErrorKind::Internal, "JPEG encoding needs 1 or 3 bands, got " + std::to_string(bands));
    if (width < 1 || height < 1 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION)
        throw Error(ErrorKind::Internal, "JPEG encoding: impossible size " + std::to_string(width) + " x " +
                                             std::to_string(height));
    unsigned char *out = nullptr;
    unsigned long length = 0;
    char message[JMSG_LENGTH_MAX];
    if (!compress(pixels, width, height, bands, std::clamp(quality, 1, 100), progressive, &out, &length,
                  message))
        throw Error(ErrorKind::Internal, "the image could not be encoded as JPEG", message);
    std::string bytes(reinterpret_cast<const char *>(out), length);
    std::free(out);
    return bytes;
}

} // namespace rolloy::images::detail
