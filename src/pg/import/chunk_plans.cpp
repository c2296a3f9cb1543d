#include "pg/import/chunk_plans.hpp"

#include "pg/common/guard.hpp"

namespace rolloy::pg {

SPIPlanPtr prepare_chunk_plan(const char *sql, int nargs, Oid *types) {
    return call([sql, nargs, types] {
        SPIPlanPtr plan = SPI_prepare(sql, nargs, types);
        if (plan == nullptr)
            elog(ERROR, "rolloy: preparing an import statement failed: %s",
                 SPI_result_code_string(SPI_result));
        return plan;
    });
}

MemoryContext create_chunk_context() {
    return call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "rolloy import chunk", ALLOCSET_DEFAULT_SIZES);
    });
}

void reset_chunk_context(MemoryContext context) {
    call([context] { MemoryContextReset(context); });
}

bool run_chunk_probe(SPIPlanPtr plan, Datum *values, char *nulls) {
    return call([plan, values, nulls] {
        // Not read-only: a fresh snapshot, so rows other transactions committed meanwhile count.
        int rc = SPI_execute_plan(plan, values, nulls, false, 1);
        if (rc != SPI_OK_SELECT || SPI_processed != 1)
            elog(ERROR, "rolloy: the import probe failed: %s", SPI_result_code_string(rc));
        bool isnull;
        bool exists = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        SPI_freetuptable(SPI_tuptable);
        return exists;
    });
}

std::int64_t run_chunk_insert(SPIPlanPtr plan, Datum *values, char *nulls) {
    return call([plan, values, nulls] {
        CHECK_FOR_INTERRUPTS();
        int rc = SPI_execute_plan(plan, values, nulls, false, 0);
        if (rc != SPI_OK_INSERT)
            elog(ERROR, "rolloy: the import insert failed: %s", SPI_result_code_string(rc));
        return static_cast<std::int64_t>(SPI_processed);
    });
}

void run_chunk_upsert(SPIPlanPtr plan, Datum *values, char *nulls, std::int64_t *inserted,
                      std::int64_t *touched) {
    call([plan, values, nulls, inserted, touched] {
        CHECK_FOR_INTERRUPTS();
        int rc = SPI_execute_plan(plan, values, nulls, false, 0);
        if (rc != SPI_OK_SELECT || SPI_processed != 1)
            elog(ERROR, "rolloy: the import upsert failed: %s", SPI_result_code_string(rc));
        bool isnull;
        *inserted = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        *touched = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
        SPI_freetuptable(SPI_tuptable);
    });
}

} // namespace rolloy::pg
