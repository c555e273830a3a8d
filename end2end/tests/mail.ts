import { expect } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// The mail the server sent, as the suite's SMTP sink (aiosmtpd, started by global-setup.ts) stored
// it: one file per message in $E2E_MAILDIR/new. Gatehouse sends its bodies as 8-bit text, so a link
// stands whole on a line of the raw message.

export type Mail = { to: string; subject: string; raw: string };

function maildir(): string {
  const dir = process.env.E2E_MAILDIR;
  if (!dir) throw new Error("E2E_MAILDIR is not set: run the suite with `make test-e2e`");
  return join(dir, "new");
}

function header(raw: string, name: string): string {
  const match = raw.match(new RegExp(`^${name}: (.*)$`, "mi"));
  return match ? match[1].trim() : "";
}

export function mailsTo(email: string): Mail[] {
  let files: string[];
  try {
    files = readdirSync(maildir());
  } catch {
    return [];
  }
  return files
    .map((file) => readFileSync(join(maildir(), file), "utf8"))
    .map((raw) => ({ to: header(raw, "To"), subject: header(raw, "Subject"), raw }))
    .filter((mail) => mail.to.includes(email));
}

/** Waits for a mail to `email` with this subject, and returns the link it carries. */
export async function linkFrom(email: string, subject: string): Promise<string> {
  let found: Mail | undefined;
  await expect
    .poll(() => (found = mailsTo(email).find((mail) => mail.subject === subject)), {
      message: `a mail "${subject}" to ${email}`,
      timeout: 15_000,
    })
    .toBeTruthy();
  const link = found!.raw.match(/^(https?:\/\/\S+#token=[A-Za-z0-9_-]+)\r?$/m);
  expect(link, found!.raw).toBeTruthy();
  return link![1];
}
