#include "core/import/text_encoding.hpp"

#include "import_test_util.hpp"

#include <gtest/gtest.h>

namespace rolloy::import {
namespace {

using test::error_message;

std::string utf16le(const std::u16string &s, bool bom = true) {
    std::string out = bom ? "\xFF\xFE" : "";
    for (char16_t c : s) {
        out.push_back(static_cast<char>(c & 0xFF));
        out.push_back(static_cast<char>(c >> 8));
    }
    return out;
}

std::string utf16be(const std::u16string &s, bool bom = true) {
    std::string out = bom ? "\xFE\xFF" : "";
    for (char16_t c : s) {
        out.push_back(static_cast<char>(c >> 8));
        out.push_back(static_cast<char>(c & 0xFF));
    }
    return out;
}

TEST(ImportEncoding, PlainUtf8IsReadInPlace) {
    std::string body = "Day,Ad name\n2026-11-27,Frühling\n";
    DecodedText d = decode_input(body);
    EXPECT_EQ(d.encoding(), TextEncoding::Utf8);
    EXPECT_EQ(d.text(), body);
    EXPECT_EQ(d.text().data(), body.data()); // no copy
}

TEST(ImportEncoding, Utf8BomIsStripped) {
    std::string body = "\xEF\xBB\xBF"
                       "Day,Ad name\n";
    DecodedText d = decode_input(body);
    EXPECT_EQ(d.encoding(), TextEncoding::Utf8Bom);
    EXPECT_EQ(d.text(), "Day,Ad name\n");
    EXPECT_STREQ(encoding_name(d.encoding()), "UTF-8 with BOM");
}

TEST(ImportEncoding, Utf16LittleEndianWithBomBecomesUtf8) {
    DecodedText d = decode_input(utf16le(u"Day\tAd\r\n2026-11-27\tFr\u00fchling \u2013 \U0001F6B6\r\n"));
    EXPECT_EQ(d.encoding(), TextEncoding::Utf16Le);
    EXPECT_EQ(d.text(), "Day\tAd\r\n2026-11-27\tFrühling – 🚶\r\n");
}

TEST(ImportEncoding, Utf16BigEndianWithBomBecomesUtf8) {
    DecodedText d = decode_input(utf16be(u"Day,Ad\n\u20ac5\n"));
    EXPECT_EQ(d.encoding(), TextEncoding::Utf16Be);
    EXPECT_EQ(d.text(), "Day,Ad\n€5\n");
}

TEST(ImportEncoding, Utf16WithoutBomIsRecognisedByItsZeroBytes) {
    EXPECT_EQ(decode_input(utf16le(u"Day,Ad\n", false)).text(), "Day,Ad\n");
    EXPECT_EQ(decode_input(utf16be(u"Day,Ad\n", false)).encoding(), TextEncoding::Utf16Be);
}

TEST(ImportEncoding, DecodedTextSurvivesMove) {
    DecodedText d = decode_input(utf16le(u"x")); // short: lives in the string's inline buffer
    DecodedText moved = std::move(d);
    EXPECT_EQ(moved.text(), "x");
}

TEST(ImportEncoding, BrokenUtf16IsRefused) {
    std::string odd = utf16le(u"Day") + "A";
    EXPECT_EQ(error_message([&] { decode_input(odd); }, ErrorKind::DataCorrupted),
              "the UTF-16 file ends in the middle of a character: it is truncated");
    std::u16string lone = u"Day\n";
    lone.push_back(static_cast<char16_t>(0xD800));
    lone += u"x";
    EXPECT_EQ(error_message([&] { decode_input(utf16le(lone)); }, ErrorKind::DataCorrupted),
              "the UTF-16 file contains a broken character (an unpaired surrogate) on line 2");
    std::u16string nul = u"Day\n";
    nul.push_back(0);
    EXPECT_EQ(
        error_message([&] { decode_input(utf16le(nul)); }, ErrorKind::DataCorrupted),
        "the UTF-16 file contains NUL characters (first on line 2), so it is a binary file, not CSV text");
}

TEST(ImportEncoding, EmptyBodyIsRefused) {
    EXPECT_EQ(error_message([] { decode_input(""); }, ErrorKind::InvalidInput),
              "the CSV file is empty (0 bytes)");
}

TEST(ImportEncoding, BinaryFormatsAreNamed) {
    struct Case {
        std::string bytes;
        std::string message;
    };
    const Case cases[] = {
        {std::string("PK\x03\x04\x14\x00", 6),
         "the file is an Excel .xlsx workbook (a ZIP archive), not CSV"},
        {std::string("PK\x05\x06", 4), "the file is a ZIP archive (an empty .xlsx workbook?), not CSV"},
        {std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", 10),
         "the file is an old Excel .xls workbook, not CSV"},
        {"%PDF-1.7\n", "the file is a PDF document, not CSV"},
        {std::string("\x1F\x8B\x08\x00", 4), "the file is a gzip-compressed file, not CSV"},
        {"\x89PNG\r\n\x1A\n", "the file is a PNG image, not CSV"},
        {"\xFF\xD8\xFF\xE0", "the file is a JPEG image, not CSV"},
        {std::string("\xFF\xFE\x00\x00", 4), "the file is UTF-32 text (not supported), not CSV"},
    };
    for (const Case &c : cases) {
        std::string hint;
        EXPECT_EQ(error_message([&] { decode_input(c.bytes); }, ErrorKind::DataCorrupted, &hint), c.message);
        EXPECT_NE(hint.find("CSV UTF-8"), std::string::npos) << hint;
    }
}

TEST(ImportEncoding, XlsxFixtureIsRefused) {
    std::string body = test::read_fixture("binary_xlsx.csv");
    std::string message = error_message([&] { decode_input(body); }, ErrorKind::DataCorrupted);
    EXPECT_EQ(message, "the file is an Excel .xlsx workbook (a ZIP archive), not CSV");
}

TEST(ImportEncoding, NulBytesAreRefusedWithTheirLine) {
    const char raw[] = "Day,Ad\r\nx,y\r\nab\0c\n";
    std::string body(raw, sizeof raw - 1);
    EXPECT_EQ(error_message([&] { decode_input(body); }, ErrorKind::DataCorrupted),
              "the file contains NUL bytes (first on line 3), so it is a binary file, not CSV text");
}

TEST(ImportEncoding, InvalidUtf8IsRefusedWithByteAndLine) {
    std::string hint;
    std::string message = error_message([] { decode_input("Ad name\nMontant d\xE9pens\xE9\n"); },
                                        ErrorKind::DataCorrupted, &hint);
    EXPECT_EQ(message, "the file is not valid UTF-8 text (byte 0xE9 on line 2)");
    EXPECT_NE(hint.find("Windows-1252"), std::string::npos);
}

TEST(ImportEncoding, Utf8ValidatorRejectsOverlongsSurrogatesAndTruncation) {
    const char *bad[] = {
        "\xC0\xAF",         // overlong '/'
        "\xE0\x80\xAF",     // overlong
        "\xED\xA0\x80",     // UTF-16 surrogate encoded in UTF-8
        "\xF4\x90\x80\x80", // above U+10FFFF
        "\xF8\x88\x80\x80", // 5-byte form
        "abc\xE2\x82",      // truncated at the end
        "12345678\x80",     // stray continuation byte after an ASCII run
    };
    for (const char *b : bad)
        EXPECT_THROW(decode_input(b), Error) << b;
    EXPECT_NO_THROW(
        decode_input("\xF0\x9F\x9A\xB6 \xE2\x82\xAC \xC2\xA0 plain ascii text longer than eight"));
}

TEST(ImportEncoding, BinarySignatureIsNullForText) {
    EXPECT_EQ(binary_signature("Day,Ad name"), nullptr);
    EXPECT_EQ(binary_signature("P"), nullptr);
}

} // namespace
} // namespace rolloy::import
