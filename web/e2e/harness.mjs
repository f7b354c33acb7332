// Shared setup for the browser end-to-end scripts: Debian's chromium driven by playwright-core,
// configured by the environment, a time limit on the whole script, screenshots, and one way to
// report a failure (print what failed, exit 1). The scripts only drive the browser; whoever runs
// them starts journal-server (and, for neon mode, the Better Auth server) first.
//
// Environment:
//   JOURNAL_URL     origin serving the SPA, /config.json and /api (default http://127.0.0.1:3000)
//   SCREENSHOT_DIR  where PNGs go (default ./screenshots)
//   CHROMIUM        the browser binary (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS  limit for the whole script (default 60000)
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

export const journalUrl = (process.env.JOURNAL_URL || "http://127.0.0.1:3000").replace(/\/+$/, "");
const screenshotDir = process.env.SCREENSHOT_DIR || "screenshots";
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const timeoutMs = Number(process.env.E2E_TIMEOUT_MS || 60_000);

/** How long one step (a click's effect, a page load) may take. */
export const STEP_MS = 15_000;

/** A random address no earlier run used. */
export function randomEmail(label) {
  const unique = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return `${label}-${unique}@example.com`;
}

/**
 * Runs `body(browser, tools)` within the time limit and exits: 0 when it finishes, 1 with the
 * failing step, the error and the page errors seen so far when it throws or times out.
 */
export async function run(name, body) {
  const started = Date.now();
  let step = "starting";
  const pageErrors = [];
  let browser;

  const finish = async (code, message) => {
    if (message) console.error(message);
    await browser?.close().catch(() => undefined);
    process.exit(code);
  };
  const timer = setTimeout(
    () => void finish(1, `${name}: FAILED: timed out after ${timeoutMs} ms during "${step}"`),
    timeoutMs,
  );

  try {
    await mkdir(screenshotDir, { recursive: true });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });

    const tools = {
      /** Names the step under way, for the failure message. */
      step(description) {
        step = description;
        console.log(`${name}: ${description}`);
      },
      /** A fresh browser context (its own cookies and storage) with one page, at 375 px wide. */
      async newPage(label) {
        const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
        const page = await context.newPage();
        page.setDefaultTimeout(STEP_MS);
        page.on("pageerror", (error) => pageErrors.push(`${label}: ${error.message}`));
        page.on("console", (message) => {
          if (message.type() === "error") pageErrors.push(`${label} console: ${message.text()}`);
        });
        return page;
      },
      async screenshot(page, file) {
        const target = path.join(screenshotDir, `${name}-${file}.png`);
        await page.screenshot({ path: target, fullPage: true });
        console.log(`${name}: screenshot ${target}`);
      },
      /** Page errors collected so far (uncaught exceptions and console errors). */
      pageErrors,
    };

    await body(browser, tools);
    const refused = pageErrors.filter((message) => /Content Security Policy/i.test(message));
    check(
      refused.length === 0,
      `the page broke its Content-Security-Policy:\n  ${refused.join("\n  ")}`,
    );
    clearTimeout(timer);
    console.log(`${name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await finish(0);
  } catch (error) {
    clearTimeout(timer);
    const seen = pageErrors.length ? `\npage errors:\n  ${pageErrors.join("\n  ")}` : "";
    await finish(1, `${name}: FAILED during "${step}": ${error?.stack ?? error}${seen}`);
  }
}

/** Throws with `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Reads the config the SPA will read. */
export async function fetchConfig() {
  const response = await fetch(`${journalUrl}/config.json`).catch((error) => {
    throw new Error(
      `cannot reach ${journalUrl}/config.json (is the server running?): ${error.cause ?? error}`,
    );
  });
  check(response.ok, `GET /config.json answered ${response.status}`);
  return response.json();
}

/** A token for `email` from the dev identity provider, to act as that user outside the page. */
export async function devToken(authUrl, email) {
  const response = await fetch(`${authUrl}/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  check(response.ok, `POST ${authUrl}/token answered ${response.status}`);
  return (await response.json()).token;
}

/** Calls the API outside the browser, as the holder of `token`. */
export async function callApi(token, method, path, body) {
  const response = await fetch(`${journalUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  check(
    response.ok,
    `${method} ${path} answered ${response.status}: ${await response.clone().text()}`,
  );
  return response;
}

/** Opens the SPA and signs in through the dev identity provider's form. */
export async function signInDev(page, email) {
  await page.goto(journalUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Opens the SPA and creates a Neon Auth (Better Auth) account, which also signs it in. */
export async function signUpNeon(page, { name, email, password }) {
  await page.goto(journalUrl);
  await page.getByRole("button", { name: "Create an account" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Writes an entry through the composer and waits until the list shows it. */
export async function writeEntry(page, content, { shortcut = false } = {}) {
  const created = page.waitForResponse(
    (response) => response.url().endsWith("/api/entries") && response.request().method() === "POST",
  );
  await page.getByLabel("New entry").fill(content);
  if (shortcut) await page.getByLabel("New entry").press("Control+Enter");
  else await page.getByRole("button", { name: "Save entry" }).click();

  const response = await created;
  check(response.status() === 201, `POST /api/entries answered ${response.status()}`);
  await entryArticle(page, content).waitFor();
}

/** The list item whose entry text is exactly `content`. */
export function entryArticle(page, content) {
  return page.getByRole("article").filter({ has: page.getByText(content, { exact: true }) });
}

/** The entry texts shown, top to bottom. */
export async function shownEntries(page) {
  await page.getByRole("heading", { name: "Your entries" }).waitFor();
  await page.locator("section[aria-busy='false']").waitFor();
  return page.getByTestId("entry-content").allTextContents();
}
