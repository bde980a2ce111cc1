/** The product page (GET /products/:sku): image, details, live availability and "Add to cart". */
import { Island } from "../../web/src/island";
import { formatMoney } from "../../web/src/lib/api";
import { ProductImage } from "../../web/src/lib/product-image";
import type { Product } from "../domain/catalog";
import { productAlt } from "../domain/catalog";

export function ProductView({ product }: { product: Product }) {
  const { sku, name, available } = product;
  return (
    <>
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href="/">Catalog</a> <span aria-hidden="true">/</span> <span aria-current="page">{name}</span>
      </nav>
      <article class="product-detail" data-sku={sku}>
        <ProductImage
          class="product-detail-image"
          src={product.imageUrl}
          alt={productAlt({ ...product, name })}
          width={480}
          height={480}
        />
        <div class="product-detail-info">
          <h1>{name}</h1>
          <p class="price product-detail-price">{formatMoney(product.priceCents, product.currency)}</p>
          <Island name="LiveStock" props={{ sku, available }} />
          <p class="product-detail-description">{product.description}</p>
          <dl class="product-facts">
            <dt>Material</dt>
            <dd>{product.material}</dd>
            <dt>Colour</dt>
            <dd>{product.colour}</dd>
            <dt>SKU</dt>
            <dd>{sku}</dd>
          </dl>
          <Island name="AddToCart" props={{ sku, name, available }} />
          {available <= 0 ? <Island name="BackInStock" props={{ sku, name, available }} /> : null}
        </div>
      </article>
    </>
  );
}
