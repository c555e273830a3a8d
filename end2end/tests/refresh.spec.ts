import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { apiUser, logIn, open, PASSWORD, signToken, storedToken, uniqueEmail } from "./helpers";

// docs/api.md in the browser. `make test-e2e` runs the server with JWT_TTL_SECONDS=5 (the app
// refreshes a second before expiry) and REFRESH_REUSE_GRACE_SECONDS=0, so a refresh token used
// twice ends the session at once: two tabs keep their session only if they refresh one at a time.

const ENDED = "Your session has ended. Please log in again.";


function claims(token: string) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}

/** Counts the refresh requests of a context by their status. */
function watchRefreshes(context: BrowserContext) {
  const statuses: number[] = [];
  context.on("response", (response) => {
    if (response.url().endsWith("/api/auth/refresh")) statuses.push(response.status());
  });
  return statuses;
}

/** Waits until storage has held `count` tokens after `first`, collecting them. */
async function rotations(page: Page, first: string, count: number) {
  const seen = [first];
  await expect
    .poll(
      async () => {
        const now = await storedToken(page);
        if (now && now !== seen[seen.length - 1]) seen.push(now);
        return seen.length - 1;
      },
      { timeout: 40_000, intervals: [250] },
    )
    .toBeGreaterThanOrEqual(count);
  return seen;
}

test("the dashboard keeps working across three token expiries in one tab", async ({ page, context, request }) => {
  test.setTimeout(60_000);
  const statuses = watchRefreshes(context);
  const user = await apiUser(request, "Lasting Lin");
  await logIn(page, user.email);
  const first = (await storedToken(page))!;
  expect(claims(first).exp - claims(first).iat).toBe(5);

  const tokens = await rotations(page, first, 3);
  // Each earlier token has expired by now; the session never ended.
  const now = Math.floor(Date.now() / 1000);
  for (const old of tokens.slice(0, 2)) expect(claims(old).exp).toBeLessThan(now);
  expect(new Set(tokens.map((t) => claims(t).sid)).size).toBe(1);
  await expect(page.getByRole("heading", { name: "Welcome, Lasting Lin!" })).toBeVisible();
  await expect(page.getByText(ENDED)).toHaveCount(0);
  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${tokens[tokens.length - 1]}` } });
  expect(me.status()).toBe(200);
  expect(statuses.length).toBeGreaterThanOrEqual(3);
  expect(statuses.every((s) => s === 200)).toBe(true);
});

test("two tabs refresh one at a time and both stay signed in", async ({ context, request }) => {
  test.setTimeout(60_000);
  const statuses = watchRefreshes(context);
  const user = await apiUser(request, "Twin Tabs");
  const first = await context.newPage();
  await logIn(first, user.email);
  const second = await context.newPage();
  await open(second, "/dashboard");
  await expect(second.getByRole("heading", { name: "Welcome, Twin Tabs!" })).toBeVisible();

  const tokens = await rotations(first, (await storedToken(first))!, 3);
  for (const page of [first, second]) {
    await expect(page.getByRole("heading", { name: "Welcome, Twin Tabs!" })).toBeVisible();
    await expect(page.getByText(ENDED)).toHaveCount(0);
  }
  // No refresh token was presented twice (that would have ended the session: grace is 0 here),
  // and the tabs did not each refresh: about one request per rotation.
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(statuses.length).toBeLessThanOrEqual(tokens.length + 1);
  await expect.poll(() => storedToken(second)).toBe(await storedToken(first));
});

test("two tabs that reload at once after expiry share one refresh and stay signed in", async ({ context, request }) => {
  const statuses = watchRefreshes(context);
  const user = await apiUser(request, "Racing Tabs");
  const first = await context.newPage();
  await logIn(first, user.email);
  const second = await context.newPage();
  await open(second, "/dashboard");
  // Both tabs find an expired token at the same moment, so both need the one refresh token.
  const current = claims((await storedToken(first))!);
  const past = Math.floor(Date.now() / 1000) - 120;
  const expired = signToken({ ...current, iat: past - 5, exp: past, jti: crypto.randomUUID() });
  // The second tab steps away first: a running tab would see the change at once (the storage
  // event) and refresh on its own, and a reload that cut that refresh short would leave the
  // browser with a cookie the server had already rotated (no grace window in this suite).
  await second.goto("about:blank");
  await first.evaluate((token) => localStorage.setItem("gatehouse.token", token), expired);
  await Promise.all([first.reload(), second.goto("/dashboard")]);
  for (const page of [first, second]) {
    await expect(page.getByRole("heading", { name: "Welcome, Racing Tabs!" })).toBeVisible();
  }
  await expect.poll(() => storedToken(first)).not.toBe(expired);
  // With no grace window, a second use of the refresh token would have ended the session.
  expect(statuses.every((s) => s === 200)).toBe(true);
  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${await storedToken(second)}` } });
  expect(me.status()).toBe(200);
});

