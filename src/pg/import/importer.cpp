#include "pg/import/importer.hpp"

#include "pg/common/internal_schema.hpp"
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/import/ad_resolver.hpp"
#include "pg/import/array_builder.hpp"
#include "pg/import/chunk_writer.hpp"
#include "pg/import/creative_matcher.hpp"
#include "pg/import/import_settings.hpp"
#include "pg/import/key_ledger.hpp"
#include "pg/import/legacy_chunk_writer.hpp"
#include "pg/import/pending_chunk.hpp"
#include "pg/import/platform_loader.hpp"
#include "pg/import/problem_log.hpp"

extern "C" {
#include "executor/spi.h"
}

#include "core/common/error.hpp"
#include "core/common/sha256.hpp"
#include "core/import/export_parser.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace rolloy::pg {
namespace {

using import::ExportParser;
using import::Field;

// Ad names and ids (indexed; btree entries are capped), campaign and ad group names: the
// *_length CHECKs of rolloy.performance_data.
constexpr std::size_t kMaxKeyBytes = 1000;
constexpr std::size_t kMaxDetailBytes = 900; // the guard keeps up to 1023 bytes of DETAIL

enum class OnError { RejectFile, SkipRow };

OnError parse_on_error(const std::string &text) {
    if (text == "reject_file") return OnError::RejectFile;
    if (text == "skip_row") return OnError::SkipRow;
    throw Error(ErrorKind::InvalidInput,
                "unknown on_error \"" + std::string(utf8_prefix(text, 40)) +
                    "\": use 'reject_file' or 'skip_row'",
                "reject_file (the default) imports nothing when any row has a problem; skip_row imports the "
                "other rows and lists the problems in the batch's errors.");
}

// Days since 2000-01-01 (Postgres' DateADT) of a valid calendar date.
std::int32_t date_adt(const import::Date &d) {
    int y = d.year - (d.month <= 2 ? 1 : 0);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int mp = d.month + (d.month > 2 ? -3 : 9);
    int doy = (153 * mp + 2) / 5 + d.day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - 10957; // days since 1970-01-01, then since 2000-01-01
}

std::string unpack_currency(std::uint32_t code) {
    if (code == 0) return "no currency";
    return std::string{char((code >> 16) & 0xFF), char((code >> 8) & 0xFF), char(code & 0xFF)};
}

class Import {
  public:
    Import(const ImportRequest &request, SpiConnection &spi) : request_(request), spi_(spi) {}

    Datum run();

  private:
    void check_database();
    void start_batch(const ExportParser &parser);
    void read_all(ExportParser &parser);
    void take_row(const import::PerformanceRow &row);
    void problem(std::size_t line, std::string_view reason, const std::vector<import::ProblemCause> &causes);
    void problem(std::size_t line, const std::string &reason, std::string cause);
    void flush();
    void reject_if_problems(const ExportParser &parser);
    std::vector<std::string> warnings(const ExportParser &parser) const;
    Datum finish_batch(const ExportParser &parser);
    const std::string &header_of(Field field) const { return headers_[static_cast<std::size_t>(field)]; }

    const ImportRequest &request_;
    SpiConnection &spi_;
    OnError on_error_ = OnError::RejectFile;
    import::PlatformCatalog platforms_; // rolloy.ad_platforms as this import found it
    std::optional<std::string> imported_by_;
    std::string platform_, requested_platform_;
    bool has_day_column_ = false;
    std::vector<std::string> headers_;
    std::int64_t batch_id_ = 0;

    CreativeMatcher matcher_;
    AdResolver ads_;
    KeyLedger ledger_;
    std::optional<PendingChunk> chunk_;
    bool star_ = true; // rolloy.ads and its days (0.2.0); false: 0.1.0's performance_data table
    std::optional<ChunkWriter> writer_;
    std::optional<LegacyChunkWriter> legacy_writer_;
    bool writing_ = true; // false once reject_file has a problem: the rest is only checked
    std::int64_t chunk_earlier_keys_ = 0;

