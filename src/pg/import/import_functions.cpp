// SQL entry points of the performance import: rolloy.import_performance(text, ...) and
// rolloy.import_performance(bytea, ...) share one C function; the body is read in place
// (detoasted once, never copied into C++). Also the currency-code check of its tables.
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/import/importer.hpp"

#include "core/common/error.hpp"
#include "core/import/text_util.hpp"

using rolloy::Error;
using rolloy::ErrorKind;
using rolloy::pg::call;

ROLLOY_FUNCTION(rolloy_import_performance) {
    static const char *kArgNames[] = {"the export", "platform", "on_error", "source_name"};
    for (int i = 0; i < 4; ++i)
        if (PG_ARGISNULL(i))
            throw Error(ErrorKind::InvalidInput, std::string(kArgNames[i]) + " must not be NULL");
    struct Span {
        const char *data;
        std::size_t size;
    };
    Span body = call([fcinfo] {
        struct varlena *v = PG_GETARG_VARLENA_PP(0);
        return Span{VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)};
    });
    rolloy::pg::ImportRequest request;
    request.body = std::string_view(body.data, body.size);
    request.platform = rolloy::pg::text_arg(fcinfo, 1);
    request.on_error = rolloy::pg::text_arg(fcinfo, 2);
    request.source_name = rolloy::pg::text_arg(fcinfo, 3);
    return rolloy::pg::run_import(request);
}

// rolloy_internal._is_currency_code(text): the CHECK of the currency columns, evaluated for every imported
// row; a regular expression there cost more than the rest of the row's checks together.
ROLLOY_FUNCTION(rolloy_is_currency_code) {
    struct Span {
        const char *data;
        std::size_t size;
    };
    Span code = call([fcinfo] {
        text *t = PG_GETARG_TEXT_PP(0);
        return Span{VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
    });
    return BoolGetDatum(rolloy::import::is_currency_code(std::string_view(code.data, code.size)));
}
