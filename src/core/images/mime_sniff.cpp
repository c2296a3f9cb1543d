#include "core/images/mime_sniff.hpp"

namespace rolloy::images {
namespace {

bool has_prefix_at(std::string_view bytes, std::size_t offset, std::string_view magic) {
    return bytes.size() >= offset + magic.size() && bytes.compare(offset, magic.size(), magic) == 0;
}

// ISO base media files (HEIF, AVIF) start with a box "....ftyp" followed by the major brand.
std::string sniff_iso_media(std::string_view bytes) {
    if (!has_prefix_at(bytes, 4, "ftyp") || bytes.size() < 12) return {};
    std::string_view brand = bytes.substr(8, 4);
    if (brand == "avif" || brand == "avis") return "image/avif";
    if (brand == "heic" || brand == "heix" || brand == "heim" || brand == "heis" || brand == "hevc" ||
        brand == "hevx" || brand == "mif1" || brand == "msf1")
        return "image/heic";
    return {};
}

// "BM" alone is too weak a signature; also require a known DIB header size at offset 14.
bool looks_like_bmp(std::string_view bytes) {
    if (!has_prefix_at(bytes, 0, "BM") || bytes.size() < 18) return false;
    auto u8 = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[i])); };
    unsigned dib = u8(14) | u8(15) << 8 | u8(16) << 16 | u8(17) << 24;
    return dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124;
}

} // namespace

std::string sniff_mime(std::string_view bytes) {
    using namespace std::string_view_literals;
    if (has_prefix_at(bytes, 0, "\xFF\xD8\xFF"sv)) return "image/jpeg";
    if (has_prefix_at(bytes, 0, "\x89PNG\r\n\x1A\n"sv)) return "image/png";
    if (has_prefix_at(bytes, 0, "RIFF"sv) && has_prefix_at(bytes, 8, "WEBP"sv)) return "image/webp";
    if (has_prefix_at(bytes, 0, "GIF87a"sv) || has_prefix_at(bytes, 0, "GIF89a"sv)) return "image/gif";
    if (has_prefix_at(bytes, 0, "II*\0"sv) || has_prefix_at(bytes, 0, "MM\0*"sv)) return "image/tiff";
    if (has_prefix_at(bytes, 0, "\xFF\x0A"sv) || has_prefix_at(bytes, 0, "\0\0\0\x0CJXL \r\n\x87\n"sv))
        return "image/jxl";
    if (has_prefix_at(bytes, 0, "8BPS"sv)) return "image/vnd.adobe.photoshop";
    if (looks_like_bmp(bytes)) return "image/bmp";
    return sniff_iso_media(bytes);
}

bool is_supported_mime(std::string_view mime) {
    return mime == "image/jpeg" || mime == "image/png" || mime == "image/webp" || mime == "image/gif";
}

} // namespace rolloy::images