    ProblemLog problems_;
    std::int64_t good_lines_ = 0, unmatched_ = 0, inserted_ = 0, updated_ = 0, range_rows_ = 0;
    bool value_from_roas_ = false;
    std::string damaged_example_; // the first damaged Ad ID, for the warning
    std::optional<std::int32_t> date_from_, date_to_;
};

Datum Import::run() {
    auto who = spi_.query(pg::internal_sql("SELECT @internal@._require_admin_or_superuser("
                                           "'import ad performance', @internal@._importer_hint())::text")
                              .c_str());
    imported_by_ = who.at(0).at(0);
    check_length("source_name", request_.source_name, 255);
    on_error_ = parse_on_error(request_.on_error);
    platforms_ = load_platform_catalog(spi_);
    import::ParseOptions options;
    options.catalog = &platforms_;
    options.platform = platforms_.resolve(request_.platform); // throws, naming the choices
    requested_platform_ = options.platform ? options.platform->name : "auto";
    check_database();

    ExportParser parser(request_.body, options);
    platform_ = parser.info().platform->name;
    headers_.resize(import::kFieldCount);
    for (std::size_t f = 0; f < import::kFieldCount; ++f)
        headers_[f] = import::field_name(static_cast<Field>(f));
    for (const auto &[field, header] : parser.info().columns)
        headers_[static_cast<std::size_t>(field)] = header;
    for (const auto &column : parser.info().columns)
        has_day_column_ |= column.first == Field::Date;

    // One import per platform at a time: a chunk written with a plain INSERT (its keys probed
    // absent) must not meet the same keys from a concurrent import. The lock is the platform's row
    // in rolloy_internal.import_locks, which no member can read, let alone lock: an advisory key
    // (0.1.0) can be taken by any session and so block every admin's import. A database still on
    // the 0.1.0 objects (this library before ALTER EXTENSION rolloy UPDATE) has no such table and
    // keeps the advisory key there.
    star_ = std::string_view(internal_schema()) == "rolloy_internal";
    if (star_) {
        spi_.execute("INSERT INTO rolloy_internal.import_locks (platform) VALUES ($1::rolloy.ad_platform)"
                     " ON CONFLICT (platform) DO NOTHING",
                     {platform_});
        spi_.execute("SELECT 1 FROM rolloy_internal.import_locks l WHERE l.platform = $1::rolloy.ad_platform"
                     " FOR UPDATE",
                     {platform_});
    } else {
        spi_.execute(
            "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('rolloy.import_performance'),"
            " pg_catalog.hashtext($1))",
            {platform_});
    }
    matcher_.load(spi_);
    if (star_) ads_.load(spi_, platform_);
    start_batch(parser);
    chunk_.emplace(static_cast<std::size_t>(import_chunk_rows));
    if (star_)
        writer_.emplace(batch_id_);
    else
        legacy_writer_.emplace(platform_, batch_id_);
    read_all(parser);
    flush();
    if (writing_ && star_) {
        ads_.write_touched(spi_);
        unmatched_ += ads_.held_back_unlinked_lines();
        writer_->report_paths();
    }
    reject_if_problems(parser);
    return finish_batch(parser);
}

void Import::check_database() {
    auto rows = spi_.query("SELECT pg_catalog.getdatabaseencoding()::text", {}, true);
    std::string encoding = rows.at(0).at(0).value_or("");
    if (encoding != "UTF8")
        throw Error(ErrorKind::FeatureMissing, "rolloy imports exports only into UTF8 databases",
                    "Ad names are stored as UTF-8; this database's encoding is " + encoding + ".");
}

void Import::start_batch(const ExportParser &parser) {
    const auto &info = parser.info();
    auto rows = spi_.query("INSERT INTO rolloy.import_batches (platform, requested_platform, imported_by, "
                           "source_name, source_sha256,"
                           "                                   on_error, encoding, delimiter)"
                           " VALUES ($1::rolloy.ad_platform, $2, $3::uuid, $4, $5, $6, $7, $8) RETURNING id",
                           {platform_, requested_platform_, imported_by_, request_.source_name,
                            sha256_hex(request_.body), request_.on_error,
                            std::string(import::encoding_name(info.encoding)),
                            std::string(import::delimiter_name(info.delimiter))});
    batch_id_ = std::stoll(*rows.at(0).at(0));
}

void Import::read_all(ExportParser &parser) {
    import::PerformanceRow row;
    import::RowProblem row_problem;
    for (std::size_t events = 1;; ++events) {
        if (events % 4096 == 0) call([] { CHECK_FOR_INTERRUPTS(); });
        ExportParser::Event event = parser.next(row, row_problem);
        if (event == ExportParser::Event::End) return;
        if (event == ExportParser::Event::Problem)
            problem(row_problem.line, row_problem.reason, row_problem.causes);
        else
            take_row(row);
    }
}

void Import::problem(std::size_t line, std::string_view reason,
                     const std::vector<import::ProblemCause> &causes) {
    problems_.add(line, reason, causes);
    if (on_error_ == OnError::RejectFile) writing_ = false;
}

void Import::problem(std::size_t line, const std::string &reason, std::string cause) {
    problem(line, reason, {import::ProblemCause{std::move(cause), import::Remedy::FixRows}});
}

void Import::take_row(const import::PerformanceRow &row) {
    // Checks the parser leaves to the table: key lengths, and the clicks <= impressions rule
    // for a row whose impressions cell is empty (stored as 0).
    for (auto [field, text] :
         {std::pair{Field::AdName, row.ad_name}, std::pair{Field::AdId, row.ad_id},
          std::pair{Field::Campaign, row.campaign}, std::pair{Field::AdGroup, row.ad_group}})
        if (text.size() > kMaxKeyBytes) {
            std::string reason = header_of(field) + " is longer than 1000 bytes";
            return problem(row.line, reason, reason);
        }
    if (!row.impressions && row.clicks && *row.clicks > 0)
        return problem(row.line,
                       header_of(Field::Clicks) + " (" + std::to_string(*row.clicks) + ") but " +
                           header_of(Field::Impressions) + " is empty",
                       header_of(Field::Clicks) + " without " + header_of(Field::Impressions));

    const CreativeMatch &match = matcher_.match(row.ad_name);
    ImportLine line;
    line.line = row.line;
    line.report_date = date_adt(row.date);
    bool range = !has_day_column_ && row.covers_range();
    line.period_end = range ? date_adt(*row.reporting_end) : line.report_date;
    AdLine ad_line;
    ad_line.ad_id = row.ad_id; // empty: matched by name (src/pg/import/ad_resolver.hpp)
    ad_line.ad_name = row.ad_name;
    ad_line.campaign = row.campaign;
    ad_line.ad_group = row.ad_group;
    ad_line.match = &match;
    ad_line.report_date = line.report_date;
    ad_line.period_end = line.period_end;
    ad_line.damaged_ad_id = row.damaged_ad_id;
    line.ad = ads_.resolve(ad_line);
    if (line.ad == AdResolver::kContradicts) // never merged into an ad that is another one
        return problem(
            row.line,
            header_of(Field::AdId) + " " + std::string(utf8_prefix(row.damaged_ad_id, 30)) +
                " (damaged by a spreadsheet) does not fit the ad id " +
                std::string(utf8_prefix(ads_.contradicted_id(), 40)) + " of the ad named \"" +
                std::string(utf8_prefix(row.ad_name, 100)) + "\"",
            {import::ProblemCause{header_of(Field::AdId) +
                                      " damaged by a spreadsheet contradicts the ad its name matches",
                                  import::Remedy::Spreadsheet}});
    line.currency = row.currency;
    line.impressions = row.impressions.value_or(0);
    line.clicks = row.clicks.value_or(0);
    line.reach = row.reach;
    line.spend = row.spend ? row.spend->micros : 0;
    line.conversions = row.conversions ? row.conversions->micros : 0;
    line.conversion_value = row.conversion_value ? row.conversion_value->micros : 0;

    PendingChunk::Result result = chunk_->add(line, ledger_);
    switch (result.outcome) {
    case PendingChunk::Outcome::OtherCurrency:
        return problem(row.line,
                       "the same ad and day " +
                           (result.other_line ? "is on line " + std::to_string(result.other_line)
                                              : std::string("came earlier in the file")) +
                           " in " + unpack_currency(result.other_currency) + ", this line is in " +
                           std::string(row.currency),
                       "the same ad and day came in another currency before");
    case PendingChunk::Outcome::TooLarge:
        return problem(row.line,
                       "added to line " + std::to_string(result.other_line) +
                           " of the same ad and day, the numbers are too large",
                       "the sum of the lines of one ad and day is too large");
    case PendingChunk::Outcome::AddedToEarlier:
        ++chunk_earlier_keys_;
        break;
    case PendingChunk::Outcome::Added:
    case PendingChunk::Outcome::Summed:
        break;
    }
    ++good_lines_;
    if (!match.has_project)
        ++unmatched_;
    else if (star_)
        ++ads_[line.ad].matched_lines; // unmatched after all if its link is held back (write_touched)
    if (range) ++range_rows_;
    value_from_roas_ |= row.conversion_value_from_roas;
    if (!row.damaged_ad_id.empty() && damaged_example_.empty())
        damaged_example_ = utf8_prefix(row.damaged_ad_id, 30);
    if (!date_from_ || line.report_date < *date_from_) date_from_ = line.report_date;
    if (!date_to_ || line.period_end > *date_to_) date_to_ = line.period_end;
    if (chunk_->full()) flush();
}

void Import::flush() {
    if (writing_ && !chunk_->empty()) {
        ChunkWriter::Written w;
        if (star_) {
            ads_.write_new(spi_, platform_); // the day rows refer to the ads' ids
            w = writer_->write(*chunk_, chunk_earlier_keys_ > 0, ads_);
        } else {
            LegacyChunkWriter::Written l = legacy_writer_->write(*chunk_, chunk_earlier_keys_ > 0, ads_);
            w.inserted = l.inserted;
            w.touched = l.touched;
        }
        inserted_ += w.inserted;
        // Rows touched that are neither new nor a key an earlier chunk wrote: rows of earlier imports.
        updated_ += w.touched - w.inserted - chunk_earlier_keys_;
    }
    chunk_->clear();
    chunk_earlier_keys_ = 0;
}

void Import::reject_if_problems(const ExportParser &parser) {
    const auto &stats = parser.stats();
    if (stats.rows + stats.problems == 0)
        throw Error(ErrorKind::InvalidInput, "the export has no data rows; nothing was imported",
                    "The header is on line " + std::to_string(parser.info().header_line) +
                        (stats.summary_rows ? "; the only other lines are " +
                                                  std::to_string(stats.summary_rows) + " total line(s)."
                                            : " and no line follows it."),
                    "Export the report again with at least one day of data.");
    if (problems_.count() == 0) return;
    std::size_t read = stats.rows + stats.problems;
    std::string remedies = problems_.remedies();
    if (good_lines_ == 0) // skip_row too: an import of nothing is no success
        throw Error(
            ErrorKind::InvalidText,
            read == 1
                ? std::string("no usable row: the export's only row has a problem; nothing was imported")
                : "no usable row: all " + std::to_string(read) +
                      " rows of the export have problems; nothing was imported",
            problems_.detail(kMaxDetailBytes),
            remedies.empty() ? "Correct the rows and import again." : remedies);
    if (on_error_ != OnError::RejectFile) return;
    throw Error(
        ErrorKind::InvalidText,
        std::to_string(problems_.count()) + " of " + std::to_string(read) + " rows of the export " +
            (problems_.count() == 1 ? "has a problem" : "have problems") + "; nothing was imported",
        problems_.detail(kMaxDetailBytes),
        (remedies.empty() ? std::string("Correct these rows") : remedies + " Or correct the rows") +
            " and import again, or call with on_error => 'skip_row' to import the other rows and keep "
            "the problems in the batch's errors.");
}

std::vector<std::string> Import::warnings(const ExportParser &parser) const {
    const auto &info = parser.info();
    std::vector<std::string> out;
    if (info.conventions.date_order_guessed)
        out.push_back(
            "Every slashed date was ambiguous (like 03/04/2026); they were read month first (US order). "
            "Check a few dates.");
    if (info.conventions.decimal_mark_guessed && info.delimiter == ';')
        out.push_back(
            "No number showed the decimal mark; a decimal comma was assumed, as usual in ';' files.");
    if (value_from_roas_)
        out.push_back(
            "The export has no conversion value column: conversion_value was computed as ROAS x spend.");
    if (range_rows_ > 0)
        out.push_back(std::to_string(range_rows_) + (range_rows_ == 1 ? " row covers" : " rows cover") +
                      " more than one day (the export has no Day column): stored under the first day, with "
                      "period_end. Export with Breakdown > Time > Day for daily rows.");
    if (ads_.ambiguous_lines() > 0)
        out.push_back(std::to_string(ads_.ambiguous_lines()) +
                      (ads_.ambiguous_lines() == 1 ? " line has" : " lines have") +
                      " no ad id and a name that several ads with ids share: they were kept under that name, "
                      "apart from those ads' days. Export with the Ad ID column to match them.");
    if (std::int64_t held = ads_.held_back_ads())
        out.push_back(std::to_string(held) + (held == 1 ? " ad names a creative" : " ads name creatives") +
                      " that another session held locked; " + (held == 1 ? "it was" : "they were") +
                      " left unlinked for now. rolloy.rematch_performance() or the next import links them.");
    if (std::int64_t apart = ads_.kept_apart_ads())
        out.push_back(std::to_string(apart) + (apart == 1 ? " ad was" : " ads were") +
                      " kept apart from the ad of the same name: the Ad ID in this file contradicts what is "
                      "left of the ID an earlier re-saved export had (" +
                      ads_.kept_apart_example() +
                      "), so its days were not merged into that ad's. Delete the other ad's days if both are "
                      "the same ad.");
    if (std::size_t damaged = parser.stats().damaged_ids)
        out.push_back("A spreadsheet turned the Ad ID column into scientific notation (like " +
                      std::string(damaged_example_) + "), which loses the last digits: " +
                      std::to_string(damaged) + (damaged == 1 ? " row was" : " rows were") +
                      " matched by ad name instead of ID. Format the column as text before saving, or import "
                      "the file as "
                      "the ad platform exported it.");
    if (parser.stats().mixed_currencies)
        out.push_back(
            "The rows are in several currencies: each row keeps its own, the batch's currency is empty.");
    return out;
}

Datum Import::finish_batch(const ExportParser &parser) {
    const auto &stats = parser.stats();
    std::optional<std::string> currency;
    if (!stats.mixed_currencies && !stats.currency.empty()) currency = stats.currency;
    std::vector<std::string> notes = warnings(parser);
    const auto &kept = problems_.kept();

    constexpr int kArgs = 14;
    Oid types[kArgs] = {INT8OID, TEXTOID, DATEOID, DATEOID, INT4OID,      INT4OID,      INT4OID,
                        INT4OID, INT4OID, INT4OID, INT4OID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
    Datum values[kArgs];
    char nulls[kArgs];
    for (char &n : nulls)
        n = ' ';
    values[0] = Int64GetDatum(batch_id_);
    if (currency)
        values[1] = text_datum(*currency);
    else
        nulls[1] = 'n';
    values[2] = Int32GetDatum(date_from_.value_or(0));
    values[3] = Int32GetDatum(date_to_.value_or(0));
    if (!date_from_) nulls[2] = nulls[3] = 'n';
    std::int64_t read = static_cast<std::int64_t>(stats.rows + stats.problems);
    std::int64_t counts[7] = {read,
                              inserted_,
                              updated_,
                              good_lines_ - inserted_ - updated_,
                              unmatched_,
                              static_cast<std::int64_t>(problems_.count()),
                              static_cast<std::int64_t>(stats.summary_rows)};
    for (int i = 0; i < 7; ++i)
        values[4 + i] = Int32GetDatum(static_cast<std::int32_t>(counts[i]));
    MemoryContext here = CurrentMemoryContext;
    values[11] = int8_array(here, kept.size(),
                            [&](std::size_t i) { return std::optional<std::int64_t>(kept[i].line); });
    values[12] = text_array(here, kept.size(),
                            [&](std::size_t i) { return std::optional<std::string_view>(kept[i].reason); });
    values[13] = text_array(here, notes.size(),
                            [&](std::size_t i) { return std::optional<std::string_view>(notes[i]); });

    static const char *kFinish =
        "UPDATE rolloy.import_batches b"
        "   SET currency = $2, date_from = $3, date_to = $4, rows_read = $5, rows_inserted = $6,"
        "       rows_updated = $7, rows_merged = $8, rows_unmatched = $9, rows_rejected = $10, rows_summary "
        "= $11,"
        "       errors = coalesce((SELECT jsonb_agg(jsonb_build_object('line', e.line, 'reason', e.reason) "
        "ORDER BY e.n)"
        "                            FROM unnest($12, $13) WITH ORDINALITY AS e(line, reason, n)), '[]'),"
        "       warnings = $14, finished_at = clock_timestamp()"
        " WHERE b.id = $1 RETURNING b";
    Oid *t = types;
    Datum *v = values;
    char *n = nulls;
    return call([t, v, n] {
        int rc = SPI_execute_with_args(kFinish, kArgs, t, v, n, false, 0);
        if (rc != SPI_OK_UPDATE_RETURNING || SPI_processed != 1)
            elog(ERROR, "rolloy: completing the import batch failed: %s", SPI_result_code_string(rc));
        bool isnull;
        Datum row = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        return SPI_datumTransfer(row, false, -1); // into the function's context, survives SPI_finish
    });
}

} // namespace

Datum run_import(const ImportRequest &request) {
    SpiConnection spi;
    Datum batch;
    {
        Import import(request, spi); // destroyed before SPI_finish, also on every error path
        batch = import.run();
    }
    spi.finish();
    return batch;
}

} // namespace rolloy::pg
