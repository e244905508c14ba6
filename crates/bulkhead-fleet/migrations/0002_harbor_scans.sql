-- Scan requests Harbor sent to `bulkhead server --db`: the id Harbor polls,
-- the artifact and capabilities it asked for, and the job that answers (no
-- job: the digest already had a current result). No credential is kept
-- here: those travel sealed with the job (job_credentials).
CREATE TABLE harbor_scans (
    id           text PRIMARY KEY,
    digest       text        NOT NULL,
    job_id       bigint,
    artifact     jsonb       NOT NULL,
    capabilities jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX harbor_scans_by_created ON harbor_scans (created_at);
