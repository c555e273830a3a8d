import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, uniqueEmail } from "./helpers";

// A first visit on a slow network: the page is there long before its WASM. Whatever the visitor
// types meanwhile must survive the moment the app takes over the page (hydration), and the form
// must then work with it.

/**
 * Holds every WASM download back, as a slow phone network would: at least 2.5 s, and until the
 * returned function is called (the visitor has finished typing), whichever is later.
 */
async function slowWasm(page: Page): Promise<() => void> {
  let release = () => {};
  const typed = new Promise<void>((resolve) => (release = resolve));
  const slow = new Promise((resolve) => setTimeout(resolve, 2500));
  await page.route("**/*.wasm", async (route) => {
    await Promise.all([typed, slow]);
    await route.continue();
  });
  return release;
}

const hydrated = (page: Page) => expect(page.locator("body[data-hydrated=true]")).toBeAttached({ timeout: 15_000 });

test("what is typed into /register before the WASM runs is kept, and Create account works", async ({ page }) => {
  const release = await slowWasm(page);
  await page.goto("/register");
  const email = uniqueEmail();
  // Typed key by key, the way a person types, before the app runs.
  await page.getByLabel("Name", { exact: true }).pressSequentially("Early Eve");
  await page.getByLabel("Email", { exact: true }).pressSequentially(email);
  await page.getByLabel("Password", { exact: true }).pressSequentially(PASSWORD);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  release();
  await hydrated(page);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Early Eve");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Welcome, Early Eve!" })).toBeVisible();
});

test("what is typed into /login before the WASM runs is kept, and Log in works", async ({ page, request }) => {
  const email = uniqueEmail();
  const registered = await request.post("/api/auth/register", { data: { name: "Late Larry", email, password: PASSWORD } });
  expect(registered.status()).toBe(201);
  const release = await slowWasm(page);
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).pressSequentially(email);
  await page.getByLabel("Password", { exact: true }).pressSequentially(PASSWORD);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  release();
  await hydrated(page);
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test("typing goes on while the app takes over, and a field left empty stays empty", async ({ page }) => {
  const release = await slowWasm(page);
  await page.goto("/register");
  await page.getByLabel("Name", { exact: true }).pressSequentially("Half");
  release();
  await hydrated(page);
  // After hydration the field is the app's: more typing adds to what was there.
  await page.getByLabel("Name", { exact: true }).pressSequentially(" Typed");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Half Typed");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue("");
  // The app sees the whole name: the browser's check names the empty Email, not the Name.
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("#name-error")).toHaveText("");
  await expect(page.locator("#email-error")).not.toHaveText("");
});
