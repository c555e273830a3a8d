import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { apiUser, open, storeToken } from "./helpers";

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

  await open(page, "/account");
  await expect(page.getByRole("region", { name: "Sessions" }).getByText("This device")).toBeVisible();
  await page.screenshot({ path: join(dir, "account.png") });
});
