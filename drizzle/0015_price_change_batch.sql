-- A product may be decided again in a later check batch of the same cycle: a contested card is answered each time its rival moves, not once a cycle.
DROP INDEX "price_changes_product_cycle_key";--> statement-breakpoint
ALTER TABLE "price_changes" ADD COLUMN "batch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "price_changes_product_cycle_batch_key" ON "price_changes" USING btree ("product_id","cycle","batch");
