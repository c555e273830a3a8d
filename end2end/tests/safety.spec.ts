import { expect, test } from "@playwright/test";
import { apiUser, open, PASSWORD, storedToken, storeToken } from "./helpers";

// What must hold when things are not as they should be: the app not running yet, a token that is
// stale, junk in storage, a session ended elsewhere, a server that cannot be reached.

// Each form the server renders, its button, and what is typed into it (the last field gets the Enter).
const forms: [string, string, [string, string][]][] = [
  ["/login", "Log in", [["Email", "early@example.com"], ["Password", PASSWORD]]],
  ["/register", "Create account", [["Name", "Early Eve"], ["Email", "early@example.com"], ["Password", PASSWORD]]],
];

// The pages made in the browser: before the WASM runs they hold no form at all, so nothing can
// be submitted; they say they are loading, and send nothing.
for (const path of ["/forgot-password", "/reset-password#token=abc", "/verify-email#token=abc"]) {
  test(`before the WASM runs, ${path} holds no form and sends nothing`, async ({ page }) => {
    await page.route("**/*.wasm", (route) => route.abort());
    const requests: string[] = [];
    page.on("request", (r) => requests.push(`${r.method()} ${r.url()}`));
    await page.goto(path);
    await expect(page.getByText("Loading…")).toBeVisible();
    await expect(page.locator("form, input")).toHaveCount(0);
    expect(requests.filter((r) => r.startsWith("POST"))).toEqual([]);
    expect(requests.filter((r) => r.includes("abc"))).toEqual([]);
  });
}

for (const [path, button, fields] of forms) {
  test(`before the WASM runs, ${path} never puts a password or an address in a URL`, async ({ page }) => {
    // The app never starts: its WASM does not load.
    await page.route("**/*.wasm", (route) => route.abort());
    const requests: { method: string; url: string }[] = [];
    page.on("request", (r) => requests.push({ method: r.method(), url: r.url() }));
    await page.goto(path);
    for (const [label, value] of fields) await page.getByLabel(label, { exact: true }).fill(value);
    await expect(page.getByRole("button", { name: button })).toBeDisabled();

    // Enter in a field: with the button disabled, the browser submits nothing.
    const last = fields[fields.length - 1][0];
    await page.getByLabel(last, { exact: true }).press("Enter");
    // A password manager's auto-submit bypasses the button: it posts, and comes back to the form.
    await Promise.all([
      page.waitForURL((url) => url.pathname === path),
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === path),
      page.evaluate(() => document.querySelector("form")!.submit()),
    ]);
    await expect(page.getByLabel(last, { exact: true })).toBeVisible();

    const query = (url: string) => decodeURIComponent(new URL(url).search);
    const leaked = requests.filter((r) => query(r.url).includes(PASSWORD) || query(r.url).includes("early") || query(r.url).includes("password"));
    expect(leaked).toEqual([]);
    expect(requests.filter((r) => r.method === "POST").map((r) => new URL(r.url).pathname)).toEqual([path]);
    expect(new URL(page.url()).search).toBe("");
  });
}

test("once the app runs, the form's button is enabled", async ({ page }) => {
  await open(page, "/login");
  await expect(page.getByRole("button", { name: "Log in" })).toBeEnabled();
});

test("a stale token never sends a visitor of a public page anywhere", async ({ page, request }) => {
  const user = await apiUser(request);
  await request.post("/api/auth/logout", { headers: { Authorization: `Bearer ${user.token}` } });
  for (const path of ["/", "/public"]) {
    await open(page, "/login");
    await storeToken(page, user.token);
    await open(page, path);
    // The refused token is cleared, and the visitor stays where they are.
    await expect.poll(() => storedToken(page)).toBeNull();
    await expect(page).toHaveURL(new RegExp(`${path === "/" ? "/" : "/public"}$`));
  }
});

test("a stored value that cannot be a token counts as none", async ({ page }) => {
  for (const junk of ["tök en", "{\"a\":1}", "line\nbreak"]) {
    await open(page, "/");
    await storeToken(page, junk);
    await open(page, "/dashboard");
    await expect(page).toHaveURL(/\/login\?next=\/dashboard$/);
  }
});

test("a refusal of an older token does not wipe a newer one", async ({ page, request }) => {
  const old = await apiUser(request, "Old Olga");
  await request.post("/api/auth/logout", { headers: { Authorization: `Bearer ${old.token}` } });
  const fresh = await apiUser(request, "Fresh Fred");
  // The server's answer about the old token arrives late; meanwhile this tab stores a new token.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let answered = false;
  await page.route("**/rpc/me", async (route) => {
    if (answered) return route.continue();
    answered = true;
    await held;
    await route.continue();
  });
  await open(page, "/login");
  await storeToken(page, old.token);
  await open(page, "/public");
  await storeToken(page, fresh.token);
  const answer = page.waitForResponse((r) => r.url().endsWith("/rpc/me"));
  release();
  await answer;
  await page.waitForTimeout(200); // let the app handle the answer
  expect(await storedToken(page)).toBe(fresh.token);
  await open(page, "/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome, Fresh Fred!" })).toBeVisible();
});

test("a dashboard left open signs out within seconds once the session is ended elsewhere", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/");
  await storeToken(page, user.token);
  await open(page, "/dashboard");
  await expect(page.getByRole("heading", { name: `Welcome, ${user.name}!` })).toBeVisible();

  const logout = await request.post("/api/auth/logout", { headers: { Authorization: `Bearer ${user.token}` } });
  expect(logout.status()).toBe(204);
  await expect(page).toHaveURL(/\/login\?next=\/dashboard$/, { timeout: 10_000 });
  await expect(page.getByText("Your session has ended. Please log in again.")).toBeVisible();
});

test("when the server cannot be reached, the page says so and keeps the user signed in", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/");
  await storeToken(page, user.token);
  await open(page, "/dashboard");
  await expect(page.getByRole("heading", { name: `Welcome, ${user.name}!` })).toBeVisible();

  await page.route("**/rpc/me", (route) => route.abort("connectionrefused"));
  const notice = page.getByText("The server cannot be reached right now.");
  await expect(notice).toBeVisible({ timeout: 10_000 });
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: `Welcome, ${user.name}!` })).toBeVisible();
  expect(await storedToken(page)).toBe(user.token);

  await page.unroute("**/rpc/me");
  await expect(notice).toBeHidden({ timeout: 10_000 });
  await expect(page.getByRole("heading", { name: `Welcome, ${user.name}!` })).toBeVisible();
});

test("a first load while the server cannot be reached says so instead of asking to log in", async ({ page, request }) => {
  const user = await apiUser(request);
  await open(page, "/");
  await storeToken(page, user.token);
  await page.route("**/rpc/me", (route) => route.abort("connectionrefused"));
  await open(page, "/dashboard");
  await expect(page.getByText("The server cannot be reached right now.")).toBeVisible();
  await expect(page).toHaveURL(/\/dashboard$/);
  expect(await storedToken(page)).toBe(user.token);
});
