import { expect, test, type Page } from "@playwright/test";
import { apiUser, logIn, open, PASSWORD } from "./helpers";

// What a visitor sees, tried as a new user would on a phone-sized window: a way back from a page
// that does not exist, the navigation on one line, a destructive action that looks like one, and
// times in the visitor's own time zone.

const PHONE = { width: 390, height: 844 };

/** How many lines the header's links take: a link starts a new line when it is wholly below the
 * line before it (the brand's larger letters sit a pixel higher on the same line). */
async function navLines(page: Page): Promise<number> {
  return page.locator(".site-header nav a").evaluateAll((links) => {
    let lines = 0;
    let bottom = -Infinity;
    for (const link of links) {
      const box = link.getBoundingClientRect();
      if (box.top >= bottom) {
        lines += 1;
        bottom = box.bottom;
      }
    }
    return lines;
  });
}


test("the not-found page offers a way back to the home page", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Register" }).first()).toBeVisible();
});

test("on a 390-px phone the navigation stays on one line, signed out and signed in", async ({ browser, request }) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await open(page, "/");
  await expect(page.getByRole("navigation").getByRole("link", { name: "Register" })).toBeVisible();
  expect(await navLines(page)).toBe(1);
  const user = await apiUser(request, "Phoebe Phone");
  await logIn(page, user.email);
  await expect(page.locator(".site-header").getByRole("link", { name: "Account" })).toBeVisible();
  expect(await navLines(page)).toBe(1);
  await context.close();
});

test("Delete account looks like a destructive action, and the confirmation like the last step", async ({ page, request }) => {
  const user = await apiUser(request, "Dana Danger");
  await logIn(page, user.email);
  await open(page, "/account");
  const save = page.getByRole("button", { name: "Save" });
  const remove = page.getByRole("button", { name: "Delete account" });
  const style = (button: typeof save) =>
    button.evaluate((el) => {
      const s = getComputedStyle(el);
      return { background: s.backgroundColor, color: s.color, border: s.borderColor };
    });
  const saveStyle = await style(save);
  const removeStyle = await style(remove);
  expect(removeStyle).not.toEqual(saveStyle);
  // Outlined in red: a white face, red words and edge.
  expect(removeStyle.background).toBe("rgb(255, 255, 255)");
  expect(removeStyle.color).toBe("rgb(179, 38, 30)");
  expect(removeStyle.border).toBe("rgb(179, 38, 30)");
  await page.locator("#delete-password").fill(PASSWORD);
  await remove.click();
  const yes = page.getByRole("button", { name: "Yes, delete my account" });
  await expect(yes).toBeVisible();
  expect((await style(yes)).background).toBe("rgb(179, 38, 30)");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(yes).toBeHidden();
});

test("session times are in the visitor's own time zone, recent ones in words", async ({ browser, request }) => {
  const user = await apiUser(request, "Tomo Tokyo");
  const context = await browser.newContext({ timezoneId: "Asia/Tokyo", locale: "en-GB" });
  const page = await context.newPage();
  await logIn(page, user.email);
  await open(page, "/account");
  const times = page.locator(".session time");
  await expect(times.first()).toBeVisible();
  // This device signed in a moment ago.
  const mine = page.locator(".session", { hasText: "This device" }).locator("time").first();
  await expect(mine).toHaveText("just now");
  const datetime = (await mine.getAttribute("datetime"))!;
  const exact = (await mine.getAttribute("title"))!;
  const expected = await page.evaluate(
    (iso) => new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Tokyo" }),
    datetime,
  );
  expect(exact).toBe(expected);
  expect(exact).not.toContain("UTC");
  // The exact time shows on focus too, for a keyboard.
  await mine.focus();
  const after = await mine.evaluate((el) => getComputedStyle(el, "::after").content);
  expect(after).toContain(exact);
  await context.close();
});
