-- Fleet state, version 1: the job queue, sealed registry credentials,
-- results by manifest digest with their findings and packages, the shared
-- layer analyses, where each digest was seen, and re-match history.
-- docs/fleet.md describes every table.

CREATE TABLE jobs (
    id            bigserial PRIMARY KEY,
    registry      text        NOT NULL,
    repository    text        NOT NULL,
    digest        text        NOT NULL,
    tag           text,
    insecure      boolean     NOT NULL DEFAULT false,
    -- Whether registry credentials came with the job: they live, sealed,
    -- in job_credentials until the job ends.
    has_credentials boolean   NOT NULL DEFAULT false,
    state         text        NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts      integer     NOT NULL DEFAULT 0,
    max_attempts  integer     NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    lease_owner   text,
    lease_until   timestamptz,
    -- A failed attempt waits until then before the next claim (backoff).
    run_after     timestamptz NOT NULL DEFAULT now(),
    last_error    text,
    result_digest text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);

-- At most one open job per digest: enqueueing it again is a no-op.
CREATE UNIQUE INDEX jobs_one_open_per_digest ON jobs (digest)
    WHERE state IN ('queued', 'running');
-- What claims scan: open jobs only, oldest first.
CREATE INDEX jobs_open ON jobs (id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_state ON jobs (state);

-- Registry credentials of open jobs, sealed (XSalsa20-Poly1305) with the
-- key of BULKHEAD_FLEET_KEY; deleted when the job ends.
CREATE TABLE job_credentials (
    job_id bigint PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    nonce  bytea NOT NULL,
    sealed bytea NOT NULL
);

-- One result per manifest (or index) digest, upserted.
CREATE TABLE results (
    digest           text PRIMARY KEY,
    registry         text        NOT NULL,
    repository       text        NOT NULL,
    tag              text,
    -- The packages (OS, package sets), serialised; codec 'json' or 'zstd'.
    inventory        bytea       NOT NULL,
    inventory_codec  text        NOT NULL CHECK (inventory_codec IN ('json', 'zstd')),
    -- The unfiltered report (Trivy-shaped JSON), same codecs.
    report           bytea       NOT NULL,
    report_codec     text        NOT NULL CHECK (report_codec IN ('json', 'zstd')),
    scanner_version  text        NOT NULL,
    analyzers_key    text        NOT NULL,
    -- The advisory database (built_at) the findings were matched with.
    db_built_at      timestamptz,
    scanned_at       timestamptz NOT NULL DEFAULT now(),
    rematched_at     timestamptz,
    findings         integer     NOT NULL DEFAULT 0,
    layers_reused    integer     NOT NULL DEFAULT 0,
    layers_analyzed  integer     NOT NULL DEFAULT 0,
    -- Wall-clock seconds of the scan that made it (the metrics histogram).
    scan_seconds     double precision NOT NULL DEFAULT 0,
    job_id           bigint
);

-- The vulnerabilities of each result, for `fleet query`.
CREATE TABLE findings (
    digest            text     NOT NULL REFERENCES results (digest) ON DELETE CASCADE,
    vuln_id           text     NOT NULL,
    aliases           text[]   NOT NULL DEFAULT '{}',
    pkg_name          text     NOT NULL,
    installed_version text     NOT NULL,
    fixed_version     text     NOT NULL DEFAULT '',
    severity          text     NOT NULL,
    kev               boolean  NOT NULL DEFAULT false
);
CREATE INDEX findings_by_digest ON findings (digest);
CREATE INDEX findings_by_id ON findings (vuln_id);
CREATE INDEX findings_by_alias ON findings USING gin (aliases);
CREATE INDEX findings_kev ON findings (digest) WHERE kev;
CREATE INDEX findings_by_severity ON findings (severity);

-- The packages of each result, for `fleet query --package`.
CREATE TABLE packages (
    digest    text NOT NULL REFERENCES results (digest) ON DELETE CASCADE,
    name      text NOT NULL,
    version   text NOT NULL,
    kind      text NOT NULL
);
CREATE INDEX packages_by_digest ON packages (digest);
CREATE INDEX packages_by_name ON packages (name, version);

-- Where each digest was seen (registry, repository, tag).
CREATE TABLE image_refs (
    registry   text        NOT NULL,
    repository text        NOT NULL,
    tag        text        NOT NULL,
    digest     text        NOT NULL,
    seen_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registry, repository, tag)
);
CREATE INDEX image_refs_by_digest ON image_refs (digest);

-- Per-layer analyses shared by every worker: key = sha256 of diff_id,
-- analyzer versions and scan options.
CREATE TABLE layers (
    key           text PRIMARY KEY,
    diff_id       text        NOT NULL,
    analyzers_key text        NOT NULL,
    analysis      bytea       NOT NULL,
    codec         text        NOT NULL CHECK (codec IN ('json', 'zstd')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Re-match runs and what each changed.
CREATE TABLE rematch_runs (
    id          bigserial PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    db_built_at timestamptz,
    images      integer NOT NULL DEFAULT 0,
    changed     integer NOT NULL DEFAULT 0
);
CREATE TABLE rematch_changes (
    run_id  bigint NOT NULL REFERENCES rematch_runs (id) ON DELETE CASCADE,
    digest  text   NOT NULL,
    added   text[] NOT NULL DEFAULT '{}',
    removed text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, digest)
);
