import { expect, test } from "@playwright/test";
import { apiUser, open, PASSWORD, signToken, storedToken, storeToken, uniqueEmail } from "./helpers";

test("registering signs the user in and lands on the dashboard", async ({ page, request }) => {
  const email = uniqueEmail();
  await open(page, "/register");
  await page.getByLabel("Name", { exact: true }).fill("Rosalind Franklin");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Welcome, Rosalind Franklin!" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  // Local storage holds the bare token, and it is the JSON API's token too.
  const token = await storedToken(page);
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).user.email).toBe(email);
});

test("a token stored JSON-encoded, as earlier versions did, still signs the user in", async ({ page, request }) => {
  const user = await apiUser(request, "Legacy Lena");
  await open(page, "/");
  await storeToken(page, JSON.stringify(user.token));
  await open(page, "/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome, Legacy Lena!" })).toBeVisible();
});

test("reloading the dashboard keeps the user signed in", async ({ page, request }) => {
  const user = await apiUser(request, "Reload Rita");
  await open(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Reload Rita!" })).toBeVisible();

  await page.reload();
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Welcome, Reload Rita!" })).toBeVisible();
});

test("logging out revokes the token on the server, clears storage and shows the login page", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/");
  await storeToken(page, user.token);
  await open(page, "/dashboard");
  await expect(page.getByRole("heading", { name: `Welcome, ${user.name}!` })).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await storedToken(page)).toBeNull();
  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${user.token}` } });
  expect(me.status()).toBe(401);
  expect((await me.json()).error.code).toBe("invalid_token");
});

test("the dashboard without a token sends the browser to the login page, which comes back", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/dashboard");
  await expect(page).toHaveURL(/\/login\?next=\/dashboard$/);

  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test("next is followed when it is a path on this site", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/login?next=/public");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/public$/);
  await expect(page.getByRole("heading", { name: "Public page" })).toBeVisible();
});

for (const hostile of ["//evil.example", "https://evil.example/", "/\\evil.example", "/%2F%2Fevil.example", "javascript:alert(1)"]) {
  test(`a hostile next (${hostile}) lands on the dashboard instead`, async ({ page, request }) => {
    const user = await apiUser(request);
    await open(page, `/login?next=${encodeURIComponent(hostile)}`);
    await page.getByLabel("Email", { exact: true }).fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/dashboard$/);
  });
}

test("a revoked token ends the session with a message", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/");
  await storeToken(page, user.token);
  const logout = await request.post("/api/auth/logout", { headers: { Authorization: `Bearer ${user.token}` } });
  expect(logout.status()).toBe(204);

  await open(page, "/dashboard");
  await expect(page).toHaveURL(/\/login\?next=\/dashboard$/);
  await expect(page.getByText("Your session has ended. Please log in again.")).toBeVisible();
  expect(await storedToken(page)).toBeNull();
});

test("an expired token ends the session with a message", async ({ page, request }) => {
  const user = await apiUser(request);
  const now = Math.floor(Date.now() / 1000);
  // The user's own live session, so only the expiry is wrong (and this browser has no refresh cookie).
  const { sid } = JSON.parse(Buffer.from(user.token.split(".")[1], "base64url").toString());
  const expired = signToken({ sub: user.id, sid, iat: now - 125, exp: now - 120, jti: crypto.randomUUID(), iss: "gatehouse", aud: "gatehouse", amr: ["pwd"] });
  await open(page, "/");
  await storeToken(page, expired);

  await open(page, "/dashboard");
  await expect(page).toHaveURL(/\/login\?next=\/dashboard$/);
  await expect(page.getByText("Your session has ended. Please log in again.")).toBeVisible();
  expect(await storedToken(page)).toBeNull();
});

test("logging out in one tab signs out every other tab at once", async ({ context, request }) => {
  const user = await apiUser(request);
  const first = await context.newPage();
  await open(first, "/");
  await storeToken(first, user.token);
  await open(first, "/dashboard");
  const second = await context.newPage();
  await open(second, "/dashboard");
  await expect(second.getByRole("heading", { name: `Welcome, ${user.name}!` })).toBeVisible();

  await first.getByRole("button", { name: "Log out" }).click();
  await expect(first).toHaveURL(/\/login$/);
  await expect(second).toHaveURL(/\/login\?next=\/dashboard$/);
  await expect(second.getByText("Your session has ended. Please log in again.")).toBeVisible();
});

test("logging in works with the keyboard alone", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/login");
  const email = page.getByLabel("Email", { exact: true });
  await email.focus();
  await expect(email).toBeFocused();
  await page.keyboard.type(user.email);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: `Welcome, ${user.name}!` })).toBeVisible();
});
