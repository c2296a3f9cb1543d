-- Reference images, creative projects and generated images: the tables, their indexes and
-- timestamps. Naming triggers: 32_project_naming.sql; functions: 33_project_functions.sql.

CREATE TABLE rolloy.reference_images (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    product_state  rolloy.product_state NOT NULL,
    file_name      text NOT NULL CHECK (btrim(file_name) <> '' AND length(file_name) <= 255),
    mime_type      text NOT NULL CHECK (mime_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width          integer NOT NULL CHECK (width BETWEEN 1 AND 20000),
    height         integer NOT NULL CHECK (height BETWEEN 1 AND 20000),
    size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
    sha256         text NOT NULL CONSTRAINT reference_images_sha256_unique UNIQUE
                   CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- A reference names this row's own bytes only (<scheme>:reference/<id>), never another
    -- photo's or a generated image's, which the delete trigger would otherwise remove and
    -- _stored_image serve. (Rows are written by upload_reference_image() only since 0.2.0; the
    -- CHECK stays as a second line.)
    storage_ref    text NOT NULL
                   CHECK (storage_ref = coalesce(substring(storage_ref FROM '^[a-z][a-z0-9]*:'), '') || 'reference/' || id),
    description    text NOT NULL DEFAULT '' CONSTRAINT reference_images_description_length CHECK (length(description) <= 2000),
    is_active      boolean NOT NULL DEFAULT true,
    uploaded_by    uuid NOT NULL DEFAULT rolloy.current_user_id() REFERENCES rolloy.users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reference_images_state_idx ON rolloy.reference_images (product_state) WHERE is_active;
COMMENT ON TABLE rolloy.reference_images IS
    'Product photos of the walker that image generation starts from (img2img), shared by all members: '
    'members with a rolloy identity read all, add photos only through rolloy.upload_reference_image, change the '
    'file name, description, product state and is_active of their own and delete them with '
    'rolloy.delete_reference_image; admins all.';
COMMENT ON COLUMN rolloy.reference_images.product_state IS 'Walker state in the photo: expanded, folded or both.';
COMMENT ON COLUMN rolloy.reference_images.file_name IS 'Original file name (informational; the type is sniffed from content); at most 255 characters.';
COMMENT ON COLUMN rolloy.reference_images.mime_type IS 'Image type sniffed from the bytes.';
COMMENT ON COLUMN rolloy.reference_images.width IS 'Width in pixels.';
COMMENT ON COLUMN rolloy.reference_images.height IS 'Height in pixels.';
COMMENT ON COLUMN rolloy.reference_images.size_bytes IS 'Size of the stored file in bytes.';
COMMENT ON COLUMN rolloy.reference_images.sha256 IS 'SHA-256 of the bytes (hex); detects duplicate uploads.';
COMMENT ON COLUMN rolloy.reference_images.storage_ref IS 'Where the bytes are, e.g. db:reference/<id>.';
COMMENT ON COLUMN rolloy.reference_images.description IS 'What the photo shows; at most 2000 characters.';
COMMENT ON COLUMN rolloy.reference_images.is_active IS 'Inactive photos are not offered for new generations.';
COMMENT ON COLUMN rolloy.reference_images.uploaded_by IS 'User who uploaded the photo.';
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON rolloy.reference_images
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('rolloy.reference_images', '');

CREATE TABLE rolloy.creative_projects (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    generated_name       text NOT NULL CONSTRAINT creative_projects_name_unique UNIQUE,
    name_date            date NOT NULL,
    name_sequence        integer NOT NULL CHECK (name_sequence >= 1),
    title                text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    scene_id             integer NOT NULL REFERENCES rolloy.scenes (id),
    action_id            integer NOT NULL REFERENCES rolloy.actions (id),
    driver_id            integer NOT NULL REFERENCES rolloy.drivers (id),
    format_id            integer NOT NULL REFERENCES rolloy.formats (id),
    notes                text NOT NULL DEFAULT '' CONSTRAINT creative_projects_notes_length CHECK (length(notes) <= 5000),
    created_by           uuid NOT NULL DEFAULT rolloy.current_user_id() REFERENCES rolloy.users (id),
    prompt               text,
    prompt_system        text,
    prompt_provider      text,
    prompt_model         text,
    prompt_tokens_in     integer CHECK (prompt_tokens_in >= 0),
    prompt_tokens_out    integer CHECK (prompt_tokens_out >= 0),
    prompt_cost_usd      numeric(12, 6) CHECK (prompt_cost_usd >= 0),
    prompt_generated_at  timestamptz,
    total_images         integer NOT NULL DEFAULT 0 CHECK (total_images >= 0),
    completed_images     integer NOT NULL DEFAULT 0 CHECK (completed_images >= 0),
    failed_images        integer NOT NULL DEFAULT 0 CHECK (failed_images >= 0),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (completed_images + failed_images <= total_images)
);
CREATE INDEX creative_projects_created_by_idx ON rolloy.creative_projects (created_by, created_at DESC);
CREATE INDEX creative_projects_abcd_idx ON rolloy.creative_projects (scene_id, action_id, driver_id, format_id);
COMMENT ON TABLE rolloy.creative_projects IS
    'One creative: an ABCD combination with its automatic name, prompt and generated images. Members '
    'create (rolloy.create_project), read and edit their own and delete them with rolloy.delete_project; admins all.';
COMMENT ON COLUMN rolloy.creative_projects.generated_name IS
    'Ad name YYYYMMDD_A1_A2_B_C_D[_N], set by rolloy; never reused, even after deletion.';
COMMENT ON COLUMN rolloy.creative_projects.name_date IS 'Date part of the name: created_at in rolloy.naming_time_zone.';
COMMENT ON COLUMN rolloy.creative_projects.name_sequence IS 'N-th project with the same ABCD on that date (1 = no suffix).';
COMMENT ON COLUMN rolloy.creative_projects.title IS 'Free-text working title; at most 200 characters.';
COMMENT ON COLUMN rolloy.creative_projects.scene_id IS 'A: the scene.';
COMMENT ON COLUMN rolloy.creative_projects.action_id IS 'B: the action (fixes the product state).';
COMMENT ON COLUMN rolloy.creative_projects.driver_id IS 'C: the emotional driver.';
COMMENT ON COLUMN rolloy.creative_projects.format_id IS 'D: the format.';
COMMENT ON COLUMN rolloy.creative_projects.notes IS 'Free-text notes; at most 5000 characters.';
COMMENT ON COLUMN rolloy.creative_projects.created_by IS 'Owner; always the user who created the project.';
COMMENT ON COLUMN rolloy.creative_projects.prompt IS 'Image prompt written for this project.';
COMMENT ON COLUMN rolloy.creative_projects.prompt_system IS 'System instruction used to write the prompt.';
COMMENT ON COLUMN rolloy.creative_projects.prompt_provider IS 'Who wrote the prompt: template or a text provider of rolloy.providers().';
COMMENT ON COLUMN rolloy.creative_projects.prompt_model IS 'Model that wrote the prompt.';
COMMENT ON COLUMN rolloy.creative_projects.prompt_tokens_in IS 'Input tokens of the prompt call.';
COMMENT ON COLUMN rolloy.creative_projects.prompt_tokens_out IS 'Output tokens of the prompt call.';
COMMENT ON COLUMN rolloy.creative_projects.prompt_cost_usd IS 'Cost of the prompt call in USD.';
COMMENT ON COLUMN rolloy.creative_projects.prompt_generated_at IS 'When the prompt was written.';
COMMENT ON COLUMN rolloy.creative_projects.total_images IS 'Images queued for the project (kept equal to the rows).';
COMMENT ON COLUMN rolloy.creative_projects.completed_images IS 'Images completed (kept equal to the rows).';
COMMENT ON COLUMN rolloy.creative_projects.failed_images IS 'Images failed for good (kept equal to the rows).';
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON rolloy.creative_projects
    FOR EACH ROW WHEN (OLD.updated_at IS NOT DISTINCT FROM NEW.updated_at)
    EXECUTE FUNCTION rolloy_internal._touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('rolloy.creative_projects', '');

-- Every name ever issued per ABCD and day, so a deleted project's name is never given again
-- (its ads may still be running and importing performance under it).
CREATE TABLE rolloy.name_counters (
    base_name      text PRIMARY KEY,
    last_sequence  integer NOT NULL CHECK (last_sequence >= 1)
);
COMMENT ON TABLE rolloy.name_counters IS
    'Last sequence issued per YYYYMMDD_A1_A2_B_C_D, so that a name is never issued twice; written by the '
    'naming trigger, readable by no member.';
SELECT pg_catalog.pg_extension_config_dump('rolloy.name_counters', '');

CREATE TYPE rolloy.image_status AS ENUM ('pending', 'processing', 'completed', 'failed', 'cancelled');
COMMENT ON TYPE rolloy.image_status IS
    'pending (queued) -> processing (leased by the worker) -> completed | failed; cancelled by the owner.';

CREATE TABLE rolloy.generated_images (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id          uuid NOT NULL REFERENCES rolloy.creative_projects (id) ON DELETE RESTRICT,
    reference_image_id  uuid REFERENCES rolloy.reference_images (id) ON DELETE SET NULL,
    variant_no          integer NOT NULL CHECK (variant_no >= 1),
    ad_name             text NOT NULL CONSTRAINT generated_images_ad_name_unique UNIQUE,
    status              rolloy.image_status NOT NULL DEFAULT 'pending',
    provider            text NOT NULL DEFAULT 'preview',
    model               text NOT NULL DEFAULT 'preview-v1' CONSTRAINT generated_images_model_length CHECK (length(model) <= 120),
    prompt              text NOT NULL DEFAULT '',
    params              jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    seed                bigint NOT NULL DEFAULT (floor(random() * 2147483647))::bigint,
    attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts        integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 50),
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    lease_expires_at    timestamptz,
    leased_by           integer,
    last_error          text,
    last_http_status    integer,
    resume_token        text,
    width               integer CHECK (width > 0),
    height              integer CHECK (height > 0),
    size_bytes          bigint CHECK (size_bytes > 0),
    sha256              text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_ref         text,
    cost_usd            numeric(12, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    started_at          timestamptz,
    completed_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT generated_images_variant_unique UNIQUE (project_id, variant_no),
    CONSTRAINT generated_images_completed_has_image
        CHECK (status <> 'completed' OR (storage_ref IS NOT NULL AND sha256 IS NOT NULL AND completed_at IS NOT NULL)),
    CONSTRAINT generated_images_processing_has_lease
        CHECK (status <> 'processing' OR lease_expires_at IS NOT NULL)
);
-- The worker's claim walks this index in claim order and stops after the rows it takes: no
-- sort of the whole queue per claim, however long the queue.
CREATE INDEX generated_images_claim_idx ON rolloy.generated_images (provider, next_attempt_at, created_at)
    WHERE status = 'pending';
-- A claimed row leaves a dead entry at the head of that index until VACUUM removes it, and every
-- claim steps over them: at 300 images a second a claim grew from 0.3 to 1.6 ms before
-- autovacuum's default 20 % threshold was reached. Rows here are updated two or three times
-- each, like a queue's: vacuum it whenever autovacuum comes by with 2 % of the rows dead.
ALTER TABLE rolloy.generated_images SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 200);
CREATE INDEX generated_images_lease_idx ON rolloy.generated_images (lease_expires_at) WHERE status = 'processing';
CREATE INDEX generated_images_reference_idx ON rolloy.generated_images (reference_image_id);
-- Project counters are recounted from the rows on every status change (see
-- _after_image_change): an index-only count per project keeps that cheap.
CREATE INDEX generated_images_project_status_idx ON rolloy.generated_images (project_id, status);
COMMENT ON TABLE rolloy.generated_images IS
    'One image of a project: a job for the worker, then the result. Members read those of their own '
    'projects, admins all; written only through rolloy functions and the worker.';
COMMENT ON COLUMN rolloy.generated_images.project_id IS 'Project the image belongs to.';
COMMENT ON COLUMN rolloy.generated_images.reference_image_id IS 'Reference photo the image was generated from.';
COMMENT ON COLUMN rolloy.generated_images.variant_no IS 'Variant number within the project (1, 2, ...).';
COMMENT ON COLUMN rolloy.generated_images.ad_name IS 'Ad-ready name: project name + _Vnn.';
COMMENT ON COLUMN rolloy.generated_images.status IS 'pending, processing, completed, failed or cancelled.';
COMMENT ON COLUMN rolloy.generated_images.provider IS 'Image provider: preview (offline), gemini, fal, ...';
COMMENT ON COLUMN rolloy.generated_images.model IS 'Model id at the provider; at most 120 characters.';
COMMENT ON COLUMN rolloy.generated_images.prompt IS 'Prompt sent with the reference image.';
COMMENT ON COLUMN rolloy.generated_images.params IS 'Generation parameters (strength, steps, guidance, ...).';
COMMENT ON COLUMN rolloy.generated_images.seed IS 'Seed; always recorded so a result can be reproduced.';
COMMENT ON COLUMN rolloy.generated_images.attempts IS 'Provider calls made so far.';
COMMENT ON COLUMN rolloy.generated_images.max_attempts IS 'Attempts allowed before the image fails for good.';
COMMENT ON COLUMN rolloy.generated_images.next_attempt_at IS 'Earliest time the worker may (re)try.';
COMMENT ON COLUMN rolloy.generated_images.lease_expires_at IS 'While processing: when the lease lapses and the row returns to pending.';
COMMENT ON COLUMN rolloy.generated_images.leased_by IS 'Process id of the worker holding the lease.';
COMMENT ON COLUMN rolloy.generated_images.last_error IS 'Last failure: the provider''s own message and HTTP status.';
COMMENT ON COLUMN rolloy.generated_images.last_http_status IS 'HTTP status of the last provider answer.';
COMMENT ON COLUMN rolloy.generated_images.resume_token IS 'Provider-side job of an interrupted attempt (fal queue URLs), resumed instead of paid twice.';
COMMENT ON COLUMN rolloy.generated_images.width IS 'Width of the stored image.';
COMMENT ON COLUMN rolloy.generated_images.height IS 'Height of the stored image.';
COMMENT ON COLUMN rolloy.generated_images.size_bytes IS 'Size of the stored JPEG in bytes.';
COMMENT ON COLUMN rolloy.generated_images.sha256 IS 'SHA-256 of the stored JPEG (hex).';
COMMENT ON COLUMN rolloy.generated_images.storage_ref IS 'Where the image is stored, e.g. db:generated/<project>/<id>.';
COMMENT ON COLUMN rolloy.generated_images.cost_usd IS 'Provider cost of all attempts in USD.';
COMMENT ON COLUMN rolloy.generated_images.started_at IS 'When the first attempt started.';
COMMENT ON COLUMN rolloy.generated_images.completed_at IS 'When the image completed.';
-- Only when the statement did not set updated_at itself (the worker's updates do): the worker
-- updates every image two or three times, and a PL/pgSQL call per update is measurable there.
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON rolloy.generated_images
    FOR EACH ROW WHEN (OLD.updated_at IS NOT DISTINCT FROM NEW.updated_at)
    EXECUTE FUNCTION rolloy_internal._touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('rolloy.generated_images', '');
