import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";

// Before the tests: a real SMTP server for the mail they read (Debian's python3-aiosmtpd, storing
// each message in a Maildir at $E2E_MAILDIR), on the port of the server's SMTP_URL; and the
// server itself, which cargo-leptos starts without waiting for its port: wait until it answers
// /healthz. The sink stops with the suite.
export default async function globalSetup() {
  const sink = await startMailSink();
  const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseURL}/healthz`);
      if (response.ok) return async () => sink?.kill();
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  sink?.kill();
  throw new Error(`Gatehouse did not answer at ${baseURL}/healthz within two minutes`);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startMailSink(): Promise<ChildProcess | undefined> {
  const smtp = process.env.SMTP_URL;
  const maildir = process.env.E2E_MAILDIR;
  if (!smtp || !maildir) return undefined; // against a server of someone else's: no mail tests
  const { hostname, port } = new URL(smtp);
  // Debian's own Python, where python3-aiosmtpd is installed (pyenv's `python3` does not see it).
  const sink = spawn(
    "/usr/bin/python3",
    ["-m", "aiosmtpd", "-n", "-l", `${hostname}:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir],
    { stdio: "inherit" },
  );
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(hostname, Number(port)))) {
    if (Date.now() > deadline) throw new Error(`the SMTP sink did not start on ${hostname}:${port}`);
    await sleep(100);
  }
  return sink;
}

async function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}
