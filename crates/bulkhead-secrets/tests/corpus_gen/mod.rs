//! The labelled corpus generator: format-valid FAKE secrets (random, with
//! valid checksums where the format has one) as positives, and tricky
//! negatives. Deterministic (fixed seed), so the committed corpus under
//! `tests/corpus/` can be checked against it. Regenerate with
//! `BULKHEAD_REGEN_CORPUS=1 cargo test -p bulkhead-secrets --test corpus`.

use base64::Engine;
use bulkhead_secrets::validate::token_checksum;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One corpus file: path under the corpus dir, content, labels (line, rule).
pub struct CorpusFile {
    pub path: String,
    pub content: String,
    pub labels: Vec<(usize, &'static str)>,
}

struct Gen {
    rng: ChaCha8Rng,
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const PASS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%^*-_=+";

impl Gen {
    fn pick(&mut self, set: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| set[self.rng.gen_range(0..set.len())] as char)
            .collect()
    }
    fn alnum(&mut self, n: usize) -> String {
        self.pick(ALNUM, n)
    }
    fn password(&mut self, n: usize) -> String {
        // Starts with a letter or digit, like most generated passwords.
        let first = self.pick(ALNUM, 1);
        format!("{first}{}", self.pick(PASS, n - 1))
    }
    fn crc_token(&mut self, prefix: &str) -> String {
        let random = self.alnum(30);
        format!("{prefix}{random}{}", token_checksum(&random))
    }
    fn aws_id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.pick(BASE32, 16))
    }
    fn aws_secret(&mut self) -> String {
        self.pick(B64, 40)
    }
    fn b64_lines(&mut self, bytes: usize, width: usize) -> String {
        let raw: Vec<u8> = (0..bytes).map(|_| self.rng.r#gen::<u8>()).collect();
        let text = base64::engine::general_purpose::STANDARD.encode(raw);
        text.as_bytes()
            .chunks(width)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn jwt(&mut self) -> String {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let header = enc(r#"{"alg":"HS256","typ":"JWT"}"#);
        let sub = self.alnum(12);
        let iat: u32 = self.rng.gen_range(1_600_000_000..1_700_000_000);
        let payload = enc(&format!(r#"{{"sub":"{sub}","iat":{iat},"role":"admin"}}"#));
        let sig = self.pick(B64URL, 43);
        format!("{header}.{payload}.{sig}")
    }
}

fn file(path: &str, lines: Vec<(String, Option<&'static str>)>) -> CorpusFile {
    let mut content = String::new();
    let mut labels = Vec::new();
    for (i, (text, label)) in lines.into_iter().enumerate() {
        content.push_str(&text);
        content.push('\n');
        if let Some(rule) = label {
            labels.push((i + 1, rule));
        }
    }
    CorpusFile {
        path: path.to_string(),
        content,
        labels,
    }
}

fn l(s: impl Into<String>) -> (String, Option<&'static str>) {
    (s.into(), None)
}

fn p(s: impl Into<String>, rule: &'static str) -> (String, Option<&'static str>) {
    (s.into(), Some(rule))
}

/// The whole corpus.
pub fn generate() -> Vec<CorpusFile> {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(0x5ec2e75),
    };
    let mut out = Vec::new();

    // ---------------------------------------------------------- positives
    out.push(file(
        "positive/aws.env",
        vec![
            l("# deploy credentials"),
            p(
                format!("AWS_ACCESS_KEY_ID={}", g.aws_id("AKIA")),
                "aws-access-key-id",
            ),
            p(
                format!("AWS_SECRET_ACCESS_KEY={}", g.aws_secret()),
                "aws-secret-access-key",
            ),
            p(
                format!("AWS_SESSION_KEY_ID={}", g.aws_id("ASIA")),
                "aws-access-key-id",
            ),
        ],
    ));
    out.push(file(
        "positive/aws-credentials",
        vec![
            l("[default]"),
            p(
                format!("aws_access_key_id = {}", g.aws_id("AKIA")),
                "aws-access-key-id",
            ),
            p(
                format!("aws_secret_access_key = {}", g.aws_secret()),
                "aws-secret-access-key",
            ),
            l("region = eu-west-1"),
        ],
    ));
    out.push(file(
        "positive/sts.json",
        vec![
            l("{\"Credentials\": {"),
            p(
                format!("  \"AccessKeyId\": \"{}\",", g.aws_id("ASIA")),
                "aws-access-key-id",
            ),
            p(
                format!("  \"SecretAccessKey\": \"{}\",", g.aws_secret()),
                "aws-secret-access-key",
            ),
            l("  \"Expiration\": \"2030-01-01T00:00:00Z\"}}"),
        ],
    ));
    let (ghp, gho, ghu, ghs, ghr) = (
        g.crc_token("ghp_"),
        g.crc_token("gho_"),
        g.crc_token("ghu_"),
        g.crc_token("ghs_"),
        g.crc_token("ghr_"),
    );
    let fine = format!("github_pat_{}_{}", g.alnum(22), g.alnum(59));
    out.push(file(
        "positive/github.sh",
        vec![
            l("#!/bin/sh"),
            p(format!("export GITHUB_TOKEN={ghp}"), "github-token"),
            p(
                format!("git clone https://x-access-token:{ghs}@github.com/acme/app.git"),
                "github-token",
            ),
            p(format!("oauth: {gho}"), "github-token"),
            p(
                format!("curl -H 'Authorization: token {ghu}' https://api.github.com/user"),
                "github-token",
            ),
            p(format!("refresh={ghr}"), "github-token"),
            p(format!("GH_PAT=\"{fine}\""), "github-fine-grained-pat"),
        ],
    ));
    out.push(file(
        "positive/.gitlab-ci.yml",
        vec![
            l("variables:"),
            p(
                format!("  GL_TOKEN: glpat-{}", g.pick(B64URL, 20)),
                "gitlab-token",
            ),
            p(
                format!("  DEPLOY: gldt-{}", g.pick(B64URL, 20)),
                "gitlab-token",
            ),
            l("script: make deploy"),
        ],
    ));
    out.push(file(
        "positive/slack.js",
        vec![
            l("const { WebClient } = require('@slack/web-api');"),
            p(
                format!(
                    "const web = new WebClient('xoxb-{}-{}-{}');",
                    g.pick(b"0123456789", 12),
                    g.pick(b"0123456789", 13),
                    g.alnum(24)
                ),
                "slack-token",
            ),
            p(
                format!(
                    "const hook = 'https://hooks.slack.com/services/T{}/B{}/{}';",
                    g.pick(BASE32, 8),
                    g.pick(BASE32, 10),
                    g.alnum(24)
                ),
                "slack-webhook-url",
            ),
            p(
                format!(
                    "// user: xoxp-{}-{}-{}-{}",
                    g.pick(b"0123456789", 11),
                    g.pick(b"0123456789", 11),
                    g.pick(b"0123456789", 12),
                    g.alnum(32)
                ),
                "slack-token",
            ),
        ],
    ));
    out.push(file(
        "positive/billing.py",
        vec![
            l("import stripe"),
            p(
                format!("stripe.api_key = \"sk_live_{}\"", g.alnum(24)),
                "stripe-secret-key",
            ),
            p(
                format!("RESTRICTED = 'rk_live_{}'", g.alnum(99)),
                "stripe-secret-key",
            ),
        ],
    ));
    out.push(file(
        "positive/.npmrc",
        vec![
            l("registry=https://registry.npmjs.org/"),
            p(
                format!("//registry.npmjs.org/:_authToken={}", g.crc_token("npm_")),
                "npm-access-token",
            ),
        ],
    ));
    out.push(file(
        "positive/.pypirc",
        vec![
            l("[pypi]"),
            l("username = __token__"),
            p(
                format!("password = pypi-AgEIcHlwaS5vcmc{}", g.pick(B64URL, 150)),
                "pypi-upload-token",
            ),
        ],
    ));
    out.push(file(
        "positive/docker-login.sh",
        vec![p(
            format!(
                "echo dckr_pat_{} | docker login -u acme --password-stdin",
                g.pick(B64URL, 27)
            ),
            "dockerhub-pat",
        )],
    ));
    let sa_key = g.b64_lines(1200, 64).replace('\n', "\\n");
    out.push(file(
        "positive/gcp-sa.json",
        vec![
            l("{"),
            l("  \"type\": \"service_account\","),
            l("  \"project_id\": \"acme-prod\","),
            l(format!("  \"private_key_id\": \"{}\",", g.pick(HEX, 40))),
            p(
                format!("  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{sa_key}\\n-----END PRIVATE KEY-----\\n\","),
                "gcp-service-account-key",
            ),
            l("  \"client_email\": \"deploy@acme-prod.iam.gserviceaccount.com\","),
            l("  \"client_id\": \"113405723123456789012\""),
            l("}"),
        ],
    ));
    out.push(file(
        "positive/maps.js",
        vec![p(
            format!("const MAPS_KEY = \"AIza{}\";", g.pick(B64URL, 35)),
            "gcp-api-key",
        )],
    ));
    let rsa = g.b64_lines(1190, 64);
    let mut lines = vec![p("-----BEGIN RSA PRIVATE KEY-----", "private-key")];
    lines.extend(rsa.lines().map(l));
    lines.push(l("-----END RSA PRIVATE KEY-----"));
    out.push(file("positive/id_rsa", lines));
    let ec = g.b64_lines(121, 64);
    let mut lines = vec![
        l("# service certificate key"),
        p("-----BEGIN EC PRIVATE KEY-----", "private-key"),
    ];
    lines.extend(ec.lines().map(l));
    lines.push(l("-----END EC PRIVATE KEY-----"));
    out.push(file("positive/tls/server.key", lines));
    let pk8 = g.b64_lines(1218, 64);
    let mut lines = vec![p("-----BEGIN PRIVATE KEY-----", "private-key")];
    lines.extend(pk8.lines().map(l));
    lines.push(l("-----END PRIVATE KEY-----"));
    out.push(file("positive/app.pem", lines));
    let ssh = g.b64_lines(400, 70);
    let mut lines = vec![p(
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "openssh-private-key",
    )];
    lines.extend(ssh.lines().map(l));
    lines.push(l("-----END OPENSSH PRIVATE KEY-----"));
    out.push(file("positive/home/.ssh/id_ed25519", lines));
    let pgp = g.b64_lines(900, 64);
    let mut lines = vec![
        p("-----BEGIN PGP PRIVATE KEY BLOCK-----", "pgp-private-key"),
        l(""),
    ];
    lines.extend(pgp.lines().map(l));
    lines.push(l(format!("={}", g.pick(B64, 4))));
    lines.push(l("-----END PGP PRIVATE KEY BLOCK-----"));
    out.push(file("positive/signing.asc", lines));
    out.push(file(
        "positive/request.http",
        vec![
            l("GET /api/v1/orders HTTP/1.1"),
            l("Host: api.internal"),
            p(format!("Authorization: Bearer {}", g.jwt()), "jwt-token"),
        ],
    ));
    out.push(file(
        "positive/azure.env",
        vec![
            p(
                format!(
                    "STORAGE_CONNECTION=DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={};EndpointSuffix=core.windows.net",
                    base64::engine::general_purpose::STANDARD
                        .encode((0..64).map(|_| g.rng.r#gen::<u8>()).collect::<Vec<u8>>())
                ),
                "azure-storage-account-key",
            ),
        ],
    ));
    out.push(file(
        "positive/urls.conf",
        vec![
            p(
                format!(
                    "DATABASE_URL=postgres://app:{}@db.internal:5432/app",
                    g.alnum(18)
                ),
                "url-credentials",
            ),
            p(
                format!(
                    "broker_url = amqp://worker:{}@mq.internal:5672//",
                    g.alnum(14)
                ),
                "url-credentials",
            ),
            p(
                format!(
                    "mongodb+srv://admin:{}@cluster0.mongo.internal/prod",
                    g.alnum(16)
                ),
                "url-credentials",
            ),
        ],
    ));
    let pw = g.password(16);
    let dbpw = g.password(20);
    let apikey = g.pick(HEX, 32);
    let cs = g.alnum(40);
    let auth = g.alnum(32);
    let sk = g.password(50);
    out.push(file(
        "positive/config/app.yaml",
        vec![
            l("database:"),
            l("  host: db.internal"),
            p(format!("  password: {pw}"), "generic-password"),
            p(format!("  db_password: \"{dbpw}\""), "generic-password"),
            l("service:"),
            p(format!("  api_key: {apikey}"), "generic-secret"),
            p(format!("  client_secret: '{cs}'"), "generic-secret"),
            p(format!("  auth_token: {auth}"), "generic-secret"),
        ],
    ));
    out.push(file(
        "positive/settings.py",
        vec![
            l("DEBUG = False"),
            p(format!("SECRET_KEY = '{sk}'"), "generic-secret"),
            p(
                format!("EMAIL_HOST_PASSWORD = \"{}\"", g.password(14)),
                "generic-password",
            ),
        ],
    ));
    out.push(file(
        "positive/Dockerfile",
        vec![
            l("FROM debian:bookworm-slim"),
            p(format!("ENV API_TOKEN={}", g.alnum(32)), "generic-secret"),
            p(format!("ARG NPM_TOKEN={}", g.crc_token("npm_")), "npm-access-token"),
            p(
                format!("RUN curl -fsSL -H \"PRIVATE-TOKEN: glpat-{}\" https://gitlab.internal/api/v4/projects", g.pick(B64URL, 20)),
                "gitlab-token",
            ),
            l("CMD [\"/app\"]"),
        ],
    ));
    out.push(file(
        "positive/docker-compose.yml",
        vec![
            l("services:"),
            l("  db:"),
            l("    image: postgres:16"),
            l("    environment:"),
            p(
                format!("      - POSTGRES_PASSWORD={}", g.password(18)),
                "generic-password",
            ),
            p(
                format!("      MYSQL_ROOT_PASSWORD: \"{}\"", g.password(18)),
                "generic-password",
            ),
        ],
    ));
    out.push(file(
        "positive/.env",
        vec![
            l("APP_ENV=production"),
            p(
                format!("REDIS_PASSWORD={}", g.password(24)),
                "generic-password",
            ),
            p(format!("JWT_SECRET={}", g.pick(HEX, 64)), "generic-secret"),
            p(
                format!("SENTRY_AUTH_TOKEN={}", g.pick(HEX, 64)),
                "generic-secret",
            ),
        ],
    ));
    let mut minified =
        String::from("!function(e){var t={};function n(r){if(t[r])return t[r].exports}");
    for _ in 0..200 {
        minified.push_str(&format!(
            "var {}=function(e){{return e.{}||null}};",
            g.alnum(3).to_lowercase(),
            g.alnum(5).to_lowercase()
        ));
    }
    let token_mid = g.crc_token("ghp_");
    minified.push_str(&format!("var cfg={{gh:\"{token_mid}\",retries:3}};"));
    for _ in 0..200 {
        minified.push_str(&format!(
            "e.{}=t.{}||{{}};",
            g.alnum(4).to_lowercase(),
            g.alnum(4).to_lowercase()
        ));
    }
    minified.push_str("}();");
    out.push(file(
        "positive/bundle.min.js",
        vec![p(minified, "github-token")],
    ));

    // ---------------------------------------------------------- negatives
    out.push(file(
        "negative/aws-docs.md",
        vec![
            l("# Configure the CLI"),
            l("```"),
            l("[default]"),
            l("aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
            l("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            l("```"),
            l("Export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE and AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY."),
        ],
    ));
    out.push(file(
        "negative/placeholders.env",
        vec![
            l("PASSWORD=changeme"),
            l("DB_PASSWORD=${DB_PASSWORD}"),
            l("API_KEY=<your-api-key>"),
            l("TOKEN=xxxxxxxxxxxxxxxxxxxxxxxx"),
            l("SECRET=your-secret-here"),
            l("ADMIN_PASSWORD=\"********\""),
            l("GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
            l("PASSWORD_FILE=/run/secrets/db_password"),
            l("SESSION_SECRET=$SESSION_SECRET"),
            l("SMTP_PASSWORD={{ smtp_password }}"),
            l("AUTH_TOKEN=%(auth_token)s"),
            l("CLIENT_SECRET=REPLACE_WITH_CLIENT_SECRET"),
            l("DATABASE_URL=postgres://user:password@localhost:5432/app"),
            l("MYSQL_URL=mysql://root:${MYSQL_ROOT_PASSWORD}@db/app"),
            l("API_TOKEN=dummy-token-for-tests"),
            l("STRIPE_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"),
        ],
    ));
    let bad_ghp = format!("ghp_{}", g.alnum(36));
    let bad_npm = format!("npm_{}", g.alnum(36));
    let public_key = g.b64_lines(270, 64);
    out.push(file(
        "negative/test-keys.txt",
        vec![
            l(format!("stripe test key: sk_test_{}", g.alnum(24))),
            l(format!("publishable: pk_live_{}", g.alnum(24))),
            l(format!("made-up github token (checksum does not match): {bad_ghp}")),
            l(format!("made-up npm token: {bad_npm}")),
            l("jwt.io example: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
            l("-----BEGIN RSA PRIVATE KEY-----"),
            l("...your key here..."),
            l("-----END RSA PRIVATE KEY-----"),
            l("-----BEGIN PUBLIC KEY-----"),
            l(public_key),
            l("-----END PUBLIC KEY-----"),
            l("Slack docs token: xoxb-not-a-real-token-this-will-not-work"),
            l(format!("AKIA-style but too short: AKIA{}", g.pick(BASE32, 10))),
        ],
    ));
    out.push(file(
        "negative/hashes.txt",
        vec![
            l(format!("{}  debian-12.iso", g.pick(HEX, 64))),
            l(format!("md5: {}", g.pick(HEX, 32))),
            l(format!("commit {}", g.pick(HEX, 40))),
            l(format!("\"integrity\": \"sha512-{}==\"", g.pick(B64, 86))),
            l(format!(
                "password_hash: $2b$12${}",
                g.pick(B64, 53).replace('+', ".")
            )),
            l(format!("token_hash = \"{}\"", g.pick(HEX, 64))),
            l(format!("sha256:{}", g.pick(HEX, 64))),
        ],
    ));
    let uuid = |g: &mut Gen| {
        format!(
            "{}-{}-4{}-a{}-{}",
            g.pick(HEX, 8),
            g.pick(HEX, 4),
            g.pick(HEX, 3),
            g.pick(HEX, 3),
            g.pick(HEX, 12)
        )
    };
    out.push(file(
        "negative/uuids.txt",
        vec![
            l(format!("request_id: {}", uuid(&mut g))),
            l(format!(
                "{{\"id\": \"{}\", \"tenant\": \"{}\"}}",
                uuid(&mut g),
                uuid(&mut g)
            )),
            l("api_key: 123e4567-e89b-12d3-a456-426614174000"),
            l("token_id = 00000000-0000-0000-0000-000000000000"),
            l(format!("trace {}", uuid(&mut g))),
        ],
    ));
    out.push(file(
        "negative/app.min.js",
        vec![l(
            "!function(){\"use strict\";var e={token:null,secret:void 0};function t(n){return n.token||n.password||\"\"}\
             var r=function(e,t){this.password=t.password,this.token=e.token,this.apiKey=e.apiKey||\"\"};\
             r.prototype.auth=function(){return\"Bearer \"+this.token};var o={password:t.password,secret:n.secret,api_key:e.api_key};\
             var a=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\";\
             e.getToken=function(){return localStorage.getItem(\"token\")};e.setPassword=function(p){this.password=p};\
             var s={tokenType:\"Bearer\",passwordMinLength:12,secretName:\"tls-cert\"};}();",
        )],
    ));
    out.push(file(
        "negative/blob.b64",
        g.b64_lines(3000, 76).lines().map(l).collect(),
    ));
    out.push(file(
        "negative/code.py",
        vec![
            l("import getpass, os"),
            l("password = getpass.getpass()"),
            l("token = request.headers.get(\"X-Token\")"),
            l("def check_password(password: str) -> bool:"),
            l("    secret = None"),
            l("    api_key = settings.API_KEY"),
            l("    if password == \"\":"),
            l("        return False"),
            l("# the token is read from the environment"),
            l("db_password = os.environ[\"DB_PASSWORD\"]"),
            l("access_key = config.get_access_key()"),
            l("secret_token = generate_secret_token()"),
            l("PASSWORD_MIN_LENGTH = 12"),
            l("token: str = Field(..., description=\"API token\")"),
        ],
    ));
    out.push(file(
        "negative/docs.md",
        vec![
            l("Set the password to something strong and keep the token secret."),
            l("Connect with `psql postgres://user:pass@host/db`."),
            l("Clone with https://user:ghp_token@example.com/repo.git."),
            l("The API key is sent in the `X-Api-Key` header."),
            l("password: the user's password (required)"),
            l("token: see [Authentication](auth.md)"),
            l("passwd: elevated-privileges 4755 root/root [usr/bin/passwd]"),
            l("base-passwd: no-debconf-template"),
        ],
    ));
    out.push(file(
        "negative/k8s.yaml",
        vec![
            l("apiVersion: v1"),
            l("kind: Secret"),
            l("metadata:"),
            l("  name: db-credentials"),
            l("spec:"),
            l("  secretName: tls-cert"),
            l("  env:"),
            l("    - name: DB_PASSWORD"),
            l("      valueFrom:"),
            l("        secretKeyRef:"),
            l("          name: db"),
            l("          key: password"),
            l("    - name: API_TOKEN_PATH"),
            l("      value: /var/run/secrets/token"),
        ],
    ));
    out.push(file(
        "negative/package-lock.json",
        vec![
            l("{"),
            l("  \"node_modules/js-tokens\": {"),
            l("    \"version\": \"4.0.0\","),
            l("    \"resolved\": \"https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz\","),
            l(format!(
                "    \"integrity\": \"sha512-{}==\"",
                g.pick(B64, 86)
            )),
            l("  }"),
            l("}"),
        ],
    ));
    out.push(file(
        "negative/Dockerfile",
        vec![
            l("FROM node:20"),
            l("ARG NPM_TOKEN"),
            l("ENV PASSWORD_FILE=/run/secrets/pw"),
            l("RUN --mount=type=secret,id=npm,target=/root/.npmrc npm ci"),
            l("ENV API_TOKEN=${API_TOKEN}"),
        ],
    ));
    out.push(file(
        "negative/docker-compose.yml",
        vec![
            l("services:"),
            l("  db:"),
            l("    environment:"),
            l("      POSTGRES_PASSWORD_FILE: /run/secrets/pg"),
            l("      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}"),
            l("    secrets:"),
            l("      - db_password"),
            l("secrets:"),
            l("  db_password:"),
            l("    file: ./db_password.txt"),
        ],
    ));
    out
}
