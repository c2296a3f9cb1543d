-- Every object of the rolloy extension as sorted, OID-free text lines, so that two databases can
-- be compared with diff: an upgraded one (ALTER EXTENSION rolloy UPDATE) and a fresh install of
-- the same version must print the same lines. pg_dump cannot do this: it leaves extension members
-- out. Used by test/integration/upgrade.sh:  psql -At -f extension_catalog.sql
--
-- Printed per member object (pg_depend deptype 'e'): its identity, owner, privileges (ACLs with
-- the built-in default filled in, items sorted, so GRANT order and NULL-versus-default do not
-- matter) and comment; functions as pg_get_functiondef; relations with kind, persistence,
-- options and row security; columns in order (dropped ones skipped) with type, collation,
-- default, identity, generation, privileges and comment; constraints, indexes, triggers and
-- policies of each table; view definitions; sequence parameters; enum labels in order; domain
-- constraints. Also the extension's version and configuration tables, and the rolloy_* roles
-- the install creates with their memberships.
\set QUIET on
\pset format unaligned
\pset tuples_only on

WITH ext AS (
    SELECT oid, extversion, extconfig, extcondition FROM pg_catalog.pg_extension WHERE extname = 'rolloy'
), members AS (
    SELECT d.classid, d.objid, d.objsubid, (pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid)).*
      FROM pg_catalog.pg_depend d, ext
     WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), rels AS (
    SELECT m.identity AS rel, c.* FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
     WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
), lines AS (
    SELECT 'extension rolloy version ' || extversion FROM ext
    UNION ALL
    -- the extension's own schema (created by CREATE EXTENSION from the control file, no member)
    SELECT format('extension schema %s | owner %s | acl %s | comment %s', n.nspname, pg_catalog.pg_get_userbyid(n.nspowner),
                  (SELECT pg_catalog.string_agg(a::text, ',' ORDER BY a::text)
                     FROM pg_catalog.unnest(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a),
                  coalesce(pg_catalog.quote_literal(pg_catalog.obj_description(n.oid, 'pg_namespace')), '-'))
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'rolloy'
    UNION ALL
    SELECT 'extension config table ' || c.oid::pg_catalog.regclass::text || ' filter ' || pg_catalog.quote_literal(cond)
      FROM ext, LATERAL ROWS FROM (pg_catalog.unnest(extconfig), pg_catalog.unnest(extcondition)) AS u(cfg, cond)
      JOIN pg_catalog.pg_class c ON c.oid = u.cfg
    UNION ALL
    -- every member: identity, owner, privileges, comment
    SELECT format('%s %s | owner %s | acl %s | comment %s', m.type, m.identity,
                  pg_catalog.pg_get_userbyid(o.owner),
                  (SELECT pg_catalog.string_agg(a::text, ',' ORDER BY a::text)
                     FROM pg_catalog.unnest(coalesce(o.acl, pg_catalog.acldefault(o.kind, o.owner))) a),
                  coalesce(pg_catalog.quote_literal(pg_catalog.obj_description(m.objid, o.catalog)), '-'))
      FROM members m
      CROSS JOIN LATERAL (
        SELECT 'pg_proc' AS catalog, p.proowner AS owner, p.proacl AS acl, 'f'::"char" AS kind
          FROM pg_catalog.pg_proc p WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = m.objid
        UNION ALL
        SELECT 'pg_class', c.relowner, c.relacl, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char"
          FROM pg_catalog.pg_class c WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = m.objid
        UNION ALL
        SELECT 'pg_namespace', n.nspowner, n.nspacl, 'n'::"char"
          FROM pg_catalog.pg_namespace n WHERE m.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND n.oid = m.objid
        UNION ALL
        SELECT 'pg_type', t.typowner, t.typacl, 'T'::"char"
          FROM pg_catalog.pg_type t WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = m.objid
        UNION ALL
        SELECT NULL, NULL, NULL, NULL
         WHERE m.classid NOT IN ('pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_class'::pg_catalog.regclass,
                                 'pg_catalog.pg_namespace'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass)
      ) o
    UNION ALL
    -- functions, whole
    SELECT 'function ' || m.identity || E'\n' || pg_catalog.pg_get_functiondef(m.objid)
      FROM members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
     WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.prokind <> 'a'
    UNION ALL
    -- relations
    SELECT format('relation %s | kind %s | persistence %s | options %s | row security %s/%s | replica identity %s',
                  r.rel, r.relkind, r.relpersistence, coalesce(r.reloptions::text, '-'),
                  r.relrowsecurity, r.relforcerowsecurity, r.relreplident)
      FROM rels r
    UNION ALL
    SELECT format('column %s #%s %s %s%s | collation %s | default %s | identity %s | generated %s | acl %s | comment %s',
                  r.rel, pg_catalog.row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum), pg_catalog.quote_ident(a.attname),
                  pg_catalog.format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                  coalesce((SELECT co.collname FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation), '-'),
                  coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '-'), a.attidentity, a.attgenerated,
                  coalesce((SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text) FROM pg_catalog.unnest(a.attacl) x), '-'),
                  coalesce(pg_catalog.quote_literal(pg_catalog.col_description(r.oid, a.attnum)), '-'))
      FROM rels r
      JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    UNION ALL
    SELECT format('constraint %s %s: %s | deferrable %s/%s | comment %s', r.rel, pg_catalog.quote_ident(c.conname),
                  pg_catalog.pg_get_constraintdef(c.oid), c.condeferrable, c.condeferred,
                  coalesce(pg_catalog.quote_literal(pg_catalog.obj_description(c.oid, 'pg_constraint')), '-'))
      FROM rels r JOIN pg_catalog.pg_constraint c ON c.conrelid = r.oid
    UNION ALL
    SELECT format('index %s | %s | comment %s', r.rel, pg_catalog.pg_get_indexdef(i.indexrelid),
                  coalesce(pg_catalog.quote_literal(pg_catalog.obj_description(i.indexrelid, 'pg_class')), '-'))
      FROM rels r JOIN pg_catalog.pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT format('trigger %s | %s%s | comment %s', r.rel, pg_catalog.pg_get_triggerdef(tg.oid),
                  CASE tg.tgenabled WHEN 'O' THEN '' ELSE ' | enabled ' || tg.tgenabled::text END,
                  coalesce(pg_catalog.quote_literal(pg_catalog.obj_description(tg.oid, 'pg_trigger')), '-'))
      FROM rels r JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = r.oid AND NOT tg.tgisinternal
    UNION ALL
    SELECT format('policy %s %s | %s %s | to %s | using %s | check %s', r.rel, pg_catalog.quote_ident(p.polname),
                  CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END, p.polcmd,
                  (SELECT pg_catalog.string_agg(CASE WHEN ro = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(ro)::text END, ',' ORDER BY 1)
                     FROM pg_catalog.unnest(p.polroles) ro),
                  coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '-'),
                  coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '-'))
      FROM rels r JOIN pg_catalog.pg_policy p ON p.polrelid = r.oid
    UNION ALL
    SELECT format('view %s' || E'\n' || '%s', r.rel, pg_catalog.pg_get_viewdef(r.oid))
      FROM rels r WHERE r.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('sequence %s | %s start %s increment %s min %s max %s cache %s cycle %s | owned by %s', r.rel,
                  pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                  coalesce((SELECT pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)
                              FROM pg_catalog.pg_depend d
                             WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = r.oid
                               AND d.deptype IN ('a', 'i') AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass), '-'))
      FROM rels r JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid
    UNION ALL
    SELECT format('enum %s labels %s', m.identity,
                  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ',' ORDER BY e.enumsortorder)
                     FROM pg_catalog.pg_enum e WHERE e.enumtypid = m.objid))
      FROM members m JOIN pg_catalog.pg_type t ON t.oid = m.objid
     WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.typtype = 'e'
    UNION ALL
    SELECT format('domain %s over %s%s | default %s | constraint %s: %s', m.identity,
                  pg_catalog.format_type(t.typbasetype, t.typtypmod), CASE WHEN t.typnotnull THEN ' not null' ELSE '' END,
                  coalesce(t.typdefault, '-'), c.conname, pg_catalog.pg_get_constraintdef(c.oid))
      FROM members m JOIN pg_catalog.pg_type t ON t.oid = m.objid
      LEFT JOIN pg_catalog.pg_constraint c ON c.contypid = t.oid
     WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.typtype = 'd'
    UNION ALL
    -- roles are global, not members, but the install script creates them
    SELECT format('role %s | login %s | member of %s', ro.rolname, ro.rolcanlogin,
                  coalesce((SELECT pg_catalog.string_agg(g.rolname, ',' ORDER BY g.rolname)
                              FROM pg_catalog.pg_auth_members am JOIN pg_catalog.pg_roles g ON g.oid = am.roleid
                             WHERE am.member = ro.oid), '-'))
      FROM pg_catalog.pg_roles ro WHERE ro.rolname IN ('rolloy_member', 'rolloy_admin', 'rolloy_api')
)
SELECT * FROM lines AS l(line) ORDER BY 1;
