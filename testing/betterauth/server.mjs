// Test-only identity server for journal's Rust end-to-end tests: a real Better Auth instance
// with the jwt plugin (what Neon Auth hosts), its tables in schema neon_auth.
//
// Environment:
//   DATABASE_URL        required, Postgres database to use (migrated on start)
//   PORT                required, listens on 127.0.0.1:$PORT
//   PGSSL=require       optional, TLS to Postgres without certificate checks (default: no TLS)
//   BETTER_AUTH_SECRET  optional, defaults to a fixed test-only secret
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
  if (path === "/api/auth" || path.startsWith("/api/auth/")) {
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
