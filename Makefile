# rolloy — PGXS build of the extension (the Postgres-free core is also built by CMakeLists.txt
# for unit tests, benchmarks and fuzzers).
#
#   make && sudo make install      build and install into the pg_config found on PATH
#   make installcheck               pg_regress suite in sql/ + expected/ against a running server
#
# Every source file is picked up by wildcard: a new capability adds files, not Makefile lines.

EXTENSION  = rolloy
PG_CONFIG ?= pg_config
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" rolloy.control)

MODULE_big = rolloy
CORE_SRCS  = $(sort $(wildcard src/core/*/*.cpp))
GLUE_SRCS  = $(sort $(wildcard src/pg/*.cpp src/pg/*/*.cpp))
OBJS       = $(CORE_SRCS:.cpp=.o) $(GLUE_SRCS:.cpp=.o)

# The install script is the module files of src/sql/ concatenated in name order (NN_ prefix).
SQL_MODULES = $(sort $(wildcard src/sql/*.sql))
DATA_built  = $(EXTENSION)--$(EXTVERSION).sql
# Released versions' install scripts (frozen) and the upgrade steps between versions.
DATA        = $(wildcard src/sql/released/$(EXTENSION)--*.sql src/sql/upgrade/$(EXTENSION)--*--*.sql)

# pg_regress: sql/NAME.sql compared with expected/NAME.out, run in file-name order.
REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --outputdir=.

# libcrypto: SHA-256 (core/common/sha256); zlib: CRC-32 (core/common/crc32).
LIBS_PKG    = vips libjpeg libcurl jansson libcrypto zlib
# Postgres headers as system headers: their unused parameters are not our warnings.
PG_CPPFLAGS = -I$(CURDIR)/src $(shell pkg-config --cflags $(LIBS_PKG)) \
              -isystem $(shell $(PG_CONFIG) --includedir-server)
# pgxs.mk appends PG_CXXFLAGS to the server's CXXFLAGS (only Makefile.shlib's -fPIC follows), so
# ours come last and win. It reads them when included: set them above the include.
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-register -Wno-missing-field-initializers -O2
# make WERROR=1: every warning is an error (as cmake -DROLLOY_WERROR=ON).
ifeq ($(WERROR),1)
PG_CXXFLAGS += -Werror
endif
SHLIB_LINK  = $(shell pkg-config --libs $(LIBS_PKG)) -lstdc++

# The LLVM bitcode step cannot parse the glib headers libvips pulls in; the JIT gains nothing here.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_MODULES) rolloy.control
	@{ echo "-- rolloy $(EXTVERSION): generated from src/sql/*.sql by make; edit those files."; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION rolloy" to load this file. \quit'; \
	   for f in $(SQL_MODULES); do echo; echo "-- ==== $$f ===="; cat $$f; done; } > $@

# Glue translation units may include Postgres headers and core headers; core ones may not
# (src/core/common/core_only.hpp checks this flag).
$(GLUE_SRCS:.cpp=.o): override CPPFLAGS += -DROLLOY_GLUE_TU

# The resampler's inner loops are written for the vectoriser, which -O2 (GCC 12) runs only on
# loops it needs no run-time checks for: -O3 makes thumbnails ~2x faster.
src/core/images/resample.o: override CXXFLAGS += -O3

# Header changes must rebuild dependents.
DEPFLAGS = -MMD -MP
override CPPFLAGS += $(DEPFLAGS)
-include $(OBJS:.o=.d)
EXTRA_CLEAN = $(OBJS:.o=.d)
