// Build and dev-server setup. The built SPA (dist/) is served by journal-server, which also
// answers /config.json and /api. `vite` (dev) and `vite preview` (the built dist/) proxy both
// to a running journal-server (JOURNAL_API, default http://127.0.0.1:3300), or answer
// /config.json themselves when JOURNAL_AUTH_MODE and JOURNAL_AUTH_URL are set (never built in).
// `vite preview` also sends the Content-Security-Policy journal-server sends, so the built
// SPA can be checked against it locally.
/// <reference types="vitest/config" />
import type { IncomingMessage, ServerResponse } from "node:http";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const journalApi = process.env.JOURNAL_API ?? "http://127.0.0.1:3300";

export default defineConfig({
  plugins: [react(), tailwindcss(), localConfigJson(), previewCsp()],
  build: {
    outDir: "dist",
    // The server's CSP allows no inline script or style: keep every asset a file of its own.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: {
      "/api": journalApi,
      "/config.json": journalApi,
    },
  },
  preview: {
    proxy: {
      "/api": journalApi,
      "/config.json": journalApi,
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});

/** Answers GET /config.json from the environment in `vite` and `vite preview`, when asked to. */
function localConfigJson(): Plugin {
  const authMode = process.env.JOURNAL_AUTH_MODE;
  const authUrl = process.env.JOURNAL_AUTH_URL;
  const body = JSON.stringify({ authMode, authUrl });
  const answer = (_req: IncomingMessage, res: ServerResponse) => {
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    res.end(body);
  };

  return {
    name: "journal-local-config-json",
    configureServer(server) {
      if (authMode && authUrl) server.middlewares.use("/config.json", answer);
    },
    configurePreviewServer(server) {
      if (authMode && authUrl) server.middlewares.use("/config.json", answer);
    },
  };
}

/** journal-server's CSP, sent by `vite preview` (the dev server needs inline scripts). */
function previewCsp(): Plugin {
  const authOrigin = process.env.JOURNAL_AUTH_URL
    ? new URL(process.env.JOURNAL_AUTH_URL).origin
    : "";
  const policy = [
    "default-src 'self'",
    `connect-src 'self' ${authOrigin}`.trim(),
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");

  return {
    name: "journal-preview-csp",
    configurePreviewServer(server) {
      server.middlewares.use((_req, res, next) => {
        res.setHeader("content-security-policy", policy);
        next();
      });
    },
  };
}
