-- A check batch reads on while its changes are pushed: a product may be decided again in a later read of the same batch.
DROP INDEX "price_changes_product_cycle_batch_key";--> statement-breakpoint
ALTER TABLE "price_changes" ADD COLUMN "round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "price_changes_product_cycle_batch_round_key" ON "price_changes" USING btree ("product_id","cycle","batch","round");