#include "core/import/platforms_0_1_0.hpp"

namespace rolloy::import {

std::vector<PlatformSpec> platforms_of_0_1_0() {
    PlatformSpec meta;
    meta.name = "meta";
    meta.label = "Meta";
    meta.spellings = {"facebook"};
    meta.detection_headers = {"Amount spent", "Reporting starts", "Link clicks"};
    meta.headers = {{"date", "Day"},
                    {"reporting_start", "Reporting starts"},
                    {"reporting_end", "Reporting ends"},
                    {"ad_name", "Ad name"},
                    {"ad_id", "Ad ID"},
                    {"campaign", "Campaign name"},
                    {"ad_group", "Ad set name"},
                    {"currency", "Currency"},
                    {"impressions", "Impressions"},
                    {"reach", "Reach"},
                    {"clicks", "Link clicks"},
                    {"clicks", "Clicks (all)"},
                    {"spend", "Amount spent"},
                    {"conversions", "Purchases"},
                    {"conversions", "Website purchases"},
                    {"conversion_value", "Purchases conversion value"},
                    {"conversion_value", "Website purchases conversion value"},
                    {"roas", "Purchase ROAS (return on ad spend)"},
                    {"roas", "Website purchase ROAS (return on ad spend)"}};
    meta.required = {"ad_name", "date|reporting_start", "impressions", "clicks", "spend"};

    PlatformSpec google;
    google.name = "google_ads";
    google.label = "Google Ads";
    google.spellings = {"google", "google ads"};
    google.detection_headers = {"Impr.", "Currency code", "Conv. value"};
    google.headers = {{"date", "Day"},
                      {"campaign", "Campaign"},
                      {"ad_group", "Ad group"},
                      {"ad_name", "Ad name"},
                      {"ad_name", "Ad"},
                      {"ad_id", "Ad ID"},
                      {"currency", "Currency code"},
                      {"impressions", "Impr."},
                      {"clicks", "Clicks"},
                      {"spend", "Cost"},
                      {"conversions", "Conversions"},
                      {"conversion_value", "Conv. value"},
                      {"conversion_value", "Total conv. value"},
                      {"roas", "Conv. value / cost"}};
    google.required = {"date", "ad_name|ad_id", "impressions", "clicks", "spend"};

    PlatformSpec tiktok;
    tiktok.name = "tiktok";
    tiktok.label = "TikTok";
    tiktok.detection_headers = {"By Day", "Clicks (destination)", "CTR (destination)", "Complete payment"};
    tiktok.headers = {{"date", "By Day"},
                      {"date", "Date"},
                      {"campaign", "Campaign name"},
                      {"ad_group", "Ad group name"},
                      {"ad_name", "Ad name"},
                      {"ad_id", "Ad ID"},
                      {"currency", "Currency"},
                      {"impressions", "Impressions"},
                      {"reach", "Reach"},
                      {"clicks", "Clicks (destination)"},
                      {"clicks", "Clicks (all)"},
                      {"spend", "Cost"},
                      {"conversions", "Conversions"},
                      {"conversion_value", "Total complete payment value"},
                      {"conversion_value", "Complete payment value"},
                      {"conversion_value", "Total purchase value"},
                      {"conversion_value", "Purchase value"},
                      {"roas", "Complete payment ROAS"},
                      {"roas", "Total complete payment ROAS"},
                      {"roas", "Purchase ROAS"},
                      {"roas", "Total purchase ROAS"}};
    tiktok.required = {"date", "ad_name", "impressions", "clicks", "spend"};

    // In the order of the table's rows as an import reads them (by name).
    return {google, meta, tiktok};
}

} // namespace rolloy::import
