// SigV4 pieces of src/core/storage against AWS's published examples, and the canonical paths
// and headers the S3 client hands to libcurl 7.88 (which signs them as given).
#include "core/common/error.hpp"
#include "core/storage/s3_client.hpp"
#include "core/storage/s3_config.hpp"
#include "core/storage/object_keys.hpp"
#include "core/storage/sigv4.hpp"

#include <gtest/gtest.h>

using namespace rolloy::storage;

// docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// ("Derive a signing key"): the example secret, 20120215, us-east-1, iam.
TEST(StorageSigv4, SigningKeyOfAwsExample) {
    EXPECT_EQ(to_hex(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
              "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

// RFC 4231 test case 2: HMAC-SHA256 with a short key.
TEST(StorageSigv4, HmacRfc4231) {
    EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

PresignRequest aws_presign_example() {
    // docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html: GET test.txt of
    // examplebucket, 24 May 2013 00:00:00 UTC, valid 86400 s.
    PresignRequest r;
    r.host = "examplebucket.s3.amazonaws.com";
    r.path = "/test.txt";
    r.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    r.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    r.region = "us-east-1";
    r.signed_at = 1369353600;
    r.expires_seconds = 86400;
    return r;
}

TEST(StorageSigv4, PresignedUrlOfAwsExample) {
    const std::string query = presign_get_query(aws_presign_example());
    EXPECT_EQ(query, "X-Amz-Algorithm=AWS4-HMAC-SHA256"
                     "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                     "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                     "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(StorageSigv4, PresignCanonicalRequestOfAwsExample) {
    const PresignRequest r = aws_presign_example();
    const std::string query = presign_get_query(r);
    const std::string canonical =
        presign_canonical_request(r, query.substr(0, query.find("&X-Amz-Signature=")));
    EXPECT_EQ(canonical,
              "GET\n/test.txt\n"
              "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-"
              "1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders="
              "host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
}

TEST(StorageSigv4, PresignChangesWithEverySignedPart) {
    const std::string base = presign_get_query(aws_presign_example());
    PresignRequest r = aws_presign_example();
    r.path = "/test.txt2";
    EXPECT_NE(presign_get_query(r), base);
    r = aws_presign_example();
    r.host = "examplebucket.s3.amazonaws.com:9000";
    EXPECT_NE(presign_get_query(r), base);
    r = aws_presign_example();
    r.secret_access_key += "x";
    EXPECT_NE(presign_get_query(r), base);
}

TEST(StorageSigv4, PresignSessionTokenIsSignedInOrder) {
    PresignRequest r = aws_presign_example();
    r.session_token = "tok/en+=";
    const std::string query = presign_get_query(r);
    EXPECT_NE(query.find("&X-Amz-Expires=86400&X-Amz-Security-Token=tok%2Fen%2B%3D&X-Amz-SignedHeaders=host"),
              std::string::npos);
}

TEST(StorageSigv4, PresignRefusesExpiryOutsideSevenDays) {
    PresignRequest r = aws_presign_example();
    r.expires_seconds = 0;
    EXPECT_THROW(presign_get_query(r), rolloy::Error);
    r.expires_seconds = 604801;
    EXPECT_THROW(presign_get_query(r), rolloy::Error);
    r.expires_seconds = 604800;
    EXPECT_NO_THROW(presign_get_query(r));
}

TEST(StorageSigv4, UriEncodeKeepsOnlyUnreserved) {
    EXPECT_EQ(uri_encode("a b=c+d/é~_.-", true), "a%20b%3Dc%2Bd/%C3%A9~_.-");
    EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
    EXPECT_EQ(uri_encode("%41", true), "%2541"); // an existing escape is encoded again: keys are raw
}

TEST(StorageSigv4, AmzDate) {
    EXPECT_EQ(amz_date(1369353600), "20130524T000000Z");
    EXPECT_EQ(amz_date(0), "19700101T000000Z");
}

S3Config config(const std::string &endpoint, bool path_style = true) {
    S3Config c;
    c.endpoint = endpoint;
    c.bucket = "images";
    c.region = "eu-central-1";
    c.path_style = path_style;
    c.access_key_id = "AKID";
    c.secret_access_key = "SECRET";
    return c;
}

TEST(StorageS3Config, PathStyleUrls) {
    const ObjectLocation loc = locate(config("http://127.0.0.1:9000"), "generated/p 1/x=y.jpg");
    EXPECT_EQ(loc.authority, "127.0.0.1:9000");
    EXPECT_EQ(loc.path, "/images/generated/p%201/x%3Dy.jpg");
    EXPECT_EQ(loc.url(), "http://127.0.0.1:9000/images/generated/p%201/x%3Dy.jpg");
    EXPECT_EQ(locate(config("http://127.0.0.1:9000"), "").path, "/images");
}

TEST(StorageS3Config, VirtualHostedUrls) {
    const ObjectLocation loc = locate(config("https://s3.eu-central-1.amazonaws.com", false), "a/b.jpg");
    EXPECT_EQ(loc.url(), "https://images.s3.eu-central-1.amazonaws.com/a/b.jpg");
    EXPECT_EQ(locate(config("https://s3.eu-central-1.amazonaws.com", false), "").path, "/");
}

TEST(StorageS3Config, SupabaseBasePathAndDefaultPort) {
    const ObjectLocation loc = locate(config("https://abcd.supabase.co:443/storage/v1/s3/"), "k.jpg");
    EXPECT_EQ(loc.authority, "abcd.supabase.co"); // the Host header browsers and libcurl send
    EXPECT_EQ(loc.url(), "https://abcd.supabase.co/storage/v1/s3/images/k.jpg");
}

TEST(StorageS3Config, RefusesBadSettingsWithoutShowingSecrets) {
    EXPECT_THROW(validate(config("ftp://x")), rolloy::Error);
    EXPECT_THROW(validate(config("http://user:pw@host")), rolloy::Error);
    S3Config c = config("http://host");
    c.bucket = "Bad_Bucket";
    EXPECT_THROW(validate(c), rolloy::Error);
    c = config("http://host");
    c.secret_access_key.clear();
    try {
        validate(c);
        FAIL();
    } catch (const rolloy::Error &e) {
        EXPECT_STREQ(e.what(), "no S3 credentials are set");
    }
    EXPECT_NO_THROW(validate(config("http://host")));
}

TEST(StorageS3Client, HeadersLibcurlSigns) {
    S3Config c = config("http://host");
    auto h = request_headers(c, kEmptyPayloadSha256, "");
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0], std::string("x-amz-content-sha256: ") + kEmptyPayloadSha256);
    c.session_token = "TOKEN";
    h = request_headers(c, std::string(64, 'a'), "image/jpeg");
    ASSERT_EQ(h.size(), 3u);
    EXPECT_EQ(h[1], "Content-Type: image/jpeg");
    EXPECT_EQ(h[2], "x-amz-security-token: TOKEN");
    for (const std::string &header : h)
        EXPECT_NE(header.back(), ':'); // no removal entries: 7.88 signs them
    EXPECT_EQ(sigv4_option(c), "aws:amz:eu-central-1:s3");
}

TEST(StorageS3Client, ParsesErrorsAndListings) {
    auto [code, message] =
        parse_error_body("<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>a &amp; "
                         "b</Message></Error>");
    EXPECT_EQ(code, "SignatureDoesNotMatch");
    EXPECT_EQ(message, "a & b");
    ListPage page = parse_list_page(
        "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a/1.jpg</Key>"
        "<LastModified>2013-05-24T00:00:01.000Z</LastModified></Contents><Contents><Key>a/&lt;2&gt;</Key>"
        "<LastModified>2013-05-24T00:00:00.000Z</LastModified></Contents>"
        "<NextContinuationToken>tok+1</NextContinuationToken></ListBucketResult>");
    ASSERT_EQ(page.objects.size(), 2u);
    EXPECT_EQ(page.objects[0].key, "a/1.jpg");
    EXPECT_EQ(page.objects[0].last_modified, 1369353601);
    EXPECT_EQ(page.objects[1].key, "a/<2>");
    EXPECT_EQ(page.next_token, "tok+1");
    EXPECT_TRUE(parse_list_page("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
                    .next_token.empty());
}

TEST(StorageObjectKeys, RefsAndKeys) {
    const std::string ref = s3_generated_ref("p", "i", std::string(64, 'a'));
    EXPECT_EQ(ref, "s3:generated/p/i/" + std::string(64, 'a'));
    EXPECT_EQ(content_key(ref), "generated/p/i/" + std::string(64, 'a'));
    EXPECT_EQ(ref_of_key(content_key(ref)), ref);
    // The thumbnail object of an earlier build belongs to its image's reference (the sweep
    // deletes it with the image).
    EXPECT_EQ(ref_of_key(content_key(ref) + ".thumbnail"), ref);
    EXPECT_FALSE(ref_of_key("someone-elses/file.jpg"));
    EXPECT_THROW(content_key("db:generated/p/i"), rolloy::Error);
    EXPECT_THROW(content_key("s3:"), rolloy::Error);
}