test("a reload after the access token expired stays signed in through the cookie", async ({ page, context }) => {
  const email = uniqueEmail();
  await open(page, "/register");
  await page.getByLabel("Name", { exact: true }).fill("Reload Rui");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Reload Rui!" })).toBeVisible();

  // The same session's token, expired well beyond the server's 30 s leeway.
  const current = claims((await storedToken(page))!);
  const past = Math.floor(Date.now() / 1000) - 120;
  const expired = signToken({ ...current, iat: past - 5, exp: past, jti: crypto.randomUUID() });
  await page.evaluate((token) => localStorage.setItem("gatehouse.token", token), expired);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Welcome, Reload Rui!" })).toBeVisible();
  await expect.poll(() => storedToken(page)).not.toBe(expired);
  expect(claims((await storedToken(page))!).sid).toBe(current.sid);
  expect((await context.cookies()).some((c) => c.name === "gatehouse_refresh")).toBe(true);
});

test("no refresh token is readable by script", async ({ page, context, request }) => {
  const user = await apiUser(request);
  await logIn(page, user.email);
  const cookie = (await context.cookies()).find((c) => c.name === "gatehouse_refresh");
  expect(cookie).toBeDefined();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe("Strict");
  expect(cookie!.path).toBe("/api/auth/refresh");
  const visible = await page.evaluate(() => ({
    cookies: document.cookie,
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
  }));
  for (const place of Object.values(visible)) expect(place).not.toContain(cookie!.value);
  expect(visible.cookies).not.toContain("gatehouse_refresh");
});

test("logging out ends the session and clears the refresh cookie", async ({ page, context, request }) => {
  const user = await apiUser(request, "Leaving Lou");
  await logIn(page, user.email);
  const token = (await storedToken(page))!;
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).some((c) => c.name === "gatehouse_refresh")).toBe(false);
  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(401);
});

test("the account page lists sessions; signing out everywhere else ends another browser's session", async ({ browser, request }) => {
  const user = await apiUser(request, "Many Devices");
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  const other = await browser.newContext();
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();
  const otherPage = await other.newPage();
  await logIn(phonePage, user.email);
  await logIn(otherPage, user.email);
  // Sessions start at whole seconds, and "newest first" cannot order two of the same second: the
  // laptop's starts in a later one.
  await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
  await logIn(laptopPage, user.email);

  await laptopPage.getByRole("link", { name: "Account", exact: true }).click();
  await expect(laptopPage).toHaveURL(/\/account$/);
  const section = laptopPage.getByRole("region", { name: "Sessions" });
  // Three from the browsers (and one from apiUser's login).
  await expect(section.getByRole("listitem")).toHaveCount(4);
  await expect(section.getByText("This device")).toHaveCount(1);
  await expect(section.getByRole("listitem").first()).toContainText("This device");

  // One other session, ended from the list.
  await section.getByRole("button", { name: "Sign out", exact: true }).first().click();
  await expect(section.getByRole("listitem")).toHaveCount(3);

  await section.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(section.getByRole("listitem")).toHaveCount(1);
  for (const page of [phonePage, otherPage]) {
    await expect(page.getByText(ENDED)).toBeVisible({ timeout: 10_000 });
    await expect(page).toHaveURL(/\/login/);
  }
  await expect(laptopPage.getByRole("heading", { name: "Your account" })).toBeVisible();
  await Promise.all([laptop.close(), phone.close(), other.close()]);
});
