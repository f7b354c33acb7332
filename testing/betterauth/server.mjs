// Test-only identity server for journal's Rust end-to-end tests: a real Better Auth instance
// with the jwt plugin (what Neon Auth hosts), its tables in schema neon_auth.
//
// Environment:
//   DATABASE_URL        required, Postgres database to use (migrated on start)
//   PORT                required, listens on 127.0.0.1:$PORT
//   PGSSL=require       optional, TLS to Postgres without certificate checks (default: no TLS)
//   BETTER_AUTH_SECRET  optional, defaults to a fixed test-only secret
//   JOURNAL_TEST_ROUTES=1  optional, enables POST /test/sign-jwt (otherwise it is a 404)
//   TRUSTED_ORIGINS     optional, comma-separated browser origins (e.g. http://127.0.0.1:3000)
//                       that may use /api/auth/* cross-origin: passed to Better Auth as
//                       trustedOrigins, and answered with CORS headers (credentials allowed,
//                       preflights included) for exactly these origins. Unset: no CORS at all.
//
// Stdout gets exactly one line, "READY http://127.0.0.1:$PORT", once the server accepts requests.
// Everything else (Better Auth logs, errors) goes to stderr. SIGTERM / SIGINT stop it with exit code 0.
import http from "node:http";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";
import pg from "pg";

function fail(message) {
  console.error(`betterauth: ${message}`);
  process.exit(1);
}

const databaseUrl = process.env.DATABASE_URL;
const port = Number(process.env.PORT);
if (!databaseUrl || !URL.canParse(databaseUrl)) fail("DATABASE_URL is required (a postgres:// URL)");
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail("PORT is required (1-65535)");

const baseUrl = `http://127.0.0.1:${port}`;

const trustedOrigins = (process.env.TRUSTED_ORIGINS ?? "")
  .split(",")
  .map((origin) => origin.trim().replace(/\/+$/, ""))
  .filter(Boolean);
for (const origin of trustedOrigins) {
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
    fail(`TRUSTED_ORIGINS: "${origin}" is not an origin (scheme://host[:port])`);
  }
}

// TLS is decided by PGSSL alone: pg would otherwise let an sslmode in the URL override the
// ssl option below (and its "require" verifies the certificate, which fails on a self-signed one).
const connectionUrl = new URL(databaseUrl);
connectionUrl.searchParams.delete("sslmode");
connectionUrl.searchParams.delete("ssl");

// Every connection resolves unqualified table names in neon_auth, so both the migration
// planner and the runtime queries use that schema.
const pool = new pg.Pool({
  connectionString: connectionUrl.toString(),
  ssl: process.env.PGSSL === "require" ? { rejectUnauthorized: false } : false,
  options: "-c search_path=neon_auth",
  max: 5,
});
pool.on("error", (err) => console.error("betterauth: idle pg client error:", err.message));

const auth = betterAuth({
  baseURL: baseUrl,
  // A fixed secret keeps the encrypted private key in neon_auth.jwks readable across restarts.
  secret: process.env.BETTER_AUTH_SECRET || "journal-test-only-secret-do-not-use-in-production-0123456789",
  database: pool,
  emailAndPassword: { enabled: true },
  advanced: { database: { generateId: "uuid" } },
  // A browser SPA on another origin signs in with cookies; Better Auth refuses its requests
  // unless that origin is trusted.
  ...(trustedOrigins.length > 0 && { trustedOrigins }),
  // Tests sign up many users from one address; throttling would only get in the way.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  // Keep stdout for the READY line only.
  logger: {
    log: (level, message, ...args) => console.error(`betterauth ${level}: ${message}`, ...args),
  },
  // Default options: EdDSA (Ed25519) keys, 15 minute tokens, iss = aud = baseURL, sub = user id.
  plugins: [jwt()],
});

async function migrate() {
  await pool.query("CREATE SCHEMA IF NOT EXISTS neon_auth");
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
}

const handleAuth = toNodeHandler(auth);

