// End-to-end, dev identity provider: user A signs in, writes two entries, edits one, meets a
// conflict when the entry changes elsewhere during a second edit and keeps their version,
// deletes the other entry (waiting out the undo window), reloads and sees exactly the kept
// entry. User B, in a browser context of their own, sees none of A's entries and pages through
// their own with "Load more".
import {
  callApi,
  check,
  devToken,
  entryArticle,
  fetchConfig,
  journalUrl,
  randomEmail,
  run,
  shownEntries,
  signInDev,
  writeEntry,
} from "./harness.mjs";

await run("dev-mode", async (_browser, { step, newPage, screenshot }) => {
  const marker = Math.random().toString(36).slice(2, 8);
  const first = `First entry ${marker}\n  indented second line`;
  const second = `Second entry ${marker}`;
  const edited = `First entry ${marker}, edited`;
  const theirs = `Changed in another tab ${marker}`;
  const kept = `Kept my version ${marker}`;
  const config = await fetchConfig();
  check(
    config.authMode === "dev",
    `config.json says authMode ${JSON.stringify(config.authMode)}, not "dev"`,
  );

  step("user A signs in");
  const alice = await newPage("A");
  const aliceEmail = randomEmail("alice");
  await signInDev(alice, aliceEmail);
  const header = await alice.getByRole("banner").textContent();
  check(header.includes(aliceEmail.split("@")[0]), `header does not name A: ${header}`);

  step("user A sees the empty state");
  await alice.getByText("No entries yet").waitFor();

  step("user A writes two entries (Ctrl+Enter, then the button)");
  await writeEntry(alice, first, { shortcut: true });
  await writeEntry(alice, second);
  const written = await shownEntries(alice);
  check(
    JSON.stringify(written) === JSON.stringify([second, first]),
    `expected newest first [second, first], saw ${JSON.stringify(written)}`,
  );

  step("user A edits the first entry in place");
  await entryArticle(alice, first).getByRole("button", { name: "Edit" }).click();
  const editor = alice.getByLabel("Edit entry");
  await editor.fill(edited);
  const saved = alice.waitForResponse((response) => response.request().method() === "PUT");
  await alice.getByRole("button", { name: "Save", exact: true }).click();
  const put = await saved;
  check(put.status() === 200, `PUT answered ${put.status()}`);
  check(Boolean(put.request().headers()["if-match"]), "PUT was sent without If-Match");
  await entryArticle(alice, edited).waitFor();

  step("the entry changes elsewhere while user A edits it again; A keeps their version");
  const entryId = (await entryArticle(alice, edited).getAttribute("id")).replace("entry-", "");
  await entryArticle(alice, edited).getByRole("button", { name: "Edit" }).click();
  await alice.getByLabel("Edit entry").fill(kept);
  const aliceToken = await devToken(config.authUrl, aliceEmail);
  await callApi(aliceToken, "PUT", `/api/entries/${entryId}`, { content: theirs });
  await alice.getByRole("button", { name: "Save", exact: true }).click();
  await alice.getByText("This entry was changed elsewhere").waitFor();
  await alice.getByText(theirs, { exact: true }).waitFor();
  await screenshot(alice, "conflict");
  const keptSaved = alice.waitForResponse((response) => response.request().method() === "PUT");
  await alice.getByRole("button", { name: "Keep mine" }).click();
  check((await keptSaved).status() === 200, "keeping my version did not save it");
  await entryArticle(alice, kept).waitFor();

  step("user A reloads: both entries are still there, now read from the list");
  await alice.reload();
  const beforeDelete = await shownEntries(alice);
  check(
    JSON.stringify(beforeDelete) === JSON.stringify([second, kept]),
    `after reload expected [second, kept], saw ${JSON.stringify(beforeDelete)}`,
  );

  step("user A deletes the second entry, then undoes it");
  let deletesSent = 0;
  alice.on("request", (request) => {
    if (request.method() === "DELETE") deletesSent++;
  });
  await entryArticle(alice, second).getByRole("button", { name: "Delete" }).click();
  await entryArticle(alice, second).waitFor({ state: "detached" });
  await alice.getByRole("button", { name: "Undo" }).click();
  await entryArticle(alice, second).waitFor();
  check(deletesSent === 0, "a DELETE was sent although the user undid the deletion");

  step("user A deletes the second entry and waits out the undo");
  const deleted = alice.waitForResponse((response) => response.request().method() === "DELETE", {
    timeout: 12_000,
  });
  const deleteClickedAt = Date.now();
  await entryArticle(alice, second).getByRole("button", { name: "Delete" }).click();
  const undoButton = alice.getByRole("button", { name: "Undo" });
  await undoButton.waitFor();
  check(
    await undoButton.evaluate((button) => button === document.activeElement),
    "Undo did not get the focus",
  );
  await screenshot(alice, "undo");
  const del = await deleted;
  const waited = Date.now() - deleteClickedAt;
  check(del.status() === 204, `DELETE answered ${del.status()}`);
  check(Boolean(del.request().headers()["if-match"]), "DELETE was sent without If-Match");
  check(waited >= 4_000, `DELETE went out after ${waited} ms, before the undo window ended`);

  step("user A reloads and sees only the kept entry");
  await alice.reload();
  await alice.getByRole("button", { name: "Sign out" }).waitFor();
  const afterReload = await shownEntries(alice);
  check(
    JSON.stringify(afterReload) === JSON.stringify([kept]),
    `after reload expected [kept], saw ${JSON.stringify(afterReload)}`,
  );
  await screenshot(alice, "user-a");

  step("user B signs in elsewhere and sees none of A's entries");
  const bob = await newPage("B");
  const bobEmail = randomEmail("bob");
  await signInDev(bob, bobEmail);
  await bob.getByText("No entries yet").waitFor();
  const bobSees = await shownEntries(bob);
  check(bobSees.length === 0, `B sees entries: ${JSON.stringify(bobSees)}`);
  const bobText = await bob.locator("body").textContent();
  check(!bobText.includes(marker), "B's page contains text from A's entries");
  await screenshot(bob, "user-b");

  step("user B has 23 entries and pages through them with Load more");
  const bobToken = await devToken(config.authUrl, bobEmail);
  const seeded = [];
  for (let index = 1; index <= 23; index++) {
    seeded.unshift(`Bob's entry ${index}`);
    await callApi(bobToken, "POST", "/api/entries", { content: seeded[0] });
  }
  await bob.reload();
  const firstPage = await shownEntries(bob);
  check(
    firstPage.length > 0 && firstPage.length < seeded.length,
    `first page has ${firstPage.length} entries`,
  );
  await bob.getByRole("button", { name: "Load more" }).click();
  await bob.getByText(seeded.at(-1), { exact: true }).waitFor();
  const allPages = await shownEntries(bob);
  check(
    JSON.stringify(allPages) === JSON.stringify(seeded),
    `after Load more expected all ${seeded.length}, newest first: ${JSON.stringify(allPages)}`,
  );
  check(
    (await bob.getByRole("button", { name: "Load more" }).count()) === 0,
    "Load more is still offered",
  );

  step("user A goes offline and is told so");
  await alice.context().setOffline(true);
  await alice.getByText("You are offline").waitFor();
  await alice.context().setOffline(false);
  await alice.getByText("You are offline").waitFor({ state: "detached" });

  step("user A signs out");
  await alice.getByRole("button", { name: "Sign out" }).click();
  await alice.getByLabel("Email").waitFor();
  check(alice.url().startsWith(journalUrl), `left the app: ${alice.url()}`);
});
