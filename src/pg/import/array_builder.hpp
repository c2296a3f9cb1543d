// One-dimensional Postgres arrays built from C++ values, for statements that take a whole chunk
// of rows as arrays (INSERT ... SELECT unnest($1), unnest($2), ...). Each builder gathers the
// values in C++ first, then allocates in `context` (named explicitly: every SPI call leaves
// CurrentMemoryContext at the SPI procedure context) and calls construct_md_array under
// rolloy::pg::call, so a Postgres error (out of memory) becomes a C++ exception.
// Text elements are laid out in one palloc'd block instead of one palloc per value.
#pragma once
#include "pg/common/guard.hpp"
#include "pg/import/creative_matcher.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
}

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace rolloy::pg {

namespace detail {
inline Datum make_array(MemoryContext context, std::vector<Datum> &elems, std::vector<char> &nulls, Oid type,
                        int len, bool byval, char align) {
    int n = static_cast<int>(elems.size());
    Datum *e = elems.data();
    bool *isnull = reinterpret_cast<bool *>(nulls.data());
    static_assert(sizeof(bool) == sizeof(char), "bool and char must have the same size");
    return call([=] {
        int dims[1] = {n}, lbs[1] = {1};
        MemoryContext previous = MemoryContextSwitchTo(context);
        ArrayType *array = construct_md_array(e, isnull, 1, dims, lbs, type, len, byval, align);
        MemoryContextSwitchTo(previous);
        return PointerGetDatum(array);
    });
}
} // namespace detail

// get(i) -> std::optional<std::string_view>; nullopt is NULL.
template <typename Get> Datum text_array(MemoryContext context, std::size_t n, Get get) {
    std::vector<std::optional<std::string_view>> values(n);
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        values[i] = get(i);
        if (values[i]) bytes += INTALIGN(VARHDRSZ + values[i]->size());
    }
    char *block = call(
        [context, bytes] { return static_cast<char *>(MemoryContextAlloc(context, bytes > 0 ? bytes : 1)); });
    std::vector<Datum> elems(n);
    std::vector<char> nulls(n, 0);
    char *p = block;
    for (std::size_t i = 0; i < n; ++i) {
        if (!values[i]) {
            nulls[i] = 1;
            continue;
        }
        SET_VARSIZE(p, VARHDRSZ + values[i]->size());
        std::memcpy(VARDATA(p), values[i]->data(), values[i]->size());
        elems[i] = PointerGetDatum(p);
        p += INTALIGN(VARHDRSZ + values[i]->size());
    }
    return detail::make_array(context, elems, nulls, TEXTOID, -1, false, TYPALIGN_INT);
}

// get(i) -> std::optional<std::int64_t>.
template <typename Get> Datum int8_array(MemoryContext context, std::size_t n, Get get) {
    std::vector<Datum> elems(n);
    std::vector<char> nulls(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        std::optional<std::int64_t> v = get(i);
        if (v)
            elems[i] = Int64GetDatum(*v);
        else
            nulls[i] = 1;
    }
    return detail::make_array(context, elems, nulls, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

// get(i) -> std::int32_t, never NULL; `type` is INT4OID or DATEOID (both 4-byte by value).
template <typename Get> Datum int4_array(MemoryContext context, std::size_t n, Oid type, Get get) {
    std::vector<Datum> elems(n);
    std::vector<char> nulls(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        elems[i] = Int32GetDatum(get(i));
    return detail::make_array(context, elems, nulls, type, 4, true, TYPALIGN_INT);
}

// get(i) -> std::optional<std::int64_t> within int4's range; nullopt is NULL.
template <typename Get> Datum nullable_int4_array(MemoryContext context, std::size_t n, Get get) {
    std::vector<Datum> elems(n);
    std::vector<char> nulls(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        std::optional<std::int64_t> v = get(i);
        if (v)
            elems[i] = Int32GetDatum(static_cast<std::int32_t>(*v));
        else
            nulls[i] = 1;
    }
    return detail::make_array(context, elems, nulls, INT4OID, 4, true, TYPALIGN_INT);
}

// get(i) -> const Uuid * (nullptr is NULL).
template <typename Get> Datum uuid_array(MemoryContext context, std::size_t n, Get get) {
    std::vector<Datum> elems(n);
    std::vector<char> nulls(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const Uuid *u = get(i);
        if (u)
            elems[i] = PointerGetDatum(u->data()); // 16 bytes, read (copied) by construct_md_array
        else
            nulls[i] = 1;
    }
    return detail::make_array(context, elems, nulls, UUIDOID, 16, false, TYPALIGN_CHAR);
}

} // namespace rolloy::pg

namespace rolloy::pg {
// A text Datum allocated in `context`.
inline Datum text_in(MemoryContext context, std::string_view value) {
    const char *data = value.data();
    std::size_t size = value.size();
    return call([context, data, size] {
        text *t = static_cast<text *>(MemoryContextAlloc(context, VARHDRSZ + size));
        SET_VARSIZE(t, VARHDRSZ + size);
        std::memcpy(VARDATA(t), data, size);
        return PointerGetDatum(t);
    });
}
} // namespace rolloy::pg
