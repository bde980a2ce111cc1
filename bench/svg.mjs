// bench/results/latest.svg: the flash sale's time-to-answer distribution (cumulative, per kind of shopper)
// and every shop/baseline throughput ratio of the run, as one self-contained SVG (no dependencies).
const W = 960;
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const COLOURS = { winners: "#1f77b4", refused: "#d62728", confirmed: "#2ca02c" };
/** Targets of issue 9 for the ratios that have one. */
const TARGETS = { "order creation": 0.5, refusal: 0.8 };

function cdfPanel(flash, top) {
  const h = 300;
  const left = 70;
  const right = W - 30;
  const series = Object.entries(flash.answerMs).filter(([, v]) => v.length > 0);
  const max = Math.max(1, ...series.flatMap(([, v]) => v));
  const x = (ms) => left + (ms / max) * (right - left);
  const y = (f) => top + h - f * h;
  const parts = [
    `<text x="${left}" y="${top - 12}" font-size="15" font-weight="bold">Flash sale: time until each shopper is answered (cumulative share)</text>`,
    `<rect x="${left}" y="${top}" width="${right - left}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const f = i / 4;
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${y(f)}" y2="${y(f)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${y(f) + 4}" font-size="11" text-anchor="end">${f * 100}%</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const ms = (max * i) / 5;
    parts.push(
      `<text x="${x(ms)}" y="${top + h + 16}" font-size="11" text-anchor="middle">${(ms / 1000).toFixed(1)} s</text>`,
    );
  }
  const labels = { winners: "order placed (201)", refused: "refused (409)", confirmed: "winners: confirmed" };
  series.forEach(([name, values], k) => {
    const sorted = [...values].sort((a, b) => a - b);
    const pts = sorted.map((v, i) => `${x(v).toFixed(1)},${y((i + 1) / sorted.length).toFixed(1)}`);
    parts.push(
      `<polyline fill="none" stroke="${COLOURS[name]}" stroke-width="2" points="${x(0)},${y(0)} ${pts.join(" ")}"/>`,
      `<rect x="${left + 12}" y="${top + 12 + k * 18}" width="12" height="12" fill="${COLOURS[name]}"/>`,
      `<text x="${left + 30}" y="${top + 22 + k * 18}" font-size="12">${esc(labels[name])}: n=${sorted.length}, p50 ${Math.round(sorted[Math.ceil(sorted.length / 2) - 1])} ms, p99 ${Math.round(sorted[Math.ceil(sorted.length * 0.99) - 1])} ms</text>`,
    );
  });
  return { svg: parts.join("\n"), height: h + 50 };
}

/** Every ratio of the run: the flash scenario's own, and the "x baseline" / "ratio" columns of the others. */
function ratiosOf(results) {
  const out = [];
  for (const r of results) {
    if (r.name === "flash" && r.raw?.ratios) {
      for (const [k, v] of Object.entries(r.raw.ratios)) out.push({ label: k, value: v, target: TARGETS[k] });
      continue;
    }
    for (const row of r.rows) {
      const v = Number(row["x baseline"] ?? row.ratio);
      if (Number.isFinite(v) && v > 0) out.push({ label: `${r.name}: ${row.metric}`, value: v });
    }
  }
  return out;
}

function ratioPanel(ratios, top) {
  const left = 300;
  const right = W - 60;
  const bar = 22;
  const max = Math.max(1.2, ...ratios.map((r) => r.value));
  const x = (v) => left + (v / max) * (right - left);
  const parts = [
    `<text x="20" y="${top - 12}" font-size="15" font-weight="bold">Throughput as a ratio of the baseline Worker (1.0 = as fast; | = target)</text>`,
  ];
  ratios.forEach((r, i) => {
    const yy = top + i * (bar + 8);
    const met = r.target === undefined || r.value >= r.target;
    parts.push(
      `<text x="${left - 8}" y="${yy + 15}" font-size="12" text-anchor="end">${esc(r.label)}</text>`,
      `<rect x="${left}" y="${yy}" width="${Math.max(1, x(r.value) - left).toFixed(1)}" height="${bar}" fill="${met ? "#4c9f70" : "#d9822b"}"/>`,
      `<text x="${x(r.value) + 5}" y="${yy + 15}" font-size="12">${r.value.toFixed(2)}×</text>`,
    );
    if (r.target !== undefined) {
      parts.push(
        `<line x1="${x(r.target)}" x2="${x(r.target)}" y1="${yy - 3}" y2="${yy + bar + 3}" stroke="#000" stroke-width="2"/>`,
      );
    }
  });
  const h = ratios.length * (bar + 8);
  parts.push(`<line x1="${x(1)}" x2="${x(1)}" y1="${top - 4}" y2="${top + h}" stroke="#666" stroke-dasharray="4 3"/>`);
  return { svg: parts.join("\n"), height: h + 30 };
}

export function renderSvg({ stamp, machine, quick, results }) {
  const blocks = [];
  let top = 60;
  const flash = results.find((r) => r.name === "flash")?.raw;
  if (flash) {
    const p = cdfPanel(flash, top + 20);
    blocks.push(p.svg);
    top += p.height + 60;
  }
  const ratios = ratiosOf(results);
  if (ratios.length > 0) {
    const p = ratioPanel(ratios, top);
    blocks.push(p.svg);
    top += p.height + 20;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${top}" viewBox="0 0 ${W} ${top}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="28" font-size="18" font-weight="bold">Bracelet Shop benchmark${quick ? " (quick)" : ""}</text>
<text x="20" y="46" font-size="12" fill="#555">${esc(stamp)}, ${esc(machine)}</text>
${blocks.join("\n")}
</svg>
`;
}
