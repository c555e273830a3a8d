import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { apiUser, open, PASSWORD, storeToken } from "./helpers";

// The README's screenshots, taken from the running app on every test run into target/screenshots;
// `make screenshots` (UPDATE_SCREENSHOTS=1) writes them over docs/screenshots, on purpose only.
const dir = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, "..", "..", "docs", "screenshots")
  : join(__dirname, "..", "..", "target", "screenshots");

test("screenshots of the login page, the dashboard and the account page", async ({ page, request }) => {
  await page.setViewportSize({ width: 1000, height: 640 });
  await open(page, "/login");
  await page.screenshot({ path: join(dir, "login.png") });

  const user = await apiUser(request, "Ada Lovelace", `ada.${Date.now().toString(36)}@example.com`);
  await storeToken(page, user.token);
  await open(page, "/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome, Ada Lovelace!" })).toBeVisible();
  await page.screenshot({ path: join(dir, "dashboard.png") });

  // A second session, from curl, so the list shows both kinds of row.
  const login = { email: user.email, password: PASSWORD };
  await request.post("/api/auth/login", { data: login, headers: { "user-agent": "curl/8.5.0" } });
  await open(page, "/account");
  const sessions = page.getByRole("region", { name: "Sessions" });
  await expect(sessions.getByText("This device")).toBeVisible();
  await expect(sessions.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  // The sessions, with "Delete account" below them.
  await page.setViewportSize({ width: 1000, height: 760 });
  await page.locator("#sessions").evaluate((heading) => heading.scrollIntoView());
  await page.screenshot({ path: join(dir, "account.png") });
});

test("a screenshot of the API docs", async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.goto("/api/docs");
  await expect(page.locator(".opblock-summary-path", { hasText: "/api/auth/login" })).toBeVisible();
  await page.screenshot({ path: join(dir, "api-docs.png") });
});
