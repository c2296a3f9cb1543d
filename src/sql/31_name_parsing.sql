-- Parsing creative names back into their parts (used by the performance import to match ads).

CREATE TYPE rolloy.creative_name_parts AS (
    name_date       date,
    category_code   text,
    scene_code      text,
    action_code     text,
    driver_code     text,
    format_code     text,
    name_sequence   integer,
    variant         integer,
    project_name    text,
    image_name      text
);
COMMENT ON TYPE rolloy.creative_name_parts IS
    'Parts of a creative name; project_name/image_name are the canonical spellings.';

CREATE FUNCTION rolloy.parse_creative_name(name text) RETURNS rolloy.creative_name_parts
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_parse_creative_name';
COMMENT ON FUNCTION rolloy.parse_creative_name(text) IS
    'Splits a creative name (YYYYMMDD_A1_A2_B_C_D[_N][_Vnn]) into its parts. Tolerates surrounding '
    'whitespace, any case, - or spaces for _, and copy suffixes such as " - Copy", " – Copy 2", "(1)". '
    'Returns NULL for text that is not a creative name. Any member.';
