// The one way glue code includes Postgres: C linkage, postgres.h first. Files that include this
// must never include jansson.h (both define json_object) or anything from src/core that does.
#pragma once
extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}
