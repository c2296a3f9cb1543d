// Reference-photo upload and the project ZIP download.
#include "pg/common/internal_schema.hpp"
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/storage/image_store.hpp"

#include "core/common/error.hpp"
#include "core/common/sha256.hpp"
#include "core/images/mime_sniff.hpp"
#include "core/images/thumbnail.hpp"
#include "core/images/validate.hpp"
#include "core/images/zip_writer.hpp"

extern "C" {
#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
}

using rolloy::Error;
using rolloy::ErrorKind;
using rolloy::pg::call;
using rolloy::pg::internal_sql;
using rolloy::pg::SpiConnection;

namespace {

constexpr std::size_t kMaxUploadBytes = 25u << 20;

// Builds the function's composite result from the text of each column (input functions run
// under the guard).
Datum row_datum(FunctionCallInfo fcinfo, const std::vector<rolloy::pg::SqlValue> &columns) {
    std::vector<const char *> texts;
    for (const auto &c : columns)
        texts.push_back(c ? c->c_str() : nullptr);
    return call([fcinfo, &texts] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "rolloy: function must return a row type");
        AttInMetadata *meta = TupleDescGetAttInMetadata(desc);
        HeapTuple tuple = BuildTupleFromCStrings(meta, const_cast<char **>(texts.data()));
        return HeapTupleGetDatum(tuple);
    });
}

} // namespace

ROLLOY_FUNCTION(rolloy_upload_reference_image) {
    for (int i = 0; i < 3; ++i)
        if (PG_ARGISNULL(i))
            throw Error(ErrorKind::InvalidInput, "content, file_name and product_state are required");
    std::string content = rolloy::pg::bytea_arg(fcinfo, 0);
    std::string file_name = rolloy::pg::text_arg(fcinfo, 1);
    std::string state =
        call([fcinfo] { return DatumGetCString(DirectFunctionCall1(enum_out, PG_GETARG_DATUM(2))); });
    std::string description = PG_ARGISNULL(3) ? "" : rolloy::pg::text_arg(fcinfo, 3);
    // Who uploads, first: without a rolloy identity nothing else is looked at (42501).
    SpiConnection spi;
    auto me = spi.query(internal_sql("SELECT @internal@.require_user()").c_str());
    // The limits of the columns, before the photo is decoded (and before a message quotes the
    // file name).
    rolloy::pg::check_length("file_name", file_name, 255);
    rolloy::pg::check_length("description", description, 2000);

    if (content.empty()) throw Error(ErrorKind::InvalidInput, "the file is empty");
    if (content.size() > kMaxUploadBytes)
        throw Error(ErrorKind::InvalidInput, "the file is " + std::to_string(content.size() >> 20) +
                                                 " MB; reference photos may be at most 25 MB");
    std::string mime = rolloy::images::sniff_mime(content);
    if (mime != "image/jpeg" && mime != "image/png" && mime != "image/webp")
        throw Error(ErrorKind::InvalidInput,
                    mime.empty()
                        ? "\"" + file_name + "\" is not an image (its content matches no image format)"
                        : "\"" + file_name + "\" is " + mime +
                              "; reference photos must be JPEG, PNG or WebP");
    rolloy::images::Limits limits;
    limits.max_bytes = kMaxUploadBytes;
    limits.max_width = 12000;
    limits.max_height = 12000;
    limits.max_pixels = 60'000'000;
    rolloy::images::DecodedInfo info = rolloy::images::validate(content, limits);
    if (info.upright_width() < 256 || info.upright_height() < 256)
        throw Error(ErrorKind::InvalidInput, "the photo is " + std::to_string(info.upright_width()) + "x" +
                                                 std::to_string(info.upright_height()) +
                                                 " pixels; reference photos need at least 256 on each side");
    rolloy::images::EncodedImage thumb = rolloy::images::make_thumbnail(content, 300, 70, limits);
    std::string sha = rolloy::sha256_hex(content);

    auto duplicate =
        spi.query("SELECT file_name, id FROM rolloy.reference_images WHERE sha256 = $1", {sha}, true);
    if (!duplicate.empty())
        throw Error(ErrorKind::Conflict, "this photo was already uploaded as \"" + *duplicate[0][0] + "\" (" +
                                             *duplicate[0][1] + ")");
    // The bytes go to the image store first, then the row that points at them (one transaction).
    std::string id = *spi.query("SELECT gen_random_uuid()").at(0).at(0);
    std::string ref = rolloy::pg::storage::reference_ref(id);
    rolloy::pg::storage::store_for(ref).put(spi, ref, {content, mime, thumb.bytes, sha});
    auto rows =
        spi.query("INSERT INTO rolloy.reference_images (id, product_state, file_name, mime_type, width, "
                  "height, size_bytes,"
                  "                                     sha256, storage_ref, description, uploaded_by)"
                  " VALUES ($1::uuid, $2::rolloy.product_state, $3, $4, $5::integer, $6::integer, "
                  "$7::bigint, $8, $9, $10,"
                  "         $11::uuid)"
                  " RETURNING *",
                  {id, state, file_name, mime, std::to_string(info.upright_width()),
                   std::to_string(info.upright_height()), std::to_string(content.size()), sha, ref,
                   description, *me.at(0).at(0)});
    std::vector<rolloy::pg::SqlValue> row = rows.at(0);
    spi.finish();
    // Built after SPI_finish: memory allocated while connected belongs to SPI and is freed by it.
    return row_datum(fcinfo, row);
}

ROLLOY_FUNCTION(rolloy_project_zip) {
    if (PG_ARGISNULL(0)) throw Error(ErrorKind::InvalidInput, "project_id must not be NULL");
    std::string project_id =
        call([fcinfo] { return DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(0))); });
    SpiConnection spi;
    // Runs as the caller (row-level security decides which projects exist for them); without a
    // rolloy identity it refuses, as every function that needs a user does.
    auto me = spi.query("SELECT rolloy.current_user_id()::pg_catalog.text, current_user::pg_catalog.text", {},
                        true);
    if (!me.at(0).at(0))
        throw Error(
            ErrorKind::PermissionDenied, "no rolloy user for role \"" + me.at(0).at(1).value_or("") + "\"",
            {},
            "An admin maps a login with rolloy.users.pg_role, or call through PostgREST with a JWT whose "
            "sub is a rolloy.users.id.");
    auto project = spi.query("SELECT generated_name FROM rolloy.creative_projects WHERE id = $1::uuid",
                             {project_id}, true);
    if (project.empty()) throw Error(ErrorKind::NotFound, "project " + project_id + " not found");
    auto images = spi.query("SELECT g.ad_name, g.storage_ref FROM rolloy.generated_images g"
                            " WHERE g.project_id = $1::uuid AND g.status = 'completed' ORDER BY g.variant_no",
                            {project_id}, true);
    if (images.empty())
        throw Error(ErrorKind::WrongState, "project " + *project[0][0] + " has no completed images yet");
    rolloy::images::ZipWriter zip(1000u << 20); // a bytea holds at most 1 GB
    for (const auto &row : images) {
        auto bytes =
            rolloy::pg::storage::store_for(*row[1]).get(spi, *row[1], rolloy::pg::storage::Part::Content);
        if (!bytes) throw Error(ErrorKind::Internal, "the stored file of image " + *row[0] + " is missing");
        zip.add(*row[0] + ".jpg", *bytes);
    }
    spi.finish();
    return rolloy::pg::bytea_datum(zip.finish());
}
