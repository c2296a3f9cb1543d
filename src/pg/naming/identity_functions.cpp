// rolloy_internal._outer_role(): the role the session acts as (SET ROLE / PostgREST's role switch),
// unchanged inside SECURITY DEFINER functions, which only change the "current" user id.
#include "pg/common/guard.hpp"

extern "C" {
#include "utils/acl.h"
}

ROLLOY_FUNCTION(rolloy_outer_role) {
    return rolloy::pg::call([] {
        const char *role = GetUserNameFromId(GetOuterUserId(), false);
        return DirectFunctionCall1(namein, CStringGetDatum(role));
    });
}
