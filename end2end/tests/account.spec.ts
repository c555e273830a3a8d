import { expect, test, type Page } from "@playwright/test";
import { logIn, open, PASSWORD, uniqueEmail } from "./helpers";
import { linkFrom, mailsTo } from "./mail";

// docs/api.md ("The web app", "The account over email") in the browser, with the mail read from the suite's real SMTP sink: confirming
// the address, a forgotten password, and every change on /account.

const ENDED = "Your session has ended. Please log in again.";
const NEW_PASSWORD = "a brand new passphrase";

async function register(page: Page, name: string, email: string) {
  await open(page, "/register");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}


async function account(page: Page) {
  await page.getByRole("link", { name: "Account", exact: true }).click();
  await expect(page).toHaveURL(/\/account$/);
}

test("a new account confirms its address by the link in the mail", async ({ page }) => {
  const email = uniqueEmail();
  await register(page, "Cora Confirm", email);
  await expect(page.getByText("Please confirm your email address")).toBeVisible();
  await page.getByRole("button", { name: "Resend" }).click();
  await expect(page.getByText("Check your inbox.")).toBeVisible();

  const link = await linkFrom(email, "Confirm your email address");
  expect(new URL(link).pathname).toBe("/verify-email");
  expect(new URL(link).search).toBe("");
  await page.goto(link);
  await expect(page.getByText("Email confirmed")).toBeVisible();
  await page.getByRole("link", { name: "Go to your dashboard" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Cora Confirm!" })).toBeVisible();
  await expect(page.getByText("Please confirm your email address")).toHaveCount(0);

  // The link works once.
  await page.goto(link);
  await expect(page.getByRole("alert")).toContainText("invalid or has expired");
});

test("forgot password: the mailed link sets a new one, and the old session elsewhere ends", async ({ browser }) => {
  const email = uniqueEmail();
  const before = await browser.newContext();
  const beforePage = await before.newPage();
  await register(beforePage, "Fay Forgot", email);

  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, "/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("a link to reset its password is on its way");

  const link = await linkFrom(email, "Reset your password");
  expect(new URL(link).pathname).toBe("/reset-password");
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await open(page, link);
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText("New password must be at least 8 characters")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText("Your password is set")).toBeVisible();
  // The token never left the browser in a URL.
  const token = link.split("#token=")[1];
  expect(requests.filter((url) => url.includes(token))).toEqual([]);

  await expect(beforePage.getByText(ENDED)).toBeVisible({ timeout: 10_000 });
  await page.getByRole("link", { name: "Log in with your new password" }).click();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect.poll(() => mailsTo(email).map((m) => m.subject)).toContain("Your password was reset");

  // The link is used up.
  await open(page, link);
  await page.getByLabel("New password", { exact: true }).fill("yet another passphrase");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("alert")).toContainText("invalid or has expired");
  await Promise.all([before.close(), context.close()]);
});

test("the account page changes the name and the password; other sessions end", async ({ browser }) => {
  const email = uniqueEmail();
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  const context = await browser.newContext();
  const page = await context.newPage();
  await register(page, "Pat Profile", email);
  await logIn(otherPage, email);
  await account(page);

  const profile = page.getByRole("region", { name: "Profile" });
  await expect(profile.getByLabel("Name", { exact: true })).toHaveValue("Pat Profile");
  await profile.getByLabel("Name", { exact: true }).fill("Pat Renamed");
  await profile.getByRole("button", { name: "Save" }).click();
  await expect(profile.getByText("Saved.")).toBeVisible();

  const password = page.getByRole("region", { name: "Password" });
  await password.getByLabel("Current password", { exact: true }).fill("not my password");
  await password.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByRole("alert")).toContainText("The email or password is incorrect.");
  await expect(password.getByLabel("Current password", { exact: true })).toHaveValue("");

  await password.getByLabel("Current password", { exact: true }).fill(PASSWORD);
  await password.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByText("Password changed.")).toBeVisible();
  await expect(otherPage.getByText(ENDED)).toBeVisible({ timeout: 10_000 });

  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome, Pat Renamed!" })).toBeVisible();
  await logIn(otherPage, email, NEW_PASSWORD);
  await expect.poll(() => mailsTo(email).map((m) => m.subject)).toContain("Your password was changed");
  await Promise.all([other.close(), context.close()]);
});

test("the account page changes the email address once the new one is confirmed", async ({ page }) => {
  const [oldEmail, newEmail] = [uniqueEmail(), uniqueEmail()];
  await register(page, "Eve Email", oldEmail);
  await account(page);
  const section = page.getByRole("region", { name: "Email" });
  await section.getByLabel("New email", { exact: true }).fill(newEmail);
  await section.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await section.getByRole("button", { name: "Change email" }).click();
  await expect(section.getByRole("status")).toContainText(`We sent a link to ${newEmail}`);
  await expect(section.getByLabel("Password", { exact: true })).toHaveValue("");

  const link = await linkFrom(newEmail, "Confirm your new email address");
  await expect.poll(() => mailsTo(oldEmail).map((m) => m.subject)).toContain("Your email address is being changed");
  await page.goto(link);
  await expect(page.getByText("Email confirmed")).toBeVisible();
  await page.getByRole("link", { name: "Go to your dashboard" }).click();
  await expect(page.locator(".email")).toHaveText(newEmail);
  await expect(page.getByText("Please confirm your email address")).toHaveCount(0);
});

test("deleting the account asks first, then the address can register again", async ({ page }) => {
  const email = uniqueEmail();
  await register(page, "Del Delete", email);
  await account(page);
  const section = page.getByRole("region", { name: "Delete account" });
  await section.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await section.getByRole("button", { name: "Delete account" }).click();
  // Nothing happens before the "yes": cancelling keeps the account.
  await section.getByRole("button", { name: "Cancel" }).click();
  await expect(section.getByRole("button", { name: "Yes, delete my account" })).toHaveCount(0);
  await section.getByRole("button", { name: "Delete account" }).click();
  await section.getByRole("button", { name: "Yes, delete my account" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  await expect.poll(() => mailsTo(email).map((m) => m.subject)).toContain("Your account was deleted");

  await register(page, "Del Again", email);
  await expect(page.getByRole("heading", { name: "Welcome, Del Again!" })).toBeVisible();
});

test("the forgot-password form works from the keyboard alone", async ({ page }) => {
  await open(page, "/forgot-password");
  await page.getByLabel("Email", { exact: true }).focus();
  await page.keyboard.type("keys@example.com");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Send reset link" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("keys@example.com");
});
