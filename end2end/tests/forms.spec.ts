import { expect, test } from "@playwright/test";
import { apiUser, open, PASSWORD, uniqueEmail } from "./helpers";

test("a wrong password is explained and the email is kept, the password not", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();

  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(user.email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(page).toHaveURL(/\/login$/);
});

test("a taken email is explained and what was typed is kept", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/register");
  await page.getByLabel("Name", { exact: true }).fill("Second Person");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page.getByRole("alert")).toHaveText("An account with this email already exists.");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Second Person");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(user.email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
});

test("a weak password is explained next to the field, for screen readers too", async ({ page }) => {
  const email = uniqueEmail();
  await open(page, "/register");
  await page.getByLabel("Name", { exact: true }).fill("Weak Walter");
  await page.getByLabel("Email", { exact: true }).fill(email);
  const password = page.getByLabel("Password", { exact: true });
  await password.fill("password123");
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(password).toHaveAttribute("aria-invalid", "true");
  const message = page.locator("#password-error");
  await expect(message).toHaveText(/^Password is too common/);
  await expect(message).toHaveAttribute("aria-live", "polite");
  await expect(password).toHaveAttribute("aria-describedby", "password-error");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Weak Walter");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(password).toHaveValue("");
  await expect(page).toHaveURL(/\/register$/);
});

test("an invalid email is caught in the browser before any call", async ({ page }) => {
  let called = false;
  page.on("request", (r) => {
    if (r.url().includes("/rpc/")) called = true;
  });
  await open(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill("not-an-email");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("#email-error")).toHaveText("Email is not a valid email address");
  await expect(page.getByLabel("Email", { exact: true })).toHaveAttribute("aria-invalid", "true");
  expect(called).toBe(false);
});

test("too many attempts are explained", async ({ page, request }) => {
  const user = await apiUser(request);
  for (let i = 0; i < 10; i++) {
    const r = await request.post("/api/auth/login", { data: { email: user.email, password: "wrong password!" } });
    expect(r.status()).toBe(401);
  }
  await open(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("Too many failed logins");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(user.email);
});

test("the button shows progress and a double click submits once", async ({ page, request }) => {
  const user = await apiUser(request);
  let calls = 0;
  page.on("request", (r) => {
    if (r.url().endsWith("/rpc/login")) calls += 1;
  });
  await open(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).dblclick();
  await expect(page).toHaveURL(/\/dashboard$/);
  expect(calls).toBe(1);
});

test("every input has its visible label and each form its button", async ({ page }) => {
  await open(page, "/register");
  for (const label of ["Name", "Email", "Password"]) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
    await expect(page.locator("label", { hasText: new RegExp(`^${label}$`) })).toBeVisible();
  }
  await expect(page.getByRole("button", { name: "Create account" })).toBeVisible();
  await open(page, "/login");
  for (const label of ["Email", "Password"]) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  await expect(page.getByLabel("Name", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  await open(page, "/forgot-password");
  await expect(page.locator("label", { hasText: /^Email$/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send reset link" })).toBeVisible();
  await open(page, "/reset-password");
  await expect(page.locator("label", { hasText: /^New password$/ })).toBeVisible();
  await expect(page.getByLabel("New password", { exact: true })).toHaveAttribute("type", "password");
  await expect(page.getByRole("button", { name: "Set password" })).toBeVisible();
});

test("the account page has every section of the web app in docs/api.md with its labels and buttons", async ({ page, request }) => {
  const user = await apiUser(request, "Sam Sections");
  await open(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto("/account");
  const sections: [string, string[], string][] = [
    ["Profile", ["Name"], "Save"],
    ["Email", ["New email", "Password"], "Change email"],
    ["Password", ["Current password", "New password"], "Change password"],
    ["Delete account", ["Password"], "Delete account"],
  ];
  for (const [name, labels, button] of sections) {
    const section = page.getByRole("region", { name });
    for (const label of labels) {
      await expect(section.locator("label", { hasText: new RegExp(`^${label}$`) })).toBeVisible();
      await expect(section.getByLabel(label, { exact: true })).toBeVisible();
    }
    await expect(section.getByRole("button", { name: button, exact: true })).toBeVisible();
  }
  await expect(page.getByRole("region", { name: "Sessions" })).toBeVisible();
  // What was typed stays, except the password, after an error from the server.
  const email = page.getByRole("region", { name: "Email" });
  await email.getByLabel("New email", { exact: true }).fill("not-an-address");
  await email.getByLabel("Password", { exact: true }).fill("wrong password");
  await email.getByRole("button", { name: "Change email" }).click();
  await expect(email.getByText("New email is not a valid email address")).toBeVisible();
  await expect(email.getByLabel("New email", { exact: true })).toHaveValue("not-an-address");
  await expect(email.getByLabel("Password", { exact: true })).toHaveValue("");
});
