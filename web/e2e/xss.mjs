// End-to-end: entry text that looks like HTML is shown as text. `<img src=x onerror=alert(1)>`
// must appear literally, create no <img> element and open no dialog, before and after a reload.
// Signs in with whichever identity provider /config.json names.
import {
  check,
  entryArticle,
  fetchConfig,
  randomEmail,
  run,
  signInDev,
  signUpNeon,
  writeEntry,
} from "./harness.mjs";

const PAYLOAD = "<img src=x onerror=alert(1)>";
const SCRIPT_PAYLOAD = '<script>alert("script")</script><b>bold?</b>';

await run("xss", async (_browser, { step, newPage, screenshot }) => {
  const dialogs = [];

  step("a fresh user signs in");
  const config = await fetchConfig();
  const page = await newPage("xss");
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const email = randomEmail("xss");
  if (config.authMode === "neon") {
    await signUpNeon(page, { name: "Xss Tester", email, password: `pw-${Math.random()}` });
  } else {
    await signInDev(page, email);
  }

  step("the user writes entries that look like HTML");
  await writeEntry(page, PAYLOAD);
  await writeEntry(page, SCRIPT_PAYLOAD);

  for (const moment of ["after writing", "after a reload"]) {
    step(`the text is shown literally ${moment}`);
    if (moment === "after a reload") {
      await page.reload();
      await entryArticle(page, PAYLOAD).waitFor();
    }
    await page.waitForTimeout(500);
    const shown = await page.getByTestId("entry-content").allTextContents();
    check(
      shown.includes(PAYLOAD),
      `the img payload is not shown literally: ${JSON.stringify(shown)}`,
    );
    check(
      shown.includes(SCRIPT_PAYLOAD),
      `the script payload is not shown literally: ${JSON.stringify(shown)}`,
    );
    const images = await page.locator("img").count();
    check(images === 0, `${images} img element(s) in the page`);
    const bold = await page.locator("main b").count();
    check(bold === 0, "a <b> element was created from entry text");
    check(dialogs.length === 0, `a dialog opened: ${JSON.stringify(dialogs)}`);
  }
  await screenshot(page, "literal");
});
