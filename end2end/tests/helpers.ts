import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { createHmac, randomUUID } from "node:crypto";

export const PASSWORD = "correct horse battery staple";
export const TOKEN_KEY = "gatehouse.token";

export function uniqueEmail(): string {
  return `e2e-${randomUUID()}@example.com`;
}

/** Loads a page and waits until the app has hydrated (the marker the app sets). */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
}

/** Logs in through the form, as a person would, and waits for the dashboard. */
export async function logIn(page: Page, email: string, password = PASSWORD) {
  await open(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

/** A fresh user made through the JSON API: returns its email and a token. */
export async function apiUser(request: APIRequestContext, name = "Erin Tester", email = uniqueEmail()) {
  const registered = await request.post("/api/auth/register", { data: { name, email, password: PASSWORD } });
  expect(registered.status()).toBe(201);
  const login = await request.post("/api/auth/login", { data: { email, password: PASSWORD } });
  expect(login.status()).toBe(200);
  const body = await login.json();
  return { email, name, token: body.access_token as string, id: body.user.id as string };
}

/** Puts a token in local storage as the app stores it: the bare token. */
export async function storeToken(page: Page, token: string) {
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [TOKEN_KEY, token]);
}

export async function storedToken(page: Page): Promise<string | null> {
  return page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
}

/** Signs a token with the server's key: `make test-e2e` gives the server and Playwright one JWT_SECRET. */
export function signToken(claims: Record<string, unknown>): string {
  const secret = process.env.JWT_SECRET;
  if (!secret) throw new Error("JWT_SECRET is not set: run the suite with `make test-e2e`");
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** Collects console errors and uncaught exceptions of a page. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}
