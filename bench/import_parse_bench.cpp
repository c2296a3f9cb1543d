// Throughput of the performance-CSV import core, from memory: the CSV reader alone, and the full
// parse (decode + header + conventions + every row normalised) of generated Meta and Google Ads
// exports. Rows/s is reported as items_per_second. The import's target is a 1,000,000-row file
// within 3x of Postgres COPY of the same rows.
#include "core/import/csv_reader.hpp"
#include "core/import/export_parser.hpp"
#include "core/import/platforms_0_1_0.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using namespace rolloy::import;

// A Meta Ads Manager daily export with its usual 23 columns, raw numbers as Meta writes them.
std::string meta_export(int rows) {
    std::string body =
        "\xEF\xBB\xBFReporting starts,Reporting ends,Day,Campaign name,Ad set name,Ad name,Ad ID,Ad delivery,"
        "Attribution setting,Results,Result indicator,Amount spent (USD),Impressions,Reach,Frequency,Link "
        "clicks,"
        "CTR (link click-through rate),CPC (cost per link click) (USD),Clicks (all),Purchases,"
        "Purchases conversion value,Purchase ROAS (return on ad spend),Cost per results\n";
    body.reserve(static_cast<std::size_t>(rows) * 330);
    for (int i = 0; i < rows; ++i) {
        int day = 1 + i % 28, impressions = 1000 + (i * 7919) % 50000, clicks = impressions / 60;
        body += "2026-11-01,2026-11-30,2026-11-";
        body += (day < 10 ? "0" : "") + std::to_string(day);
        body += ",BF26_Rollator_Prospecting,Seniors 65+ US,2026112";
        body += std::to_string(i % 10);
        body += "_OUT_PARK_WALK_JOY_UGC_v" + std::to_string(i % 97) + ",1202100000" +
                std::to_string(10000000 + i);
        body += ",active,\"7-day click, 1-day view, or 1-day engaged-view\",12,"
                "actions:offsite_conversion.fb_pixel_purchase,";
        body += std::to_string(10 + i % 500) + "." + std::to_string(10 + i % 90) + ",";
        body += std::to_string(impressions) + "," + std::to_string(impressions * 2 / 3) + ",1.54800,";
        body += std::to_string(clicks) + ",1.54566,0.46915," + std::to_string(clicks * 3 / 2) + ",";
        body += std::to_string(i % 20) + "," + std::to_string(i % 20 * 87) + ".99,6.54429,13.29250\n";
    }
    return body;
}

// A Google Ads report: title and date-range lines, quoted thousands, percents and "--".
std::string google_export(int rows) {
    std::string body = "Ad report\n\"November 1, 2026 - November 30, 2026\",,,,,,,,,,,,\n"
                       "Day,Campaign,Ad group,Ad name,Ad ID,Currency code,Impr.,Clicks,CTR,Avg. CPC,Cost,"
                       "Conversions,Conv. value\n";
    body.reserve(static_cast<std::size_t>(rows) * 200);
    for (int i = 0; i < rows; ++i) {
        int impressions = 1000 + (i * 7919) % 50000;
        body += "2026-11-27,BF26 Search Rollators,Rollator - lightweight,20261127_OUT_PARK_WALK_JOY_UGC_v";
        body += std::to_string(i % 97) + ",7123456" + std::to_string(10000 + i) + ",USD,\"";
        body += std::to_string(impressions / 1000) + "," + std::to_string(100 + impressions % 900) + "\",";
        body +=
            std::to_string(impressions / 60) + ",3.00%,0.85,\"1," + std::to_string(100 + i % 900) + ".45\",";
        body += (i % 5 == 0 ? std::string("--,--") : "2.50,\"1,099.90\"");
        body += "\n";
    }
    return body + "Total: Account,--,--,--,--,USD,\"13,988\",163,1.17%,0.94,153.04,3.50,\"1,248.90\"\n";
}

void BM_CsvReaderOnly(benchmark::State &state) {
    const std::string body = meta_export(static_cast<int>(state.range(0)));
    std::size_t records = 0;
    for (auto _ : state) {
        CsvReader reader(body, ',');
        CsvRecord record;
        records = 0;
        while (reader.next(record))
            ++records;
        benchmark::DoNotOptimize(records);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(records));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
}

void run_parse(benchmark::State &state, const std::string &body) {
    static const PlatformCatalog catalog(platforms_of_0_1_0()); // as an import reads rolloy.ad_platforms
    ParseOptions options;
    options.catalog = &catalog;
    std::size_t rows = 0;
    for (auto _ : state) {
        ExportParser parser(body, options);
        PerformanceRow row;
        RowProblem problem;
        std::int64_t impressions = 0;
        while (parser.next(row, problem) != ExportParser::Event::End)
            impressions += row.impressions.value_or(0);
        benchmark::DoNotOptimize(impressions);
        rows = parser.stats().rows;
        if (parser.stats().problems != 0) state.SkipWithError("generated rows must all be valid");
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(rows));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
}

void BM_ParseMetaExport(benchmark::State &state) {
    run_parse(state, meta_export(static_cast<int>(state.range(0))));
}
void BM_ParseGoogleExport(benchmark::State &state) {
    run_parse(state, google_export(static_cast<int>(state.range(0))));
}

BENCHMARK(BM_CsvReaderOnly)->Arg(200000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseMetaExport)->Arg(200000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseGoogleExport)->Arg(200000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
