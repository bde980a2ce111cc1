/**
 * A product's picture, or, for a product without one, a drawn placeholder: an inline SVG of an empty bead
 * ring with "No photo yet", so the page never shows a broken image. `alt` "" marks it decorative (a card whose
 * link is already named by its heading); otherwise it is the image's description.
 */
type Props = { src: string; alt: string; width: number; height: number; class?: string; loading?: "lazy" };

const BEADS = Array.from({ length: 12 }, (_, i) => {
  const a = (i / 12) * Math.PI * 2;
  return { x: Math.round(200 + Math.cos(a) * 120), y: Math.round(200 + Math.sin(a) * 120) };
});

export function ProductImage({ src, alt, width, height, class: cls, loading }: Props) {
  if (src) return <img class={cls} src={src} alt={alt} width={width} height={height} loading={loading} />;
  return (
    <svg
      class={cls ? `${cls} placeholder-image` : "placeholder-image"}
      viewBox="0 0 400 400"
      width={width}
      height={height}
      data-placeholder=""
      {...(alt ? { role: "img", "aria-label": `${alt} (no photo yet)` } : { "aria-hidden": "true" })}
    >
      <rect width="400" height="400" fill="#f3efe8" />
      <circle cx="200" cy="200" r="120" fill="none" stroke="#b9ad9f" stroke-width="3" stroke-dasharray="8 10" />
      {BEADS.map((b) => (
        <circle cx={b.x} cy={b.y} r="16" fill="#e4dccf" stroke="#b9ad9f" stroke-width="2" />
      ))}
      <text x="200" y="212" text-anchor="middle" font-family="system-ui, sans-serif" font-size="30" fill="#5c544b">
        No photo yet
      </text>
    </svg>
  );
}
