// cargo-leptos starts Playwright right after spawning the server, without waiting for the port:
// wait here until the server answers /healthz.
export default async function globalSetup() {
  const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseURL}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Gatehouse did not answer at ${baseURL}/healthz within two minutes`);
}
