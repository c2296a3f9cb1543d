// Settings of the performance import (GUCs), registered at load time.
#pragma once

namespace rolloy::pg {

// rolloy.import_chunk_rows (PGC_USERSET): export lines gathered in C++ before they are written
// with one statement over arrays. Bounds the import's memory whatever the file size;
// small values exist for tests of lines of one (ad, day) that land in different chunks. 1..100,000.
extern int import_chunk_rows;

void register_import_settings();

} // namespace rolloy::pg
