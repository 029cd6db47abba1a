import { z } from 'zod';
import { kaspiRequest, storefrontHeaders, type KaspiContext } from './http';
import { idString } from './offers';

export const reviewSchema = z.object({
  id: idString,
  author: z.string().nullish(),
  /** `dd.mm.yyyy` */
  date: z.string(),
  rating: z.number(),
  comment: z.object({ plus: z.string().nullish(), minus: z.string().nullish(), text: z.string().nullish() }).nullish(),
  merchant: z.object({ name: z.string().nullish(), code: idString.nullish() }).nullish(),
  orderNumber: idString.nullish(),
});

export const reviewsResponseSchema = z.object({
  data: z.array(reviewSchema),
  summary: z
    .object({
      global: z.number().nullish(),
      reviewsCount: z.number().nullish(),
      ratingCount: z.number().nullish(),
    })
    .nullish(),
  groupSummary: z.array(z.object({ id: z.string(), total: z.number() })).nullish(),
});

export interface Review {
  id: string;
  author: string | null;
  /** ISO date (`2026-09-21`) from Kaspi's `dd.mm.yyyy`. */
  date: string;
  rating: number;
  plus: string | null;
  minus: string | null;
  text: string | null;
  merchantUid: string | null;
  merchantName: string | null;
  orderNumber: string | null;
}

export interface ReviewsPage {
  reviews: Review[];
  rating: number | null;
  reviewsCount: number | null;
  ratingCount: number | null;
}

function isoDate(ddmmyyyy: string): string {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(ddmmyyyy);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : ddmmyyyy;
}

export function toReviewsPage(body: z.infer<typeof reviewsResponseSchema>): ReviewsPage {
  return {
    reviews: body.data.map((r) => ({
      id: r.id,
      author: r.author ?? null,
      date: isoDate(r.date),
      rating: r.rating,
      plus: r.comment?.plus ?? null,
      minus: r.comment?.minus ?? null,
      text: r.comment?.text ?? null,
      merchantUid: r.merchant?.code ?? null,
      merchantName: r.merchant?.name ?? null,
      orderNumber: r.orderNumber ?? null,
    })),
    rating: body.summary?.global ?? null,
    reviewsCount: body.summary?.reviewsCount ?? null,
    ratingCount: body.summary?.ratingCount ?? null,
  };
}

export interface ReviewsParams {
  productId: string;
  page?: number;
  limit?: number;
  /** `COMMENT` = reviews with text, `ALL` = ratings too. */
  filter?: 'COMMENT' | 'ALL';
  sort?: 'POPULARITY' | 'DATE';
  /** Only reviews of one shop's sales. */
  merchantUid?: string;
}

/** GET `/yml/review-view/api/v1/reviews/product/{productId}` — one page of a product's reviews. */
export async function fetchReviews(ctx: KaspiContext, params: ReviewsParams): Promise<ReviewsPage> {
  const query = new URLSearchParams({
    filter: params.filter ?? 'COMMENT',
    sort: params.sort ?? 'DATE',
    limit: String(params.limit ?? 50),
    page: String(params.page ?? 0),
    withAgg: 'true',
  });
  if (params.merchantUid) query.set('merchantCodes', params.merchantUid);
  const body = await kaspiRequest(ctx, {
    endpoint: 'reviews',
    surface: 'public',
    method: 'GET',
    url: `${ctx.urls.publicUrl}/yml/review-view/api/v1/reviews/product/${encodeURIComponent(params.productId)}?${query}`,
    headers: storefrontHeaders(ctx.urls, `${ctx.urls.publicUrl}/shop/p/-${params.productId}/`),
    schema: reviewsResponseSchema,
  });
  return toReviewsPage(body);
}
