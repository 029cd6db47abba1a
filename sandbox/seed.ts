import { z } from 'zod';
import type { Auth } from './auth';
import { BOT_KINDS, type Market } from './market';
import type { OrderBook } from './orders';

/** What a test or the control API may put into the market; everything optional, applied in order. */
export const marketSeedSchema = z.object({
  merchants: z
    .array(
      z.object({
        uid: z.string().min(1),
        name: z.string().min(1),
        points: z.array(
          z.object({
            code: z.string().min(1),
            cityId: z.string().regex(/^\d+$/),
            name: z.string().optional(),
            enabled: z.boolean().optional(),
          }),
        ),
        rating: z.number().min(0).max(5).optional(),
        reviewsQuantity: z.number().int().nonnegative().optional(),
        shopApiToken: z.string().min(1).optional(),
      }),
    )
    .default([]),
  logins: z
    .array(
      z.object({
        email: z.string().min(1).optional(),
        password: z.string().optional(),
        phone: z.string().optional(),
        mfa: z.boolean().optional(),
        merchantUids: z.array(z.string().min(1)).min(1),
      }),
    )
    .default([]),
  products: z
    .array(
      z.object({
        id: z.string().regex(/^\d+$/),
        title: z.string().min(1),
        brand: z.string().optional(),
        category: z.string().optional(),
      }),
    )
    .default([]),
  offers: z
    .array(
      z.object({
        merchantUid: z.string().min(1),
        sku: z.string().min(1),
        productId: z.string().regex(/^\d+$/),
        model: z.string().optional(),
        brand: z.string().optional(),
        price: z.number().positive(),
        cityPrices: z.record(z.string(), z.number().positive()).optional(),
        points: z.array(z.string()).optional(),
        preorderDays: z.number().int().min(0).max(30).optional(),
        malformed: z.boolean().optional(),
      }),
    )
    .default([]),
  bots: z
    .array(
      z.object({
        merchantUid: z.string().min(1),
        sku: z.string().min(1),
        kind: z.enum(BOT_KINDS),
        intervalMs: z.number().int().positive().optional(),
        stepTenge: z.number().positive().optional(),
        floorPrice: z.number().positive().optional(),
        ceilingPrice: z.number().positive().optional(),
      }),
    )
    .default([]),
  orders: z
    .array(
      z.object({
        merchantUid: z.string().min(1),
        code: z.string().optional(),
        creationDateMs: z.number().int(),
        state: z.string().optional(),
        status: z.string().optional(),
        deliveryMode: z.string().optional(),
        isKaspiDelivery: z.boolean().optional(),
        pickupPointCode: z.string().optional(),
        preOrder: z.boolean().optional(),
        signatureRequired: z.boolean().optional(),
        customer: z
          .object({
            firstName: z.string().optional(),
            lastName: z.string().optional(),
            cellPhone: z.string().optional(),
          })
          .optional(),
        entries: z
          .array(
            z.object({
              sku: z.string().min(1),
              name: z.string().optional(),
              quantity: z.number().int().positive(),
              basePrice: z.number().nonnegative(),
            }),
          )
          .min(1),
      }),
    )
    .default([]),
  reviews: z
    .array(
      z.object({
        productId: z.string().min(1),
        merchantUid: z.string().optional(),
        author: z.string(),
        date: z.string().regex(/^\d{2}\.\d{2}\.\d{4}$/),
        rating: z.number().int().min(1).max(5),
        text: z.string().optional(),
        plus: z.string().optional(),
        minus: z.string().optional(),
      }),
    )
    .default([]),
});

export type MarketSeed = z.input<typeof marketSeedSchema>;

export function applySeed(parts: { market: Market; auth: Auth; orders: OrderBook }, input: MarketSeed): void {
  const seed = marketSeedSchema.parse(input);
  for (const merchant of seed.merchants) {
    parts.market.addMerchant(merchant);
    if (merchant.shopApiToken) parts.auth.shopTokens.set(merchant.shopApiToken, merchant.uid);
  }
  for (const login of seed.logins) parts.auth.addLogin(login);
  for (const product of seed.products) parts.market.addProduct(product);
  for (const offer of seed.offers) parts.market.addOffer(offer);
  for (const bot of seed.bots) parts.market.addBot(bot);
  for (const order of seed.orders) parts.orders.add(order);
  for (const review of seed.reviews) parts.market.addReview(review);
}
