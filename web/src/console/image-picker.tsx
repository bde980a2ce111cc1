/**
 * The product forms' image: a preview of what the product shows now (or the placeholder shoppers see), and a
 * file picker that uploads at once to POST /api/admin/images. The server checks the bytes (JPEG, PNG or WebP,
 * at most 2 MB) and answers the content-addressed URL, which becomes the form's `imageUrl`; the product keeps
 * its old image until the form is saved. A refused file is explained on the picker and changes nothing.
 */
import { useState } from "preact/hooks";
import { ApiFailure, sendBytes } from "../lib/api";
import { ProductImage } from "../lib/product-image";

const MAX_MB = 2;

/** What the shopper-facing wording of each refusal is; the codes are the API's (src/http/errors.ts). */
function problem(err: unknown): string {
  if (!(err instanceof ApiFailure)) return "The upload did not reach the shop. Check your connection and try again.";
  if (err.code === "unsupported_image") return "This file is not a JPEG, PNG or WebP image. Choose another file.";
  if (err.code === "image_too_large") return `This image is larger than ${MAX_MB} MB. Choose a smaller one.`;
  return err.message;
}

type Props = {
  /** Keeps ids unique per form. */
  id: string;
  productName: string;
  url: string;
  onUploaded: (url: string) => void;
};

export function ImagePicker({ id, productName, url, onUploaded }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const inputId = `${id}-image-file`;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;

  const onChange = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    setNotice("");
    try {
      const image = await sendBytes<{ url: string }>("/api/admin/images", file);
      onUploaded(image.url);
      setNotice(`Uploaded ${file.name}. Save the product to show it in the shop.`);
    } catch (err) {
      setError(problem(err));
      input.value = "";
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class={`field image-picker${error ? " invalid" : ""}`}>
      <ProductImage
        class="image-picker-preview"
        src={url}
        alt={url ? `Image of ${productName || "the new product"}` : ""}
        width={96}
        height={96}
      />
      <div>
        <label for={inputId}>
          Upload an image<span class="muted optional"> (optional)</span>
        </label>
        <input
          id={inputId}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          disabled={busy}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${errorId} ${hintId}` : hintId}
          onChange={onChange}
        />
        {error ? (
          <p class="error-text field-error" id={errorId} role="alert">
            {error}
          </p>
        ) : null}
        <p class="hint muted" id={hintId}>
          JPEG, PNG or WebP, at most {MAX_MB} MB.
        </p>
        <p class="ok-text" role="status">
          {busy ? "Uploading…" : notice}
        </p>
      </div>
    </div>
  );
}
