import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, uniqueEmail } from "./helpers";

// A first visit on a slow network: the page is there long before its WASM. Whatever the visitor
// types meanwhile must survive the moment the app takes over the page (hydration), and the form
// must then work with it.

/** Holds every WASM download back by `ms`, as a slow phone network would. */
async function slowWasm(page: Page, ms: number) {
  await page.route("**/*.wasm", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    await route.continue();
  });
}

const hydrated = (page: Page) => expect(page.locator("body[data-hydrated=true]")).toBeAttached({ timeout: 15_000 });

test("what is typed into /register before the WASM runs is kept, and Create account works", async ({ page }) => {
  await slowWasm(page, 2500);
  await page.goto("/register");
  const email = uniqueEmail();
  // Typed key by key, the way a person types, before the app runs.
  await page.getByLabel("Name", { exact: true }).pressSequentially("Early Eve");
  await page.getByLabel("Email", { exact: true }).pressSequentially(email);
  await page.getByLabel("Password", { exact: true }).pressSequentially(PASSWORD);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
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
  await slowWasm(page, 2500);
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).pressSequentially(email);
  await page.getByLabel("Password", { exact: true }).pressSequentially(PASSWORD);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  await hydrated(page);
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test("typing goes on while the app takes over, and a field left empty stays empty", async ({ page }) => {
  await slowWasm(page, 2500);
  await page.goto("/register");
  await page.getByLabel("Name", { exact: true }).pressSequentially("Half");
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
