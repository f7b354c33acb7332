// End-to-end, Neon Auth mode (/config.json says "neon"; a real Better Auth server with the jwt
// plugin answers at its authUrl): a fresh user signs up, signs out, signs in again with the
// password, writes an entry and reads it back after a reload (the session cookie survives it).
import {
  check,
  entryArticle,
  fetchConfig,
  randomEmail,
  run,
  shownEntries,
  signUpNeon,
  writeEntry,
} from "./harness.mjs";

await run("neon-mode", async (_browser, { step, newPage, screenshot }) => {
  const config = await fetchConfig();
  check(
    config.authMode === "neon",
    `config.json says authMode ${JSON.stringify(config.authMode)}, not "neon"`,
  );
  const user = {
    name: "Neon Tester",
    email: randomEmail("neon"),
    password: `pw-${Math.random().toString(36)}`,
  };
  const content = `Written through Neon Auth ${Math.random().toString(36).slice(2, 8)}`;

  step("a fresh user signs up");
  const page = await newPage("neon");
  await signUpNeon(page, user);
  const header = await page.getByRole("banner").textContent();
  check(header.includes(user.name), `header does not show the user's name: ${header}`);
  await page.getByText("No entries yet").waitFor();

  step("the user signs out");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Password").waitFor();
  await page.reload();
  await page.getByLabel("Password").waitFor();
  check(
    (await page.getByRole("button", { name: "Sign out" }).count()) === 0,
    "still signed in after signing out and reloading",
  );

  step("a wrong password is refused");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(`${user.password}-wrong`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();

  step("the user signs in with the password");
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();

  step("the user writes an entry");
  const tokenCalls = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.endsWith("/api/auth/token")) tokenCalls.push(request.url());
  });
  await writeEntry(page, content);

  step("the entry is there after a reload");
  await page.reload();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  await entryArticle(page, content).waitFor();
  const shown = await shownEntries(page);
  check(
    JSON.stringify(shown) === JSON.stringify([content]),
    `expected [content], saw ${JSON.stringify(shown)}`,
  );
  check(tokenCalls.length >= 1, "no token was fetched from the jwt plugin's /token");
  await screenshot(page, "journal");
});