// Test-only route, for tokens the HTTP flow cannot produce (e.g. already expired ones): signs an
// arbitrary payload with Better Auth's own key (the one /api/auth/jwks publishes) through the jwt
// plugin's server-only signJWT endpoint. Claims the caller sets (iss, aud, sub, iat, exp, nbf, jti)
// are kept as given; a missing exp becomes iat (or now) + 15 min, a missing iss / aud becomes the
// base URL, a missing iat stays missing. Off unless JOURNAL_TEST_ROUTES=1.
const testRoutes = process.env.JOURNAL_TEST_ROUTES === "1";

function sendJson(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req, limit = 64 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

// Returns an error message for a payload jose would reject or reinterpret (a string exp is read
// by jose as a duration from now, not a timestamp), or null when it is fine to sign.
function payloadError(payload) {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return "body must be {\"payload\": {...}} with payload a JSON object";
  }
  for (const claim of ["iat", "exp", "nbf"]) {
    if (claim in payload && !Number.isFinite(payload[claim])) return `payload.${claim} must be a number (seconds since the epoch)`;
  }
  for (const claim of ["iss", "sub", "jti"]) {
    if (claim in payload && typeof payload[claim] !== "string") return `payload.${claim} must be a string`;
  }
  const aud = payload.aud;
  if ("aud" in payload && typeof aud !== "string" && !(Array.isArray(aud) && aud.every((a) => typeof a === "string"))) {
    return "payload.aud must be a string or an array of strings";
  }
  return null;
}

async function handleSignJwt(req, res) {
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    return sendJson(res, 405, { error: "method not allowed, use POST" });
  }
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    return sendJson(res, 400, { error: `invalid JSON body: ${err.message}` });
  }
  const problem = body === null || typeof body !== "object" || Array.isArray(body)
    ? "body must be a JSON object {\"payload\": {...}}"
    : payloadError(body.payload);
  if (problem) return sendJson(res, 400, { error: problem });
  // Only the payload is passed on: no overrideOptions, so the plugin's configured key and defaults apply.
  const { token } = await auth.api.signJWT({ body: { payload: body.payload } });
  sendJson(res, 200, { token });
}

// CORS for the trusted origins only: the SPA calls /api/auth/* with credentials (the session
// cookie). Returns true when it answered a preflight itself.
function answerCors(req, res) {
  const origin = req.headers.origin;
  if (!origin || !trustedOrigins.includes(origin)) return false;

  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("access-control-allow-credentials", "true");
  res.setHeader("access-control-expose-headers", "set-auth-jwt");
  res.setHeader("vary", "Origin");
  if (req.method !== "OPTIONS" || !req.headers["access-control-request-method"]) return false;

  res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
  const requested = req.headers["access-control-request-headers"];
  res.setHeader("access-control-allow-headers", requested || "content-type");
  res.setHeader("access-control-max-age", "600");
  res.writeHead(204);
  res.end();
  return true;
}

const server = http.createServer((req, res) => {
  const path = req.url.split("?")[0];
  if (path === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  // Neon Auth publishes its keys at <auth url>/.well-known/jwks.json; the jwt plugin serves them
  // at /api/auth/jwks. Answer both.
  if (path === "/api/auth/.well-known/jwks.json") req.url = "/api/auth/jwks";
  if (testRoutes && path === "/test/sign-jwt") {
    handleSignJwt(req, res).catch((err) => {
      console.error("betterauth: /test/sign-jwt failed:", err);
      if (!res.headersSent) sendJson(res, 500, { error: String(err?.message ?? err) });
      else res.end();
    });
    return;
  }
  if (path === "/api/auth" || path.startsWith("/api/auth/")) {
    if (answerCors(req, res)) return;
    handleAuth(req, res).catch((err) => {
      console.error("betterauth: request failed:", err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found");
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close(() => pool.end().finally(() => process.exit(0)));
  server.closeAllConnections();
  // Never let a stuck database connection keep a test waiting.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

try {
  await migrate();
} catch (err) {
  console.error("betterauth: migration failed:", err);
  process.exit(1);
}

server.on("error", (err) => fail(`cannot listen on 127.0.0.1:${port}: ${err.message}`));
server.listen(port, "127.0.0.1", () => {
  console.log(`READY ${baseUrl}`);
});
