#include "core/providers/registry.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

namespace rolloy::providers {
namespace {

TEST(Registry, FindsProvidersByName) {
    ASSERT_NE(find_text_provider("gemini"), nullptr);
    EXPECT_EQ(find_text_provider("gemini")->name(), "gemini");
    ASSERT_NE(find_image_provider("gemini"), nullptr);
    ASSERT_NE(find_image_provider("fal"), nullptr);
    EXPECT_EQ(find_image_provider("fal")->name(), "fal");
    EXPECT_EQ(find_image_provider("nope"), nullptr);
    EXPECT_EQ(find_text_provider("fal"), nullptr);
    EXPECT_EQ(find_provider("preview"), nullptr); // local providers are not remote entries
    EXPECT_EQ(find_provider(""), nullptr);
}

TEST(Registry, ListsNamesInRegistryOrder) {
    EXPECT_EQ(text_provider_names(), (std::vector<std::string_view>{"gemini"}));
    const auto images = image_provider_names();
    EXPECT_EQ(images, (std::vector<std::string_view>{"gemini", "fal", "replicate"}));
}

// Every entry is complete: what SQL, the GUCs, the worker and the price list need of it.
TEST(Registry, EveryEntryHasSettingsPricesAndAnAdapter) {
    const std::regex provider_name("^[a-z][a-z0-9_]{1,31}$"); // provider_secrets' CHECK
    std::set<std::string> names, gucs;
    ASSERT_FALSE(registry().empty());
    for (const ProviderEntry &p : registry()) {
        const std::string name(p.name);
        SCOPED_TRACE(name);
        EXPECT_TRUE(std::regex_match(name, provider_name));
        EXPECT_TRUE(names.insert(name).second) << "listed twice";
        EXPECT_NE(name, "preview");
        EXPECT_NE(name, "template");
        EXPECT_NE(name, "auto");
        EXPECT_TRUE(p.text.adapter || p.image.adapter) << "no adapter";

        EXPECT_EQ(p.base_url.guc, name + "_base_url");
        EXPECT_FALSE(p.base_url.description.empty());
        EXPECT_EQ(p.base_url.default_value.substr(0, 8), "https://");
        EXPECT_EQ(p.concurrency.guc, "concurrency_" + name);
        EXPECT_FALSE(p.concurrency.description.empty());
        EXPECT_GE(p.concurrency.default_value, 1);
        EXPECT_LE(p.concurrency.default_value, 256);
        for (std::string_view guc : {p.base_url.guc, p.concurrency.guc, p.text.model.guc, p.image.model.guc})
            if (!guc.empty()) {
                EXPECT_TRUE(gucs.insert(std::string(guc)).second) << guc << " twice";
            }

        if (p.text.adapter) {
            EXPECT_EQ(p.text.adapter->name(), p.name);
            EXPECT_EQ(p.text.model.guc, name + "_text_model");
            EXPECT_FALSE(p.text.model.description.empty());
            EXPECT_FALSE(p.text.model.default_value.empty());
            EXPECT_FALSE(p.text.price_units.empty());
        } else {
            EXPECT_TRUE(p.text.model.guc.empty());
            EXPECT_TRUE(p.text.price_units.empty());
        }
        if (p.image.adapter) {
            EXPECT_EQ(p.image.adapter->name(), p.name);
            EXPECT_EQ(p.image.model.guc, name + "_image_model");
            EXPECT_FALSE(p.image.model.description.empty());
            EXPECT_FALSE(p.image.model.default_value.empty());
            EXPECT_FALSE(p.image.price_units.empty());
        } else {
            EXPECT_TRUE(p.image.model.guc.empty());
            EXPECT_TRUE(p.image.price_units.empty());
        }
        // The units provider_prices knows (its CHECK) and the budget estimates read.
        const std::set<std::string_view> units = {"image", "megapixel", "input_token_1m", "output_token_1m",
                                                  "call"};
        for (std::string_view u : p.text.price_units)
            EXPECT_TRUE(units.count(u)) << u;
        for (std::string_view u : p.image.price_units) {
            EXPECT_TRUE(units.count(u)) << u;
            // estimated_image_cost() reserves image and megapixel prices only.
            EXPECT_TRUE(u == "image" || u == "megapixel") << u;
        }
        for (const OptionSetting &o : p.options) {
            EXPECT_EQ(o.guc.substr(0, name.size() + 1), name + "_") << o.guc;
            EXPECT_FALSE(o.option.empty());
            EXPECT_FALSE(o.description.empty());
            EXPECT_LE(o.min, o.default_value);
            EXPECT_LE(o.default_value, o.max);
            EXPECT_TRUE(gucs.insert(std::string(o.guc)).second) << o.guc << " twice";
        }
        EXPECT_EQ(find_provider(p.name), &p);
    }
}

// Options that depend on the model: one table in the registry, applied under what is set.
TEST(Registry, ModelOptions) {
    ProviderConfig dev;
    dev.model = "black-forest-labs/flux-dev";
    apply_model_options("replicate", dev);
    EXPECT_EQ(dev.options, (std::map<std::string, std::string>{{"num_outputs", "1"}}));
    ProviderConfig kontext;
    kontext.model = "black-forest-labs/flux-kontext-pro";
    kontext.options["prefer_wait"] = "5";
    apply_model_options("replicate", kontext);
    EXPECT_EQ(kontext.options,
              (std::map<std::string, std::string>{{"image_input", "input_image"}, {"prefer_wait", "5"}}));
    ProviderConfig set;
    set.model = "black-forest-labs/flux-dev";
    set.options["num_outputs"] = "2"; // set otherwise: kept
    apply_model_options("replicate", set);
    EXPECT_EQ(set.option("num_outputs"), "2");
    ProviderConfig other;
    other.model = "black-forest-labs/flux-dev";
    apply_model_options("fal", other); // another provider's model options do not apply
    apply_model_options("nope", other);
    EXPECT_TRUE(other.options.empty());
    for (const ProviderEntry &p : registry())
        for (const ModelOption &o : p.model_options) {
            EXPECT_FALSE(o.model.empty());
            EXPECT_FALSE(o.option.empty());
            EXPECT_FALSE(o.value.empty());
            for (const OptionSetting &g : p.options)
                EXPECT_NE(g.option, o.option) << "a GUC would always override " << o.option;
        }
}

} // namespace
} // namespace rolloy::providers
