// Product images in a real browser: an admin uploads a photo while creating a product and another while editing
// it (a file that only pretends to be a PNG is refused on the picker), and the storefront's product page shows
// each from R2 with a year-long immutable cache; a product without an image shows the drawn placeholder.
// Run with `npx vite build && node test/e2e/run.mjs product-images`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { deflateSync } from "node:zlib";
import type { Page, Response } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";
import { signIn } from "./steps.ts";

const browser = browserForFile();

/** A real PNG of one colour, `size` pixels square (what a photo would be, for the browser's decoder). */
function png(size: number, [r, g, b]: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = (crcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Every answer of 400 or more, as "STATUS METHOD PATH". */
function failedResponses(page: Page): string[] {
  const seen: string[] = [];
  page.on("response", (res: Response) => {
    if (res.status() >= 400) seen.push(`${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  return seen;
}

/** The browser logs every 4xx fetch as a console error; those are checked through failedResponses instead. */
const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource/.test(e));

/** Opens the product page (reloading until the edit's cache purge shows `src`), checks the image loaded. */
async function storefrontShows(page: Page, sku: string, src: string): Promise<void> {
  const image = page.locator(".product-detail-image");
  const deadline = Date.now() + 10_000;
  await page.goto(`/products/${sku}`);
  while ((await image.getAttribute("src")) !== src) {
    assert.ok(Date.now() < deadline, `the product page still shows ${await image.getAttribute("src")}, not ${src}`);
    await page.reload({ waitUntil: "domcontentloaded" });
  }
  await page.waitForFunction(
    () => (document.querySelector(".product-detail-image") as HTMLImageElement | null)?.naturalWidth === 64,
  );
  await audit(page, "product page with an uploaded image");
}

test("an admin uploads product images in the console and the storefront shows them from R2", async () => {
  const sku = `PHOTO-${Date.now().toString(36).toUpperCase()}`;
  const admin = await openPage(browser());
  const failures = failedResponses(admin.page);
  await signIn(admin.page, "admin@example.com", "/admin/products");
  await admin.page.locator("[data-products-ready]").waitFor();
  await audit(admin.page, "products");

  // Create, with an image picked in the form: it uploads at once and the preview shows it.
  await admin.page.getByRole("button", { name: "New product" }).click();
  const create = admin.page.getByRole("form", { name: "New product" });
  await create.getByLabel("SKU").fill(sku);
  await create.getByLabel("Name").fill("Sea Photo");
  await create.getByLabel("Material").fill("glass");
  await create.getByLabel("Colour").fill("blue");
  await create.getByLabel("Price").fill("29.00");
  await create.getByLabel("Opening stock").fill("4");
  await create.getByLabel("Upload an image").setInputFiles({
    name: "sea.png",
    mimeType: "image/png",
    buffer: png(64, [30, 90, 200]),
  });
  await create.getByRole("status").filter({ hasText: "Uploaded sea.png." }).waitFor();
  const first = await create.getByLabel("Image URL").inputValue();
  assert.match(first, /^\/images\/[0-9a-f]{64}\.png$/);
  assert.equal(await create.locator(".image-picker-preview").getAttribute("src"), first);
  await audit(admin.page, "new product with an uploaded image");
  await create.getByRole("button", { name: "Create product" }).click();
  await admin.page
    .getByRole("status")
    .filter({ hasText: `Created ${sku}.` })
    .first()
    .waitFor();

  const shopper = await openPage(browser());
  const shopperFailures = failedResponses(shopper.page);
  const served = shopper.page.waitForResponse((res) => new URL(res.url()).pathname === first);
  await storefrontShows(shopper.page, sku, first);
  const image = await served;
  assert.equal(image.status(), 200);
  assert.equal(image.headers()["content-type"], "image/png");
  assert.equal(image.headers()["cache-control"], "public, max-age=31536000, immutable");

  // Edit: a text file named and typed as a PNG is refused on the picker; the form keeps the image it had.
  const row = admin.page.locator(`tr[data-sku="${sku}"]`);
  await row.getByRole("button", { name: /^Edit / }).click();
  const edit = admin.page.getByRole("form", { name: `Edit ${sku}` });
  const picker = edit.getByLabel("Upload an image");
  await picker.setInputFiles({
    name: "fake.png",
    mimeType: "image/png",
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
  });
  await edit.getByRole("alert").filter({ hasText: "not a JPEG, PNG or WebP image" }).waitFor();
  assert.equal(await picker.getAttribute("aria-invalid"), "true");
  assert.equal(await edit.getByLabel("Image URL").inputValue(), first);
  await audit(admin.page, "edit with a refused file");

  // A new photo gets a new URL; once saved, the storefront shows it.
  await picker.setInputFiles({ name: "coral.png", mimeType: "image/png", buffer: png(64, [220, 90, 60]) });
  await edit.getByRole("status").filter({ hasText: "Uploaded coral.png." }).waitFor();
  const second = await edit.getByLabel("Image URL").inputValue();
  assert.match(second, /^\/images\/[0-9a-f]{64}\.png$/);
  assert.notEqual(second, first);
  await edit.getByRole("button", { name: "Save" }).click();
  await admin.page
    .getByRole("status")
    .filter({ hasText: `Saved ${sku}.` })
    .waitFor();
  await storefrontShows(shopper.page, sku, second);

  // The catalog card shows it too.
  await shopper.page.goto(`/?q=${encodeURIComponent("Sea Photo")}`);
  assert.equal(await shopper.page.locator(`.product-card[data-sku="${sku}"] img`).getAttribute("src"), second);
  await audit(shopper.page, "catalog search");

  assert.deepEqual(unexpected(admin.errors), []);
  assert.deepEqual(failures, ["415 POST /api/admin/images"]);
  assert.deepEqual(unexpected(shopper.errors), []);
  assert.deepEqual(shopperFailures, []);
  await shopper.page.context().close();
  await admin.page.context().close();
});

test("a product created without an image shows the drawn placeholder, not a broken image", async () => {
  const sku = `PLAIN-${Date.now().toString(36).toUpperCase()}`;
  const admin = await openPage(browser());
  await signIn(admin.page, "admin@example.com", "/admin/products");
  await admin.page.locator("[data-products-ready]").waitFor();
  await admin.page.getByRole("button", { name: "New product" }).click();
  const create = admin.page.getByRole("form", { name: "New product" });
  await create.getByLabel("SKU").fill(sku);
  await create.getByLabel("Name").fill("Plain Orange");
  await create.getByLabel("Material").fill("amber");
  await create.getByLabel("Colour").fill("orange");
  await create.getByLabel("Price").fill("19.00");
  await create.getByLabel("Opening stock").fill("2");
  await create.getByRole("button", { name: "Create product" }).click();
  await admin.page
    .getByRole("status")
    .filter({ hasText: `Created ${sku}.` })
    .first()
    .waitFor();
  await audit(admin.page, "products after creating one without an image");

  const shopper = await openPage(browser());
  await shopper.page.goto(`/products/${sku}`);
  const placeholder = shopper.page.getByRole("img", { name: "Plain Orange, an orange amber bracelet (no photo yet)" });
  await placeholder.waitFor();
  assert.equal(await shopper.page.locator(".product-detail img").count(), 0);
  await audit(shopper.page, "product page with the placeholder");
  assert.deepEqual(unexpected(shopper.errors), []);
  await shopper.page.context().close();
  await admin.page.context().close();
});
