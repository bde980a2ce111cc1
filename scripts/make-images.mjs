// Draws each seeded bracelet as an SVG ring of beads (web/public/images/<sku>.svg). Run after editing
// scripts/seed-data.mjs; the output is committed so a fresh clone needs no network and no build step.
import { mkdirSync, writeFileSync } from "node:fs";
import { PRODUCTS } from "./seed-data.mjs";

const dir = new URL("../web/public/images/", import.meta.url);
mkdirSync(dir, { recursive: true });

for (const p of PRODUCTS) {
  const count = 18;
  const beads = [];
  for (let i = 0; i < count; i++) {
    const a = (i / count) * Math.PI * 2;
    const x = (200 + Math.cos(a) * 120).toFixed(1);
    const y = (200 + Math.sin(a) * 120).toFixed(1);
    const colour = p.beads[i % p.beads.length];
    beads.push(
      `<circle cx="${x}" cy="${y}" r="${i % 3 === 0 ? 22 : 18}" fill="${colour}" stroke="#00000022" stroke-width="2"/>`,
    );
    beads.push(
      `<circle cx="${(Number(x) - 6).toFixed(1)}" cy="${(Number(y) - 6).toFixed(1)}" r="5" fill="#ffffff55"/>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" role="img" aria-label="${p.name}">
<title>${p.name}</title>
<rect width="400" height="400" fill="#faf7f2"/>
<circle cx="200" cy="200" r="120" fill="none" stroke="#8a7f72" stroke-width="3"/>
${beads.join("\n")}
</svg>
`;
  writeFileSync(new URL(`${p.sku}.svg`, dir), svg);
}
console.log(`drew ${PRODUCTS.length} bracelets into web/public/images/`);
