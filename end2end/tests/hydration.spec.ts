import { expect, test } from "@playwright/test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// A measurement, not a timed test: how long the login page takes to become usable, that is, until
// the app sets its readiness marker (body[data-hydrated]) after hydrating. The time is read in the
// page itself, on the navigation's own clock (performance.now() counts from the navigation's start),
// so Playwright's polling does not add to it. The figures go to end2end/results/hydration.json.
test("measure: time from navigation to a hydrated, usable login page", async ({ page }) => {
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (document.body?.dataset.hydrated === "true") {
        (window as unknown as { hydratedAt: number }).hydratedAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
  });

  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    await page.goto("about:blank");
    await page.goto("/login");
    await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
    const hydratedAt = await page.evaluate(() => (window as unknown as { hydratedAt?: number }).hydratedAt);
    expect(hydratedAt, "the marker was seen being set").toBeDefined();
    samples.push(Math.round(hydratedAt!));
  }
  const navigation = await page.evaluate(() => performance.getEntriesByType("navigation")[0].toJSON());
  const sorted = [...samples].sort((a, b) => a - b);
  const result = {
    samples_ms: samples,
    first_ms: samples[0],
    median_ms: sorted[Math.floor(sorted.length / 2)],
    max_ms: sorted[sorted.length - 1],
    last_navigation: navigation,
  };
  mkdirSync(join(__dirname, "..", "results"), { recursive: true });
  writeFileSync(join(__dirname, "..", "results", "hydration.json"), JSON.stringify(result, null, 2));
  console.log(
    `login page usable after: first (cold) ${result.first_ms} ms, median ${result.median_ms} ms, max ${result.max_ms} ms`,
  );
});
