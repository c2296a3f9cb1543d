// BEFORE INSERT OR UPDATE trigger on rolloy.creative_projects that names the project
// `YYYYMMDD_A1_A2_B_C_D[_N]`. The date is created_at in rolloy.naming_time_zone; N comes from
// rolloy.name_counters, so the n-th project with the same ABCD on a day always gets the same
// suffix and a name is never issued twice, even after its project is deleted.
#include "pg/common/guard.hpp"
#include "pg/common/spi.hpp"
#include "pg/module.hpp"

#include "core/common/error.hpp"
#include "core/naming/creative_name.hpp"

extern "C" {
#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
}

using rolloy::Error;
using rolloy::ErrorKind;
using rolloy::pg::call;
using rolloy::pg::SqlValue;

namespace {

struct ProjectColumns {
    int id, generated_name, name_date, name_sequence, scene_id, action_id, driver_id, format_id, created_at;
};

int column_number(TupleDesc desc, const char *name) {
    int n = call([desc, name] { return SPI_fnumber(desc, name); });
    if (n <= 0) throw Error(ErrorKind::Internal, std::string("creative_projects has no column ") + name);
    return n;
}

SqlValue column_text(HeapTuple tuple, TupleDesc desc, int column) {
    char *value = call([tuple, desc, column] { return SPI_getvalue(tuple, desc, column); });
    if (value == nullptr) return std::nullopt;
    std::string copy(value);
    call([value] { pfree(value); });
    return copy;
}

bool abcd_changed(HeapTuple a, HeapTuple b, TupleDesc desc, const ProjectColumns &c) {
    for (int col : {c.scene_id, c.action_id, c.driver_id, c.format_id})
        if (column_text(a, desc, col) != column_text(b, desc, col)) return true;
    return false;
}

struct NewName {
    std::string name, date_iso;
    int sequence;
};

// Looks up the codes (refusing unknown or inactive entries), the date, and the next sequence.
NewName make_name(rolloy::pg::SpiConnection &spi, HeapTuple tuple, TupleDesc desc, const ProjectColumns &c) {
    SqlValue scene = column_text(tuple, desc, c.scene_id), action = column_text(tuple, desc, c.action_id),
             driver = column_text(tuple, desc, c.driver_id), format = column_text(tuple, desc, c.format_id);
    if (!scene || !action || !driver || !format)
        throw Error(ErrorKind::InvalidInput, "a project needs a scene, an action, a driver and a format",
                    "scene_id, action_id, driver_id and format_id must all be set.");
    SqlValue created_at = column_text(tuple, desc, c.created_at);
    const char *tz = rolloy::pg::naming_time_zone ? rolloy::pg::naming_time_zone : "UTC";

    auto rows = spi.query(
        "SELECT s.category_code, s.scene_code, s.is_active, a.code, a.is_active, d.code, d.is_active,"
        "       f.code, f.is_active,"
        "       to_char(coalesce($5::timestamptz, now()) AT TIME ZONE $6, 'YYYYMMDD'),"
        "       to_char(coalesce($5::timestamptz, now()) AT TIME ZONE $6, 'YYYY-MM-DD')"
        "  FROM (SELECT 1) one"
        "  LEFT JOIN rolloy.scenes s ON s.id = $1::integer"
        "  LEFT JOIN rolloy.actions a ON a.id = $2::integer"
        "  LEFT JOIN rolloy.drivers d ON d.id = $3::integer"
        "  LEFT JOIN rolloy.formats f ON f.id = $4::integer",
        {scene, action, driver, format, created_at, std::string(tz)});
    const auto &r = rows.at(0);
    const char *what[] = {"scene", "action", "driver", "format"};
    const SqlValue *ids[] = {&scene, &action, &driver, &format};
    const int code_col[] = {0, 3, 5, 7}, active_col[] = {2, 4, 6, 8};
    for (int i = 0; i < 4; ++i) {
        if (!r[code_col[i]])
            throw Error(ErrorKind::NotFound, std::string("unknown ") + what[i] + " id " + **ids[i],
                        {}, std::string("See rolloy.") + what[i] + "s.");
        if (*r[active_col[i]] != "t")
            throw Error(ErrorKind::WrongState,
                        std::string(what[i]) + " " + *r[code_col[i]] + " is inactive and cannot be used for new names");
    }
    rolloy::naming::AbcdCodes codes{*r[0], *r[1], *r[3], *r[5], *r[7]};
    std::string date = *r[9];
    std::string base = rolloy::naming::compose_project_name(date, codes, 1);

    // Row-locking upsert: concurrent projects with the same base get consecutive numbers.
    auto seq = spi.query(
        "INSERT INTO rolloy.name_counters AS c (base_name, last_sequence) VALUES ($1, 1)"
        " ON CONFLICT (base_name) DO UPDATE SET last_sequence = c.last_sequence + 1"
        " RETURNING last_sequence",
        {base});
    int sequence = std::stoi(*seq.at(0).at(0));
    return NewName{rolloy::naming::compose_project_name(date, codes, sequence), *r[10], sequence};
}

HeapTuple with_name(HeapTuple tuple, TupleDesc desc, const ProjectColumns &c, const NewName &name) {
    Datum values[3];
    bool nulls[3] = {false, false, false};
    int columns[3] = {c.generated_name, c.name_date, c.name_sequence};
    values[0] = rolloy::pg::text_datum(name.name);
    const char *iso = name.date_iso.c_str();
    values[1] = call([iso] { return DirectFunctionCall1(date_in, CStringGetDatum(iso)); });
    values[2] = Int32GetDatum(name.sequence);
    return call([&] { return heap_modify_tuple_by_cols(tuple, desc, 3, columns, values, nulls); });
}

Datum name_project(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo)) throw Error(ErrorKind::Internal, "_name_project() must be called as a trigger");
    auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
    if (!TRIGGER_FIRED_BEFORE(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
        throw Error(ErrorKind::Internal, "_name_project() must be a BEFORE ROW trigger");
    TupleDesc desc = trigger->tg_relation->rd_att;
    ProjectColumns c{column_number(desc, "id"),          column_number(desc, "generated_name"),
                     column_number(desc, "name_date"),   column_number(desc, "name_sequence"),
                     column_number(desc, "scene_id"),    column_number(desc, "action_id"),
                     column_number(desc, "driver_id"),   column_number(desc, "format_id"),
                     column_number(desc, "created_at")};
    bool inserting = TRIGGER_FIRED_BY_INSERT(trigger->tg_event);
    HeapTuple tuple = inserting ? trigger->tg_trigtuple : trigger->tg_newtuple;

    if (inserting) {
        // pg_restore (always as a superuser) brings names that were issued before: keep them.
        bool restoring = call([] { return superuser(); }) && column_text(tuple, desc, c.generated_name) &&
                         column_text(tuple, desc, c.name_date) && column_text(tuple, desc, c.name_sequence);
        if (restoring) return PointerGetDatum(tuple);
        rolloy::pg::SpiConnection spi;
        NewName name = make_name(spi, tuple, desc, c);
        spi.finish();
        return PointerGetDatum(with_name(tuple, desc, c, name));
    }

    HeapTuple old_tuple = trigger->tg_trigtuple;
    if (column_text(tuple, desc, c.created_at) != column_text(old_tuple, desc, c.created_at))
        throw Error(ErrorKind::WrongState, "created_at of a project cannot be changed", "It dates the project's name.");
    bool renamed = column_text(tuple, desc, c.generated_name) != column_text(old_tuple, desc, c.generated_name) ||
                   column_text(tuple, desc, c.name_date) != column_text(old_tuple, desc, c.name_date) ||
                   column_text(tuple, desc, c.name_sequence) != column_text(old_tuple, desc, c.name_sequence);
    if (renamed)
        throw Error(ErrorKind::WrongState, "generated_name is set by rolloy and cannot be changed",
                    {}, "Change the scene, action, driver or format instead; the name follows.");
    if (!abcd_changed(tuple, old_tuple, desc, c)) return PointerGetDatum(tuple);

    rolloy::pg::SpiConnection spi;
    auto images = spi.query("SELECT count(*) FROM rolloy.generated_images WHERE project_id = $1::uuid",
                            {column_text(old_tuple, desc, c.id)});
    if (*images.at(0).at(0) != "0")
        throw Error(ErrorKind::WrongState,
                    "cannot change the ABCD of project " + column_text(old_tuple, desc, c.generated_name).value_or("") +
                        ": it has " + *images.at(0).at(0) + " generated image(s)",
                    "Its image names may already be live in ad platforms.",
                    "Create a new project with the new ABCD instead.");
    NewName name = make_name(spi, tuple, desc, c);
    spi.finish();
    return PointerGetDatum(with_name(tuple, desc, c, name));
}

}  // namespace

ROLLOY_FUNCTION(rolloy_name_project) { return name_project(fcinfo); }
