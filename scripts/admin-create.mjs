// `npm run admin:create -- --email you@example.com [--name "Your Name"] [--remote] [--env production]`
// Creates the first admin of a shop (or makes an existing account an admin with a new password). The password
// is prompted for (twice, not echoed) or read from stdin when stdin is not a terminal
// (`printf %s "$PW" | npm run admin:create -- …`), never taken from a flag: flags end up in shell history and
// process lists. It is hashed here with the app's own code (src/services/accounts/passwords.ts: PBKDF2-SHA256, 100,000
// iterations, Web Crypto) and written with `wrangler d1 execute` from a temporary file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as v from "valibot";
import { EmailSchema, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../src/domain/accounts.ts";
import { newId } from "../src/lib/ids.ts";
import { hashPassword } from "../src/services/accounts/passwords.ts";
import { adminUpsertSql } from "./admin-sql.mjs";
import { wranglerSync } from "./wrangler.mjs";

const fail = (message) => {
  console.error(message);
  process.exit(1);
};

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      email: { type: "string" },
      name: { type: "string", default: "" },
      remote: { type: "boolean", default: false },
      env: { type: "string" },
      "persist-to": { type: "string" },
    },
  }));
} catch (err) {
  fail(`${err.message}\nThe password is never a flag: it is prompted for, or read from stdin.`);
}
const email = v.safeParse(EmailSchema, args.email ?? "");
if (!email.success) fail("Usage: npm run admin:create -- --email you@example.com [--name NAME] [--remote]");

/** Reads a line from the terminal without echoing it. */
function promptHidden(question) {
  return new Promise((resolve, reject) => {
    const { stdin, stdout } = process;
    stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let value = "";
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onData);
          stdout.write("\n");
          return resolve(value);
        }
        if (ch === "\u0003") {
          stdin.setRawMode(false);
          return reject(new Error("cancelled"));
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function readPassword() {
  if (process.stdin.isTTY) {
    const first = await promptHidden(`Password for ${email.output}: `);
    const second = await promptHidden("Again: ");
    if (first !== second) fail("The two passwords differ; nothing was changed.");
    return first;
  }
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  // One trailing newline is the end of the line `echo` or a file gives, not part of the password.
  return text.replace(/\r?\n$/, "");
}

const password = await readPassword();
if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
  fail(`A password has ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters; nothing was changed.`);
}

const sql = adminUpsertSql({
  id: newId("cus"),
  email: email.output,
  name: args.name.trim(),
  passwordHash: await hashPassword(password),
  now: Date.now(),
});
const where = args.remote ? ["--remote", "--env", args.env ?? "production"] : ["--local"];
if (!args.remote && args.env) where.push("--env", args.env);
if (args["persist-to"]) where.push("--persist-to", args["persist-to"]);

const dir = mkdtempSync(path.join(tmpdir(), "admin-"));
const file = path.join(dir, "admin.sql");
writeFileSync(file, sql, { mode: 0o600 });
try {
  wranglerSync(["d1", "execute", "DB", ...where, "--yes", `--file=${file}`], { quiet: true });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `${email.output} is an admin of the ${args.remote ? "deployed" : "local"} shop. Sign in at /account, then open /admin.`,
);
