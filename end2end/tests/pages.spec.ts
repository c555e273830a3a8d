import { expect, test } from "@playwright/test";
import { apiUser, open, storeToken, watchErrors } from "./helpers";

test("the home page says what Gatehouse is and links to log in and register", async ({ page }) => {
  await open(page, "/");
  await expect(page.getByRole("heading", { name: "Gatehouse", level: 1 })).toBeVisible();
  await expect(page.locator("main").getByRole("link", { name: "Log in" })).toHaveAttribute("href", "/login");
  await expect(page.locator("main").getByRole("link", { name: "Register" })).toHaveAttribute("href", "/register");
});

test("the public page is readable with no token", async ({ page }) => {
  await open(page, "/public");
  await expect(page.getByRole("heading", { name: "Public page" })).toBeVisible();
  await expect(page.getByText("no token needed")).toBeVisible();
  await expect(page).toHaveURL(/\/public$/);
});

test("no page logs an error to the console, signed out or in", async ({ page, request }) => {
  const errors = watchErrors(page);
  for (const path of ["/", "/public", "/register", "/login", "/forgot-password", "/reset-password", "/dashboard"]) {
    await open(page, path);
  }
  const user = await apiUser(request);
  await storeToken(page, user.token);
  for (const path of ["/", "/public", "/register", "/login", "/dashboard"]) {
    await open(page, path);
  }
  await expect(page.getByRole("heading", { name: `Welcome, ${user.name}!` })).toBeVisible();
  expect(errors).toEqual([]);
});

test("every page carries a strict CSP and the other security headers", async ({ request }) => {
  for (const path of ["/", "/public", "/register", "/login", "/forgot-password", "/reset-password", "/verify-email", "/dashboard", "/no-such-page"]) {
    const response = await request.get(path);
    const headers = response.headers();
    const csp = headers["content-security-policy"];
    expect(csp, path).toBeTruthy();
    const scriptSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src"))!;
    expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=_-]+'/);
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    // Every inline script of the page carries this response's nonce.
    const nonce = scriptSrc.match(/'nonce-([^']+)'/)![1];
    const html = await response.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
  }
});

test("a script injected into the page does not run, and the app still works", async ({ page }) => {
  const errors = watchErrors(page);
  // Simulate a stored XSS: rewrite the HTML on its way to the browser, keeping the CSP header.
  await page.route("**/login", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace("<body>", "<body><script>window.__injected = true;</script>");
    await route.fulfill({ response, body: html });
  });
  await open(page, "/login");
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  expect(errors.some((e) => e.includes("Content Security Policy"))).toBe(true);
});

test("the pages are readable on a phone", async ({ browser }) => {
  const phone = await browser.newPage({ viewport: { width: 360, height: 740 } });
  for (const path of ["/", "/login", "/register", "/public"]) {
    await open(phone, path);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  await phone.close();
});

test("the pages are styled and have a favicon", async ({ page, request }) => {
  await open(page, "/login");
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).not.toBe("rgba(0, 0, 0, 0)");
  const icon = await page.locator("link[rel=icon]").getAttribute("href");
  expect((await request.get(icon!)).status()).toBe(200);
  // Focus is visible: a focused input gets a box shadow ring.
  await page.getByLabel("Email", { exact: true }).focus();
  const ring = await page.getByLabel("Email", { exact: true }).evaluate((el) => getComputedStyle(el).boxShadow);
  expect(ring).not.toBe("none");
});
