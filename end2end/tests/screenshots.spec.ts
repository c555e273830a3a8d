import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { apiUser, open, storeToken } from "./helpers";

// Keeps the README's screenshots true: they are taken from the running app on every test run.
const dir = join(__dirname, "..", "..", "docs", "screenshots");

test("screenshots of the login page and the dashboard", async ({ page, request }) => {
  await page.setViewportSize({ width: 1000, height: 640 });
  await open(page, "/login");
  await page.screenshot({ path: join(dir, "login.png") });

  const user = await apiUser(request, "Ada Lovelace", `ada.${Date.now().toString(36)}@example.com`);
  await storeToken(page, user.token);
  await open(page, "/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome, Ada Lovelace!" })).toBeVisible();
  await page.screenshot({ path: join(dir, "dashboard.png") });
});
