import { expect, test, type Page } from "@playwright/test";
import { watchErrors } from "./helpers";

// docs/api.md, "The API described": /api/docs renders the OpenAPI document in a real browser, from this server's own
// files, under its CSP, and its "Try it out" reaches the API.

/** Every CSP violation the page reports, recorded from before its first script runs. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { violations: string[] }).violations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);
}

test("the API docs render every operation from this server alone, under a strict CSP", async ({ page, request }) => {
  const errors = watchErrors(page);
  const violations = await watchViolations(page);
  const requested: string[] = [];
  page.on("request", (req) => requested.push(req.url()));

  const response = await page.goto("/api/docs");
  expect(response?.status()).toBe(200);
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toMatch(/script-src 'nonce-[^']+'/);
  expect(csp).not.toContain("unsafe-inline");

  // Swagger UI has read the document: its title and one block per operation.
  await expect(page.getByRole("heading", { name: /^Gatehouse/ })).toBeVisible();
  const document = await (await request.get("/api/openapi.json")).json();
  const operations = Object.values(document.paths as Record<string, object>).reduce(
    (count, item) => count + Object.keys(item).length,
    0,
  );
  expect(operations).toBeGreaterThanOrEqual(20);
  await expect(page.locator(".opblock")).toHaveCount(operations);
  await expect(page.locator(".opblock-summary-path", { hasText: "/api/auth/login" })).toBeVisible();
  // The bearer scheme gives an Authorize button.
  await expect(page.getByRole("button", { name: /Authorize/ })).toBeVisible();

  // Nothing from anywhere but this server (no CDN, no fonts, no telemetry).
  const origin = new URL(page.url()).origin;
  expect(requested.length).toBeGreaterThanOrEqual(5);
  expect(requested.filter((url) => !url.startsWith("data:") && new URL(url).origin !== origin)).toEqual([]);
  expect(await violations()).toEqual([]);
  expect(errors).toEqual([]);
});

test("Try it out calls the API from the docs page", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.goto("/api/docs");
  const block = page.locator("#operations-auth-public");
  await block.locator(".opblock-summary").click();
  // "Try it out" is on from the start (tryItOutEnabled): Execute is there at once.
  await block.getByRole("button", { name: "Execute" }).click();
  const live = block.locator(".live-responses-table");
  await expect(live.locator("tbody .response-col_status")).toHaveText("200");
  await expect(live).toContainText("no token needed");
  expect(await violations()).toEqual([]);
});

test("the home page links to the API docs", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "API documentation" }).click();
  await expect(page).toHaveURL(/\/api\/docs$/);
  await expect(page.getByRole("heading", { name: /^Gatehouse/ })).toBeVisible();
});
