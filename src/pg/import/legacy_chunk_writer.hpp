// The 0.1.0 write path, for a database still on 0.1.0's objects (this library before ALTER
// EXTENSION rolloy UPDATE; docs/upgrading.md): one PendingChunk into 0.1.0's performance_data
// table, the ad's key, id, names and match taken from the AdResolver (which has no stored ads
// there: keys are the line's id, else its name, as 0.1.0 keyed them). Goes with 0.1.0 support.
#pragma once
#include "pg/common/postgres.hpp"
#include "pg/import/ad_resolver.hpp"
#include "pg/import/pending_chunk.hpp"

extern "C" {
#include "executor/spi.h"
}

#include <cstdint>
#include <string>
#include <vector>

namespace rolloy::pg {

class LegacyChunkWriter {
  public:
    LegacyChunkWriter(std::string platform, std::int64_t batch_id);
    LegacyChunkWriter(const LegacyChunkWriter &) = delete;
    LegacyChunkWriter &operator=(const LegacyChunkWriter &) = delete;

    struct Written {
        std::int64_t inserted = 0; // new (platform, ad, day) rows
        std::int64_t touched = 0;  // rows inserted or updated
        bool upserted = false;     // the ON CONFLICT statement was needed
    };
    // known_to_exist: the chunk has keys an earlier chunk wrote (skip the probe).
    Written write(const PendingChunk &chunk, bool known_to_exist, AdResolver &ads);

  private:
    bool any_key_exists(const PendingChunk &chunk, AdResolver &ads);

    std::string platform_;
    std::int64_t batch_id_;
    SPIPlanPtr insert_plan_ = nullptr, upsert_plan_ = nullptr, probe_plan_ = nullptr;
    MemoryContext chunk_context_ = nullptr; // arrays of one chunk; reset after each write
    std::vector<std::uint32_t> order_;      // the chunk's rows in key order
};

} // namespace rolloy::pg
